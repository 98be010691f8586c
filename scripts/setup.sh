#!/usr/bin/env bash
# A virtual environment in .venv with this project and its pinned packages. start.sh and test.sh
# source it; `bash scripts/setup.sh` or `source scripts/setup.sh` also work, from any folder.
#
# Needs only a Python 3.11 and the package registries. Without uv on PATH, the environment is
# made with Python's venv module (on Debian the python3-venv package, which this installs with
# apt-get when run as root) and uv is installed inside it. uv does the installing because it is
# about 10x faster than pip here. Nothing is written outside the repository except the pip and
# uv download caches (under ~/.cache). A second run sees that nothing changed and returns at
# once; delete .venv to rebuild it from scratch.

# The body runs in a subshell so that sourcing this file neither changes the caller's shell
# options nor closes an interactive shell on error.
(
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Optional-dependency groups of pyproject.toml to install with the project. The versions always
# come from requirements.lock, which must therefore be compiled with every group.
EXTRAS="${SETUP_EXTRAS:-app,sweep,test}"
UV_VERSION=0.13.9  # installed into .venv when uv is not on PATH

# uv is to trust the system's certificates, as pip and apt do: a network that inspects TLS (common
# in offices) adds its authority there, and uv's own list refuses it. UV_NATIVE_TLS: uv < 0.11.
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-true}" UV_NATIVE_TLS="${UV_NATIVE_TLS:-true}"

is_311='import sys; sys.exit(sys.version_info[:2] != (3, 11))'
fingerprint=$({ echo "$EXTRAS"; cat requirements.lock pyproject.toml scripts/setup.sh; } \
    | sha256sum)
if .venv/bin/python -c "$is_311" 2>/dev/null \
    && [[ "$(cat .venv/.setup-fingerprint 2>/dev/null)" == "$fingerprint" ]]; then
    exit 0
fi
rm -f .venv/.setup-fingerprint  # written again only when everything below succeeds

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
if [[ -z "$PYTHON" ]] || ! "$PYTHON" -c "$is_311" 2>/dev/null; then
    echo "error: Python 3.11 is needed (Mesa 3.3 pins it); found:" \
        "$("${PYTHON:-python3}" --version 2>/dev/null || echo "no ${PYTHON:-python3}")" >&2
    exit 2
fi
echo "setting up .venv with $("$PYTHON" --version) and the packages pinned in requirements.lock"

if command -v uv >/dev/null; then
    # uv makes the environment itself, so Python's venv module is not needed.
    UV=uv
    if ! .venv/bin/python -c "$is_311" 2>/dev/null; then
        rm -rf .venv
        uv venv --quiet --python "$PYTHON" .venv
    fi
else
    UV=.venv/bin/uv
    # pip is needed once, to install uv; a .venv made by uv has no pip, so it is made again.
    if ! .venv/bin/python -c "$is_311" 2>/dev/null \
        || ! { [[ -x .venv/bin/uv ]] || .venv/bin/python -m pip --version >/dev/null 2>&1; }; then
        if ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
            if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
                echo "installing Debian's python3-venv (Python's venv module needs it)"
                apt-get update -q >/dev/null
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
            fi
            if ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
                echo "error: $PYTHON cannot make a virtual environment (no ensurepip): install" \
                    "Debian's python3-venv (as root: apt-get install python3-venv) or uv" >&2
                exit 2
            fi
        fi
        rm -rf .venv
        "$PYTHON" -m venv .venv
    fi
    [[ -x .venv/bin/uv ]] || .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        "uv==$UV_VERSION"
fi

# Installed packages (name==version) that requirements.lock does not pin.
not_in_lock() {
    "$UV" pip freeze --quiet --python .venv/bin/python --exclude-editable \
        | grep -viE '^(pip|uv|setuptools)==' \
        | grep -Fxiv -f <(grep -E '^[A-Za-z0-9]' requirements.lock) || true
}
# What an older lock pinned goes first (uv would leave it), so that the check below sees only
# what this lock and these extras bring in.
stale=$(not_in_lock)
if [[ -n "$stale" ]]; then
    "$UV" pip uninstall --quiet --python .venv/bin/python $(sed 's/==.*//' <<<"$stale")
fi
"$UV" pip install --quiet --python .venv/bin/python -c requirements.lock -e ".[$EXTRAS]"
# A package missing from requirements.lock has just been installed at whatever version is
# newest today: refuse to run with unpinned code.
unpinned=$(not_in_lock)
if [[ -n "$unpinned" ]]; then
    echo "error: installed but not pinned in requirements.lock: ${unpinned//$'\n'/, }" >&2
    echo "  compile it again with the command in its first lines (with every optional group)" >&2
    exit 2
fi
echo "$fingerprint" > .venv/.setup-fingerprint
)
