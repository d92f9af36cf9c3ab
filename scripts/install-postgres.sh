#!/usr/bin/env bash
# PostgreSQL's server binaries for the tests that read evidence from a real database
# (tests/pg_server.py starts a throwaway cluster on loopback; nothing here starts a server).
# Idempotent: does nothing when initdb is already installed. Installs Debian's postgresql
# package with apt-get when it can (as root, or with passwordless sudo); otherwise says how.
set -euo pipefail

found() {
    ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || command -v initdb > /dev/null 2>&1
}

if found; then
    echo "postgresql: $(ls /usr/lib/postgresql/*/bin/initdb 2> /dev/null | tail -1 || command -v initdb)"
    exit 0
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
        echo "postgresql: installing with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        # the package's own cluster is not needed: the tests make their own
        $SUDO apt-get install -y -qq -o Dpkg::Options::=--force-confdef postgresql > /dev/null
        if found; then
            echo "postgresql: $(ls /usr/lib/postgresql/*/bin/initdb | tail -1)"
            exit 0
        fi
        echo "postgresql: apt-get finished but initdb is still missing" >&2
    fi
fi

echo "postgresql: not installed; install Debian's 'postgresql' package (apt-get install postgresql)" >&2
exit 1
