"""Where the page's script spends its time on a slider release, apart from the runs.

With a reskilling programme on, the course-length slider is moved ``--changes`` times, each to
a value not run before; the policy run of each value is computed first (so the script finds it
in the cache and the worker pool's time is left out), then one script run (AppTest, in this
process) is timed with each of the page's main parts wrapped in a timer. Prints the median
milliseconds per script run of each part (parts nest: ``main`` holds the others).

What it found (December 2026, load average about 2 on the 2 cores): the script took 150 ms
besides the runs, of which ``summarise`` 77 ms (the laid-off breakdown by sector and sex alone
19 ms, the headline table 4 ms, charts of sections not shown 8 ms), the sidebar 27 ms (20 ms
of it building each country's data to show its name), ``bounded`` 16 ms (the run's size
estimate) and ``one_view`` 26 ms (six charts, about 1.4 ms each to send). After those were
cut: 70 ms. In the browser (chromium, same load), the rest of a slider release is about 20 ms
from the key press to the script's start and 150-200 ms from the script's end to a settled page
(React and Vega updating six charts in place; no chart is rebuilt, no hidden section is sent).

Run from the repository root:

    .venv/bin/python benchmarks/app_profile.py [--changes 8]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DURATION = "levers.reskilling.duration_months"
PROGRAMME = {"levers.reskilling.enabled": "true", "levers.reskilling.eligibility": "unemployed"}
#: module -> the functions of it that are timed
PARTS = {
    "app": ["one_view", "section_labour"],
    "webapp.controls": ["sidebar"],
    "webapp.compute": ["bounded", "summarise", "run_cached"],
    "webapp.headline": ["show_story", "show_cards", "draw"],
}
#: part -> seconds of each call, filled by the script runs
TIMES: dict[str, list[float]] = {}
#: the script AppTest runs: the page with its parts timed
SCRIPT = "import app_profile\napp_profile.timed_page()\n"


def timer(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES.setdefault(name, []).append(time.perf_counter() - started)

    timed.timed = True  # type: ignore[attr-defined]
    return timed


def timed_page() -> None:
    """The page (``app.main``) with ``PARTS`` timed; also where app.py imported them."""
    import importlib

    import app

    for module_name, names in PARTS.items():
        module = importlib.import_module(module_name)
        for name in names:
            fn = getattr(module, name)
            if not getattr(fn, "timed", False):
                setattr(module, name, timer(name, fn))
            if module is not app and hasattr(app, name):
                setattr(app, name, getattr(module, name))
    app.main = timer("main", getattr(app.main, "__wrapped__", app.main))
    app.main()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="PHL")
    parser.add_argument("--changes", type=int, default=8)
    args = parser.parse_args()
    import app_profile  # the script's copy of this module, which holds the times
    from streamlit.testing.v1 import AppTest

    from sim.scenarios import with_overrides
    from webapp import compute

    run_cached = compute.run_cached  # not timed: the page's runs computed ahead
    at = AppTest.from_string(SCRIPT, default_timeout=600)
    at.query_params.update({"country": args.country, **PROGRAMME})
    at.run()
    assert not at.exception, at.exception
    value = int(at.slider(key=f"w:{DURATION}").value)
    times = app_profile.TIMES
    times.clear()
    for _ in range(args.changes):
        value += 1
        policy = at.session_state["last_good"][1]
        wanted = compute.frozen(with_overrides(policy, {DURATION: value}, origin="settings"))
        run_cached(wanted)  # computed here: the script finds it in the cache
        at.slider(key=f"w:{DURATION}").set_value(value)
        at.run()
        assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
        assert at.session_state["last_good"][3] == wanted, "the page ran another scenario"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"script run on a slider release, the run itself cached ({args.changes} changes; "
          f"load average {load}), ms per script run:")
    for name, calls in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        per_run = sum(calls) / args.changes
        print(f"  {name:16s} {per_run * 1000:7.1f}  ({len(calls) / args.changes:.0f} calls, "
              f"median call {statistics.median(calls) * 1000:.1f})")


if __name__ == "__main__":
    main()
