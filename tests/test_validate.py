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


# Calibration targets the model misses under the stated tolerances (README, Validation): the
# Philippine long-term share is 0.26% observed and about 0.95% in the model, more than a factor
# of 2, and so is the complement of the share under 6 months (3.7% against 1.6% at 6+ months).
KNOWN_MISSES = {("PHL", "share unemployed 12+ months"), ("PHL", "share unemployed under 6 months")}


@pytest.mark.parametrize("iso3", WITH_DURATIONS)
@pytest.mark.parametrize("indicator", ["unemployment rate", "share unemployed 12+ months",
                                       "share unemployed under 6 months"])
def test_calibrated_baseline_matches_observed_durations(report, iso3, indicator):
    row = report[(report.country == iso3) & (report.indicator == indicator)].iloc[0]
    assert row.targeted_by_calibration
    expected = "FAIL" if (iso3, indicator) in KNOWN_MISSES else "pass"
    assert row.result == expected, (iso3, indicator, row.model, row.observed, row.tolerance)


@pytest.mark.parametrize(("indicator", "model", "observed", "verdict"), [
    # a share under a point: 0.7 points off but 3.6 times the observed share (PHL's 12+ months)
    ("share unemployed 12+ months", 0.0095, 0.0026, False),
    ("share unemployed 12+ months", 0.0040, 0.0026, True),
    ("share unemployed 12+ months", 0.0012, 0.0026, False),  # under half of it
    ("share unemployed 12+ months", 0.0994, 0.0922, True),  # shares of 10%: the points bind
    ("share unemployed 12+ months", 0.1300, 0.0922, False),
    # Thailand's 0.48% underemployment used to pass anywhere from 0 to 3.5%
    ("underemployment", 0.0300, 0.0048, False),
    ("underemployment", 0.0000, 0.0048, False),
    ("underemployment", 0.0060, 0.0048, True),
    # near 100% the complement binds: 3.7% at 6+ months against 1.6% observed
    ("share unemployed under 6 months", 0.9630, 0.9837, False),
    ("share unemployed under 6 months", 0.9750, 0.9837, True),
    ("informal share of employment", 0.5500, 0.5230, True),
    ("informal share of employment", 0.5600, 0.5230, False),
    ("women / men in GenAI-exposed occupations", 2.17, 2.0, True),
    ("women / men in GenAI-exposed occupations", 2.35, 2.0, False),
    ("unemployment rate", 0.0085, 0.0078, True),
    ("unemployment rate", 0.0090, 0.0078, False),
])
def test_tolerances_can_fail_for_small_shares(indicator, model, observed, verdict):
    """Shares: within the points and a factor of 2, the share and its complement; small
    shares cannot pass on points alone."""
    assert TOLERANCES[indicator].passes(model, observed) is verdict


def test_validate_under_the_ilo_definition_compares_with_ilostat(tables, report):
    """``--set labour_market.underemployment_basis=ilo``: the model is calibrated to, and held
    against, ILOSTAT's time-related underemployment (6.9% in the Philippines), not PSA's wider
    national figure (11.9%), and the row says which."""
    from typer.testing import CliRunner

    from sim.cli import app

    frame = validate(["PHL"], tables=tables, replications=1,
                     overrides={"labour_market.underemployment_basis": "ilo"})
    row = frame[frame.indicator.str.startswith("underemployment")].iloc[0]
    assert "ILO time-related" in row.indicator and "TRU_DEMP" in row.observed_source
    assert row.observed == pytest.approx(0.069, abs=0.001)
    assert row.result == "pass", (row.model, row.observed)
    national = report[(report.country == "PHL")
                      & report.indicator.str.startswith("underemployment")].iloc[0]
    assert "national definition (PSA)" in national.indicator
    assert national.observed > row.observed + 0.03
    result = CliRunner().invoke(app, ["validate", "-c", "PHL", "-r", "1", "--set",
                                      "labour_market.underemployment_basis=ilo"])
    assert result.exit_code == 0, result.output
    assert "ILO time-related" in result.output and "6.94%" in result.output


def test_tolerances_state_their_units():
    assert str(TOLERANCES["women / men in GenAI-exposed occupations"]) == \
        "within 0.30 of the ratio"
    assert str(TOLERANCES["share unemployed 12+ months"]) == \
        "within 3.0 points and a factor of 2"
    assert str(TOLERANCES["unemployment rate"]) == "within 10% of observed"


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
