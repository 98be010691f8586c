"""Hostile and malformed input: every loader answers with a clear error, never a traceback.

Hypothesis feeds the scenario loader, the overrides, the sweep design loader, the data loader
and the CLI with random bytes, random TOML (with and without a byte-order mark), dotted keys
into per-sector tables, mutated copies of the shipped tables and odd command lines (output
paths that are folders, unwritable or under a file; years outside the run; unknown sectors;
a scenario for one country run for another). The only acceptable outcomes are a valid result
or the loader's own one-line error naming the file; the CLI must exit with status 0 or 2,
print no traceback, send no control character to the terminal and leave nothing behind when
it fails.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.data import DEFAULT_DATA_DIR, EXTRA_FILES, DataError, load_data
from sim.errors import one_line
from sim.inputs import country_inputs
from sim.scenarios import (
    Scenario,
    ScenarioError,
    country_figures,
    load_scenario,
    parse_scenario_bytes,
    parse_scenario_text,
    with_overrides,
)
from sim.vocabulary import SECTORS

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
@given(text=scenario_texts())
def test_a_byte_order_mark_changes_nothing(text):
    def outcome(source: str):
        try:
            return parse_scenario_text(source, "upload.toml")
        except ScenarioError as error:
            return str(error)

    assert outcome("\ufeff" + text) == outcome(text)
    try:
        from_bytes = parse_scenario_bytes("upload.toml", b"\xef\xbb\xbf" + text.encode())
    except ScenarioError as error:
        from_bytes = str(error)
    assert from_bytes == outcome(text)


OVERRIDE_KEYS = st.one_of(
    st.sampled_from(["uncertainties.adoption_pace", "for_country", "countries",
                     "focus_sectors", "population.sectors", "population.employment_source",
                     "levers.reskilling.enabled", "uncertainties", "nope.nope"]),
    st.builds(lambda table, entry: f"{table}.{entry}",
              st.sampled_from(["uncertainties.sector_exposure",
                               "uncertainties.sector_adoption_pace",
                               "uncertainties.sector_demand_growth",
                               "labour_market.sector_separation_rate",
                               "population.employment_thousands", "population.informal_share",
                               "uncertainties.adoption_pace", "run"]),
              st.one_of(st.sampled_from(list(SECTORS)), st.sampled_from(HOSTILE),
                        st.text(max_size=12))),
)
override_values = st.one_of(toml_scalars, st.lists(st.sampled_from([*SECTORS, "x"]), max_size=3),
                            st.floats(-1, 2), st.sampled_from(["PHL", "VNM", "brn", "XX"]))


@FUZZ
@given(changes=st.dictionaries(OVERRIDE_KEYS, override_values, min_size=1, max_size=4),
       base=st.sampled_from(["baseline", "phl_bpo"]))
def test_overrides_with_dotted_keys_give_a_scenario_or_one_line(changes, base):
    try:
        result = with_overrides(load_scenario(base), changes, "--set")
    except ScenarioError as error:
        message = str(error)
        assert message.startswith("--set") and "\n" not in message
    else:
        assert isinstance(result, Scenario)
        # The rules hold for every scenario that validates.
        assert result.for_country is not None or not country_figures(result)
        assert result.for_country in (None, *result.countries) and (
            result.for_country is None or result.countries == [result.for_country])


@settings(max_examples=200, deadline=None)
@given(text=st.text())
@example(text="\x1b[2J\x1b]0;title\x07\x00\u202egnp.exe\r\n\u2028\x85\ufeff")
def test_one_line_lets_no_control_character_through(text):
    shown = one_line(text)
    for char in shown:
        assert unicodedata.category(char) not in {"Cc"}, repr(shown)
        assert char not in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
                           "\u2066\u2067\u2068\u2069\ufeff"
    assert "\n" not in shown and shown == shown.strip()


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


# -- sweep designs ------------------------------------------------------------------------

@FUZZ
@given(design=st.sampled_from(["grid", "lhs", "sobol", "morris"]), levels=st.integers(0, 25),
       second=st.booleans(), bom=st.booleans(),
       key=st.sampled_from(["uncertainties.adoption_pace",
                            "uncertainties.sector_exposure.bpo_business_services",
                            "uncertainties.sector_exposure.bpo",
                            "labour_market.sector_separation_rate.construction",
                            "uncertainties.sector_exposure",
                            "population.employment_thousands.retail_trade"]),
       year=st.one_of(st.none(), st.integers(2020, 2032)),
       scenario=st.sampled_from(["baseline", "phl_bpo", "Mine.TOML", "mine", "missing.toml"]))
def test_design_loader_plans_or_refuses_in_one_line(tmp_path, design, levels, second, bom, key,
                                                    year, scenario):
    from sim.sweeps import SweepError, load_design
    (tmp_path / "Mine.TOML").write_text('name = "m"\ncountries = ["BRN"]\n', encoding="utf-8")
    (tmp_path / "mine").write_text('name = "m"\ncountries = ["BRN"]\n', encoding="utf-8")
    spec = ("levels = [0.1, 0.3]" if design == "grid" else "range = [0.1, 0.3]")
    text = (f'name = "d"\nscenario = "{scenario}"\ncountry = "BRN"\ndesign = "{design}"\n'
            + ("" if design == "grid" else "samples = 4\n")
            + f"morris_levels = {levels}\nsecond_order = {str(second).lower()}\n"
            + "[run]\nhorizon_months = 24\n"
            + f'[[parameters]]\nkey = "{key}"\n{spec}\n'
            + f'[[parameters]]\nkey = "uncertainties.displacement_elasticity"\n{spec}\n'
            + '[[outcomes]]\nmetric = "employed"\n' + (f"year = {year}\n" if year else ""))
    path = tmp_path / "design.toml"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    try:
        plan = load_design(path)
    except SweepError as error:
        message = str(error)
        assert "\n" not in message
        assert message.startswith((str(path), "--data")), message
    else:
        assert plan.total_runs >= 1
        assert design != "morris" or levels % 2 == 0
        if year is not None:
            assert 2025 <= year <= 2027 and plan.outcomes[0].month == (year - 2025) * 12


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
        "XYZ", "VNM", "--set", "levers.reskilling.enabled=true", "uncertainties.adoption_pace=-1",
        "uncertainties.sector_exposure.bpo_business_services=0.4",
        "uncertainties.sector_exposure.bpo=0.4", "for_country=BRN", "[/]=1", "--out", "out.csv",
        "out.xlsx", "../escape.csv", "taken.csv", "file.txt/out.csv", "/proc/out.csv", "OUT.CSV",
        "--table", "frame", "--year", "2027", "2030", "1999", "-r", "0", "1", "--horizon", "2",
        "--scale", "999999999", "--seed", "-5", "=cmd", "--sector", "bpo", "construction",
        "Mine.TOML", "mine", "--data", "file.txt"]


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(ARGS), min_size=1, max_size=8))
@example(args=["run", "Mine.TOML", "--out", "OUT.CSV"])  # a BOM; an escape code in its name
@example(args=["compare", "mine", "Mine.TOML", "--year", "2027"])
def test_cli_never_shows_a_traceback(tmp_path_factory, monkeypatch, args):
    work = tmp_path_factory.mktemp("cli")
    monkeypatch.chdir(work)
    (work / "taken.csv").mkdir()  # a folder where a file is asked for
    (work / "file.txt").write_text("not a folder\n")
    (work / "Mine.TOML").write_bytes(b"\xef\xbb\xbfname = '\\u001b[31mmine'\n"
                                     b"countries = ['BRN']\n")
    (work / "mine").write_text("name = 'mine'\n[uncertainties]\nadoption_pace = 2.0\n")
    before = _tree(work)
    # Keep any run that gets through small.
    if args[0] in {"run", "compare"}:
        args = [*args, "-c", "BRN", "--horizon", "2", "-r", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    assert "Traceback" not in result.output
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in result.output), \
        repr(result.output)
    if result.exit_code != 0:
        assert _tree(work) == before, "a failed command writes nothing"
        assert "error" in result.output.lower() or "usage" in result.output.lower()
