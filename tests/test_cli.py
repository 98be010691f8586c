"""The `sim` command as an analyst uses it: outputs, tables and errors."""

from __future__ import annotations

from pathlib import Path

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
    assert "Formal positions removed by automation" in result.output
    assert "hires foregone" in result.output and "5-95% band" in result.output
    assert "against the same seeds with no AI adoption" in result.output
    table = pd.read_csv(out, comment="#")
    assert {"country", "month", "date", "sector", "metric", "median", "low", "high"} <= \
        set(table.columns)
    cumulative = table[(table.metric == "automation_cut_cumulative")
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
    # a job-creation comparison trains nobody: its count reads 0, not "0.00"
    trained = next(line for line in result.output.splitlines() if "people trained" in line)
    assert trained.split("│")[3].strip() == "0", trained


@pytest.mark.parametrize(("args", "message"), [
    (["run", "no_such"], "unknown scenario"),
    (["run", "baseline", "-c", "ABC"], "unknown country code 'ABC'"),
    (["run", "baseline", "--set", "uncertainties.adoption_pase=2"], "did you mean"),
    (["run", "baseline", "--set", "nonsense"], "key=value"),
    (["run", "baseline", "--set", "uncertainties.adoption_ceiling=7"], "adoption_ceiling"),
    (["run", "baseline", "--out", "results.txt"], "must end in .csv or .parquet or .xlsx"),
    (["run", "baseline", "--table", "everything"], "choose summary, frame or breakdown"),
    (["run", "baseline", "--scale", "100000000", "-c", "BRN"], "scale"),
    (["validate", "-c", "BRN", "--set", "run.scale=3"], "not for validation"),
    (["validate", "-c", "BRN", "--set", "uncertainties.adoption_ceiling=0.5"], "no automation"),
    (["validate", "-c", "BRN", "--set", "labour_market.underemployment_bassis=ilo"],
     "did you mean"),
])
def test_bad_arguments_exit_non_zero_with_a_clear_message(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [], "nothing is written"


@pytest.mark.parametrize(("args", "names"), [
    (["run", "baseline", "-r", "0"], ("sim run", "--replications", " 0 ", "greater than")),
    (["run", "baseline", "--year", "abc"], ("sim run", "--year", "abc", "integer")),
    (["run", "baseline", "--year", "2030", "--year", "x1"], ("--year", "x1")),
    (["run", "baseline", "--max-memory", "0.01"], ("--max-memory", "0.01", "0.1")),
    (["compare", "baseline", "reskilling_push", "--seed", "-5"], ("sim compare", "--seed", "-5")),
    (["region", "baseline", "--horizon", "9999"], ("sim region", "--horizon", "9999", "600")),
    (["validate", "-r", "many"], ("sim validate", "--replications", "many")),
    (["sensitivity", "out", "--bogus"], ("sim sensitivity", "--bogus")),
    (["compare", "baseline"], ("sim compare", "policy")),
    (["no_such_command"], ("sim", "no_such_command")),
])
def test_usage_errors_are_one_line_on_stderr_with_status_2(no_work, args, names):
    """click's usage errors (type, range, unknown option or command, missing argument) read like
    every other input error: one line on stderr naming the command, the option and the value,
    exit status 2, nothing on stdout; the help stays."""
    result = runner.invoke(app, args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout == "" and "Traceback" not in result.output
    for name in names:
        assert name in lines[0], (name, lines[0])


def test_help_still_works():
    for args in (["--help"], ["run", "--help"], ["sweep", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.stdout and result.stderr == ""
    assert "run" in runner.invoke(app, []).stdout  # `sim` alone shows the help


def test_list_params_and_validate_data():
    for command, expected in (["list"], "phl_bpo"), (["params"], "levers.reskilling"), \
            (["validate-data"], "120 sector rows"):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert expected in result.output


def test_params_shows_every_key_whole_with_its_source():
    """Piped (as here: not a terminal), every parameter is one line with its key whole, to copy
    into --set, and its source (the reference); nothing is cut to the console's width."""
    from sim.scenarios import parameter_table

    result = runner.invoke(app, ["params"])
    assert result.exit_code == 0, result.output
    assert "source" in result.output.splitlines()[2]
    lines = result.output.splitlines()
    for row in parameter_table():
        cells = [[part.strip() for part in line.split("│")] for line in lines]
        found = [c for c in cells if row["key"] in c]
        assert len(found) == 1, f"{row['key']} is not shown whole"
        assert row["reference"] in found[0], f"{row['key']}: its source is not shown whole"
    assert "…" not in result.output


def test_csv_output_neutralises_spreadsheet_formulas(tmp_path):
    scenario = tmp_path / "hostile.toml"
    scenario.write_text('name = "=cmd|\' /C calc\'!A0"\ncountries = ["BRN"]\n')
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["run", str(scenario), *QUICK, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, comment="#")
    assert set(table["scenario"]) == {"'=cmd|' /C calc'!A0"}
    assert not any(str(cell).startswith(("=", "+", "@")) for cell in table["scenario"])


# -- checks before any work -------------------------------------------------------------------

QUICK_BRN = ["-c", "BRN", "-r", "1", "--horizon", "2"]


@pytest.fixture
def no_work(monkeypatch):
    """Make any model run, validation, calibration or sweep query fail the test: a refused
    command must refuse before it works."""
    import sim.calibrate
    import sim.runner
    import sim.sweeps
    import sim.validate

    def refuse(*args, **kwargs):
        raise AssertionError("the work started before the input was checked")

    for module, name in ((sim.runner, "run_scenario"), (sim.validate, "validate"),
                         (sim.calibrate, "calibrate"), (sim.sweeps, "query"),
                         (sim.sweeps, "run_sweep")):
        monkeypatch.setattr(module, name, refuse)


def snapshot(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output
    return lines[0]


# Every command that writes a result file, with {path} where the file goes.
WRITERS = {
    "run": ["run", "baseline", *QUICK_BRN, "--out", "{path}"],
    "compare": ["compare", "baseline", "job_creation", *QUICK_BRN, "--out", "{path}"],
    "validate": ["validate", "-c", "BRN", "-r", "1", "--out", "{path}"],
    "calibrate": ["calibrate", "--out", "{path}"],
    "query --csv": ["query", "{tmp}", "SELECT 1", "--csv", "{path}"],
}
# A place that cannot take the file, and the words the error must say.
BAD_PLACES = {
    "a folder": (lambda tmp: (tmp / "o.csv").mkdir() or tmp / "o.csv", "is a folder"),
    "an unwritable place": (lambda tmp: "/proc/o.csv", "not writable"),
    "a missing parent under a file": (
        lambda tmp: (tmp / "notes.csv").write_text("x") and tmp / "notes.csv" / "new" / "o.csv",
        "is a file"),
    "a wrong suffix": (lambda tmp: tmp / "o.txt", "must end in .csv"),
}


@pytest.mark.parametrize("place", list(BAD_PLACES))
@pytest.mark.parametrize("command", list(WRITERS))
def test_output_paths_are_checked_before_any_work(tmp_path, no_work, command, place):
    make, words = BAD_PLACES[place]
    path = str(make(tmp_path))
    before = snapshot(tmp_path)
    args = [a.replace("{path}", path).replace("{tmp}", str(tmp_path)) for a in WRITERS[command]]
    line = one_error_line(runner.invoke(app, args))
    assert words in line and path in line, line
    assert snapshot(tmp_path) == before, "nothing written"


@pytest.mark.parametrize("place", ["a file", "an unwritable place",
                                   "a missing parent under a file"])
def test_sweep_output_folder_is_checked_before_any_work(tmp_path, no_work, place):
    design = tmp_path / "design.toml"
    design.write_text('name = "d"\ncountry = "BRN"\ndesign = "grid"\n[run]\nhorizon_months = 2\n'
                      '[[parameters]]\nkey = "uncertainties.adoption_pace"\nlevels = [1.0]\n'
                      '[[outcomes]]\nmetric = "employed"\n', encoding="utf-8")
    (tmp_path / "taken").write_text("x")
    out, words = {"a file": (tmp_path / "taken", "not a folder"),
                  "an unwritable place": (Path("/proc/sweep"), "not writable"),
                  "a missing parent under a file": (tmp_path / "taken" / "out", "is a file")}[place]
    before = snapshot(tmp_path)
    line = one_error_line(runner.invoke(app, ["sweep", str(design), "--out", str(out),
                                              "--workers", "0"]))
    assert words in line and str(out) in line, line
    assert snapshot(tmp_path) == before


def test_write_table_refuses_a_folder_in_one_line(tmp_path):
    from sim.errors import SimError
    from sim.io import write_table
    (tmp_path / "o.csv").mkdir()
    with pytest.raises(SimError, match="is a folder"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "o.csv")
    assert write_table(pd.DataFrame({"a": [1]}), tmp_path / "x" / "O.CSV").is_file()


def test_a_missing_output_folder_is_made_after_the_run(tmp_path):
    out = tmp_path / "new" / "deeper" / "o.csv"
    result = runner.invoke(app, ["run", "baseline", *QUICK_BRN, "--no-counterfactual",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()


@pytest.mark.parametrize("args", [
    ["run", "baseline", "-c", "BRN", "--horizon", "24", "--year", "2030"],
    ["run", "baseline", "-c", "BRN", "--horizon", "24", "--year", "2027", "--year", "2020"],
    ["compare", "baseline", "job_creation", "-c", "BRN", "--horizon", "24", "--year", "2020"],
    ["compare", "baseline", "job_creation", "-c", "BRN", "--horizon", "24", "--year", "2028"],
])
def test_years_outside_the_run_are_refused_before_running(no_work, args):
    line = one_error_line(runner.invoke(app, args))
    # Month 0 is the end of 2025-12 (the state at the start); month 24 the end of 2027-12.
    assert "outside the run" in line and "2025-12" in line and "2027-12" in line, line
    assert "years 2025 to 2027" in line


def test_a_run_that_reaches_no_december_says_so(no_work):
    line = one_error_line(runner.invoke(app, ["run", "baseline", "-c", "BRN", "--horizon", "6",
                                              "--set", "run.start=2026-03", "--year", "2026"]))
    assert "2026-02" in line and "2026-08" in line and "no December" in line, line


def test_the_year_a_run_ends_is_shown_by_its_december():
    result = runner.invoke(app, ["run", "baseline", *QUICK_BRN[:2], "-r", "2", "--horizon", "12",
                                 "--year", "2026", "--no-counterfactual"])
    assert result.exit_code == 0, result.output
    assert "2026 │ Unemployment rate" in result.output


@pytest.mark.parametrize(("args", "words"), [
    (["run", "baseline", "-c", "BRN", "--sector", "bpo"],
     ["--sector 'bpo'", "unknown sector", "valid: agriculture", "bpo_business_services"]),
    (["compare", "baseline", "job_creation", "-c", "BRN", "--sector", "retail"],
     ["did you mean 'retail_trade'"]),
    (["run", "baseline", "-c", "BRN", "--sector", "retail_trade", "--set",
      'population.sectors=["construction"]'],
     ["not among the simulated sectors", "valid: construction"]),
    (["run", "phl_bpo", "-c", "VNM"], ["holds figures for PHL only", "cannot run for VNM"]),
    (["compare", "baseline", "phl_bpo", "-c", "VNM"], ["holds figures for PHL only"]),
    (["run", "phl_bpo", "-c", "PHL", "-c", "THA"], ["cannot run for THA"]),
])
def test_sectors_and_countries_are_checked_before_the_run(no_work, args, words):
    line = one_error_line(runner.invoke(app, args))
    for word in words:
        assert word in line, line


def test_a_country_scenario_runs_elsewhere_only_with_that_countrys_figures():
    result = runner.invoke(app, ["run", "phl_bpo", "-c", "BRN", "-r", "1", "--horizon", "2",
                                 "--no-counterfactual", "--set", "for_country=BRN", "--set",
                                 "population.employment_thousands.bpo_business_services=9"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", [["run", "baseline"], ["validate-data"], ["calibrate"],
                                     ["list"]])
def test_data_given_as_a_file_is_one_line_everywhere(tmp_path, no_work, command):
    table = tmp_path / "sectors.csv"
    table.write_text("x\n")
    line = one_error_line(runner.invoke(app, [*command, "--data", str(table)]))
    assert "not a folder" in line and "sectors.csv/sectors.csv" not in line


def test_one_replication_shows_no_band_but_says_why():
    result = runner.invoke(app, ["run", "baseline", *QUICK_BRN, "--set", "run.horizon_months=12"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│" in line and "2026" in line]
    assert rows and all(line.rstrip(" │").endswith("n/a") or "│ n/a │" in line
                        for line in rows), result.output
    import re
    assert not re.search(r"\d to -?\d", result.output), "no band from one replication"
    assert "one replication" in " ".join(result.output.split())
    compared = runner.invoke(app, ["compare", "baseline", "job_creation", *QUICK_BRN])
    assert compared.exit_code == 0, compared.output
    assert "n/a" in compared.output and not re.search(r"\d to -?\d", compared.output)


# -- files as people save them ------------------------------------------------------------------

SCENARIO = 'name = "mine"\ncountries = ["BRN"]\n[uncertainties]\nadoption_pace = 2.0\n'


@pytest.mark.parametrize("name", ["mine.toml", "MINE.TOML", "mine", "mine.txt"])
@pytest.mark.parametrize("bom", [False, True], ids=["utf8", "utf8-bom"])
def test_a_scenario_file_runs_whatever_its_suffix_and_bom(tmp_path, monkeypatch, name, bom):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + SCENARIO.encode())
    result = runner.invoke(app, ["run", name, "-r", "1", "--horizon", "2", "--no-counterfactual"])
    assert result.exit_code == 0, result.output
    assert "mine - BRN" in result.output


def test_a_file_named_like_a_shipped_scenario_is_reached_with_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text(SCENARIO)
    mine = runner.invoke(app, ["run", "./baseline", "-r", "1", "--horizon", "2",
                               "--no-counterfactual"])
    assert mine.exit_code == 0 and "mine - BRN" in mine.output, mine.output


def test_one_sectors_entry_of_a_table_is_a_settable_key():
    result = runner.invoke(app, ["run", "baseline", *QUICK_BRN, "--no-counterfactual", "--set",
                                 "uncertainties.sector_exposure.bpo_business_services=0.4"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["run", "baseline", *QUICK_BRN, "--set",
                              "uncertainties.sector_exposure.bpo_busines_services=0.4"])
    line = one_error_line(bad)
    assert "did you mean 'uncertainties.sector_exposure.bpo_business_services'" in line


# -- what reaches the terminal ----------------------------------------------------------------

def test_control_characters_from_files_never_reach_the_terminal(tmp_path):
    scenario = tmp_path / "evil.toml"
    scenario.write_text('name = "x"\n"\\u001b]0;owned\\u0007\\u001b[2J" = 1\n'
                        '[uncertainties]\n"pace\\u0000\\u202e" = 2\n', encoding="utf-8")
    result = runner.invoke(app, ["run", str(scenario)])
    line = one_error_line(result)
    assert "\\x00" in line or "\\x1b" in line  # shown escaped: the user sees what is there
    for char in ("\x1b", "\x07", "\x00", "\u202e"):
        assert char not in result.output


def test_control_characters_in_a_data_cell_are_shown_escaped(tmp_path):
    import shutil

    from sim.data import DEFAULT_DATA_DIR
    folder = tmp_path / "data"
    folder.mkdir()
    for path in DEFAULT_DATA_DIR.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    frame = pd.read_csv(folder / "countries.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "unemployment_rate"] = "\x1b[31m0.05\x00"
    frame.to_csv(folder / "countries.csv", index=False)
    result = runner.invoke(app, ["validate-data", "--data", str(folder)])
    line = one_error_line(result)
    assert "countries.csv" in line and "\\x1b[31m0.05\\x00" in line
    assert "\x1b" not in result.output and "\x00" not in result.output
