# Sourced by start.sh and test.sh: a virtual environment in .venv with the pinned packages.
# Uses uv (about 10x faster than pip here); installs it with pip when it is missing.
set -euo pipefail
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "error: Python 3.11 is needed (Mesa 3.3 pins it); found $("$PYTHON" --version)" >&2
    exit 2
fi
if ! command -v uv >/dev/null; then
    "$PYTHON" -m pip install --quiet --user uv 2>/dev/null || "$PYTHON" -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
fi
[[ -x .venv/bin/python ]] || uv venv --quiet --python "$PYTHON" .venv
uv pip install --quiet --python .venv/bin/python -r requirements.lock
uv pip install --quiet --python .venv/bin/python --no-deps -e .
