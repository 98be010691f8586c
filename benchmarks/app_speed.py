"""How fast the app answers a room. Targets: the first page load under 5 s after the server is
up; a slider release to a settled page under 1 s median, 5 replications, on this 2-core machine.

Part 1, in a real browser (Debian's chromium driven by Playwright; a page has settled when its
key numbers show, every chart has drawn its marks and no script runs:
``benchmarks/app_browser.py``):
- first load, cold: the default page on a server just started, three ways: ``streamlit run
  app.py`` (the simulator is imported, the worker processes start and the runs are computed
  for the first visitor); ``python -m webapp.serve`` with an empty run store (as ./start.sh the
  first time: the launcher imports and runs the default page before the server answers); and
  ``webapp.serve`` again with that store (./start.sh from then on);
- first load, warm: the same page in a new browser context (a second visitor; cached runs);
- slider release: with a reskilling programme on, the course-length slider moved with the
  keyboard ``--changes`` times, each to a value not run before (the policy run is computed; the
  run without programmes is cached, as in a workshop), from the key press to a settled page
  with changed numbers.
Part 2, server-side (AppTest in this process, no browser): the same slider changes timed
around one script run, and the policy run alone on the worker pool and serially.

Run from the repository root (needs /usr/bin/chromium; takes a few minutes):

    .venv/bin/python benchmarks/app_speed.py [--changes 5] [--country PHL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_browser import CHROMIUM, Server, launch, wait_settled  # noqa: E402

DURATION = "levers.reskilling.duration_months"
PROGRAMME = {"levers.reskilling.enabled": "true", "levers.reskilling.eligibility": "unemployed"}


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def summary(times: list[float]) -> str:
    return (f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
            f"max {max(times):.2f} s (n={len(times)})")


def in_browser(country: str, changes: int, log_dir: Path, serve: bool, store: Path | None,
               full: bool) -> dict[str, object]:
    """Start a server (``streamlit run app.py``, or ``python -m webapp.serve`` as ./start.sh
    does, with its run store in ``store``), time the first page; with ``full``, also a second
    visitor, the programme page and ``changes`` slider releases."""
    from playwright.sync_api import sync_playwright

    env = {"SIM_APP_STORE": str(store) if store else ""}
    server = Server(log_dir / f"app_speed_server_{len(list(log_dir.iterdir()))}.log", env, serve)
    out: dict[str, object] = {}
    started = time.monotonic()
    url = server.start(timeout=300)
    out["server_start"] = time.monotonic() - started
    query = "&".join(f"{k}={v}" for k, v in {"country": country, **PROGRAMME}.items())
    try:
        with sync_playwright() as pw:
            browser = launch(pw, log_dir)
            try:
                first = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                started = time.monotonic()
                first.goto(f"{url}/?country={country}")
                wait_settled(first, timeout=600)
                out["first_cold"] = time.monotonic() - started
                if not full:
                    return out
                second = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                started = time.monotonic()
                second.goto(f"{url}/?country={country}")
                wait_settled(second, timeout=600)
                out["first_warm"] = time.monotonic() - started
                page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                started = time.monotonic()
                page.goto(f"{url}/?{query}")
                state = wait_settled(page, timeout=600)
                out["programme_page"] = time.monotonic() - started
                slider = page.locator('[data-testid="stSlider"]').filter(
                    has_text="Course length").get_by_role("slider")
                times = []
                for _ in range(changes):
                    slider.focus()
                    started = time.monotonic()
                    page.keyboard.press("ArrowRight")
                    state = wait_settled(page, timeout=600, changed=state["metrics"])
                    times.append(time.monotonic() - started)
                out["slider"] = times
                out["link"] = state["search"]
            finally:
                browser.close()
    finally:
        out["leftover"] = server.stop()
    return out


def server_side(country: str, changes: int) -> dict[str, object]:
    from streamlit.testing.v1 import AppTest

    out: dict[str, object] = {}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params.update({"country": country, **PROGRAMME})
    started = time.perf_counter()
    at.run()
    out["first"] = time.perf_counter() - started
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    slider = at.slider(key=f"w:{DURATION}")
    value, times = int(slider.value), []
    for _ in range(changes):
        value += 1
        at.slider(key=f"w:{DURATION}").set_value(value)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    out["slider"] = times
    cached = []
    for _ in range(3):
        value -= 1
        at.slider(key=f"w:{DURATION}").set_value(value)
        started = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - started)
    out["cached"] = cached

    from sim.runner import run_scenario
    from sim.scenarios import with_overrides
    from webapp import compute

    policy = at.session_state["last_good"][1]
    pool, serial = [], []
    for i in range(3):
        variant = with_overrides(policy, {DURATION: 30 + i})
        started = time.perf_counter()
        compute.run_cached(compute.frozen(variant))  # not run before: computed on the pool
        pool.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_scenario(variant)
        serial.append(time.perf_counter() - started)
    out["pool"], out["serial"] = pool, serial
    out["scale"] = at.session_state["last_good"][0]["scale"]
    out["replications"] = policy.run.replications
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="PHL")
    parser.add_argument("--changes", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    print(f"machine: {os.cpu_count()} cores, load average before {load()}; country "
          f"{args.country}; the worker pool has {os.environ.get('SIM_APP_WORKERS', 2)} "
          "processes")
    log_dir = Path(tempfile.mkdtemp(prefix="app_speed_"))
    store = log_dir / "store"  # empty: the first ./start.sh on a machine
    plain = in_browser(args.country, args.changes, log_dir, False, None, False)
    empty = in_browser(args.country, args.changes, log_dir, True, store, False)
    browser = in_browser(args.country, args.changes, log_dir, True, store, True)
    print("\nIn a real browser (chromium, 1280x720); 'up' is until the server answers:")
    print(f"  streamlit run app.py (no run store): up in {plain['server_start']:.1f} s, "
          f"first page {plain['first_cold']:.2f} s")
    print(f"  python -m webapp.serve, empty run store (a machine's first start): up in "
          f"{empty['server_start']:.1f} s, first page {empty['first_cold']:.2f} s")
    cold = float(browser["first_cold"])  # type: ignore[arg-type]
    print(f"  python -m webapp.serve again (./start.sh; the store has the default page): up in "
          f"{browser['server_start']:.1f} s, first page {cold:.2f} s  -> target < 5 s: "
          f"{'met' if cold < 5 else 'NOT met'}")
    print(f"  first page load, warm (a second visitor): {browser['first_warm']:.2f} s")
    print(f"  page with a reskilling programme on: {browser['programme_page']:.2f} s")
    slider = browser["slider"]
    print(f"  slider release to a settled page: {summary(slider)}  -> target < 1 s: "  # type: ignore[arg-type]
          f"{'met' if statistics.median(slider) < 1 else 'NOT met'}")  # type: ignore[arg-type]
    print(f"  worker processes left after stopping: {len(browser['leftover'])}")  # type: ignore[arg-type]
    print(f"  load average after the browser part: {load()}")

    server = server_side(args.country, args.changes)
    print(f"\nServer-side (AppTest, one script run; scale k = {server['scale']}, "
          f"{server['replications']} replications):")
    print(f"  first run (starts the worker processes): {server['first']:.2f} s")
    print(f"  slider change (policy run computed): {summary(server['slider'])}")  # type: ignore[arg-type]
    print(f"  slider change back to a value seen (cached): {summary(server['cached'])}")  # type: ignore[arg-type]
    print(f"  policy run alone on the worker pool: {summary(server['pool'])}")  # type: ignore[arg-type]
    print(f"  policy run alone, serial in one process: {summary(server['serial'])}")  # type: ignore[arg-type]
    print(f"\nload average after: {load()}; server log: {log_dir}")


if __name__ == "__main__":
    main()
