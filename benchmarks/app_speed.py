"""How long the app takes to redraw after a slider change (target: under 0.5 s, 5 replications).

Drives ``app.py`` headless with Streamlit's AppTest: one warm-up run (both the policy and the
no-policy run cached, worker processes started), then a series of lever changes, each to a
value not seen before, so the policy run is always computed from a cold cache while the
no-policy run comes from the cache, as in a workshop. Also times the pieces on their own:
the policy run in the worker pool, the same run serially in one process, and building the
charts. Run from the repository root:

    .venv/bin/python benchmarks/app_speed.py [--country PHL] [--changes 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="PHL")
    parser.add_argument("--changes", type=int, default=6)
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["country"] = args.country
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    at.toggle(key="w:levers.reskilling.enabled").set_value(True)
    at.run()  # warm: both runs now cached, worker processes up

    seats_key = "w:levers.reskilling.seats_per_100k"
    options = list(at.select_slider(key=seats_key).options)
    values = [float(v) for v in options if float(v) > 0][: args.changes]
    redraws = []
    for value in values:
        at.select_slider(key=seats_key).set_value(value)
        started = time.perf_counter()
        at.run()
        redraws.append(time.perf_counter() - started)
        assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    cached = []
    for value in values[:3]:
        at.select_slider(key=seats_key).set_value(value)
        started = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - started)

    # The pieces on their own.
    import app
    from sim.runner import run_scenario
    from sim.scenarios import with_overrides

    scenario = with_overrides(app.presets()["reskilling_push"], {
        "countries": [args.country], "run.scale": app.app_scale(args.country)})
    pool_times, serial_times = [], []
    for i in range(3):
        variant = with_overrides(scenario, {"levers.reskilling.seats_per_100k": 31.0 + i})
        started = time.perf_counter()
        app.run_cached(app.frozen(variant))  # a value not run before: a cache miss
        pool_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_scenario(variant)
        serial_times.append(time.perf_counter() - started)

    scale = app.app_scale(args.country)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (other work slows this); "
          f"country {args.country}; "
          f"5 replications x {at.slider(key='w:run.horizon_months').value} months; "
          f"scale k = {scale:,} (about {app.APP_AGENTS:,} simulated workers)")
    print(f"first page load (cold, starts worker processes): {first:.2f} s")
    print(f"redraw after a lever change, policy run cold, no-policy cached "
          f"(n={len(redraws)}): median {statistics.median(redraws):.3f} s, "
          f"max {max(redraws):.3f} s  -> target < 0.5 s: "
          f"{'met' if statistics.median(redraws) < 0.5 else 'NOT met'}")
    print(f"redraw with both runs cached (n={len(cached)}): median "
          f"{statistics.median(cached):.3f} s")
    print(f"policy run alone, {os.environ.get('SIM_APP_WORKERS', 2)} worker processes "
          f"(app.run_cached, cache miss): median {statistics.median(pool_times):.3f} s")
    print(f"policy run alone, serial run_scenario in one process: median "
          f"{statistics.median(serial_times):.3f} s")


if __name__ == "__main__":
    main()
