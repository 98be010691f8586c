"""Calibration and validation against observed ILOSTAT figures."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.workforce import Status
from sim.calibrate import calibrate, fit_durations, spell_shares
from sim.flows import LabourFlows, load_calibration
from sim.inputs import country_inputs
from sim.model import LabourMarketModel
from sim.scenarios import load_scenario, with_overrides
from sim.validate import TOLERANCES, validate

WITH_DURATIONS = ["KHM", "MYS", "PHL", "THA", "VNM"]


@pytest.fixture(scope="module")
def report(tables):
    return validate(WITH_DURATIONS, tables=tables, replications=2)


@pytest.mark.parametrize("iso3", WITH_DURATIONS)
@pytest.mark.parametrize("indicator", ["unemployment rate", "share unemployed 12+ months",
                                       "share unemployed under 6 months"])
def test_calibrated_baseline_matches_observed_durations(report, iso3, indicator):
    row = report[(report.country == iso3) & (report.indicator == indicator)].iloc[0]
    assert row.targeted_by_calibration
    assert row.result == "pass", (iso3, indicator, row.model, row.observed, row.tolerance)


def test_validation_reports_failures_honestly(report):
    exposed = report[report.indicator == "employment in GenAI-exposed occupations"]
    phl = exposed[exposed.country == "PHL"].iloc[0]
    assert phl.observed == pytest.approx(0.272)
    # The occupation-count aggregates understate the ILO's worker-weighted figure; the table
    # must say so rather than hide it.
    assert phl.result == ("pass" if TOLERANCES[phl.indicator].passes(phl.model, phl.observed)
                          else "FAIL")
    assert set(report.result) <= {"pass", "FAIL", "no data"}


@pytest.mark.parametrize(("iso3", "informal", "under"), [
    # `sim validate` said "PHL time-related underemployment 11.85% / 11.90% pass" of PSA's
    # figure, wider than the ILO's concept; and "informal share" of a lower-bound proxy
    ("PHL", "status proxy (own-account + contributing family workers), a lower bound",
     "national definition (PSA)"),
    ("KHM", "ILO harmonised (17th ICLS; ILOSTAT EMP_NIFL)",
     "ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)"),
    ("VNM", "national definition (GSO)", "national definition (GSO thieu viec lam)"),
])
def test_validation_rows_name_the_definition_of_the_figure(report, iso3, informal, under):
    rows = report[report.country == iso3].set_index("indicator")
    assert f"informal share of employment: {informal}" in rows.index
    assert f"underemployment: {under}" in rows.index
    assert not any("time-related underemployment" in i for i in rows.index)
    if iso3 == "PHL":
        assert rows.loc[f"underemployment: {under}", "observed"] == pytest.approx(0.119)


def test_shipped_calibration_is_what_the_procedure_produces(tables):
    shipped = load_calibration()
    fresh = calibrate(tables).set_index("iso3")
    for column in ("hire_rate", "search_decay", "separation_rate"):
        assert np.allclose(shipped[column], fresh.loc[shipped.index, column], rtol=1e-4)


@pytest.mark.parametrize(("hire_rate", "decay"), [(0.3, 0.04), (0.6, 0.06), (0.2, 0.0)])
def test_fit_recovers_parameters_of_the_steady_state(hire_rate, decay):
    lt6, ge12, _ = spell_shares(hire_rate, decay)
    fitted = fit_durations(lt6, ge12)
    assert fitted == pytest.approx((hire_rate, decay), abs=0.01)


def test_calibration_recovers_known_parameters_from_model_generated_data(tables):
    """Run the model with known flows, survey its unemployed, refit, get the flows back."""
    hire_rate, decay = 0.3, 0.04
    u = tables.country("BRN").unemployment_rate
    mean_spell = spell_shares(hire_rate, decay)[2]  # separations that sustain u (as calibrated)
    known = LabourFlows(hire_rate, decay, separation_rate=u / ((1 - u) * mean_spell))
    # nobody leaves the labour force from long unemployment, so spells end only in a job
    scenario = with_overrides(load_scenario("baseline"), {
        "uncertainties.adoption_ceiling": 0.0, "run.scale": 20,
        "labour_market.discouragement_rate": 0.0})
    inputs = country_inputs(tables, "BRN", exposure_assumption="ilo_genai_2025")
    model = LabourMarketModel(scenario, inputs, known, seed=5)
    workforce = model.workforce
    short, long_ = [], []
    for _ in range(120):
        model.step()
        if model.month > 24:
            unemployed = workforce.with_status(Status.UNEMPLOYED)
            elapsed = model.month - workforce.spell_start[unemployed]
            short.append((elapsed < 6).mean())
            long_.append((elapsed >= 12).mean())
    hire_rate, decay = fit_durations(float(np.mean(short)), float(np.mean(long_)))
    assert hire_rate == pytest.approx(known.hire_rate, abs=0.04)
    assert decay == pytest.approx(known.search_decay, abs=0.02)
