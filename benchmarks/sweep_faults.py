"""Sweeps under faults, end to end: inject each fault, resume, compare with an undisturbed sweep.

Faults: a Dask worker process killed with SIGKILL mid-sweep (LocalCluster, 2 workers), a full
disk (ENOSPC) after a few part files, runs that raise (two design points). After each fault
the sweep is resumed the way a user would (the same command again; ``--retry-failed`` for
failed runs) and the final outcome table is compared bit for bit with a serial, undisturbed
sweep of the same design. Usage::

    .venv/bin/python benchmarks/sweep_faults.py [--reps 5] [--horizon 36]

Columns: runs expected; ok / failed as recorded right after the faulty pass; the passes it
took to finish; duplicates (ok records of a run beyond its first); results lost (runs ok after
the faulty pass that are gone or changed at the end, plus runs never finished); final results
identical to the undisturbed sweep.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import sim.runner
from sim.sweeps import SweepError, query, read_events, run_sweep

DESIGN = (Path(__file__).resolve().parents[1] / "designs" / "fault_grid.toml").read_text()


def outcomes(out: Path) -> pd.DataFrame:
    return query(out, "SELECT run_id, outcome, month, value FROM outcomes "
                      "ORDER BY run_id, outcome, month")


def ok_runs(out: Path) -> dict[str, str]:
    """run_id -> part of its ok record (empty if nothing was written yet)."""
    if not any((out / "runs").glob("*.parquet")):
        return {}
    frame = query(out, "SELECT run_id, part FROM runs WHERE status = 'ok'")
    return dict(zip(frame["run_id"], frame["part"], strict=True))


def scenario(name: str, design: Path, reference: pd.DataFrame, total: int,
             faulty: Callable[[Path], str], resume: Callable[[Path, int], None]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        said = faulty(out)
        after = ok_runs(out)
        failed = 0
        if any((out / "runs").glob("*.parquet")):
            failed = int(query(out, "SELECT count(*) AS n FROM runs WHERE status = 'failed'")
                         ["n"].iloc[0])
        passes = 1
        while len(ok_runs(out)) < total and passes < 5:
            passes += 1
            resume(out, passes)
        final = ok_runs(out)
        raw = query(out, "SELECT count(*) AS n, count(DISTINCT run_id) AS d FROM runs_all "
                         "WHERE status = 'ok'").iloc[0]
        changed = [r for r, part in after.items() if final.get(r) != part]
        got = outcomes(out)
        same = got.shape == reference.shape and got.equals(reference)
        events = [e["event"] for e in read_events(out)]
        return {"fault injected": name, "runs expected": total, "ok after fault": len(after),
                "failed after fault": failed, "passes": passes,
                "duplicates": int(raw["n"] - raw["d"]),
                "results lost": len(changed) + (total - len(final)),
                "identical": "yes" if same else "NO",
                "said": said, "workers lost": events.count("worker-lost")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--horizon", type=int, default=36)
    args = parser.parse_args()
    total = 6 * 2 * args.reps
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        design = Path(tmp) / "design.toml"
        text = DESIGN.replace("replications = 3", f"replications = {args.reps}")
        design.write_text(text.replace("horizon_months = 24", f"horizon_months = {args.horizon}"),
                          encoding="utf-8")
        started = time.perf_counter()
        ref_out = Path(tmp) / "reference"
        run_sweep(design, ref_out, serial=True)
        reference = outcomes(ref_out)

        def serial_resume(out: Path, _: int) -> None:
            run_sweep(design, out, serial=True, retry_failed=True)

        # 0. No fault, on a LocalCluster (determinism across executors).
        from dask.distributed import Client, LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, \
                Client(cluster) as client:
            address = cluster.scheduler_address

            def undisturbed(out: Path) -> str:
                r = run_sweep(design, out, scheduler=address)
                return f"{r.completed} ok"

            rows.append(scenario("none (LocalCluster, 2 workers)", design, reference, total,
                                 undisturbed, serial_resume))

            # 1. A worker process killed with SIGKILL once a quarter of the runs are done.
            def kill_worker(out: Path) -> str:
                pid = sorted(client.run(os.getpid).values())[0]
                done: list[int] = []

                def tick(ok: int, failed: int, n: int) -> None:
                    if ok >= n // 4 and not done:
                        os.kill(pid, signal.SIGKILL)
                        done.append(ok)

                r = run_sweep(design, out, scheduler=address, progress=tick)
                return (f"killed pid {pid} at {done[0]} ok; {r.workers_lost} worker lost, "
                        f"{r.lost} runs lost, {r.completed} ok")

            def dask_resume(out: Path, _: int) -> None:
                run_sweep(design, out, scheduler=address)

            rows.append(scenario("Dask worker SIGKILL mid-sweep", design, reference, total,
                                 kill_worker, dask_resume))

        # 2. The disk fills up after 3 part files (a torn temporary file left mid-write).
        import pyarrow.parquet as pq
        real_write = pq.write_table

        def full_disk(out: Path) -> str:
            count = {"n": 0}

            def write_table(table, where, *a, **k):
                if isinstance(where, str | os.PathLike) and \
                        Path(where).parent.name in {"runs", "outcomes"}:
                    count["n"] += 1
                    if count["n"] > 6:
                        Path(where).write_bytes(b"PAR1 torn")
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))
                return real_write(table, where, *a, **k)

            pq.write_table = write_table
            try:
                run_sweep(design, out, serial=True, batch_size=5)
                return "no error?"
            except SweepError as exc:
                tmp_left = len(list(out.rglob("*.tmp")))
                return f"SweepError ({tmp_left} temp files left): {exc}"
            finally:
                pq.write_table = real_write

        rows.append(scenario("disk full (ENOSPC) after 3 parts", design, reference, total,
                             full_disk, lambda out, _: run_sweep(design, out, serial=True)))

        # 3. Two design points whose runs raise; then --retry-failed once the cause is gone.
        real_simulate = sim.runner.simulate

        def raising(out: Path) -> str:
            def simulate(scenario, iso3, tables, seq, *args):
                # points 1 and 4 of designs/fault_grid.toml (pace x exposure levels)
                point = {(0.5, "ilo_genai_2023"): 1, (1.5, "ilo_genai_2025"): 4}.get(
                    (scenario.uncertainties.adoption_pace,
                     scenario.uncertainties.exposure_assumption))
                if point is not None:
                    raise RuntimeError(f"injected fault at point {point}")
                return real_simulate(scenario, iso3, tables, seq)

            sim.runner.simulate = simulate
            try:
                r = run_sweep(design, out, serial=True)
            finally:
                sim.runner.simulate = real_simulate
            error = query(out, "SELECT error FROM runs WHERE status = 'failed' LIMIT 1")
            return f"{r.failed} failed, e.g. {error['error'].iloc[0]!r}"

        rows.append(scenario("runs raise (2 of 12 points)", design, reference, total, raising,
                             serial_resume))
        elapsed = time.perf_counter() - started

    frame = pd.DataFrame(rows)
    shown = frame.drop(columns=["said"])
    print(f"design: 12 points x {args.reps} replications = {total} runs, BRN, "
          f"{args.horizon} months; compared bit for bit with a serial undisturbed sweep")
    print(shown.to_string(index=False))
    print()
    for row in rows:
        print(f"- {row['fault injected']}: {row['said']}")
    print(f"\n{elapsed:.1f} s in all (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
