"""A workshop's load on the app: concurrent sessions stay separate, correct and error-free.

- In a real browser (Debian's chromium, Playwright) against one ``streamlit run`` server: a
  small version of benchmarks/app_load.py (8 sessions, distinct settings, a round of slider
  changes, one session uploading a scenario nobody else may see).
- With AppTest: two sessions with different links get different numbers, each equal to the
  simulator's own headline for its settings, and one session's change leaves the other alone.
- The app's caches are bounded in entries and in bytes, sized to what one entry weighs.
"""

from __future__ import annotations

import importlib.util
import inspect
import pickle
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SEATS = "levers.reskilling.seats_per_100k"
PRESET = "reskilling_push"


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


app_load = load_module("app_load", ROOT / "benchmarks" / "app_load.py")  # puts ROOT on sys.path
import app  # noqa: E402


@pytest.mark.browser  # conftest skips it, with the reason, where no browser can run
def test_eight_sessions_on_one_server_see_only_their_own_results(tmp_path):
    pytest.importorskip("playwright.sync_api")
    out = app_load.run_load(n_sessions=8, rounds=1, reference=2, timeout=180,
                            log_dir=tmp_path, verbose=False)
    report = app_load.summary(out)
    assert not out.errors, report
    assert not out.timeouts, report
    assert not out.mismatches, report
    assert not out.leftover_processes, report
    assert out.held == 8, report
    assert out.csv_checked == 8 and out.reference_checked == 2, report
    assert out.twins_checked >= 1, report
    assert len(out.distinct) >= 8 + 6, report  # 8 links, then most of them moved a slider


# -- AppTest: two sessions in one process share the caches, not their state ---------------------

def expected_metrics(iso3: str, seats: float) -> dict[str, str]:
    """The key numbers the page should show, from the simulator directly (no app cache, no
    worker pool), formatted as the page formats them in English."""
    from sim.data import SECTORS
    from sim.runner import run_scenario
    from sim.scenarios import load_scenario, with_overrides

    preset = load_scenario(PRESET)
    scenario = with_overrides(preset, {
        "countries": [iso3], "focus_sectors": list(preset.focus_sectors) or list(SECTORS),
        SEATS: seats})
    head = run_scenario(scenario).headline(scenario.focus_sectors, band=app.settings.BAND,
                                           country=iso3)
    return {label: app_load.shown_as(metric, float(
        head[(head.metric == metric) & (head.year == year)]["median"].iloc[0]))
        for (metric, year), label in app_load.CSV_TO_METRIC.items()}


def shown(at: AppTest) -> dict[str, str]:
    values = {m.label: m.value for m in at.metric}
    return {label: values.get(label) for label in app_load.CSV_TO_METRIC.values()}


def session(country: str, seats: float) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"country": country, "scenario": PRESET, SEATS: f"{seats:g}"})
    return at


def test_two_apptest_sessions_get_their_own_correct_numbers():
    a, b = session("VNM", 50.0), session("THA", 30.0)
    a.run()
    b.run()
    for at in (a, b):
        assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert a.selectbox(key="w:country").value == "VNM"
    assert b.selectbox(key="w:country").value == "THA"
    first_a, first_b = shown(a), shown(b)
    assert first_a != first_b
    assert first_a == expected_metrics("VNM", 50.0)
    assert first_b == expected_metrics("THA", 30.0)
    assert a.session_state["last_good"][0]["currency"] == "VND"
    assert b.session_state["last_good"][0]["currency"] == "THB"

    # Session a moves its seats lever; session b, rerun, must be exactly as it was.
    a.select_slider(key=f"w:{SEATS}").set_value(100.0)
    a.run()
    b.run()
    assert not a.exception and not b.exception
    assert shown(b) == first_b
    assert b.select_slider(key=f"w:{SEATS}").value == 30.0
    assert b.query_params[SEATS] == "30" and a.query_params[SEATS] == "100"
    assert shown(a) == expected_metrics("VNM", 100.0)


# -- caches: bounded in entries and in bytes -----------------------------------------------------

def cached_functions() -> dict[str, object]:
    from webapp import charts, compute, settings

    return {f"{module.__name__}.{name}": fn for module in (app, charts, compute, settings)
            for name, fn in vars(module).items() if hasattr(fn, "_info")}


def test_every_cache_keyed_by_user_settings_has_a_limit():
    found = cached_functions()
    assert {"webapp.compute.run_cached", "webapp.compute.summarise",
            "webapp.compute.automation_effect_of", "webapp.charts.band_template",
            "webapp.charts.breakdown_template", "webapp.settings.presets",
            "webapp.compute.pool_for_code", "app.validation_table"} <= set(found)
    for name, fn in found.items():
        takes_arguments = bool(inspect.signature(fn).parameters)
        if takes_arguments:  # one entry per distinct setting: needs a limit
            assert fn._info.max_entries, f"{name} has no max_entries"


def test_result_caches_are_bounded_in_bytes_for_what_an_entry_weighs(monkeypatch):
    """An entry's size grows with replications and months, both settable in the sidebar
    (up to 50 replications and 240 months in the app), so an entry count alone does not bound
    memory: the result caches also have a byte limit that holds at least a workshop's worth of
    ordinary entries."""
    monkeypatch.setenv("SIM_APP_WORKERS", "1")  # runs serially in this process
    from sim.data import SECTORS
    from sim.scenarios import load_scenario, with_overrides
    from webapp import compute

    preset = load_scenario(PRESET)
    policy = with_overrides(preset, {"countries": ["BRN"], "focus_sectors": list(SECTORS)})
    none = compute.without_levers(policy)
    runs = compute.run_cached.__wrapped__(compute.frozen(policy))
    summary = compute.summarise.__wrapped__(compute.frozen(policy), compute.frozen(none))
    for fn, entry in ((compute.run_cached, runs), (compute.summarise, summary)):
        size = len(pickle.dumps(entry))
        limit = fn._info.max_size_bytes
        assert limit is not None, f"{fn.__name__} has no byte limit"
        assert limit <= 512 * 2**20, f"{fn.__name__} may hold {limit / 2**20:.0f} MiB"
        # ... and is not so tight that ordinary entries evict each other within a workshop.
        assert limit >= 32 * size, (fn.__name__, size, limit)
