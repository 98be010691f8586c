"""Sweep throughput: runs per second, serially and on a LocalCluster with 1 and 2 workers.

Two settings: the example Sobol design at its own coarse scale, and the same design at the
app's automatic scale (about 50,000 simulated workers per country). Cluster start-up and the
workers' first import of ``sim`` are timed apart from the runs (the cluster is warmed up before
the clock starts). Usage::

    .venv/bin/python benchmarks/sweep_throughput.py [--runs 48]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from sim.sweeps import load_design, plan_design, run_sweep

DESIGN = Path(__file__).resolve().parents[1] / "designs" / "example_sobol.toml"


def _plan(scale: int | None, runs: int):
    plan = load_design(DESIGN)
    design = plan.design.model_copy(deep=True)
    design.run.scale = scale
    design.replications = 1
    plan = plan_design(design, str(DESIGN), None)
    plan.values = plan.values[:runs]  # the first points only: a fixed, comparable workload
    plan.samples = plan.samples[:runs]
    return plan


def _time(plan, **how) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        result = run_sweep(plan, Path(tmp) / "out", **how)
        assert result.completed == plan.total_runs, result
        return result.wall_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=48, help="runs per measurement")
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    settings = [("example design scale (scale=5000, ~9.4k agents)", 5000),
                ("automatic scale (~50k agents)", None)]
    plans = {label: _plan(scale, args.runs) for label, scale in settings}
    print(f"{args.runs} runs of {DESIGN.name} (PHL, {plans[settings[0][0]].base.run.horizon_months}"
          " months) per measurement")
    print(f"{'setting':52s} {'how':>10s} {'runs/s':>8s} {'s/run':>7s}")
    rows = []
    for label, plan in plans.items():
        _time(plan, serial=True)  # warm the data cache in this process
        seconds = _time(plan, serial=True)
        rows.append((label, "serial", seconds))
        print(f"{label:52s} {'serial':>10s} {plan.total_runs / seconds:8.2f} "
              f"{seconds / plan.total_runs:7.3f}", flush=True)
    for n in (1, 2):
        started = time.perf_counter()
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            client.run(lambda: __import__("sim.sweeps") and None)  # workers import sim
            warm = time.perf_counter() - started
            for label, plan in plans.items():
                _time(plan, scheduler=cluster.scheduler_address)  # warm-up (data cache)
                seconds = _time(plan, scheduler=cluster.scheduler_address)
                how = f"{n} worker" + ("s" if n > 1 else "")
                print(f"{label:52s} {how:>10s} {plan.total_runs / seconds:8.2f} "
                      f"{seconds / plan.total_runs:7.3f}", flush=True)
        print(f"  (LocalCluster with {n} worker(s) started and imported sim in {warm:.1f} s)")


if __name__ == "__main__":
    main()
