"""``run_sweep``: run or resume a sweep, writing results as they arrive."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import SweepError
from sim.sweeps.analysis import query
from sim.sweeps.design import SweepPlan, load_design
from sim.sweeps.execute import FORKS_WORKERS, DaskRunner, serial_records
from sim.sweeps.store import (
    Events,
    Writer,
    check_output,
    disk_error,
    locked,
    prepare_output,
    statuses,
)

#: seconds a LocalCluster takes on a small machine until its workers can run the simulator:
#: about 1 s where they are forked from this process (Linux; measured 0.4-1.1 s on 2 cores,
#: ``sim.sweeps.execute.local_cluster_config``), 3-4 s where they are spawned and import Dask
#: and the simulator (benchmarks/sweep_throughput.py)
CLUSTER_START_SECONDS = 1.5 if FORKS_WORKERS else 4.0
#: serial cost model of one run: simulated person-months x this, plus a fixed set-up and
#: collection cost (benchmarks/scale.py: 10-25 ns a person-month on 2 shared cores)
SECONDS_PER_PERSON_MONTH = 2.5e-8
SECONDS_PER_RUN = 0.15
DEFAULT_FLUSH_SECONDS = 2.0
DEFAULT_BATCH_SIZE = 50
DEFAULT_CONNECT_TIMEOUT = 10.0


@dataclass
class SweepResult:
    """What ``run_sweep`` did: runs in the design, already done, run now, failed, lost."""

    out_dir: Path
    total: int
    skipped: int
    completed: int
    failed: int
    failed_total: int
    wall_seconds: float
    parts: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    lost: int = 0  # runs the cluster lost (not recorded): a plain re-run does them
    workers_lost: int = 0

    @property
    def runs_per_second(self) -> float:
        """Runs finished in this call per wall-clock second."""
        done = self.completed + self.failed
        return done / self.wall_seconds if self.wall_seconds > 0 else float("nan")

    @property
    def complete(self) -> bool:
        """Every run of the design is recorded ok."""
        return self.skipped - (self.failed_total - self.failed) + self.completed == self.total

    def runs(self) -> pd.DataFrame:
        """The consolidated run table (one row per run)."""
        return query(self.out_dir, "SELECT * FROM runs ORDER BY run_id")

    def outcomes(self) -> pd.DataFrame:
        """The outcomes table of the consolidated runs."""
        return query(self.out_dir, "SELECT * FROM outcomes ORDER BY run_id, outcome, month")


def _todo(
    plan: SweepPlan, statuses: dict[str, str], retry_failed: bool
) -> tuple[list[dict[str, Any]], int, int]:
    todo, ok_before, failed_kept = [], 0, 0
    for task in plan.tasks():
        status = statuses.get(task["run_id"])
        if status == "ok":
            ok_before += 1
        elif status == "failed" and not retry_failed:
            failed_kept += 1
        else:
            todo.append(task)
    return todo, ok_before, failed_kept


def serial_seconds(plan: SweepPlan, runs: int) -> float:
    """Estimated seconds to do ``runs`` of ``plan`` serially (``SECONDS_PER_*`` cost model)."""
    from sim.data import load_data
    from sim.runner import simulated_people

    people = simulated_people(plan.base, plan.iso3, load_data(plan.data_dir))
    per_run = people * plan.base.run.horizon_months * SECONDS_PER_PERSON_MONTH
    return runs * (per_run + SECONDS_PER_RUN)


def cluster_pays(plan: SweepPlan, runs: int, cores: int | None = None) -> bool:
    """Whether a local cluster with one worker per core finishes ``runs`` sooner than running
    them here: the time it saves must exceed its start-up (``CLUSTER_START_SECONDS``)."""
    import os

    cores = cores or os.cpu_count() or 1
    if cores < 2 or runs < 2:
        return False
    saved = serial_seconds(plan, runs) * (1 - 1 / min(cores, runs))
    return saved > CLUSTER_START_SECONDS


def run_sweep(
    design: str | Path | SweepPlan,
    out_dir: str | Path,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    *,
    retry_failed: bool = False,
    serial: bool = False,
    batch_size: int | None = None,
    flush_seconds: float = DEFAULT_FLUSH_SECONDS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> SweepResult:
    """Run (or resume) a sweep and write its results to ``out_dir``.

    Order of work, so that bad input writes nothing: validate the design and the folder
    (read only), connect to Dask, then take the folder's lock and write. Faults while running:
    a run that raises is recorded as failed (rerun with ``retry_failed``); a lost worker's runs
    are rescheduled by Dask (a run Dask could not finish is left unrecorded, so a re-run does
    it); a full disk stops the sweep with a ``SweepError`` keeping every part already written.
    What happened is logged in ``out_dir/events.jsonl``.

    Args:
        design: a design TOML path, or a plan from ``load_design``.
        out_dir: the output folder; re-running on it skips the runs already finished.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); default: a
            LocalCluster with one single-threaded worker process per core.
        workers: LocalCluster worker processes (default: the machine's cores, or serial when
            the sweep is too small to pay for starting a cluster: ``cluster_pays``); 0 = serial.
        progress: called with (runs finished ok, runs failed, runs in total) as runs finish.
        retry_failed: run again the runs recorded as failed.
        serial: run in this process without Dask (same results, bit for bit).
        batch_size: runs per Parquet part file (default 50; a part is also written every
            ``flush_seconds``).
        connect_timeout: seconds to wait for ``scheduler``.

    Returns:
        A SweepResult; the data are in ``out_dir`` (see ``query``).

    Raises:
        SweepError: bad design or folder, unreachable scheduler, folder locked by another
            sweep, or results that cannot be written (one line each).
    """
    plan = design if isinstance(design, SweepPlan) else load_design(design)
    out = Path(out_dir)
    started = time.perf_counter()
    exists = check_output(out, plan)  # read only
    todo, _, _ = _todo(plan, statuses(out) if exists else {}, retry_failed)
    dask = None
    if not serial and scheduler is None and workers is None and todo:
        serial = not cluster_pays(plan, len(todo))
    if todo and not (serial or workers == 0):
        dask = DaskRunner(scheduler, workers, connect_timeout)  # before anything is written
    try:
        with locked(out):
            try:
                prepare_output(out, plan)
            except OSError as exc:
                raise disk_error(out, exc, 0) from None
            return _run_locked(
                plan,
                out,
                dask,
                progress,
                retry_failed,
                batch_size,
                flush_seconds,
                started,
                scheduler,
                workers,
            )
    finally:
        if dask is not None:
            dask.close()


def _run_locked(
    plan: SweepPlan,
    out: Path,
    dask: DaskRunner | None,
    progress: Callable[[int, int, int], None] | None,
    retry_failed: bool,
    batch_size: int | None,
    flush_seconds: float,
    started: float,
    scheduler: str | None,
    workers: int | None,
) -> SweepResult:
    # Statuses again, under the lock: nobody else writes now.
    todo, ok_before, failed_kept = _todo(plan, statuses(out), retry_failed)
    writer = Writer(out, plan, batch_size or DEFAULT_BATCH_SIZE, flush_seconds)
    events = Events(out)
    ok, failed, lost, workers_lost = ok_before, failed_kept, 0, 0
    mode = "serial" if dask is None else (scheduler or f"local cluster ({workers or 'auto'})")
    events.log(
        "sweep-started",
        host=socket.gethostname(),
        mode=mode,
        total=plan.total_runs,
        already_ok=ok_before,
        failed_kept=failed_kept,
        to_run=len(todo),
        retry_failed=retry_failed,
    )
    if progress:
        progress(ok, failed, plan.total_runs)

    def note_workers() -> None:
        nonlocal workers_lost
        for event in dask.worker_events() if dask is not None else ():
            workers_lost += event["event"] == "worker-lost"
            events.log(**event)

    if todo:
        records: Generator[dict[str, Any], None, None] = (
            serial_records(todo) if dask is None else dask.records(todo, plan.design_hash[:10])
        )
        try:
            for record in records:
                note_workers()
                if record["status"] == "lost":
                    lost += 1
                    events.log("run-lost", run_id=record["run_id"], error=record["error"])
                    continue
                writer.add(record)
                if record["status"] == "ok":
                    ok += 1
                else:
                    failed += 1
                if progress:
                    progress(ok, failed, plan.total_runs)
            writer.flush()
        except SweepError as exc:  # the disk: what was written stays; nothing half-written
            events.log("sweep-stopped", error=str(exc), saved=writer.saved)
            raise
        except BaseException as exc:  # Ctrl-C or a bug: keep what finished
            with contextlib.suppress(SweepError):
                writer.flush()
            events.log("sweep-stopped", error=f"{type(exc).__name__}: {exc}", saved=writer.saved)
            raise
        finally:
            records.close()  # stops submitting now, not at garbage collection
        note_workers()
    events.log(
        "sweep-finished",
        ok=ok,
        failed=failed,
        lost=lost,
        workers_lost=workers_lost,
        written=writer.saved,
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return SweepResult(
        out,
        plan.total_runs,
        ok_before + failed_kept,
        ok - ok_before,
        failed - failed_kept,
        failed,
        time.perf_counter() - started,
        writer.parts,
        manifest,
        lost,
        workers_lost,
    )
