#!/usr/bin/env bash
# Headless Chromium for tests/test_site_browser.py (the decision register in a browser).
# Idempotent: does nothing when Chromium is already there. Installs it with apt-get when it
# can (as root, or with passwordless sudo); otherwise says how and exits 1.
# Set FMGATE_CHROMIUM to use a Chromium somewhere else.
set -euo pipefail

CHROMIUM="${FMGATE_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
    echo "chromium: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

if [ -n "${FMGATE_CHROMIUM:-}" ]; then
    echo "chromium: FMGATE_CHROMIUM=$FMGATE_CHROMIUM is not an executable file" >&2
    exit 1
fi

if command -v apt-get > /dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo > /dev/null 2>&1 && sudo -n true 2> /dev/null; then
        SUDO="sudo -n"
    else
        SUDO="unavailable"
    fi
    if [ "$SUDO" != "unavailable" ]; then
        echo "chromium: installing with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq chromium chromium-driver > /dev/null
        if [ -x "$CHROMIUM" ]; then
            echo "chromium: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
            exit 0
        fi
        echo "chromium: apt-get finished but $CHROMIUM is still missing" >&2
    fi
fi

cat >&2 <<'HOW'
chromium: not installed, and this script cannot install it here. The browser test
(tests/test_site_browser.py) is skipped until it is. To install it:
  Debian:          sudo apt-get update && sudo apt-get install -y chromium chromium-driver
  Ubuntu:          the apt 'chromium' package is a snap wrapper; use 'sudo snap install chromium'
                   or Google Chrome, then point FMGATE_CHROMIUM at the binary
  Fedora:          sudo dnf install -y chromium
  macOS:           brew install --cask chromium, then
                   export FMGATE_CHROMIUM="/Applications/Chromium.app/Contents/MacOS/Chromium"
  anything else:   install Chromium or Chrome and set FMGATE_CHROMIUM to its binary
HOW
exit 1
