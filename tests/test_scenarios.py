"""Scenario files: every shipped one runs; every kind of bad one gets a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from sim.runner import run_scenario
from sim.scenarios import (
    ScenarioError,
    list_scenarios,
    load_scenario,
    parameter_table,
    with_overrides,
)

SHIPPED = list_scenarios()


def test_the_promised_scenarios_are_shipped():
    for name in ("baseline", "reskilling_push", "job_creation", "combined", "fast_genai",
                 "phl_bpo", "phl_bpo_reskilling"):
        assert name in SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_runs(name):
    scenario = load_scenario(name)
    assert scenario.description.strip(), "the app shows every scenario's description"
    results = run_scenario(name, replications=2, horizon_months=24)
    for iso3 in results.countries:
        employed = results.values("employed", iso3)
        assert np.isfinite(results.sector_cube).all()
        assert employed.min() > 0
    headline = results.headline(years=(2027,))
    assert not headline.empty


def test_bpo_scenario_uses_the_seed_figures():
    scenario = load_scenario("phl_bpo")
    assert scenario.countries == ["PHL"]
    assert scenario.population.employment_thousands["bpo_business_services"] == 1900.0
    assert scenario.uncertainties.sector_exposure["bpo_business_services"] == 0.40
    assert "IBPAP" in scenario.population.employment_source


def test_extends_inherits_and_overrides():
    base, child = load_scenario("phl_bpo"), load_scenario("phl_bpo_reskilling")
    assert child.population == base.population
    assert child.uncertainties == base.uncertainties
    assert child.levers.reskilling.enabled and not base.levers.reskilling.enabled


def test_every_parameter_is_documented():
    rows = parameter_table()
    assert len(rows) > 30
    for row in rows:
        assert row["description"] and row["unit"] and row["reference"]
        assert row["kind"] in {"uncertainty", "lever", "structure", "run"}
    kinds = {row["key"].split(".")[0]: row["kind"] for row in rows}
    assert kinds["uncertainties"] == "uncertainty" and kinds["levers"] == "lever"


BAD = [
    ("name = 'x'\n[uncertainties]\nadoption_pase = 2\n", "unknown key 'uncertainties.adoption_pase'"
     " (did you mean 'adoption_pace'?)"),
    ("name = 'x'\ncolour = 'red'\n", "unknown key 'colour'"),
    ("name = 'x'\n[uncertainties]\nadoption_ceiling = 1.5\n",
     "'uncertainties.adoption_ceiling' = 1.5"),
    ("name = 'x'\n[levers.reskilling]\nseats_per_100k = -3\n",
     "'levers.reskilling.seats_per_100k' = -3"),
    ("name = 'x'\n[levers.reskilling]\ncompletion_rate = 'most'\n",
     "'levers.reskilling.completion_rate'"),
    ("name = 'x'\n[levers.reskilling]\ntarget_sectors = ['space_tourism']\n",
     "'levers.reskilling.target_sectors.0'"),
    ("name = 'x'\n[levers.reskilling]\ntarget_sectors = []\n", "at least one sector"),
    ("name = 'x'\n[run]\nstart = '2026-13'\n", "YYYY-MM"),
    ("name = 'x'\ncountries = ['PH']\n", "alpha-3"),
    ("name = 'x'\n[population]\nemployment_thousands = { retail_trade = 10.0 }\n",
     "employment_source"),
    ("name = 'x'\n[uncertainties\n", "not valid TOML"),
    ("description = 'no name'\n", "missing required key 'name'"),
    ("extends = 'nonexistent'\nname = 'x'\n", "key 'extends' must name a shipped scenario"),
    ("name = 'x'\n[uncertainties]\nexposure_assumption = 'astrology'\n",
     "'uncertainties.exposure_assumption'"),
    ("name = 'x'\na = [[[[[[[[1]]]]]]]]\n", "nested more than"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_scenario_files_give_clear_errors(tmp_path, text, expected):
    path = tmp_path / "my_scenario.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message, "the error names the file"
    assert expected in message
    assert "\n" not in message, "one line"


def test_non_utf8_scenario(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b"name = '\xe9t\xe9'\n")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)


def test_unknown_and_missing_scenarios():
    with pytest.raises(ScenarioError, match="shipped scenarios: baseline"):
        load_scenario("no_such_scenario")
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario("missing/file.toml")


def test_overrides_are_validated():
    base = load_scenario("baseline")
    changed = with_overrides(base, {"uncertainties.adoption_pace": 2.5})
    assert changed.uncertainties.adoption_pace == 2.5
    assert base.uncertainties.adoption_pace == 1.0, "the original is untouched"
    with pytest.raises(ScenarioError, match="did you mean 'levers.reskilling.enabled'"):
        with_overrides(base, {"levers.reskilling.enable": True})
    with pytest.raises(ScenarioError, match="adoption_pace"):
        with_overrides(base, {"uncertainties.adoption_pace": 99})


def test_a_loaded_scenario_cannot_be_changed_in_place():
    import pydantic
    scenario = load_scenario("baseline")
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        scenario.run.seed = 1  # a shared preset must not drift under its users
    changed = with_overrides(scenario, {"run.seed": 1})
    assert (changed.run.seed, scenario.run.seed) == (1, 20260101)


def test_the_public_api_resolves_from_the_package():
    import sim
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    assert sim.run_scenario is __import__("sim.runner").runner.run_scenario
