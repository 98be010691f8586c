"""The labour-market tables of data/README.md §11-§19 as first-class data.

``load_data`` validates them like the core tables (one line naming file, row, keys and column),
hashes them into the provenance, and hands them to ``country_inputs``; a folder without one of
them uses the shipped file, and a country missing from one gets the documented fallback and a
note that the run's provenance keeps.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.data import DEFAULT_DATA_DIR, EXTRA_FILES, DataError, load_data
from sim.inputs import country_inputs
from sim.runner import run_scenario

CORE = ("sectors.csv", "countries.csv", "occupations.csv", "calibration.csv")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the whole shipped data folder, to edit."""
    target = tmp_path / "mydata"
    target.mkdir()
    for path in DEFAULT_DATA_DIR.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target


def edit(path: Path, change) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    frame.to_csv(path, index=False, lineterminator="\n")


def _set(column: str, value: str, row: int):
    def change(frame):
        frame.loc[row, column] = value
        return frame
    return change


def _add(column: str, amount: float, row: int):
    def change(frame):
        frame.loc[row, column] = f"{float(frame.loc[row, column]) + amount:.6f}"
        return frame
    return change


def _drop(row: int):
    return lambda frame: frame.drop(index=row).reset_index(drop=True)


def _dup(frame):
    return pd.concat([frame, frame.iloc[[5]]], ignore_index=True)


def _drop_major_row(group: int):
    return lambda frame: frame[~((frame["level"] == "major")
                                 & (frame["code"] == str(group)))].reset_index(drop=True)


# (file, mutation, column named, row named, message fragment)
BAD = [
    # a share outside [0, 1]
    ("sector_occupation_sex.csv", _set("occ_3", "1.4", 2), "occ_3",
     "row 3 (iso3=BRN, sector=manufacturing, sex=female)", "1.4 is outside [0, 1]"),
    ("occupation_mix_submajor.csv", _set("share_within_major", "-0.1", 1),
     "share_within_major", "row 2 (iso3=BRN, sex=female, code=12)", "outside [0, 1]"),
    ("labour_market.csv", _set("vacancy_rate", "2.1", 5), "vacancy_rate", "row 6 (iso3=MYS)",
     "outside [0, 1]"),
    # a value without its source or confidence, or with a label outside the vocabulary
    ("labour_market.csv", _set("informal_national_source", "", 1), "informal_national_source",
     "row 2 (iso3=IDN)", "empty source for a present value (informal_national_share)"),
    ("labour_market.csv", _set("informal_ilostat_confidence", "", 0),
     "informal_ilostat_confidence", "row 1 (iso3=BRN)", "empty confidence"),
    ("labour_force.csv", _set("source", "", 3), "source", "row 4 (iso3=BRN, year=2013)",
     "empty source"),
    ("sector_informality.csv", _set("at_default_source", "", 0), "at_default_source", "row 1",
     "empty source for a present value (informal_share_at_default)"),
    ("occupations_submajor.csv", _set("confidence", "", 0), "confidence", "row 1 (code=11)",
     "empty confidence"),
    ("occupation_pay.csv", _set("pay_source", "", 0), "pay_source", "row 1", "empty source"),
    ("bpo_headcount_phl.csv", _set("confidence", "very sure", 0), "confidence", "row 1",
     "not a confidence label"),
    ("labour_market.csv", _set("vacancy_confidence", "sure", 5), "vacancy_confidence", "row 6",
     "not a confidence label"),
    # sectors from the vocabulary, country codes known, labels and periods well formed
    ("sector_informality.csv", _set("sector", "space_mining", 3), "sector", "row 4",
     "'space_mining' is not one of"),
    ("sector_occupation_sex.csv", _set("sector", "space_mining", 3), "sector", "row 4",
     "not one of"),
    ("labour_force.csv", _set("iso3", "XYZ", 0), "iso3", "row 1 (iso3=XYZ, year=2010)",
     "XYZ has no row in countries.csv"),
    ("labour_market.csv", _set("iso3", "ATL", 9), "iso3", "row 10", "ATL has no row in"),
    ("sector_occupation_sex.csv", _set("sex", "both", 0), "sex", "row 1", "'both' is not a sex"),
    ("labour_market.csv", _set("informal_national_period", "Aug 2024", 1),
     "informal_national_period", "row 2", "not a period"),
    ("labour_force.csv", _set("year", "1890", 0), "year", "row 1", "outside [1990, 2100]"),
    ("occupations_submajor.csv", _set("n_occupations", "2.5", 0), "n_occupations", "row 1",
     "not an integer"),
    ("bpo_headcount_phl.csv", _set("kind", "forecast", 0), "kind", "row 1", "not a kind"),
    ("labour_force.csv", lambda frame: frame.drop(columns=["basis"]), "basis", "header row",
     "missing"),
    # shares that must sum to 1
    ("occupation_mix_submajor.csv", _add("share_within_major", 0.2, 1), "share_within_major",
     "row 1 (iso3=BRN, sex=female, code=11)",
     "shares within major group 1 (BRN, female) sum to 1.2, not 1"),
    ("sector_occupation_sex.csv", _add("occ_1", 0.2, 4), "occ_1..occ_9",
     "row 5 (iso3=BRN, sector=construction, sex=female)", "occupation mix sums to 1.2"),
    ("labour_market.csv", _set("share_employees", "0.5", 0), "share_employees", "row 1",
     "status-in-employment shares sum to"),
    # duplicate keys
    ("labour_force.csv", _dup, "year", "row 181", "duplicate of row 6"),
    ("occupation_mix_submajor.csv", _dup, "code", "row 778", "duplicate of row 6"),
    ("sector_occupation_sex.csv", _dup, "sex", "row 241", "duplicate of row 6"),
    ("labour_market.csv", _dup, "iso3", "row 11", "duplicate of row 6"),
    ("bpo_headcount_phl.csv", _dup, "year", "row 14", "duplicate of row 6"),
    ("occupation_pay.csv", _dup, "isco08_major_group", "row 10", "duplicate of row 6"),
    # codes and groups that the model could not place
    ("occupation_mix_submajor.csv", _set("code", "17", 0), "code", "row 1",
     "code 17 is not a sub-major group of"),
    ("occupation_mix_submajor.csv", _set("isco08_major_group", "2", 0), "isco08_major_group",
     "row 1", "code 11 is in major group 1, not 2"),
    ("occupations_submajor.csv", _set("isco08_major_group", "2", 0), "code", "row 1 (code=11)",
     "does not fit level submajor of major group 2"),
    ("occupations_submajor.csv", _drop_major_row(5), "level", "occupations_submajor.csv,",
     "no major-level row for group(s) 5"),
    # incomplete countries: the model would silently fill the gaps
    ("sector_informality.csv", _drop(13), "sector", "row 13 (iso3=IDN",
     "country IDN is missing sector(s): manufacturing"),
    ("sector_occupation_sex.csv", _drop(1), "sector", "row 1 (iso3=BRN",
     "country BRN is missing sector/sex row(s): agriculture/male"),
    ("occupation_pay.csv", _drop(3), "isco08_major_group", "row 1 (iso3=PHL",
     "country PHL is missing major group(s): 4"),
]


def _ids(case):
    return f"{case[0]}-{case[2]}-{case[4][:30]}"


@pytest.mark.parametrize("case", BAD, ids=[_ids(c) for c in BAD])
def test_a_bad_cell_is_one_line_naming_file_row_keys_and_column(folder, case):
    name, mutate, column, row, fragment = case
    edit(folder / name, mutate)
    with pytest.raises(DataError) as caught:
        load_data(folder)
    message = str(caught.value)
    print(message)
    assert "\n" not in message
    assert message.startswith(str(folder / name))
    assert f"column '{column}'" in message
    assert row in message
    assert fragment in message


def test_the_shipped_tables_are_what_the_model_reads(tables):
    for name in EXTRA_FILES:
        shipped = pd.read_csv(DEFAULT_DATA_DIR / name, dtype=str, keep_default_na=False)
        assert list(tables.extras[name].columns) == list(shipped.columns), name
        assert len(tables.extras[name]) == len(shipped), name
    market = tables.extras["labour_market.csv"].set_index("iso3")
    assert market.loc["MYS", "vacancy_rate"] == pytest.approx(0.021)  # README §17
    assert pd.isna(market.loc["PHL", "informal_national_share"])  # GAP stays empty
    assert tables.extras["occupations_submajor.csv"]["code"].iloc[0] == "11"  # codes are text


def test_an_edited_table_changes_the_inputs_and_the_hash(folder):
    before = load_data(folder)
    assert country_inputs(before, "PHL", exposure_assumption="ilo_genai_2025").vacancy_rate \
        is None

    def publish_vacancies(frame):
        row = frame["iso3"] == "PHL"
        frame.loc[row, ["vacancy_rate", "vacancy_period", "vacancy_source",
                        "vacancy_confidence"]] = ["0.03", "2024-Q4", "a test survey", "medium"]
        return frame
    edit(folder / "labour_market.csv", publish_vacancies)
    after = load_data(folder)  # the cache sees the new file
    assert after is not before
    assert country_inputs(after, "PHL", exposure_assumption="ilo_genai_2025").vacancy_rate \
        == pytest.approx(0.03)
    assert after.hashes["labour_market.csv"] != before.hashes["labour_market.csv"]
    assert after.hashes["labour_force.csv"] == before.hashes["labour_force.csv"]


def test_a_folder_without_the_extra_tables_uses_the_shipped_ones(tmp_path, tables):
    folder = tmp_path / "core_only"
    folder.mkdir()
    for name in CORE:
        shutil.copy(DEFAULT_DATA_DIR / name, folder / name)
    (folder / "labour_force.csv").write_bytes((DEFAULT_DATA_DIR / "labour_force.csv").read_bytes())
    own = load_data(folder)
    assert set(own.shipped_extras) == set(EXTRA_FILES) - {"labour_force.csv"}
    assert {name: own.hashes[name] for name in EXTRA_FILES} == \
        {name: tables.hashes[name] for name in EXTRA_FILES}  # the files actually read
    results = run_scenario("baseline", countries=["BRN"], replications=1, horizon_months=1,
                           data=folder)
    fallbacks = results.provenance["data_fallbacks"]
    assert set(fallbacks["shipped_tables"]) == set(own.shipped_extras)
    assert set(results.provenance["data_hashes"]) >= set(EXTRA_FILES)


def test_a_shipped_table_may_cover_countries_the_folder_lacks_but_the_folders_own_may_not(
        folder):
    for name in ("sectors.csv", "countries.csv", "calibration.csv"):
        edit(folder / name, lambda frame: frame[frame["iso3"] != "THA"])
    for name in EXTRA_FILES:
        if name != "labour_market.csv":
            (folder / name).unlink()
    with pytest.raises(DataError, match=r"labour_market.csv, row 9 \(iso3=THA\), column 'iso3': "
                                        r"THA has no row in countries.csv"):
        load_data(folder)
    (folder / "labour_market.csv").unlink()  # the shipped one describes all ten countries
    assert "THA" not in load_data(folder).iso3_codes


def test_a_country_missing_from_a_table_gets_the_fallback_and_a_note_in_the_provenance(folder):
    for name in ("labour_force.csv", "sector_occupation_sex.csv", "labour_market.csv",
                 "sector_informality.csv"):
        edit(folder / name, lambda frame: frame[frame["iso3"] != "BRN"])
    tables = load_data(folder)
    inputs = country_inputs(tables, "BRN", exposure_assumption="ilo_genai_2025")
    assert inputs.labour_force == {}
    assert (inputs.occ_mix_by_sex[:, 0] == inputs.occ_mix_by_sex[:, 1]).all()
    assert (inputs.informal_share == 0).all() and inputs.vacancy_rate is None
    assert inputs.underemployment_rate == 0
    notes = " | ".join(inputs.notes)
    assert "all employment treated as formal" in notes
    for table in ("labour_force.csv", "sector_occupation_sex.csv", "labour_market.csv",
                  "occupation_pay.csv"):  # BRN never had its own pay: PHL's stands in
        assert table in notes, table
    results = run_scenario("baseline", countries=["BRN"], replications=1, horizon_months=1,
                           data=folder)
    recorded = results.provenance["data_fallbacks"]
    assert recorded == {"shipped_tables": [], "countries": {"BRN": list(inputs.notes)}}


def test_a_basis_without_a_value_is_noted():
    tables = load_data()
    phl = country_inputs(tables, "PHL", exposure_assumption="ilo_genai_2025",
                         informality_basis="national")
    assert phl.informal_basis == "status_proxy"  # PSA publishes no national headline (§17)
    assert "PHL: no national informal share in labour_market.csv: status_proxy used" in phl.notes
    idn = country_inputs(tables, "IDN", exposure_assumption="ilo_genai_2025",
                         informality_basis="national")
    assert idn.informal_basis == "national" and not any("informal" in n for n in idn.notes)


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_validate_data_reports_the_labour_market_tables(folder):
    result = cli("validate-data", "--data", str(folder))
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())
    assert "occupation_mix_submajor.csv 777 rows" in line
    assert "labour_market.csv 10 rows" in line
    assert '"sector_informality.csv":' in result.output  # its hash
    (folder / "bpo_headcount_phl.csv").unlink()
    line = " ".join(cli("validate-data", "--data", str(folder)).output.split())
    assert "bpo_headcount_phl.csv 13 rows (shipped)" in line


def test_validate_data_names_a_bad_extra_table_in_one_line(folder):
    edit(folder / "sector_informality.csv", _set("informal_share", "abc", 0))
    result = cli("validate-data", "--data", str(folder))
    assert result.exit_code == 2
    line = " ".join(result.output.split())
    assert ("sector_informality.csv, row 1 (iso3=BRN, sector=agriculture), column "
            "'informal_share': 'abc' is not a number") in line
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("iso3", "basis", "informal", "under"), [
    # PSA's underemployment is wider than the ILO's time-related concept; PHL has no
    # informality series, so the status proxy (a lower bound) stands in (data/README.md §17)
    ("PHL", "default", "status proxy (own-account + contributing family workers), a lower bound",
     "national definition (PSA)"),
    ("PHL", "ilo", "status proxy (own-account + contributing family workers), a lower bound",
     "ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)"),
    ("IDN", "default", "national definition (BPS)",
     "national definition (BPS setengah pengangguran)"),
    ("KHM", "default", "ILO harmonised (17th ICLS; ILOSTAT EMP_NIFL)",
     "ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)"),
    ("VNM", "ilo", "ILO harmonised (17th ICLS; ILOSTAT EMP_NIFL)",
     "ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)"),
])
def test_each_figure_names_the_definition_its_basis_follows(tables, iso3, basis, informal, under):
    from sim.inputs import definition

    inputs = country_inputs(tables, iso3, exposure_assumption="ilo_genai_2025",
                            informality_basis=basis, underemployment_basis=basis)
    assert str(definition(inputs, "informal_share")) == informal
    assert str(definition(inputs, "underemployment_rate")) == under


def test_the_run_s_tables_name_the_definition_of_the_basis_in_use():
    """`sim run` used to print "Time-related underemployment (%) 11.87" for the Philippines:
    PSA's figure, which is wider than the ILO's time-related concept."""
    from sim.counterfactual import automation_effect

    quick = {"countries": ["PHL"], "replications": 1, "horizon_months": 1, "scale": 2000}
    for basis, named, rate in (("default", "national definition (PSA)", 0.119),
                               ("ilo", "ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)", 0.0694)):
        results = run_scenario("baseline", counterfactual=True, overrides={
            "labour_market.underemployment_basis": basis}, **quick)
        rows = results.headline().set_index("metric")["indicator"]
        assert rows["underemployment_rate"] == f"Underemployment (%): {named}"
        assert rows["informal_share"] == ("Informal share of employment (%): status proxy "
                                          "(own-account + contributing family workers), a lower "
                                          "bound")
        effect = automation_effect(results)["indicator"]
        assert f"Underemployment rate, difference (points): {named}" in set(effect)
        under = results.headline().set_index("metric").loc["underemployment_rate", "median"]
        assert under == pytest.approx(100 * rate, abs=1.0)  # the figure the label names
    result = CliRunner().invoke(app, ["run", "baseline", "-c", "PHL", "-r", "1", "--horizon",
                                      "1", "--scale", "2000", "--set",
                                      "labour_market.underemployment_basis=ilo"])
    assert result.exit_code == 0, result.output
    assert "Time-related underemployment" not in result.output
    assert "TRU_DEMP" in result.output and "PSA" not in result.output


@pytest.mark.parametrize("iso3, basis, proxy", [
    ("PHL", "default", True), ("PHL", "ilo", True),  # PSA publishes no informal share
    ("IDN", "default", False), ("IDN", "status_proxy", True),
])
def test_formal_work_says_it_holds_informal_employees_where_informality_is_the_proxy(
        iso3, basis, proxy):
    """The status proxy counts own-account and contributing family workers as informal, so
    informal employees sit in the model's formal work: the formal rows say so there."""
    from sim.counterfactual import automation_effect

    results = run_scenario("baseline", countries=[iso3], replications=1, horizon_months=1,
                           scale=4000, counterfactual=True,
                           overrides={"labour_market.informality_basis": basis})
    rows = results.headline().set_index("metric")["indicator"]
    formal = [r for r in automation_effect(results)["indicator"] if r.startswith("Formal empl")]
    note = "(status proxy: all employees and employers, formal or informal)"
    assert (note in rows["displaced_formal"]) == proxy
    assert len(formal) == 1 and (note in formal[0]) == proxy
    assert rows["displaced_informal"].startswith("  of whom in informal work: ")
    assert ("status proxy" in rows["displaced_informal"]) == proxy


@pytest.mark.parametrize("iso3, proxy", [("PHL", True), ("IDN", False)])
def test_the_evaluation_s_formal_work_row_says_so_too(iso3, proxy):
    from sim.evaluation import evaluation_table

    results = run_scenario("reskilling_push", countries=[iso3], replications=1,
                           horizon_months=60, scale=500)
    rows = evaluation_table(results)
    formal = set(rows.loc[rows["measure"] == "itt_formal", "indicator"])
    assert len(formal) == 1
    assert ("status proxy: all employees and employers" in formal.pop()) == proxy


def test_the_sources_say_which_definition_each_figure_follows(tables):
    from sim.provenance import sources_table

    phl = sources_table(tables, "PHL").set_index("field")["source"]
    assert phl["underemployment_national_rate"].startswith("national definition (PSA): PSA ")
    assert phl["underemployment_ilostat_rate"].startswith("ILO time-related (19th ICLS; ")
    assert phl["informal_status_proxy_share"].startswith("status proxy (own-account + ")
    assert "a lower bound" in phl["informal_status_proxy_share"]
    tha = sources_table(tables, "THA").set_index("field")["source"]
    assert tha["informal_national_share"].startswith(
        "national definition (NSO Informal Employment Survey): NSO Thailand")


@pytest.mark.parametrize("iso3, named", [
    ("PHL", "ILOSTAT survey ratio U/(U+E), not the national headline rate"),
    ("SGP", "SingStat resident unemployment rate"),
    ("IDN", "BPS national open unemployment rate, Sakernas Aug 2024"),
])
def test_the_unemployment_rate_names_what_it_measures(iso3, named):
    """The Philippine rate is ILOSTAT's survey ratio (2.41% for 2023), not PSA's headline
    (3.8% for 2024): a label without its basis invites the wrong comparison (review)."""
    from sim.counterfactual import automation_effect

    results = run_scenario("baseline", countries=[iso3], replications=1, horizon_months=1,
                           scale=4000, counterfactual=True)
    rows = results.headline().set_index("metric")["indicator"]
    assert rows["unemployment_rate"] == f"Unemployment rate, whole economy (%): {named}"
    effect = set(automation_effect(results)["indicator"])
    assert f"Unemployment rate, difference (points): {named}" in effect
