"""``python -m webapp.serve [streamlit options]``: the workshop app, ready before it answers.

What ``./start.sh`` runs. ``streamlit run app.py`` imports the simulator and runs the first
page's scenario only when the first visitor arrives: on a 2-core machine that visitor waited
12.4-13.8 s in chromium (3.6 s of imports, the worker processes starting, the run; 3.6-3.8 s
through this launcher: ``benchmarks/app_speed.py``). This launcher does that work before the
server answers:

1. turns the run store on (``webapp.run_store``; ``SIM_APP_STORE``, default ``.cache/app-runs``
   beside app.py; set it empty for none), so runs outlive the server;
2. imports the simulator and the page's libraries, and loads the data, in the server process;
3. runs the default page (the preset ``settings.DEFAULT_SCENARIO`` in the default country) unless
   the store already has it (about 2 s the first time; a code or data change runs it again);

then hands over to ``streamlit run app.py`` with the options given (``--server.port`` ...).
The worker processes for later runs start once the first page is drawn (``app.main``).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
DEFAULT_STORE = APP.parent / ".cache" / "app-runs"


def prepare() -> list[str]:
    """Steps 1-3 of the module's docstring; returns what it did, one line per step.

    Raises:
        SimError: the default preset cannot be run (a broken checkout): the server would fail.
    """
    os.environ.setdefault("SIM_APP_STORE", str(DEFAULT_STORE))
    started = time.perf_counter()
    # The page's modules declare Streamlit caches, which warn when declared before the server
    # runs; the caches themselves are made at their first call, inside the server. Streamlit
    # gives each module its own logger and level: quiet those of its caching modules meanwhile.
    import streamlit  # noqa: F401 - creates its loggers

    cache_logs = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith("streamlit.runtime.caching")
    ]
    levels = [log.level for log in cache_logs]
    for log in cache_logs:
        log.setLevel(logging.ERROR)
    try:
        import altair  # noqa: F401 - imported for the page: the first visitor does not wait

        from sim.data import load_data
        from sim.runner import run_scenario
        from sim.scenarios import Scenario, load_scenario
        from webapp import compute, run_store, settings
    finally:
        for log, level in zip(cache_logs, levels, strict=True):
            log.setLevel(level)
    load_data()
    done = [f"imported the simulator and the page in {time.perf_counter() - started:.1f} s"]
    store = run_store.from_environment()
    if store is None:
        done.append("no run store (SIM_APP_STORE is empty): the first visitor waits for the runs")
        return done
    started = time.perf_counter()
    policy_json, none_json = compute.preset_request(load_scenario(settings.DEFAULT_SCENARIO))
    ran, unsaved = 0, 0
    for scenario_json in dict.fromkeys([policy_json, none_json]):
        key = store.key(scenario_json)
        if store.load(key) is None:
            results = run_scenario(Scenario.model_validate_json(scenario_json))
            unsaved += not store.save(key, results)
            ran += 1
    what = f"ran the default page's {ran} run(s)" if ran else "found the default page's runs"
    done.append(f"{what} in {time.perf_counter() - started:.1f} s (store: {store.folder})")
    if unsaved:
        done.append(
            f"could not write to {store.folder} (full, or not this user's?): runs are kept "
            "in memory only; set SIM_APP_STORE to another folder"
        )
    return done


def main(argv: list[str] | None = None) -> None:
    from streamlit.web import cli

    from sim.errors import SimError, one_line

    try:
        done = prepare()
    except SimError as exc:  # a broken data folder or preset: one line, not a traceback
        print(f"error: webapp.serve: {one_line(exc)}", file=sys.stderr)
        sys.exit(2)
    for line in done:
        print(f"webapp.serve: {line}", flush=True)
    args = ["run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main(args=args, prog_name="streamlit"))


if __name__ == "__main__":
    main()
