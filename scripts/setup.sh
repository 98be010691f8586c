# Sourced by start.sh and test.sh: a virtual environment in .venv with the pinned packages.
# Uses uv (about 10x faster than pip here); installs it with pip when it is missing.
set -euo pipefail
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "error: Python 3.11 is needed (Mesa 3.3 pins it); found $("$PYTHON" --version)" >&2
    exit 2
fi
if command -v uv >/dev/null; then
    UV=(uv)
else
    # `python -m uv` works wherever pip puts it, even when its scripts folder is not on PATH.
    "$PYTHON" -m uv --version >/dev/null 2>&1 \
        || "$PYTHON" -m pip install --quiet --user uv 2>/dev/null \
        || "$PYTHON" -m pip install --quiet uv
    UV=("$PYTHON" -m uv)
fi
[[ -x .venv/bin/python ]] || "${UV[@]}" venv --quiet --python "$PYTHON" .venv
"${UV[@]}" pip install --quiet --python .venv/bin/python -r requirements.lock
"${UV[@]}" pip install --quiet --python .venv/bin/python --no-deps -e .
