"""Running sweep tasks: one (point, replication) at a time, here or on dask.distributed.

``run_task`` runs one task through ``sim.runner.run_scenario`` (replication r of the base
scenario with the point's overrides, the seeding every other entry point uses) and returns
its record; a run that raises is recorded as failed, not raised. ``DaskRunner`` submits
tasks to a LocalCluster or a running scheduler and yields records as they finish.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import socket
import sys
import time
from collections.abc import Generator
from typing import Any

import numpy as np

from sim.errors import SweepError, one_line
from sim.scenarios import Scenario


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one (point, replication) and return its record; errors are caught and recorded.

    The run is replication r of ``run_scenario(base, seed=<base seed>, overrides=<point>)``,
    so ``sim run`` with the same settings replays it (``SweepPlan.replay_args``).
    """
    from sim.data import load_data
    from sim.provenance import code_version
    from sim.runner import run_scenario

    started = time.perf_counter()
    record: dict[str, Any] = {
        "run_id": task["run_id"],
        "point": task["point"],
        "replication": task["replication"],
        "worker": socket.gethostname(),
        "series": {},
        "error": None,
        "status": "ok",
    }
    try:
        tables = load_data(task.get("data"))
        record["data_hashes"] = json.dumps(tables.hashes, sort_keys=True)
        record["code_version"] = code_version()
        results = run_scenario(
            Scenario.model_validate(task["base"]),
            countries=[task["iso3"]],
            replications=task["replications"],
            overrides=task["overrides"],
            data=tables,
            only=[task["replication"]],
        )
        for name, metric, sectors in task["outcomes"]:
            record["series"][name] = np.asarray(
                results.values(metric, task["iso3"], sectors)[0], dtype=np.float64
            )
    except Exception as exc:  # a failed run is data: recorded, retried with --retry-failed
        record.update(
            status="failed", series={}, error=one_line(f"{type(exc).__name__}: {exc}")[:2000]
        )
    record["wall_seconds"] = time.perf_counter() - started
    return record


def failed_record(task: dict[str, Any], exc: BaseException, note: str = "") -> dict[str, Any]:
    error = one_line(f"{type(exc).__name__}: {exc}") + (f" ({note})" if note else "")
    return {
        "run_id": task["run_id"],
        "point": task["point"],
        "replication": task["replication"],
        "worker": "",
        "series": {},
        "status": "failed",
        "error": error[:2000],
        "wall_seconds": 0.0,
    }


def serial_records(tasks: list[dict[str, Any]]) -> Generator[dict[str, Any], None, None]:
    for task in tasks:
        yield run_task(task)


#: Whether the local cluster forks its workers from this process (``local_cluster_config``):
#: on Linux; macOS can fork, but its system libraries are not safe to fork.
FORKS_WORKERS = sys.platform.startswith("linux")


def local_cluster_config() -> dict[str, Any]:
    """Dask settings for the sweep's own LocalCluster (a remote scheduler keeps its own).

    Measured with ``benchmarks/sweep_throughput.py`` and 24 runs on 2 cores (core-seconds a
    run, start-up included: 1.95 with Dask's defaults, 1.36 serially):

    - Dask's nannies set ``MALLOC_TRIM_THRESHOLD_=65536`` in their workers: glibc then hands
      every freed numpy temporary back to the OS and faults it in again next month (five sweep
      runs took 14% longer: sys time 2.1 s instead of 0.1 s); the workers keep glibc's default
      (unless this process's environment already has it: a nanny started here before writes it
      there, and workers inherit it).
    - A worker runs one model at a time, so Dask's diagnostics of it are pure overhead: its
      statistical profiler (a stack sample every 10 ms), the event loop's health tick (every
      20 ms) and the system monitor (every 500 ms) are off or slowed (1.78-1.85 core-s a run).
      The memory monitor, which stops a runaway worker, keeps its default.
    - Workers are forked from this process, which has imported the simulator already, on
      Linux (macOS can fork, but its system libraries are not safe to fork), instead of
      spawned (each then imports Dask and the simulator again, about 4 s of a core): 1.40-1.45
      core-s a run, and the 24 runs took 17.4-18.2 s instead of 22.1-22.8 s
      (``mesa.batch_run``: 20.1-20.6 s). A worker the nanny restarts after a crash is
      spawned (Dask's default, read when it restarts).
    """
    config: dict[str, Any] = {
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "1s",
        "distributed.admin.system-monitor.interval": "5s",
    }
    if FORKS_WORKERS:
        config["distributed.worker.multiprocessing-method"] = "fork"
    return config


class DaskRunner:
    """A connection to dask.distributed: a LocalCluster, or a running scheduler.

    Connecting happens before anything is written, so a bad ``--scheduler`` leaves no trace.
    Workers lost while the sweep runs are noted (the scheduler's ``remove-worker`` events) and
    their tasks are rescheduled by Dask; a run whose future still fails is yielded as ``lost``
    (not written, so a re-run does it) unless Dask gave up on it (``KilledWorker``: the run
    took down several workers), which is recorded as a failed run.
    """

    def __init__(self, scheduler: str | None, workers: int | None, timeout: float):
        import logging

        import dask
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        self.events: list[tuple[float, dict[str, Any]]] = []
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=timeout)
            except Exception as exc:  # OSError (refused, timed out), ValueError (bad address)
                message = " ".join(str(exc).split()) or type(exc).__name__
                raise SweepError(
                    f"--scheduler {scheduler}: cannot connect within "
                    f"{timeout:g} s ({message}); nothing was written"
                ) from None
        else:
            try:
                with dask.config.set(local_cluster_config()):
                    self.cluster = LocalCluster(
                        n_workers=workers or os.cpu_count() or 1,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                        silence_logs=logging.ERROR,
                    )
                self.client = Client(self.cluster)
            except Exception as exc:
                self.close()
                message = " ".join(str(exc).split()) or type(exc).__name__
                raise SweepError(
                    f"cannot start a local Dask cluster ({message}); try "
                    "--workers 0 to run serially"
                ) from None
        with contextlib.suppress(Exception):  # events are a record, not a requirement
            self.client.subscribe_topic("all", self.events.append)

    def worker_events(self) -> list[dict[str, Any]]:
        """Workers lost or added since the last call (drained)."""
        out = []
        while self.events:
            stamp, msg = self.events.pop(0)
            if isinstance(msg, dict) and msg.get("action") in {"remove-worker", "add-worker"}:
                out.append(
                    {
                        "event": "worker-lost"
                        if msg["action"] == "remove-worker"
                        else "worker-added",
                        "worker": msg.get("worker", ""),
                        "scheduler_time": stamp,
                        "runs_in_flight": sorted(
                            str(k).split("-", 2)[-1] for k in msg.get("processing-tasks", ())
                        ),
                    }
                )
        return out

    def records(
        self, tasks: list[dict[str, Any]], tag: str
    ) -> Generator[dict[str, Any], None, None]:
        """Run tasks, yielding records as they complete.

        At most a few tasks per worker thread are in flight, so a sweep of a million runs does
        not flood the scheduler; task keys are ``sweep-<design hash>-<run_id>``.
        """
        from dask.distributed import as_completed
        from distributed.scheduler import KilledWorker

        client = self.client
        threads = max(1, sum(client.nthreads().values()))
        pending = iter(tasks)
        by_key: dict[str, dict[str, Any]] = {}

        def submit(task: dict[str, Any]):
            key = f"sweep-{tag}-{task['run_id']}"
            by_key[key] = task
            return client.submit(run_task, task, key=key, pure=False, retries=0)

        first = [submit(t) for t in itertools.islice(pending, max(8, 4 * threads))]
        queue = as_completed(first)
        for future in queue:
            task = by_key.pop(future.key)
            try:
                record = future.result()
            except KilledWorker as exc:  # Dask gave up: the run kept killing its workers
                record = failed_record(
                    task, exc, "the run's worker died each time it ran (out of memory or a crash?)"
                )
            except Exception as exc:  # the scheduler lost the task: not a result; re-run it
                record = failed_record(task, exc)
                record["status"] = "lost"
            future.release()
            nxt = next(pending, None)
            if nxt is not None:
                queue.add(submit(nxt))
            yield record

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:  # else the scheduler logs a failed send of our own goodbye
            with contextlib.suppress(Exception):
                client.unsubscribe_topic("all")
        for thing in (client, self.cluster):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()
