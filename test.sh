#!/usr/bin/env bash
# One command: set everything up and run the whole test suite.
# The browser tests need Debian's chromium at /usr/bin/chromium, libatomic1 (Playwright's
# driver needs it) and fonts-noto-core (Thai and Vietnamese text; without it Thai shows as
# boxes); as root this script installs what is missing with apt-get, otherwise the browser
# tests are skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
for package in chromium libatomic1 fonts-noto-core; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$package")
done
if (( ${#missing[@]} )) && [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
    echo "installing Debian's ${missing[*]} for the browser tests"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
source scripts/setup.sh
.venv/bin/python -m pytest "$@"
