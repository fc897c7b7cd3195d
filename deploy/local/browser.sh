#!/usr/bin/env bash
# deploy/local/browser.sh — the browser the web client's tests drive: Debian's
# Chromium, installed with apt when missing (`make test` runs this; `make run`
# does not need it). Playwright is pointed at it (tests/browser/conftest.py),
# so no browser is ever downloaded.
set -euo pipefail
# An emoji font too, so what people type (🚢) shows in the screenshots as they see it.
if [[ -x "${PORTAL_CHROMIUM:-/usr/bin/chromium}" ]] && dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
    exit 0
fi
[[ $(id -u) == 0 ]] || { echo "browser: need root to apt-get install chromium" >&2; exit 1; }
echo "browser: apt-get install chromium fonts-noto-color-emoji"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji >/dev/null
