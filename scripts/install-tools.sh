#!/usr/bin/env bash
# Installs the pinned policy tools into .tools/bin: opa, regal and actionlint.
# A binary already on PATH is reused when its version matches; otherwise the
# tool is built from the Go module proxy (CGO off: no wasm runtime needed).
# Re-running is quick: a tool whose stamp matches is left alone.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"
stamps="$root/.tools/versions"
mkdir -p "$bin" "$stamps"

OPA_VERSION=v1.22.2
REGAL_VERSION=v0.42.0
ACTIONLINT_VERSION=v1.7.12

say() { printf 'setup: %s\n' "$*"; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    cat >&2 <<MSG
setup: Go is not installed, and fmgate installs $1 with 'go install'.
setup: install Go 1.26 or newer (https://go.dev/doc/install), or put $1 $2 on PATH
setup: (for OPA: the release binary from the OPA project), then run this again.
MSG
    exit 3
  fi
}

stamped() { [ -x "$bin/$1" ] && [ "$(cat "$stamps/$1" 2>/dev/null)" = "$2" ]; }

reuse_from_path() { # name version version-command...
  local name=$1 version=$2; shift 2
  local found
  found=$(command -v "$name" 2>/dev/null || true)
  if [ -n "$found" ] && [ "$found" != "$bin/$name" ] && "$found" "$@" 2>/dev/null | grep -q "${version#v}"; then
    ln -sf "$found" "$bin/$name"
    echo "$version" > "$stamps/$name"
    say "$name $version: reusing $found"
    return 0
  fi
  return 1
}

install_opa() {
  stamped opa "$OPA_VERSION" && return 0
  reuse_from_path opa "$OPA_VERSION" version && return 0
  need_go opa "$OPA_VERSION"
  say "building opa $OPA_VERSION (a few minutes the first time)"
  CGO_ENABLED=0 GOBIN="$bin" GOFLAGS=-buildvcs=false go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  echo "$OPA_VERSION" > "$stamps/opa"
}

install_regal() {
  stamped regal "$REGAL_VERSION" && return 0
  reuse_from_path regal "$REGAL_VERSION" version && return 0
  need_go regal "$REGAL_VERSION"
  say "building regal $REGAL_VERSION"
  # Built from a pinned module (tools/regal/go.mod + go.sum) rather than
  # 'go install regal@version': that form also asks the proxy for the module's
  # version list, which the proxy used here refuses for regal.
  (cd "$root/tools/regal" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o "$bin/regal" github.com/open-policy-agent/regal)
  echo "$REGAL_VERSION" > "$stamps/regal"
}

install_actionlint() {
  stamped actionlint "$ACTIONLINT_VERSION" && return 0
  reuse_from_path actionlint "$ACTIONLINT_VERSION" -version && return 0
  need_go actionlint "$ACTIONLINT_VERSION"
  say "building actionlint $ACTIONLINT_VERSION"
  CGO_ENABLED=0 GOBIN="$bin" GOFLAGS=-buildvcs=false go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "$ACTIONLINT_VERSION" > "$stamps/actionlint"
}

case "${1:-all}" in
  opa) install_opa ;;
  regal) install_regal ;;
  actionlint) install_actionlint ;;
  all) install_opa; install_regal; install_actionlint ;;
  *) echo "usage: $0 [opa|regal|actionlint|all]" >&2; exit 2 ;;
esac
