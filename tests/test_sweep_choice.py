"""A sweep left to choose runs serially when a local cluster would not pay for its start-up."""

from __future__ import annotations

from pathlib import Path

from sim.sweeps import load_design
from sim.sweeps.run import CLUSTER_START_SECONDS, cluster_pays, serial_seconds

DESIGN = Path(__file__).resolve().parents[1] / "designs" / "example_sobol.toml"


def plan_at(scale: int, horizon: int = 120):
    plan = load_design(DESIGN)
    plan.base = plan.base.model_copy(update={"run": plan.base.run.model_copy(
        update={"scale": scale, "horizon_months": horizon})})
    return plan


def test_small_sweeps_stay_serial_and_large_ones_use_the_cores():
    small = plan_at(scale=5000, horizon=12)      # ~9,400 people, a year: a fraction of a second
    large = plan_at(scale=50)                    # ~940,000 people, ten years: tens of seconds
    assert serial_seconds(small, 4) < CLUSTER_START_SECONDS
    assert not cluster_pays(small, 4, cores=2)
    assert cluster_pays(large, 96, cores=2)
    assert serial_seconds(large, 96) > serial_seconds(small, 96)
    # one core, or a single run, never gains from a cluster
    assert not cluster_pays(large, 96, cores=1)
    assert not cluster_pays(large, 1, cores=2)
