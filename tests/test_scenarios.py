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
    assert scenario.countries == ["PHL"] and scenario.for_country == "PHL"
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


# -- one country's figures ----------------------------------------------------------------------

@pytest.mark.parametrize("key", ["population.employment_thousands", "population.informal_share",
                                 "labour_market.sector_separation_rate",
                                 "uncertainties.sector_demand_growth"])
def test_a_scenario_setting_one_countrys_figures_must_name_the_country(tmp_path, key):
    from sim.scenarios import COUNTRY_FIGURES
    assert key in COUNTRY_FIGURES
    section, name = key.split(".")
    text = (f"name = 'x'\n[{section}]\n{name} = {{ retail_trade = 0.1 }}\n"
            + ("employment_source = 'a survey'\n" if section == "population" else ""))
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"{key}.*for_country") as error:
        load_scenario(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)
    path.write_text("for_country = 'tha'\n" + text, encoding="utf-8")
    scenario = load_scenario(path)
    assert (scenario.for_country, scenario.countries) == ("THA", ["THA"])  # runs there by default


def test_the_api_refuses_another_country_before_running(monkeypatch):
    import sim.runner

    def refuse(*args, **kwargs):
        raise AssertionError("a replication started")

    monkeypatch.setattr(sim.runner, "simulate", refuse)
    for countries in (["VNM"], ["PHL", "vnm"]):
        with pytest.raises(ScenarioError, match="holds figures for PHL only.*cannot run for VNM"):
            run_scenario("phl_bpo_reskilling", countries=countries)
    with pytest.raises(ScenarioError, match="cannot run for VNM"):
        with_overrides(load_scenario("phl_bpo"), {"countries": ["VNM"]})


def test_check_countries_is_the_one_rule():
    from sim.scenarios import check_countries
    check_countries(load_scenario("phl_bpo"), ["PHL"])
    check_countries(load_scenario("baseline"), ["VNM", "THA"])  # no country figures
    with pytest.raises(ScenarioError, match="run it for PHL"):
        check_countries(load_scenario("phl_bpo"), ["VNM"])


def test_a_focus_sector_must_be_simulated(tmp_path):
    path = tmp_path / "narrow.toml"
    path.write_text("name = 'x'\nfocus_sectors = ['retail_trade']\n[population]\n"
                    "sectors = ['construction', 'manufacturing']\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="focus_sectors: retail_trade not among the simulated"):
        load_scenario(path)


def test_reports_on_sectors_that_are_not_simulated_are_refused():
    from sim.errors import SimError
    results = run_scenario("baseline", countries=["BRN"], replications=1, horizon_months=2,
                           overrides={"population.sectors": ["construction", "retail_trade"]})
    assert not results.headline(["construction"]).empty
    with pytest.raises(SimError, match="not among the simulated sectors"):
        results.headline(["manufacturing"])
    with pytest.raises(SimError, match="unknown sector 'bpo'.*valid: agriculture"):
        results.values("employed", "BRN", ["bpo"])


# -- years outside the run (the Python API) ---------------------------------------------------

def test_headline_and_compare_refuse_years_outside_the_run():
    from sim.errors import SimError
    from sim.results import compare
    results = run_scenario("baseline", countries=["BRN"], replications=2, horizon_months=24,
                           scale=50)
    # The calendar: month 0 = end of 2025-12 (the start's state), month 24 = end of 2027-12.
    assert [str(d) for d in results.dates[[0, 12, 24]]] == ["2025-12", "2026-12", "2027-12"]
    shown = results.headline(years=(2025, 2027))
    assert set(shown["date"]) == {"2025-12", "2027-12"}
    for call in (lambda: results.headline(years=(2030,)),
                 lambda: results.headline(years=(2026, 2024)),
                 lambda: compare(results, results, years=(2028,))):
        with pytest.raises(SimError, match=r"outside the run.*2025-12.*2027-12.*2025 to 2027"):
            call()
    # Without years: 2030 and 2035 where reached, else the last month.
    assert set(results.headline()["date"]) == {"2027-12"}


# -- files as people save them ------------------------------------------------------------------

def test_a_byte_order_mark_is_not_part_of_the_file(tmp_path):
    from sim.scenarios import parse_scenario_bytes
    text = "name = 'bom'\n[uncertainties]\nadoption_pace = 2.0\n"
    assert parse_scenario_bytes("up.toml", b"\xef\xbb\xbf" + text.encode()).name == "bom"
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_scenario(path).uncertainties.adoption_pace == 2.0
    child = tmp_path / "child.toml"
    child.write_bytes(b"\xef\xbb\xbfextends = 'phl_bpo'\nname = 'c'\n")
    assert load_scenario(child).for_country == "PHL"


def test_scenario_paths_resolve_whatever_their_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("UPPER.TOML", "no_suffix", "sub/inner.cfg"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(f"name = '{name}'\n", encoding="utf-8")
        assert load_scenario(name).name == name
        assert load_scenario(tmp_path / name).name == name
    (tmp_path / "baseline").write_text("name = 'mine'\n", encoding="utf-8")
    assert load_scenario("baseline").name != "mine", "a bare shipped name is the shipped one"
    assert load_scenario("./baseline").name == "mine"
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario("sub")


def test_one_sectors_entry_is_an_override_key_keeping_the_others():
    base = load_scenario("phl_bpo")
    changed = with_overrides(base, {"uncertainties.sector_exposure.retail_trade": 0.3,
                                    "labour_market.sector_separation_rate.construction": 0.02})
    assert changed.uncertainties.sector_exposure == {"bpo_business_services": 0.4,
                                                     "retail_trade": 0.3}
    assert changed.labour_market.sector_separation_rate["bpo_business_services"] == 0.049
    for bad, words in ((
            {"uncertainties.sector_exposure.retail": 0.3},
            "did you mean 'uncertainties.sector_exposure.retail_trade'"),
            ({"uncertainties.sector_exposure.retail_trade": 3.0}, "less than or equal to 1"),
            ({"uncertainties.adoption_pace.retail_trade": 1.0}, "unknown key")):
        with pytest.raises(ScenarioError, match=words):
            with_overrides(base, bad)
    results = run_scenario("baseline", countries=["BRN"], replications=1, horizon_months=2,
                           overrides={"uncertainties.sector_exposure.bpo_business_services": 0.4})
    assert results.scenario.uncertainties.sector_exposure == {"bpo_business_services": 0.4}


def test_headline_counts_people_and_enrolments_apart_and_retirees_apart():
    """The headline's "People enrolled" are distinct people (a person may enrol again in a
    later spell: the enrolments row counts those), and the laid-off who retired are a row of
    their own, apart from those who left the labour force."""
    results = run_scenario("combined", countries=["THA"], replications=2, horizon_months=60,
                           overrides={"uncertainties.adjustment_window_months": 1,
                                      "uncertainties.adoption_pace": 3.0})
    rows = results.headline(years=(2030,)).set_index("metric")["median"]
    people = np.median(results.values("reskilling_people", "THA")[:, -1])
    assert rows["reskilling_people"] == pytest.approx(people)
    assert 0 < rows["reskilling_people"] <= rows["reskilling_enrolments_cumulative"]
    # retirees (an age-blind rate) apart from those who stopped searching
    assert rows["displaced_workers"] > 0
    assert {"displaced_inactive", "displaced_retired"} <= set(rows.index)
