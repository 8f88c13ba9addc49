#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests (tests/serve/test_browser.py).
# Installs it when it is missing and we are root; otherwise says why not, and the browser tests
# skip with that reason. Never fails the build: the tests report what is missing.
set -u
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    echo "browser-deps: $CHROMIUM present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "browser-deps: $CHROMIUM missing and not running as root: not installing it; the browser tests will skip" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser-deps: $CHROMIUM missing and apt-get not found: not installing it; the browser tests will skip" >&2
    exit 0
fi
echo "browser-deps: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    if ! apt-get install -y -q --no-install-recommends chromium; then
        echo "browser-deps: apt-get install chromium failed; the browser tests will skip" >&2
        exit 0
    fi
fi
echo "browser-deps: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
