"""Sweeps: Dask equals serial bit for bit, and a repeated sweep itself; a killed sweep resumes
exactly once per run; sensitivity ranks an inert lever last; bad designs fail with one line
naming file and key. Faults (worker kill, full disk, raising runs, locks): test_sweep_faults.py.

Runs are tiny: Brunei (about 220,000 workers) at 50 real workers per simulated worker, 24
months, about 15 ms a run.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.sweeps import SweepError, load_design, query, run_sweep, sensitivity
from tests.conftest import sweep_until_parts

HEADER = """
name = "{name}"
scenario = "baseline"
country = "BRN"
replications = {reps}
{top}
[run]
horizon_months = 24
scale = 50
seed = 7
"""

GRID = HEADER.format(name="tiny grid", reps=2, top='design = "grid"') + """
[[parameters]]
key = "uncertainties.adoption_pace"
levels = [1.0, 3.0]
[[parameters]]
key = "uncertainties.exposure_assumption"
levels = ["ilo_genai_2025", "ilo_genai_2023"]
[[outcomes]]
metric = "automation_cut_cumulative"
[[outcomes]]
metric = "unemployment_rate"
month = 12
"""

# Job creation is disabled in the baseline, so the length of its jobs can change nothing.
# Common random numbers (every point uses the replication's stream) make that exact.
SOBOL = HEADER.format(name="tiny sobol", reps=1, top='design = "sobol"\nsamples = 8') + """
[[parameters]]
key = "uncertainties.adoption_pace"
range = [0.5, 3.0]
[[parameters]]
key = "uncertainties.displacement_elasticity"
range = [0.1, 0.8]
[[parameters]]
key = "levers.job_creation.duration_months"
range = [3, 36]
kind = "lever"
[[outcomes]]
metric = "automation_cut_cumulative"
[[outcomes]]
metric = "hires_foregone_cumulative"
"""


def write(tmp_path: Path, text: str, name: str = "design.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def outcome_values(out: Path):
    frame = query(out, "SELECT run_id, outcome, month, value FROM outcomes "
                       "ORDER BY run_id, outcome, month")
    return frame


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def sobol_serial(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sobol")
    out = tmp / "serial"
    result = run_sweep(write(tmp, SOBOL), out, serial=True)
    assert result.completed == 40 and result.failed == 0
    return out


def test_design_is_checked_against_the_scenario_schema(tmp_path):
    plan = load_design(write(tmp_path, SOBOL))
    assert plan.n_points == 8 * (3 + 2)
    assert [p.kind for p in plan.parameters] == ["uncertainty", "uncertainty", "lever"]
    durations = {v["duration_months"] for v in plan.values}
    assert all(isinstance(d, int) and 3 <= d <= 36 for d in durations)


@pytest.mark.parametrize("text", [GRID, SOBOL], ids=["grid", "sobol"])
def test_local_cluster_equals_serial_bit_for_bit(tmp_path, cluster, sobol_serial, text):
    design = write(tmp_path, text)
    if text is SOBOL:
        serial = sobol_serial
    else:
        serial = tmp_path / "serial"
        run_sweep(design, serial, serial=True)
    parallel = tmp_path / "dask"
    result = run_sweep(design, parallel, scheduler=cluster.scheduler_address)
    assert result.failed_total == 0
    a, b = outcome_values(serial), outcome_values(parallel)
    assert len(a) == result.total * 2 * 25  # runs x outcomes x months 0..24
    assert a[["run_id", "outcome", "month"]].equals(b[["run_id", "outcome", "month"]])
    assert np.array_equal(a["value"].to_numpy(), b["value"].to_numpy())  # exact, not close
    assert a["value"].abs().sum() > 0
    # Common random numbers: one stream per replication, shared by every point.
    seeds = query(parallel, "SELECT DISTINCT seed_entropy, seed_spawn_key FROM runs")
    assert len(seeds) == result.total // result.manifest["n_points"]


def test_repeated_sweeps_are_bit_identical(tmp_path):
    design = write(tmp_path, GRID)
    first, second = tmp_path / "first", tmp_path / "second"
    run_sweep(design, first, serial=True)
    run_sweep(design, second, serial=True, batch_size=3)  # other part files, same numbers
    a, b = outcome_values(first), outcome_values(second)
    assert a[["run_id", "outcome", "month"]].equals(b[["run_id", "outcome", "month"]])
    assert np.array_equal(a["value"].to_numpy(), b["value"].to_numpy())
    keys = "SELECT run_id, seed_entropy, seed_spawn_key, status FROM runs ORDER BY run_id"
    assert query(first, keys).equals(query(second, keys))


def test_killed_sweep_resumes_with_every_run_exactly_once(tmp_path):
    text = GRID.replace("levels = [1.0, 3.0]", "levels = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]") \
        .replace("replications = 2", "replications = 5")
    design = write(tmp_path, text)
    out = tmp_path / "out"
    total = 6 * 2 * 5
    proc = sweep_until_parts(design, out, parts=3, batch_size=2, timeout=40)
    try:
        assert proc.poll() is None, "the sweep finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    before = query(out, "SELECT count(*) AS n FROM runs")["n"].iloc[0]
    assert 0 < before < total

    result = run_sweep(design, out, serial=True)
    assert result.skipped == before and result.completed == total - before
    counts = query(out, "SELECT count(*) AS n, count(DISTINCT run_id) AS d, "
                        "sum((status = 'ok')::INT) AS ok FROM runs")
    assert counts.iloc[0].tolist() == [total, total, total]
    raw = query(out, "SELECT count(*) AS n FROM runs_all")["n"].iloc[0]
    assert raw == total  # nothing was run twice
    per_run = query(out, "SELECT run_id, count(*) AS n FROM outcomes GROUP BY run_id")
    assert len(per_run) == total and set(per_run["n"]) == {2 * 25}
    assert not list(out.rglob("*.tmp"))
    again = run_sweep(design, out, serial=True)
    assert again.completed == 0 and again.skipped == total


def test_sensitivity_ranks_an_inert_lever_last(sobol_serial):
    table = sensitivity(sobol_serial)
    losses = table[table["outcome"] == "automation_cut_cumulative"]
    inert = losses.set_index("parameter").loc["duration_months"]
    assert inert["rank"] == 3
    assert abs(inert["ST"]) < 1e-9 and abs(inert["S1"]) < 1e-9
    assert losses.set_index("parameter").loc["adoption_pace", "ST"] > 0.2
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert (sobol_serial / "sensitivity_sobol.csv").is_file()
    with pytest.raises(SweepError, match="cannot support morris"):
        sensitivity(sobol_serial, method="morris")


def test_grid_supports_no_sobol_analysis_and_query_gives_rows(tmp_path):
    out = tmp_path / "grid"
    run_sweep(write(tmp_path, GRID), out, serial=True)
    rows = query(out, "SELECT adoption_pace, exposure_assumption, count(*) AS n FROM runs "
                      "GROUP BY ALL ORDER BY ALL")
    assert len(rows) == 4 and set(rows["n"]) == {2}
    with pytest.raises(SweepError, match="grid design cannot support sobol"):
        sensitivity(out, method="sobol")


def test_cli_query_prints_rows_as_written(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app
    text = GRID.replace('metric = "unemployment_rate"', 'metric = "employed"\nsector = '
                        '"construction"').replace("replications = 2", "replications = 1")
    out = tmp_path / "grid"
    run_sweep(write(tmp_path, text), out, serial=True)
    result = CliRunner().invoke(app, ["query", str(out), "SELECT DISTINCT outcome FROM "
                                      "outcomes ORDER BY outcome"])
    assert result.exit_code == 0, result.output
    assert "employed[construction]@m12" in result.output  # brackets are not rich markup
    assert "(2 rows)" in result.output
    bad = CliRunner().invoke(app, ["query", str(out), "SELECT nope FROM runs"])
    assert bad.exit_code == 2 and "query failed" in bad.output


def test_other_design_on_the_same_folder_names_the_difference(tmp_path):
    out = tmp_path / "grid"
    run_sweep(write(tmp_path, GRID), out, serial=True)
    changed = write(tmp_path, GRID.replace("replications = 2", "replications = 3"), "b.toml")
    with pytest.raises(SweepError, match=r"differs in: replications \(2 -> 3\)"):
        run_sweep(changed, out, serial=True)


BAD = {
    "unknown parameter": (SOBOL.replace("displacement_elasticity\"", "displacment_elasticity\""),
                          "parameters[1]", "did you mean"),
    "empty range": (SOBOL.replace("range = [0.5, 3.0]", "range = [1.0, 1.0]"),
                    "parameters[0].range", "empty range"),
    "reversed bounds": (SOBOL.replace("range = [0.1, 0.8]", "range = [0.8, 0.1]"),
                        "parameters[1].range", "reversed"),
    "out of schema bounds": (SOBOL.replace("range = [0.5, 3.0]", "range = [0.5, 9.0]"),
                             "parameters[0]", "uncertainties.adoption_pace"),
    "sobol N not a power of two": (SOBOL.replace("samples = 8", "samples = 10"),
                                   "'samples'", "power of two"),
    "unknown outcome metric": (SOBOL.replace('"hires_foregone_cumulative"', '"hires_not_made"'),
                               "outcomes[1].metric", "unknown metric"),
    "unknown design key": (SOBOL.replace("samples = 8", "samples = 8\nreplicatons = 2"),
                           "'replicatons'", "did you mean"),
    "wrong kind": (SOBOL.replace('kind = "lever"', 'kind = "uncertainty"'),
                   "parameters[2].kind", "lever"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_design_gives_one_line_and_writes_nothing(tmp_path, case):
    text, key, words = BAD[case]
    design = write(tmp_path, text, "bad.toml")
    out = tmp_path / "out"
    with pytest.raises(SweepError) as info:
        run_sweep(design, out, serial=True)
    message = str(info.value)
    assert message.startswith(str(design)) and key in message and words in message, message
    assert "\n" not in message
    assert not out.exists()


def test_cli_bad_design_exits_2_with_one_line(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app
    design = write(tmp_path, BAD["sobol N not a power of two"][0], "bad.toml")
    result = CliRunner().invoke(app, ["sweep", str(design), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "power of two" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_failed_runs_are_recorded_and_retried_only_when_asked(tmp_path, monkeypatch):
    import sim.sweeps.execute as sweep
    real = sweep.run_task

    def flaky(task):
        if task["run_id"] == "p000001-r000":
            raise_in_run = dict(task, overrides={"uncertainties.adoption_pace": -1})
            return real(raise_in_run)  # fails validation inside the run: recorded, not raised
        return real(task)

    design, out = write(tmp_path, GRID), tmp_path / "out"
    monkeypatch.setattr(sweep, "run_task", flaky)
    first = run_sweep(design, out, serial=True)
    assert (first.completed, first.failed) == (7, 1)
    error = query(out, "SELECT error FROM runs WHERE status = 'failed'")["error"].iloc[0]
    assert "adoption_pace" in error
    monkeypatch.setattr(sweep, "run_task", real)
    assert run_sweep(design, out, serial=True).completed == 0  # failures kept without the flag
    retried = run_sweep(design, out, serial=True, retry_failed=True)
    assert (retried.completed, retried.failed_total) == (1, 0)
    runs = query(out, "SELECT count(*) AS n, count(DISTINCT run_id) AS d, "
                      "sum((status = 'ok')::INT) AS ok FROM runs").iloc[0].tolist()
    assert runs == [8, 8, 8]
    assert query(out, "SELECT count(*) AS n FROM runs_all")["n"].iloc[0] == 9


def test_a_sweep_run_replays_exactly_with_sim_run(tmp_path):
    """Run (point p, replication r) of a sweep is replication r of `sim run` with the point's
    settings and the design's seed: the same numbers, bit for bit."""
    from typer.testing import CliRunner

    from sim.cli import app

    design, out = write(tmp_path, GRID), tmp_path / "out"
    run_sweep(design, out, serial=True)
    plan = load_design(design)
    point, replication = 3, 1  # adoption pace 3.0, ILO 2023 exposure; second replication
    assert plan.overrides(point) == {"uncertainties.adoption_pace": 3.0,
                                     "uncertainties.exposure_assumption": "ilo_genai_2023"}
    frame_path = tmp_path / "replay.parquet"
    replay = CliRunner().invoke(app, ["run", *plan.replay_args(point), "--out", str(frame_path),
                                      "--table", "frame"])
    assert replay.exit_code == 0, replay.output
    frame = pd.read_parquet(frame_path)
    swept = query(out, "SELECT outcome, month, date, value FROM outcomes WHERE run_id = "
                       f"'p{point:06d}-r{replication:03d}' ORDER BY outcome, month")
    # one calendar: month 0 is the end of the month before the start, as in sim run's tables
    calendar = frame.drop_duplicates("month").set_index("month")["date"].astype(str)
    assert (swept["date"].to_numpy() == calendar.loc[swept["month"]].to_numpy()).all()
    def series(metric: str, rep: int) -> np.ndarray:
        rows = frame[(frame["replication"] == rep) & (frame["metric"] == metric)
                     & (frame["sector"] == "all")]
        return rows.sort_values("month")["value"].to_numpy()

    for outcome, metric in (("automation_cut_cumulative",) * 2,
                            ("unemployment_rate@m12", "unemployment_rate")):
        theirs = swept[swept["outcome"] == outcome]["value"].to_numpy()
        assert len(theirs) == 25
        assert np.array_equal(series(metric, replication), theirs)  # exact
        assert not np.array_equal(series(metric, 0), theirs)  # another stream differs
    assert swept["value"].abs().sum() > 0


def test_recording_a_few_metrics_gives_them_exactly_and_leaves_the_rest_out():
    """``run_scenario(metrics=...)``, as a sweep's run asks: the metrics asked for (a running
    total through its monthly flow, a rate, an employment-weighted mean over sectors) are the
    full run's bit for bit, so the
    reporters left out changed nothing; the others are NaN; an unknown name is refused."""
    from sim.runner import recorded_metrics, run_scenario

    settings = dict(countries=["PHL"], scale=2_000, horizon_months=24, replications=2)
    full = run_scenario("phl_bpo_reskilling", **settings)
    few = run_scenario("phl_bpo_reskilling", **settings,
                       metrics=["automation_cut_cumulative", "unemployment_rate", "adoption"])
    for metric, sectors in (("automation_cut_cumulative", None),
                            ("automation_cut_cumulative", ["bpo_business_services"]),
                            ("unemployment_rate", None),  # a whole-economy metric
                            ("adoption", None),  # employment-weighted over the sectors
                            ("adoption", ["bpo_business_services", "retail_trade"])):
        assert np.array_equal(few.values(metric, "PHL", sectors),
                              full.values(metric, "PHL", sectors))
    assert few.values("automation_cut_cumulative", "PHL")[:, -1].min() > 0
    assert np.isnan(few.values("wage_bill", "PHL")).all()
    assert np.isfinite(full.values("wage_bill", "PHL")).all()
    assert recorded_metrics(["graduates_cumulative"]) == {"graduates", "employed"}
    with pytest.raises(KeyError, match="unemployment_rat'"):
        run_scenario("phl_bpo", **settings, metrics=["unemployment_rat"])


# -- one sector's entry, second-order indices, Morris levels, files as saved ------------------

EXPOSURE = HEADER.format(name="bpo exposure", reps=1, top='design = "grid"') + """
[[parameters]]
key = "uncertainties.sector_exposure.bpo_business_services"
levels = [0.05, 0.6]
[[outcomes]]
metric = "automation_cut_cumulative"
sector = "bpo_business_services"
year = 2027
"""


def test_a_sweep_varies_one_sectors_exposure(tmp_path):
    design, out = write(tmp_path, EXPOSURE), tmp_path / "out"
    plan = load_design(design)
    assert [p.name for p in plan.parameters] == ["sector_exposure_bpo_business_services"]
    assert plan.outcomes[0].month == 24  # by end of 2027 = December 2027 = month 24
    assert "uncertainties.sector_exposure.bpo_business_services=0.6" in plan.replay_args(1)
    run_sweep(design, out, serial=True)
    cut = query(out, "SELECT r.sector_exposure_bpo_business_services AS exposure, o.value FROM "
                     "outcomes o JOIN runs r USING (run_id) WHERE o.month = 24 ORDER BY 1")
    assert cut["exposure"].tolist() == [0.05, 0.6]
    low, high = cut["value"]
    assert high > 3 * low > 0, "more exposed BPO tasks: more BPO positions removed"


def test_sobol_second_order_indices_are_computed_shown_and_written(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app
    text = SOBOL.replace("samples = 8", "samples = 8\nsecond_order = true")
    text = text[:text.index('[[parameters]]\nkey = "levers.job_creation')] + \
        text[text.index("[[outcomes]]"):]
    out = tmp_path / "s2"
    result = run_sweep(write(tmp_path, text), out, serial=True)
    assert result.total == 8 * (2 * 2 + 2)  # Saltelli with second order: N (2D + 2)
    table = sensitivity(out)
    pairs = table.attrs["second_order"]
    assert len(pairs) == 2  # one pair per outcome
    assert set(pairs.columns) == {"outcome", "parameter", "with", "S2", "S2_conf"}
    assert pairs[["S2", "S2_conf"]].notna().all().all()
    written = pd.read_csv(out / "sensitivity_sobol_s2.csv")
    assert written[["S2", "S2_conf"]].to_numpy().tolist() == \
        pairs[["S2", "S2_conf"]].to_numpy().tolist()
    shown = CliRunner().invoke(app, ["sensitivity", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "second-order indices S2" in shown.output and "sensitivity_sobol_s2.csv" in shown.output


def test_morris_needs_an_even_number_of_levels(tmp_path):
    text = SOBOL.replace('design = "sobol"\nsamples = 8', 'design = "morris"\nsamples = 4\n'
                         'morris_levels = 5')
    with pytest.raises(SweepError, match=r"morris_levels.*even number of levels.*4 or 6"):
        load_design(write(tmp_path, text))
    assert load_design(write(tmp_path, text.replace("= 5", "= 6"), "ok.toml")).n_points == 16


def test_a_design_saved_with_a_bom_and_a_scenario_beside_it_loads(tmp_path):
    (tmp_path / "Mine.TOML").write_text('name = "mine"\ncountries = ["BRN"]\n', encoding="utf-8")
    text = GRID.replace('scenario = "baseline"', 'scenario = "Mine.TOML"')
    design = tmp_path / "bom.toml"
    design.write_bytes(b"\xef\xbb\xbf" + text.encode())
    plan = load_design(design)
    assert plan.base.name == "mine" and plan.base_ref == str(tmp_path / "Mine.TOML")


def test_a_design_for_another_country_than_its_scenarios_figures_is_refused(tmp_path):
    text = GRID.replace('scenario = "baseline"', 'scenario = "phl_bpo"')
    with pytest.raises(SweepError, match="key 'country'.*holds figures for PHL only"):
        load_design(write(tmp_path, text))


def test_outcome_years_follow_the_calendar_and_refuse_years_outside(tmp_path):
    text = GRID.replace("month = 12", "year = 2026")
    assert load_design(write(tmp_path, text)).outcomes[1].month == 12  # December 2026
    with pytest.raises(SweepError, match=r"outcomes\[1\]\.year 2028: outside the run.*2027-12"):
        load_design(write(tmp_path, GRID.replace("month = 12", "year = 2028"), "late.toml"))


def test_an_unreachable_scheduler_leaves_no_progress_line(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(write(tmp_path, GRID)), "--out", str(out),
                                      "--scheduler", "tcp://127.0.0.1:1",
                                      "--connect-timeout", "1"])
    assert result.exit_code == 2, result.output
    assert "cannot connect" in result.output
    assert "ETA" not in result.output and "0/8" not in result.output, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("error:")
    assert not out.exists()


def test_the_local_cluster_s_workers_keep_glibc_s_memory_trimming_default(monkeypatch):
    """Dask's nannies would set MALLOC_TRIM_THRESHOLD_=65536 in the workers, which makes every
    freed numpy temporary a fresh page fault next month; sim sweep's cluster leaves it unset.

    A nanny also writes the variable into its own process's environment, which workers then
    inherit: the cluster fixture above did, so the test starts from a clean environment, as
    the ``sim sweep`` command does."""
    import os

    from sim.sweeps.execute import DaskRunner

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    runner = DaskRunner(None, 1, 30)
    try:
        seen = runner.client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    finally:
        runner.close()
    assert list(seen.values()) == [None]
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") is None  # nor in this process


def test_the_local_cluster_s_workers_start_with_the_simulator_and_without_dask_s_profiler(
    monkeypatch,
):
    """Workers forked from the sweep's process hold the simulator as it is here (no 4 s import
    each) and do not sample their one running model for Dask's profiler (README "Speed and
    scale": 1.95 -> 1.40-1.45 core-seconds a run)."""
    import dask

    import sim
    from sim.sweeps.execute import FORKS_WORKERS, DaskRunner

    if not FORKS_WORKERS:
        pytest.skip("workers are forked on Linux only")
    # Only a copy of this process has it: a spawned worker imports sim afresh.
    monkeypatch.setattr(sim, "_test_marker", os.getpid(), raising=False)
    runner = DaskRunner(None, 2, 30)
    try:
        marks = runner.client.run(lambda: getattr(sim, "_test_marker", None))
        profiled = runner.client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    finally:
        runner.close()
    assert list(marks.values()) == [os.getpid(), os.getpid()]
    assert list(profiled.values()) == [False, False]


def test_sensitivity_of_a_constant_outcome_says_why_it_has_no_indices(monkeypatch, tmp_path):
    """An outcome every run gives the same value (automation's layoffs in BPO, always 0) has no
    variance to apportion: the table of nan says so in words."""
    from typer.testing import CliRunner

    import sim.sweep_commands as commands
    from sim.cli import app

    frame = pd.DataFrame({
        "outcome": ["a[bpo]@2035"] * 2 + ["b@2035"] * 2, "key": ["x", "y"] * 2,
        "parameter": ["x", "y"] * 2, "kind": ["uncertainty"] * 4,
        "S1": [np.nan, np.nan, 0.6, 0.1], "S1_conf": [np.nan, np.nan, 0.1, 0.1],
        "ST": [np.nan, np.nan, 0.7, 0.2], "ST_conf": [np.nan, np.nan, 0.1, 0.1],
        "rank": pd.array([pd.NA, pd.NA, 1, 2], dtype="Int64")})
    frame.attrs["path"] = tmp_path / "sensitivity_sobol.csv"

    class Engine:
        @staticmethod
        def sensitivity(out, method=None, outcome=None):
            return frame

    monkeypatch.setattr(commands, "_engine", lambda: Engine)
    shown = CliRunner().invoke(app, ["sensitivity", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    assert text.count("every run gave the same value of this outcome") == 1
    assert text.index("every run gave the same value") < text.index("b@2035")
