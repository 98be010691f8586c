#!/usr/bin/env bash
# Build the wheel with `python -m build`, install it (core dependencies only, pinned by
# requirements.lock) into a fresh virtual environment away from the checkout, and run
# `sim run baseline` there: an installed package must find its data tables, scenarios and
# templates without the repository.
#   scripts/check_wheel.sh          (needs .venv from scripts/setup.sh, with the dev extra)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# uv trusts the system's certificates, as in scripts/setup.sh (a network that inspects TLS adds
# its authority there; uv's own list refuses it)
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-true}" UV_NATIVE_TLS="${UV_NATIVE_TLS:-true}"
# uv: on the PATH, or where scripts/setup.sh put it (inside .venv, when there was none)
if command -v uv >/dev/null; then UV=(uv); elif [[ -x "$repo/.venv/bin/uv" ]]; then
    UV=("$repo/.venv/bin/uv"); else UV=("$repo/.venv/bin/python" -m uv); fi

.venv/bin/python -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }
wheel=("$work"/dist/*.whl)
"${UV[@]}" venv --quiet --python "$repo/.venv/bin/python" "$work/venv"
"${UV[@]}" pip install --quiet --python "$work/venv/bin/python" -c requirements.lock "${wheel[0]}"

cd "$work"  # nothing of the checkout on the path
"$work/venv/bin/python" - <<'PY'
import sim, sim.data
where = str(sim.data.DEFAULT_DATA_DIR)
assert "site-packages" in sim.__file__ and "site-packages" in where, (sim.__file__, where)
print(f"installed sim {sim.__version__}; data tables in {where}")
PY
"$work/venv/bin/sim" validate-data >/dev/null
"$work/venv/bin/sim" run baseline --no-counterfactual | tail -n 4
echo "wheel ok: ${wheel[0]##*/}"
