"""Sweep throughput: the same runs serially, on a 2-worker LocalCluster, as ``sim sweep`` chooses
by itself, and through ``mesa.batch_run`` with 2 processes; ratios and checksums.

The runs are the first ``--runs`` (point, replication) runs of designs/example_sobol.toml
(Philippine BPO with reskilling, 120 months) at the app's automatic scale (about 50,000
simulated people) or at ``--scale``. Every wall time is end to end, start-up included: the
cluster's start and the workers' first import of ``sim`` (what a user waits for), the batch
runner's process pool likewise. The checksum is each run's final unemployment rate: the four
ways must give the very same numbers. Prints the machine's load average before and after.
Usage::

    .venv/bin/python benchmarks/sweep_throughput.py [--runs 96] [--scale N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import mesa
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.metrics import COUNTRY_METRICS  # noqa: E402
from sim.runner import make_model, replication_seeds  # noqa: E402
from sim.scenarios import with_overrides  # noqa: E402
from sim.sweeps import load_design, plan_design, run_sweep  # noqa: E402
from sim.sweeps.analysis import query  # noqa: E402

DESIGN = ROOT / "designs" / "example_sobol.toml"
OUTCOME = "unemployment_rate@2035"


def make_plan(scale: int | None, runs: int):
    """The first ``runs`` runs of the example design (48 points x 2 replications = 96)."""
    plan = load_design(DESIGN)
    design = plan.design.model_copy(deep=True)
    design.run.scale = scale
    plan = plan_design(design, str(DESIGN), None)
    points = -(-runs // design.replications)
    if points > len(plan.values):
        raise SystemExit(f"--runs {runs}: the design has only {plan.total_runs} runs")
    plan.values = plan.values[:points]  # the first points only: a fixed, comparable workload
    plan.samples = plan.samples[:points]
    return plan


def sweep(plan, **how) -> tuple[float, dict[str, float]]:
    """(wall seconds, final unemployment rate by run id) of ``run_sweep``."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = run_sweep(plan, Path(tmp) / "out", **how)
        wall = time.perf_counter() - started
        assert result.completed == plan.total_runs, result
        horizon = plan.base.run.horizon_months
        rows = query(Path(tmp) / "out", f"SELECT run_id, value FROM outcomes WHERE outcome = "
                     f"'{OUTCOME}' AND month = {horizon}")
        return wall, dict(zip(rows["run_id"], rows["value"], strict=True))


class SweepRun(mesa.Model):
    """One run of the plan for ``mesa.batch_run``: the simulator's model stepped by Mesa,
    its final unemployment rate collected by a DataCollector."""

    def __init__(self, run: int = 0, scale: int | None = None, runs: int = 0) -> None:
        super().__init__()
        plan = make_plan(scale, runs)
        task = list(plan.tasks())[run]
        self.run_id = task["run_id"]
        scenario = with_overrides(plan.base, task["overrides"])
        seed = replication_seeds(scenario.run.seed, plan.iso3,
                                 task["replications"])[task["replication"]]
        from sim.data import load_data

        self.inner = make_model(scenario, plan.iso3, load_data(), seed)
        self.horizon = scenario.run.horizon_months
        rate = COUNTRY_METRICS["unemployment_rate"].reporter
        self.datacollector = mesa.DataCollector(model_reporters={
            "unemployment_rate": lambda m: rate(m.inner), "run_id": lambda m: m.run_id})

    def step(self) -> None:
        self.inner.step()
        self.datacollector.collect(self)
        if self.inner.month >= self.horizon:
            self.running = False
            mesa.Agent._ids.pop(self.inner, None)  # Mesa 3.3.1 keeps finished models alive


def batch(plan, scale: int | None, runs: int) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    rows = mesa.batch_run(SweepRun, {"run": range(plan.total_runs), "scale": [scale],
                                     "runs": [runs]},
                          number_processes=2, iterations=1, data_collection_period=-1,
                          max_steps=plan.base.run.horizon_months - 1, display_progress=False)
    wall = time.perf_counter() - started
    return wall, {row["run_id"]: row["unemployment_rate"] for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=96, help="runs per measurement")
    parser.add_argument("--scale", type=int, default=None,
                        help="real people per simulated person (default: automatic)")
    args = parser.parse_args()
    plan = make_plan(args.scale, args.runs)
    load = os.getloadavg()
    print(f"{plan.total_runs} runs of {DESIGN.name} ({plan.iso3}, {plan.base.run.horizon_months} "
          f"months, scale {args.scale or 'automatic'}); load average before "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    sweep(make_plan(args.scale, 2), serial=True)  # warm the data cache and the compiled code
    results = {
        "serial": sweep(plan, serial=True),
        "2 workers (LocalCluster)": sweep(plan, workers=2),
        "sim sweep's own choice": sweep(plan),
        "mesa.batch_run, 2 processes": batch(plan, args.scale, args.runs),
    }
    serial = results["serial"][0]
    batch_wall = results["mesa.batch_run, 2 processes"][0]
    reference = results["serial"][1]
    print(f"{'how':32s} {'wall s':>8s} {'runs/s':>8s} {'vs serial':>10s} {'vs batch_run':>13s}"
          f" {'checksum':>20s}")
    for how, (wall, values) in results.items():
        same = values == reference
        checksum = float(np.sum(sorted(values.values())))
        print(f"{how:32s} {wall:8.2f} {plan.total_runs / wall:8.2f} {serial / wall:9.2f}x "
              f"{batch_wall / wall:12.2f}x {checksum:20.15f}{'' if same else '  DIFFERS'}")
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
