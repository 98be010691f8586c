"""Sweeps under faults: nothing crashes with a traceback, nothing is lost or silently wrong.

Each fault is injected into a small sweep (Brunei, 24 months, coarse scale) and the result is
compared bit for bit with an undisturbed sweep of the same design:

- a Dask worker process killed with SIGKILL mid-sweep;
- a full disk (ENOSPC) while writing part files, in the Parquet writer or in the rename;
- runs that raise (recorded as failed, then ``--retry-failed``);
- an unreachable ``--scheduler`` (writes nothing);
- a second ``sim sweep`` on the same folder (refused), and a killed one's stale lock.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import sim.runner
from sim.cli import app
from sim.sweeps import SweepError, query, read_events, run_sweep
from sim.sweeps.store import locked
from tests.conftest import sweep_until_parts

DESIGN = (Path(__file__).resolve().parents[1] / "designs" / "fault_grid.toml").read_text()
TOTAL = 6 * 2 * 3
#: (adoption pace, exposure) of points 1 and 4 of designs/fault_grid.toml, for injected faults.
FAULTY = {(0.5, "ilo_genai_2023"): 1, (1.5, "ilo_genai_2025"): 4}
RUN_KEYS = ["run_id", "point", "replication", "seed_entropy", "seed_spawn_key",
            "adoption_pace", "exposure_assumption", "status"]


def design_file(tmp: Path, reps: int = 3, horizon: int = 24) -> Path:
    path = tmp / f"design_{reps}_{horizon}.toml"
    text = DESIGN.replace("replications = 3", f"replications = {reps}")
    path.write_text(text.replace("horizon_months = 24", f"horizon_months = {horizon}"),
                    encoding="utf-8")
    return path


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    outcomes = query(out, "SELECT run_id, outcome, month, date, value FROM outcomes "
                          "ORDER BY run_id, outcome, month")
    runs = query(out, f"SELECT {', '.join(RUN_KEYS)} FROM runs ORDER BY run_id")
    return outcomes, runs


def assert_same_as(out: Path, reference: Path) -> None:
    """Bit for bit: every outcome value, and the run table's identity columns."""
    got, want = tables(out), tables(reference)
    pd.testing.assert_frame_equal(got[0], want[0], check_exact=True)
    pd.testing.assert_frame_equal(got[1], want[1], check_exact=True)
    raw = query(out, "SELECT count(*) AS n, count(DISTINCT run_id) AS d FROM runs "
                     "WHERE status = 'ok'").iloc[0].tolist()
    assert raw == [TOTAL, TOTAL]


def assert_parts_readable(out: Path) -> int:
    """No temporary files, every part readable, every runs part with its outcomes part."""
    assert not list(out.rglob("*.tmp")), list(out.rglob("*.tmp"))
    runs = sorted(p.name for p in (out / "runs").glob("*.parquet"))
    outcomes = sorted(p.name for p in (out / "outcomes").glob("*.parquet"))
    for sub, names in (("runs", runs), ("outcomes", outcomes)):
        for name in names:
            pq.read_table(out / sub / name)  # raises on a torn file
    assert outcomes == runs  # no orphan outcome parts
    return sum(pq.read_metadata(out / "runs" / n).num_rows for n in runs)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def cli(*args: str):
    result = CliRunner().invoke(app, ["sweep", *args])
    assert "Traceback" not in result.output, result.output
    return result


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The undisturbed sweep."""
    tmp = tmp_path_factory.mktemp("reference")
    out = tmp / "out"
    result = run_sweep(design_file(tmp), out, serial=True)
    assert result.completed == TOTAL and result.failed_total == 0
    return out


def test_worker_killed_mid_sweep_completes_with_the_same_results(tmp_path, reference):
    from dask.distributed import Client, LocalCluster

    out = tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed: list[int] = []

        def kill_once(ok: int, failed: int, total: int) -> None:
            if ok >= 6 and not killed:
                os.kill(victim, signal.SIGKILL)
                killed.append(ok)

        result = run_sweep(design_file(tmp_path), out, scheduler=cluster.scheduler_address,
                           progress=kill_once)
        assert killed and killed[0] < TOTAL, "the sweep ended before the kill"
        if not result.complete:  # a run Dask could not finish: a re-run does it
            result = run_sweep(design_file(tmp_path), out,
                               scheduler=cluster.scheduler_address)
    assert result.failed_total == 0
    events = read_events(out)
    lost = [e for e in events if e["event"] == "worker-lost"]
    assert lost, [e["event"] for e in events]
    assert events[-1]["event"] == "sweep-finished"
    assert_same_as(out, reference)
    # Every run recorded exactly once: nothing duplicated, nothing lost.
    assert query(out, "SELECT count(*) AS n FROM runs_all")["n"].iloc[0] == TOTAL
    assert assert_parts_readable(out) == TOTAL


def _enospc(path) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.mark.parametrize("where", ["parquet writer", "rename"])
def test_full_disk_stops_with_one_line_and_resumes(tmp_path, reference, monkeypatch, where):
    out = tmp_path / "out"
    design = design_file(tmp_path)
    calls = {"n": 0}
    if where == "parquet writer":
        real_write = pq.write_table

        def write_table(table, where_to, *args, **kwargs):
            if isinstance(where_to, str | os.PathLike) and \
                    Path(where_to).parent.name in {"runs", "outcomes"}:
                calls["n"] += 1
                if calls["n"] > 5:  # the disk fills up in the middle of a file
                    Path(where_to).write_bytes(b"PAR1 torn")
                    raise _enospc(where_to)
            return real_write(table, where_to, *args, **kwargs)

        monkeypatch.setattr(pq, "write_table", write_table)
    else:
        real_replace = os.replace

        def replace(src, dst, *args, **kwargs):
            if Path(dst).parent.name in {"runs", "outcomes"}:
                calls["n"] += 1
                if calls["n"] == 6:  # outcomes of batch 3 renamed, its runs part is not
                    raise _enospc(dst)
            return real_replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "replace", replace)

    result = cli(str(design), "--out", str(out), "--workers", "0", "--batch-size", "4")
    assert result.exit_code == 2, result.output
    errors = error_lines(result.output)
    assert len(errors) == 1 and "no space left on device" in errors[0], result.output
    assert "run the same command again" in errors[0]
    saved = assert_parts_readable(out)
    assert 0 < saved < TOTAL and saved % 4 == 0
    assert query(out, "SELECT count(*) AS n FROM outcomes")["n"].iloc[0] == saved * 2 * 25
    assert [e["event"] for e in read_events(out)][-1] == "sweep-stopped"

    monkeypatch.undo()  # space freed
    again = cli(str(design), "--out", str(out), "--workers", "0", "--batch-size", "4")
    assert again.exit_code == 0, again.output
    assert_same_as(out, reference)
    assert query(out, "SELECT count(*) AS n FROM runs_all")["n"].iloc[0] == TOTAL
    assert assert_parts_readable(out) == TOTAL


def test_runs_that_raise_are_recorded_then_retried(tmp_path, reference, monkeypatch):
    out = tmp_path / "out"
    design = design_file(tmp_path)
    real = sim.runner.simulate

    def simulate(scenario, iso3, tables, seq, *args):
        point = FAULTY.get((scenario.uncertainties.adoption_pace,
                            scenario.uncertainties.exposure_assumption))
        if point is not None:  # points 1 and 4, every replication
            raise RuntimeError(f"injected fault at point {point}")
        return real(scenario, iso3, tables, seq, *args)

    monkeypatch.setattr(sim.runner, "simulate", simulate)
    first = cli(str(design), "--out", str(out), "--workers", "0")
    assert first.exit_code == 1, first.output
    assert "warning: sweep incomplete: 6 runs failed" in " ".join(first.output.split())
    failed = query(out, "SELECT run_id, point, error FROM runs WHERE status = 'failed' "
                        "ORDER BY run_id")
    assert set(failed["point"]) == {1, 4} and len(failed) == 6
    assert failed["error"].str.contains("RuntimeError: injected fault at point").all()
    assert query(out, "SELECT count(*) AS n FROM runs WHERE status = 'ok'")["n"].iloc[0] == 30

    monkeypatch.undo()  # the cause is gone
    kept = cli(str(design), "--out", str(out), "--workers", "0")
    assert kept.exit_code == 1 and "0 runs done now" in kept.output  # not retried unasked
    retried = cli(str(design), "--out", str(out), "--workers", "0", "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert_same_as(out, reference)
    assert query(out, "SELECT count(*) AS n FROM runs_all")["n"].iloc[0] == TOTAL + 6


def test_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path):
    design = design_file(tmp_path)
    fresh = tmp_path / "fresh"
    started = time.monotonic()
    result = cli(str(design), "--out", str(fresh), "--scheduler", "tcp://127.0.0.1:1",
                 "--connect-timeout", "2")
    assert result.exit_code == 2, result.output
    assert time.monotonic() - started < 20
    errors = error_lines(result.output)
    assert len(errors) == 1 and "cannot connect" in errors[0], result.output
    assert not fresh.exists()

    # A sweep already under way: its folder is left exactly as it was.
    partial = tmp_path / "partial"

    def stop(ok: int, failed: int, total: int) -> None:
        if ok >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, partial, serial=True, progress=stop, batch_size=5)
    before = snapshot(partial)
    result = cli(str(design), "--out", str(partial), "--scheduler", "tcp://127.0.0.1:1",
                 "--connect-timeout", "1")
    assert result.exit_code == 2 and len(error_lines(result.output)) == 1, result.output
    assert snapshot(partial) == before


def test_second_sweep_on_the_same_folder_is_refused_and_a_stale_lock_does_not_block(tmp_path):
    design = design_file(tmp_path, reps=20, horizon=12)
    total = 6 * 2 * 20
    out = tmp_path / "out"
    first = sweep_until_parts(design, out, parts=2, batch_size=1, timeout=60)
    try:
        assert first.poll() is None, "the first sweep finished before the second started"
        second = cli(str(design), "--out", str(out), "--workers", "0")
        assert first.poll() is None, "the first sweep finished before the check ended"
        assert second.exit_code == 2, second.output
        errors = error_lines(second.output)
        assert len(errors) == 1 and "another sweep is running" in errors[0], second.output
        assert f"pid {first.pid}" in errors[0]
        with pytest.raises(SweepError, match="another sweep is running"):
            run_sweep(design, out, serial=True)
        os.kill(first.pid, signal.SIGKILL)  # its lock dies with it
    finally:
        first.kill()
        first.wait(timeout=10)
    assert (out / ".lock").exists()
    done = query(out, "SELECT count(*) AS n FROM runs")["n"].iloc[0]
    assert 0 < done < total
    result = run_sweep(design, out, serial=True)
    assert result.skipped == done and result.completed == total - done
    counts = query(out, "SELECT count(*) AS n, count(DISTINCT run_id) AS d FROM runs_all")
    assert counts.iloc[0].tolist() == [total, total]
    assert_parts_readable(out)


def test_a_held_lock_refuses_in_process(tmp_path):
    design = design_file(tmp_path)
    out = tmp_path / "out"
    with locked(out), pytest.raises(SweepError, match="another sweep is running"):
        run_sweep(design, out, serial=True)
    assert not (out / "manifest.json").exists()
    assert run_sweep(design, out, serial=True).completed == TOTAL  # released on exit
