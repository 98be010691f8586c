"""Scale: the array model agrees with a one-Mesa-agent-per-worker reference, and sampled runs
(one simulated worker for k real ones) agree with person-by-person runs (k = 1).

Timings live in ``benchmarks/scale.py``; nothing here is timed. The statistical checks are
seeded (so they are deterministic) and use Welch's t statistic on per-run outcomes: with
n runs a side, a genuine difference of a few standard errors of the run-to-run spread would
show as |t| > 4, while two implementations of the same model exceed |t| = 4 by chance with
probability ~0.2% per outcome (t distribution, ~10 degrees of freedom).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import sim.agents.columns as columns_module
from sim.runner import run_scenario
from tests.conftest import build_model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scale import agreement_runs  # noqa: E402

T_LIMIT = 4.0


def welch_t(a: np.ndarray, b: np.ndarray) -> float:
    return float(stats.ttest_ind(a, b, equal_var=False).statistic)


def test_array_model_agrees_with_the_mesa_reference():
    """Same data, parameters and dynamics, one Mesa agent per worker: same outcomes on average.

    BRN under fast generative-AI adoption at k = 100 (~2,350 simulated workers), 60 months,
    8 seeds a side: unemployment and displacement are large enough here that a lost or doubled
    flow (turnover, displacement, matching) would move the means by many standard errors.
    """
    runs = agreement_runs(seeds=8, scale=100, horizon=60)
    for outcome, ours in runs["ours"].items():
        ours, ref = np.array(ours), np.array(runs["reference"][outcome])
        t = welch_t(ours, ref)
        assert abs(t) < T_LIMIT, (outcome, ours.mean(), ref.mean(), t)
    # The check has teeth: displacement is far from zero, and the two sides are not copies.
    assert np.mean(runs["ours"]["displaced share"]) > 0.02
    assert runs["ours"]["displaced share"] != runs["reference"]["displaced share"]


def outcomes(scale: int, replications: int) -> dict[str, np.ndarray]:
    results = run_scenario("fast_genai", countries=["BRN"], replications=replications,
                           scale=scale, seed=5)
    force = results.values("labour_force", "BRN")[:, :1]
    return {
        "mean unemployment rate": results.values("unemployment_rate", "BRN")[:, 1:].mean(1),
        "final unemployment rate": results.values("unemployment_rate", "BRN")[:, -1],
        "displaced share": (results.values("automation_job_losses_cumulative", "BRN")
                            / force)[:, -1],
        "long-term unemployed share": (results.values("long_term_unemployed", "BRN")
                                       / force)[:, -1],
    }


def test_sampled_runs_agree_with_person_by_person_runs():
    """BRN at k = 1 (all ~235,000 workers) and at k = 50 (~4,700): the same rates.

    The app and quick CLI runs use a coarse k; their rates must be those of the full
    population, not a small-sample artefact (e.g. from rounding fractional vacancies).
    """
    full, sampled = outcomes(1, 3), outcomes(50, 12)
    for name in full:
        t = welch_t(full[name], sampled[name])
        assert abs(t) < T_LIMIT, (name, full[name].mean(), sampled[name].mean(), t)
        # and the sampled mean is close in absolute terms, not only within a wide spread
        assert sampled[name].mean() == pytest.approx(full[name].mean(), rel=0.1, abs=0.002)


def test_population_is_compact_and_chunking_changes_no_draw(tables, monkeypatch):
    """About 20 bytes per simulated person, and building in small pieces (which bounds the
    set-up's temporaries) puts the very same people in the very same slots."""
    settings = {"run.scale": 2, "uncertainties.sector_exposure": {"bpo_business_services": 0.4}}
    model = build_model(tables, "BRN", "baseline", settings, seed=4)
    workforce = model.workforce
    assert workforce.memory_bytes() / workforce.capacity <= 21
    assert workforce.exposure.dtype == np.float32 and workforce.status.dtype == np.int8
    monkeypatch.setattr(columns_module, "CHUNK", 1000)  # many pieces, splitting sectors
    again = build_model(tables, "BRN", "baseline", settings, seed=4).workforce
    for name in ("sector", "occ", "skill", "exposure", "status", "status_since", "flags",
                 "jobless_since", "factor_id"):
        assert np.array_equal(getattr(workforce, name), getattr(again, name)), name
    assert np.array_equal(workforce.female[:workforce.n], again.female[:again.n])
    assert np.array_equal(workforce.stocks, again.stocks)
    assert np.array_equal(workforce.idle, again.idle)
