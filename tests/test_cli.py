"""The `sim` command as an analyst uses it: outputs, tables and errors."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()
QUICK = ["--replications", "2", "--horizon", "24"]


def test_run_prints_headline_and_writes_csv(tmp_path):
    out = tmp_path / "bpo.csv"
    result = runner.invoke(app, ["run", "phl_bpo", *QUICK, "--year", "2027", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Workers displaced by automation" in result.output
    assert "5-95% band" in result.output
    table = pd.read_csv(out, comment="#")
    assert {"country", "month", "date", "sector", "metric", "median", "low", "high"} <= \
        set(table.columns)
    cumulative = table[(table.metric == "automation_job_losses_cumulative")
                       & (table.sector == "bpo_business_services")]
    assert cumulative["median"].iloc[-1] > 0


def test_run_writes_parquet_every_replication(tmp_path):
    out = tmp_path / "frame.parquet"
    result = runner.invoke(app, ["run", "baseline", "-c", "BRN", *QUICK, "--table", "frame",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert set(frame["replication"]) == {0, 1}
    assert set(frame["month"]) == set(range(25))


def test_compare_shows_difference_with_band():
    result = runner.invoke(app, ["compare", "baseline", "job_creation", "-c", "BRN", *QUICK,
                                 "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert "difference" in result.output and "Programme cost" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["run", "no_such"], "unknown scenario"),
    (["run", "baseline", "-c", "ABC"], "unknown country code 'ABC'"),
    (["run", "baseline", "--set", "uncertainties.adoption_pase=2"], "did you mean"),
    (["run", "baseline", "--set", "nonsense"], "key=value"),
    (["run", "baseline", "--set", "uncertainties.adoption_ceiling=7"], "adoption_ceiling"),
    (["run", "baseline", "--out", "results.txt"], "must end in .csv, .parquet or .xlsx"),
    (["run", "baseline", "--table", "everything"], "choose summary, frame or breakdown"),
    (["run", "baseline", "--scale", "100000000", "-c", "BRN"], "scale"),
])
def test_bad_arguments_exit_non_zero_with_a_clear_message(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [], "nothing is written"


def test_list_params_and_validate_data():
    for command, expected in (["list"], "phl_bpo"), (["params"], "levers.reskilling"), \
            (["validate-data"], "120 sector rows"):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert expected in result.output


def test_csv_output_neutralises_spreadsheet_formulas(tmp_path):
    scenario = tmp_path / "hostile.toml"
    scenario.write_text('name = "=cmd|\' /C calc\'!A0"\ncountries = ["BRN"]\n')
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["run", str(scenario), *QUICK, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, comment="#")
    assert set(table["scenario"]) == {"'=cmd|' /C calc'!A0"}
    assert not any(str(cell).startswith(("=", "+", "@")) for cell in table["scenario"])
