#!/usr/bin/env bash
# One command: set everything up and run the whole test suite.
# The browser test needs Debian's chromium at /usr/bin/chromium; as root this script installs
# it with apt-get, otherwise that one test is skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -x /usr/bin/chromium && "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser test"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
source scripts/setup.sh
.venv/bin/python -m pytest "$@"
