"""The app's run store and launcher: a server started again answers from disk, never stale.

``webapp.run_store`` keeps the page's runs on disk under a key over the scenario, the data and
the simulator's sources; ``webapp.serve`` (what ./start.sh runs) fills it with the default page
before the server answers.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.runner import resolve_scenario, run_scenario  # noqa: E402
from sim.scenarios import load_scenario, with_overrides  # noqa: E402
from webapp import compute, run_store, serve  # noqa: E402


def small_run(seed: int):
    scenario = with_overrides(
        resolve_scenario("baseline", {}, scale=400, replications=1, horizon_months=6),
        {"countries": ["PHL"], "run.seed": seed},
    )
    return compute.frozen(scenario), run_scenario(scenario)


def test_a_stored_run_comes_back_whole_and_only_for_its_own_key(tmp_path, monkeypatch):
    store = run_store.RunStore(tmp_path)
    first_json, first = small_run(1)
    other_json, _ = small_run(2)
    assert store.load(store.key(first_json)) is None
    store.save(store.key(first_json), first)
    back = store.load(store.key(first_json))
    assert back is not None
    metric = "unemployment_rate"
    assert np.array_equal(back.values(metric, "PHL"), first.values(metric, "PHL"))
    assert store.load(store.key(other_json)) is None  # another seed is another run
    # Changed simulator code (or numpy) is another key: the run is simulated again.
    monkeypatch.setattr(run_store, "source_fingerprint", lambda: "edited")
    assert store.load(store.key(first_json)) is None
    # Nothing half-written is left behind.
    assert [p.suffix for p in tmp_path.iterdir()] == [".pickle"]


def test_a_damaged_file_is_dropped_and_run_again(tmp_path):
    store = run_store.RunStore(tmp_path)
    scenario_json, results = small_run(1)
    store.save(store.key(scenario_json), results)
    path = store.path(store.key(scenario_json))
    path.write_bytes(path.read_bytes()[:1000])  # a disk filled half-way through, say
    assert store.load(store.key(scenario_json)) is None
    assert not path.exists()
    path.write_bytes(pickle.dumps({"not": "a run"}))
    assert store.load(store.key(scenario_json)) is None


def test_a_store_that_cannot_be_used_is_passed_over(tmp_path):
    """A folder that cannot be written or read (here a file stands where the folder should: as
    root, permissions would not stop the test) costs the store, never the page."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    store = run_store.RunStore(blocked)
    scenario_json, results = small_run(1)
    assert store.save(store.key(scenario_json), results) is False
    assert store.load(store.key(scenario_json)) is None


def test_what_decides_a_run_is_in_its_key(monkeypatch):
    from sim import jit

    scenario_json, _ = small_run(1)
    store = run_store.RunStore(Path("unused"))
    key = store.key(scenario_json)
    assert store.key(scenario_json) == key
    monkeypatch.setattr(jit, "ENABLED", not jit.ENABLED)  # the numpy path instead of numba
    assert store.key(scenario_json) != key
    monkeypatch.undo()
    monkeypatch.setattr(run_store.metadata, "version", lambda package: "0.0")
    run_store._FINGERPRINTS.clear()
    assert store.key(scenario_json) != key  # other package versions


def test_partial_files_left_by_a_killed_write_are_cleared(tmp_path):
    store = run_store.RunStore(tmp_path)
    old, fresh = tmp_path / "partial-old.tmp", tmp_path / "partial-fresh.tmp"
    for path in (old, fresh):
        path.write_bytes(b"half a pickle")
    past = time.time() - 2 * run_store.PARTIAL_SECONDS
    os.utime(old, (past, past))
    scenario_json, results = small_run(1)
    store.save(store.key(scenario_json), results)
    assert not old.exists()
    assert fresh.exists()  # another server may be writing it now


def test_the_store_keeps_within_its_size_dropping_the_least_recently_used(tmp_path):
    runs = [small_run(seed) for seed in range(4)]
    size = len(pickle.dumps(runs[0][1], protocol=pickle.HIGHEST_PROTOCOL))
    store = run_store.RunStore(tmp_path, max_bytes=int(3.5 * size))
    for i, (scenario_json, results) in enumerate(runs[:3]):
        store.save(store.key(scenario_json), results)
        stamp = time.time() - 100 + i
        os.utime(store.path(store.key(scenario_json)), (stamp, stamp))
    assert store.load(store.key(runs[0][0])) is not None  # the oldest file, used now
    store.save(store.key(runs[3][0]), runs[3][1])
    kept = {json for json, _ in runs if store.path(store.key(json)).exists()}
    assert kept == {runs[0][0], runs[2][0], runs[3][0]}  # run 1 was used least recently


def test_the_page_with_a_programme_runs_what_preset_request_names():
    at = AppTest.from_file(str(serve.APP), default_timeout=300)
    at.query_params["scenario"] = "job_creation"
    at.run()
    assert not at.exception and not at.error
    policy_json, none_json = at.session_state["last_good"][3:5]
    assert policy_json != none_json
    assert compute.preset_request(load_scenario("job_creation")) == (policy_json, none_json)


def test_a_server_started_by_the_launcher_draws_the_first_page_from_disk(tmp_path, monkeypatch):
    monkeypatch.setenv(run_store.ENV, str(tmp_path))
    done = serve.prepare()
    assert done[1].startswith("ran the default page's 1 run(s)"), done
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    assert serve.prepare()[1].startswith("found the default page's runs")

    # A new server: empty caches, and a simulator that must not be called.
    st.cache_data.clear()

    def no_simulation(*args, **kwargs):
        raise AssertionError("the first page ran the simulator")

    monkeypatch.setattr(compute, "run_scenario", no_simulation)
    at = AppTest.from_file(str(serve.APP), default_timeout=300)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    policy_json, none_json = compute.preset_request(load_scenario("baseline"))
    assert at.session_state["last_good"][3:5] == (policy_json, none_json)
    assert at.session_state["last_good"][0]["key"]["removed"]["median"] > 0


def test_the_launcher_refuses_a_broken_checkout_in_one_line(monkeypatch, capsys):
    from sim.errors import DataError

    def broken() -> list[str]:
        raise DataError("data/ilostat/earnings.csv: missing column 'obs_value'")

    monkeypatch.setattr(serve, "prepare", broken)
    with pytest.raises(SystemExit) as stopped:
        serve.main([])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "error: webapp.serve: data/ilostat/earnings.csv: missing column 'obs_value'"
    ]


def test_the_worker_processes_load_the_simulator_not_the_page(monkeypatch):
    """Streamlit runs app.py as ``__main__``; spawned workers must not import it (the whole
    page, and a screenful of Streamlit warnings in the facilitator's terminal)."""
    from webapp import worker

    if compute.worker_count() < 2:
        pytest.skip("one core: the page runs without worker processes")
    compute.pool_for_code.clear()  # the pool is started by the page below, as on a server
    at = AppTest.from_file(str(serve.APP), default_timeout=300)
    at.run()
    assert not at.exception and not at.error
    pool = compute.worker_pool()
    assert pool is not None
    checks = [pool.submit(worker.has_module, name) for name in ("sim.runner", "streamlit")]
    assert [check.result(timeout=120) for check in checks] == [True, False]
    assert compute.worker_pool() is pool
    # The simulator's files edited while the server runs: new code, new worker processes.
    monkeypatch.setattr(run_store, "source_fingerprint", lambda: "edited")
    assert compute.worker_pool() is not pool


def test_the_launcher_without_a_store_still_prepares_the_server(monkeypatch):
    monkeypatch.setenv(run_store.ENV, "")
    done = serve.prepare()
    assert done[1].startswith("no run store"), done
