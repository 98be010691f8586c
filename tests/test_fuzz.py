"""Hostile and malformed input: every loader answers with a clear error, never a traceback.

Hypothesis feeds the scenario loader, the data loader and the CLI with random bytes, random
TOML, mutated copies of the shipped tables and odd command lines. The only acceptable outcomes
are a valid result or the loader's own one-line error naming the file; the CLI must exit with
status 0 or 2, print no traceback and leave no partial file behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.data import DEFAULT_DATA_DIR, EXTRA_FILES, DataError, load_data
from sim.inputs import country_inputs
from sim.scenarios import Scenario, ScenarioError, load_scenario, parse_scenario_text

HOSTILE = [
    "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "NaN", "nan", "inf", "-inf", "1e309",
    "-0", "", " ", "0x10", "1,5", "１２", "\u202e", "../../etc/passwd", "[/]", "[bold]x",
    "<script>alert(1)</script>", "a" * 10_000, "\x00", "true", "None", "😀",
]
cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr))
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# -- scenarios ----------------------------------------------------------------------------

toml_scalars = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                         st.booleans(), st.sampled_from(HOSTILE))
KEYS = ["name", "description", "countries", "focus_sectors", "run", "uncertainties",
        "labour_market", "levers", "reskilling", "job_creation", "population", "extends",
        "adoption_pace", "seats_per_100k", "horizon_months", "scale", "sectors", "x"]


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "") + '"'


@st.composite
def scenario_texts(draw) -> str:
    lines = []
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=5, unique=True)):
        value = draw(st.one_of(toml_scalars, st.lists(toml_scalars, max_size=3)))
        lines.append(f"{key} = {_toml_value(value)}")
    for table in draw(st.lists(st.sampled_from(
            ["run", "uncertainties", "levers.reskilling", "levers.job_creation", "population",
             "labour_market", "nope"]), max_size=3, unique=True)):
        lines.append(f"[{table}]")
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
            lines.append(f"{key} = {_toml_value(draw(toml_scalars))}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(text=scenario_texts())
@example(text='name = "x"\n[run]\nhorizon_months = 1e309\n')
@example(text='extends = "../../etc/passwd"\nname = "x"\n')
def test_scenario_loader_rejects_or_accepts_cleanly(text):
    try:
        result = parse_scenario_text(text, "upload.toml")
    except ScenarioError as error:
        message = str(error)
        assert message.startswith("upload.toml")
        assert "\n" not in message
    else:
        assert isinstance(result, Scenario)


@FUZZ
@given(data=st.binary(max_size=400))
def test_scenario_loader_survives_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "bytes.toml"
    path.write_bytes(data)
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert str(path) in str(error)


def test_huge_scenario_is_refused(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text('name = "x"\ndescription = "' + "a" * 400_000 + '"\n')
    with pytest.raises(ScenarioError, match="larger than"):
        load_scenario(path)


# -- data tables --------------------------------------------------------------------------

TABLE_FILES = ["sectors.csv", "countries.csv", "occupations.csv", *EXTRA_FILES]


@pytest.fixture(scope="module")
def originals():
    return {name: pd.read_csv(DEFAULT_DATA_DIR / name, dtype=str, keep_default_na=False)
            for name in TABLE_FILES}


def _copy_data(tmp: Path) -> Path:
    target = tmp / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target, ignore=shutil.ignore_patterns("*.py", "*.md"),
                    dirs_exist_ok=True)
    return target


@FUZZ
@given(table=st.sampled_from(TABLE_FILES),
       edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 100),
                                st.one_of(cells, st.integers(0, 10_000))),
                      min_size=1, max_size=4),
       drop=st.booleans(), duplicate=st.booleans())
def test_data_loader_rejects_or_accepts_mutated_tables(tmp_path_factory, originals, table, edits,
                                                       drop, duplicate):
    folder = _copy_data(tmp_path_factory.mktemp("fuzz"))
    frame = originals[table].copy()
    for row, column, value in edits:
        column %= frame.shape[1]
        if isinstance(value, int):  # another row's cell: valid alone, maybe not in its place
            value = originals[table].iat[value % len(frame), column]
        frame.iat[row % len(frame), column] = value
    if drop:
        frame = frame.drop(columns=frame.columns[edits[0][1] % frame.shape[1]])
    if duplicate:
        frame = pd.concat([frame, frame.iloc[[edits[0][0] % len(frame)]]])
    frame.to_csv(folder / table, index=False)
    try:
        tables = load_data(folder)
    except DataError as error:
        message = str(error)
        assert table in message, message
        assert "\n" not in message
    else:
        assert len(tables.sectors) == 120
        if table in EXTRA_FILES:  # whatever validates, the model can read
            for iso3 in tables.iso3_codes:
                country_inputs(tables, iso3, exposure_assumption="ilo_genai_2025")


@FUZZ
@given(name=st.sampled_from(["countries.csv", "labour_market.csv", "occupation_mix_submajor.csv"]),
       noise=st.binary(min_size=1, max_size=64), at=st.integers(0, 100_000))
def test_data_loader_survives_corrupt_bytes(tmp_path_factory, name, noise, at):
    folder = _copy_data(tmp_path_factory.mktemp("bytes"))
    path = folder / name
    data = path.read_bytes()
    at %= len(data)
    path.write_bytes(data[:at] + noise + data[at:])
    try:
        load_data(folder)
    except DataError as error:
        assert name in str(error)


def test_huge_csv_is_refused(tmp_path):
    folder = _copy_data(tmp_path)
    with (folder / "sectors.csv").open("a") as handle:
        handle.write(("x," * 40 + "\n") * 300_000)
    with pytest.raises(DataError, match="limit"):
        load_data(folder)


# -- the command line -----------------------------------------------------------------------

ARGS = ["run", "compare", "list", "validate-data", "baseline", "phl_bpo", "nope", "-c", "BRN",
        "XYZ", "--set", "levers.reskilling.enabled=true", "uncertainties.adoption_pace=-1",
        "[/]=1", "--out", "out.csv", "out.xlsx", "../escape.csv", "--table", "frame", "--year",
        "2027", "-r", "0", "1", "--horizon", "2", "--scale", "999999999", "--seed", "-5", "=cmd"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(ARGS), min_size=1, max_size=8))
def test_cli_never_shows_a_traceback(tmp_path_factory, monkeypatch, args):
    work = tmp_path_factory.mktemp("cli")
    monkeypatch.chdir(work)
    # Keep any run that gets through small.
    if args[0] in {"run", "compare"}:
        args = [*args, "-c", "BRN", "--horizon", "2", "-r", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert list(work.iterdir()) == [], "a failed command writes nothing"
        assert "error" in result.output.lower() or "usage" in result.output.lower()
