"""A user's own data folder is a supported path: validated, hashed, calibrated, used everywhere.

Every command that runs the model takes ``--data FOLDER``; a folder's calibration is used when
it fits the folder's figures, and fitted on the fly when a country has no row or its row was
fitted to other figures; ``validate-data`` checks calibration.csv; an ILOSTAT download given
as a table is pointed to data/derive.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.data import DEFAULT_DATA_DIR, load_data
from sim.errors import DataError
from sim.flows import FITTED, calibration_status, country_flows
from sim.runner import run_scenario

NO_AUTOMATION = {"uncertainties.adoption_ceiling": 0.0}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped data folder, to edit."""
    target = tmp_path / "mydata"
    target.mkdir()
    for path in DEFAULT_DATA_DIR.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target


def edit(path: Path, change) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False, lineterminator="\n")


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def set_unemployment(folder: Path, iso3: str, rate: str) -> None:
    def change(frame):
        frame.loc[frame["iso3"] == iso3, "unemployment_rate"] = rate
    edit(folder / "countries.csv", change)


def test_a_changed_unemployment_rate_is_calibrated_to_not_drifted_from(folder):
    set_unemployment(folder, "PHL", "0.045")  # shipped: 2.41%; calibration.csv still for that
    tables = load_data(folder)
    assert calibration_status(tables)["PHL"] != FITTED  # the stale row is not used
    results = run_scenario("baseline", countries=["PHL"], replications=3, horizon_months=12,
                           overrides=NO_AUTOMATION, data=folder)
    rate = results.values("unemployment_rate", "PHL")[:, -1].mean()
    assert rate == pytest.approx(0.045, abs=0.004)  # the stale calibration drifts to ~2.4%
    assert "fitted on the fly" in results.provenance["calibration"]["PHL"]
    shipped = run_scenario("baseline", countries=["PHL"], replications=3, horizon_months=12,
                           overrides=NO_AUTOMATION)
    assert shipped.provenance["calibration"]["PHL"] == FITTED
    assert country_flows("PHL", tables).separation_rate > country_flows("PHL").separation_rate


def test_a_new_country_in_the_users_tables_runs(folder):
    for table in ("sectors.csv", "countries.csv"):
        path = folder / table
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        extra = frame[frame["iso3"] == "BRN"].assign(iso3="XBR")
        if table == "countries.csv":
            extra["country"] = "Exampleland"
        pd.concat([frame, extra]).to_csv(path, index=False, lineterminator="\n")
    result = cli("run", "baseline", "-c", "XBR", "-r", "1", "--horizon", "12",
                 "--data", str(folder))
    assert result.exit_code == 0, result.output
    assert "XBR" in result.output and "fitted on the fly (no row in calibration.csv)" in \
        " ".join(result.output.split())


def test_calibration_is_hashed_and_a_changed_file_changes_the_provenance(folder):
    before = run_scenario("baseline", countries=["BRN"], replications=1, horizon_months=2,
                          data=folder).provenance["data_hashes"]
    assert set(before) >= {"sectors.csv", "countries.csv", "occupations.csv", "calibration.csv"}
    edit(folder / "calibration.csv",
         lambda frame: frame.__setitem__("method", frame["method"] + " (copied)"))
    after = run_scenario("baseline", countries=["BRN"], replications=1, horizon_months=2,
                         data=folder).provenance["data_hashes"]
    assert after["calibration.csv"] != before["calibration.csv"]
    assert after["countries.csv"] == before["countries.csv"]


def test_validate_data_checks_calibration_csv(folder):
    def break_row(frame):
        frame.loc[frame["iso3"] == "PHL", "hire_rate"] = "1.5"
    edit(folder / "calibration.csv", break_row)
    result = cli("validate-data", "--data", str(folder))
    assert result.exit_code == 2
    line = " ".join(result.output.split())
    assert "calibration.csv, row 7 (iso3=PHL), column 'hire_rate': 1.5 is outside [0, 1]" in line
    assert "Traceback" not in result.output


def test_validate_data_names_rows_it_will_not_use(folder):
    set_unemployment(folder, "VNM", "0.03")
    result = cli("validate-data", "--data", str(folder))
    assert result.exit_code == 0, result.output
    assert "calibration.csv" in result.output  # its hash is printed too
    assert "VNM: labour flows fitted on the fly" in " ".join(result.output.split())


def test_without_calibration_csv_every_country_is_fitted_and_matches_the_shipped_fit(folder):
    (folder / "calibration.csv").unlink()
    tables = load_data(folder)
    assert all("fitted on the fly" in s for s in calibration_status(tables).values())
    for iso3 in ("PHL", "BRN"):
        assert country_flows(iso3, tables) == country_flows(iso3)  # the same procedure


def test_no_duration_data_anywhere_is_refused_in_one_line(folder):
    (folder / "calibration.csv").unlink()

    def drop_durations(frame):
        for column in ("duration_year", "share_lt6m", "share_6_12m", "share_ge12m",
                       "duration_source", "duration_confidence"):
            frame[column] = ""
    edit(folder / "countries.csv", drop_durations)
    result = cli("run", "baseline", "-c", "BRN", "-r", "1", "--horizon", "2",
                 "--data", str(folder))
    assert result.exit_code == 2
    assert "no country has duration shares" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(DataError, match="no country has duration shares"):
        run_scenario("baseline", countries=["BRN"], data=folder)


def test_an_ilostat_download_as_sectors_csv_points_to_derive_py(folder):
    (folder / "sectors.csv").write_text(
        "ref_area.label,source.label,indicator.label,sex.label,classif1.label,time,obs_value\n"
        "Philippines,LFS,Employment by sex and economic activity (thousands),Total,"
        "Economic activity (ISIC-Rev.4): A. Agriculture,2023,10000\n", encoding="utf-8")
    result = cli("run", "baseline", "--data", str(folder))
    assert result.exit_code == 2
    line = " ".join(result.output.split())
    assert "sectors.csv" in line and "ILOSTAT" in line and "data/derive.py" in line


def test_data_given_as_a_file_is_one_line(folder):
    result = cli("run", "baseline", "--data", str(folder / "sectors.csv"))
    assert result.exit_code == 2
    assert "not a folder" in result.output and "sectors.csv/sectors.csv" not in result.output


@pytest.mark.parametrize("command", [
    ["run", "baseline", "-c", "PHL", "-r", "1", "--horizon", "12"],
    ["compare", "baseline", "combined", "-c", "PHL", "-r", "1", "--horizon", "12"],
    ["validate", "-c", "PHL", "-r", "1"],
    ["list"],
])
def test_every_command_that_runs_the_model_takes_data(folder, command):
    set_unemployment(folder, "PHL", "0.045")
    result = cli(*command, "--data", str(folder))
    assert result.exit_code == 0, result.output
    if command[0] == "validate":  # the calibrated baseline meets the folder's own rate
        row = next(line for line in result.output.splitlines() if "unemployment rate" in line)
        assert "4.50%" in row and "pass" in row
    if command[0] in {"run", "compare"}:
        assert "fitted on the fly" in " ".join(result.output.split())


def test_a_sweep_runs_on_the_users_data(folder, tmp_path):
    from sim.sweeps import load_design, query, run_sweep
    set_unemployment(folder, "BRN", "0.09")
    design = tmp_path / "d.toml"
    design.write_text('name = "own data"\nscenario = "baseline"\ncountry = "BRN"\n'
                      'design = "grid"\n[run]\nhorizon_months = 6\nscale = 50\n'
                      '[[parameters]]\nkey = "uncertainties.adoption_ceiling"\nlevels = [0.0]\n'
                      '[[outcomes]]\nmetric = "unemployment_rate"\n', encoding="utf-8")
    plan = load_design(design, data=folder)
    run_sweep(plan, tmp_path / "out", serial=True)
    runs = query(tmp_path / "out", "SELECT status, data_hashes FROM runs")
    assert list(runs["status"]) == ["ok"]
    assert load_data(folder).hashes["countries.csv"] in runs["data_hashes"].iloc[0]
    rate = query(tmp_path / "out", "SELECT value FROM outcomes WHERE month = 6")["value"].iloc[0]
    assert rate == pytest.approx(0.09, abs=0.02)
