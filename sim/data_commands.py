"""The ``sim`` commands about scenarios and data: ``list``, ``params``, ``validate-data``,
``calibrate`` and ``validate``.

Registered on the ``sim`` command by ``sim.cli``; their options and checks are in
``sim.cli_common``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sim.cli_common import (
    CountryOpt,
    DataOpt,
    check_out,
    data_tables,
    note_calibration,
)
from sim.io import TABLE_SUFFIXES, write_table
from sim.terminal import (
    cell,
    console,
    err,
    fail,
    input_errors,
    parse_sets,
    print_unwrapped,
    writing,
)


def list_command(data: DataOpt = None) -> None:
    """List the shipped scenarios and the countries with data."""
    from sim.scenarios import list_scenarios, load_scenario

    tables = data_tables(data)  # a bad --data is refused before anything is printed
    table = Table(title="Scenarios (sim/scenarios/*.toml)", title_justify="left")
    table.add_column("name")
    table.add_column("title")
    table.add_column("what it does")
    for name in list_scenarios():
        scenario = load_scenario(name)
        table.add_row(
            name, cell(scenario.name), cell(" ".join(scenario.description.split())[:110] + "...")
        )
    console.print(table)
    countries = Table(
        title=cell(f"Countries ({tables.folder / 'countries.csv'})"), title_justify="left"
    )
    for column in ("code", "country", "employed (m)", "basis"):
        countries.add_column(column)
    for row in tables.countries.itertuples():
        countries.add_row(
            *(cell(v) for v in (row.iso3, row.country)),
            f"{row.employment_thousands / 1000:,.1f}",
            cell(row.employment_basis),
        )
    console.print(countries)


def params_command() -> None:
    """List every scenario parameter: its key, kind (run/uncertainty/lever/structure), default,
    unit, range and source (the reference in ``sim.scenarios.parameters``).

    Keys are never wrapped or cut, so that each can be copied into ``--set``; the source wraps on
    a terminal, and piped output is as wide as the longest row (one line per parameter).
    """
    from sim.scenarios import parameter_table

    rows = parameter_table()
    table = Table(title="Scenario parameters (use with --set key=value)", title_justify="left")
    table.add_column("key", no_wrap=True, min_width=max(len(row["key"]) for row in rows))
    table.add_column("kind", no_wrap=True)
    for column in ("default", "unit", "range", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        bounds = (
            "" if row["min"] is None and row["max"] is None else f"{row['min']} to {row['max']}"
        )
        table.add_row(
            cell(row["key"]),
            cell(row["kind"]),
            cell(str(row["default"])),
            cell(row["unit"]),
            cell(bounds),
            cell(row["reference"]),
        )
    print_unwrapped(table)


def validate_data_command(data: DataOpt = None) -> None:
    """Check every data file, calibration.csv and the labour-market tables included; print
    each file's SHA-256 (a table the folder lacks is the shipped one, marked "shipped").

    Columns, types, ranges, sources, confidences and sums are checked; countries whose labour
    flows would be fitted on the fly (no current calibration row) are named.
    """
    from sim.data import load_targets
    from sim.flows import FITTED, calibration_status

    tables = data_tables(data)
    try:
        targets = load_targets(tables.folder)
    except input_errors() as exc:
        raise fail(str(exc)) from None
    calibrated = tables.calibration is not None
    console.print(
        f"ok: {len(tables.sectors)} sector rows, {len(tables.countries)} countries, "
        f"{len(tables.occupations)} occupation groups, "
        f"{len(tables.calibration) if calibrated else 'no'} calibration rows, "
        f"{len(targets)} validation targets",
        highlight=False,
    )
    console.print(
        "labour-market tables: "
        + ", ".join(
            f"{name} {len(frame)} rows" + (" (shipped)" if name in tables.shipped_extras else "")
            for name, frame in tables.extras.items()
        ),
        highlight=False,
    )
    note_calibration(
        tables, [iso3 for iso3, status in calibration_status(tables).items() if status != FITTED]
    )
    console.print(json.dumps(tables.hashes, indent=2), markup=False, highlight=False)


def calibrate_command(
    data: DataOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Where to write (default: calibration.csv in the data folder)."
        ),
    ] = None,
) -> None:
    """Fit each country's labour flows to its data and write calibration.csv.

    The hire rate, search decay and separation rate reproduce the country's unemployment rate
    and ILOSTAT duration shares (see sim/calibrate.py for the method).
    """
    from sim.calibrate import calibrate
    from sim.data import CALIBRATION_FILE
    from sim.io import atomic_write

    check_out(out, (".csv",))
    tables = data_tables(data)
    target = out if out is not None else tables.folder / CALIBRATION_FILE
    check_out(target, (".csv",), "--out" if out is not None else "calibration file")
    try:
        frame = calibrate(tables)
    except input_errors() as exc:
        raise fail(str(exc)) from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"))
    except OSError as exc:
        raise fail(f"{target}: cannot write ({exc.strerror or exc})") from None
    console.print(frame.drop(columns=["method"]).to_string(index=False), markup=False)
    console.print(f"wrote {target}", markup=False, highlight=False)


def validate_command(
    country: CountryOpt = None,
    replications: Annotated[
        int,
        typer.Option(
            "--replications", "-r", min=1, max=50, help="Baseline replications per country."
        ),
    ] = 3,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write a .csv or .parquet file.")
    ] = None,
    data: DataOpt = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Change a baseline parameter, e.g. --set "
            "labour_market.underemployment_basis=ilo (see `sim params`; the run's scale, "
            "length and the absence of automation are validation's own).",
        ),
    ] = None,
) -> None:
    """Compare the calibrated baseline with observed ILOSTAT and ILO figures, country by country.

    Runs each country with no automation for 120 months and measures it as a survey would:
    unemployment rate, share unemployed 12+ months and under 6 months, mean spell, informal
    share, underemployment, vacancy rate; and the share of employment in GenAI-exposed
    occupations against the ILO's published figures.
    """
    from sim.validate import in_percent, validate

    check_out(out, TABLE_SUFFIXES)
    overrides = parse_sets(sets)
    try:
        with err.status("running calibrated baselines"):
            frame = validate(
                [c.upper() for c in country] if country else None,
                tables=data_tables(data),
                replications=replications,
                overrides=overrides,
            )
    except input_errors() as exc:
        raise fail(str(exc)) from None
    table = Table(title="Model (baseline, no automation) vs observed", title_justify="left")
    for column in (
        "country",
        "indicator",
        "model",
        "observed",
        "gap",
        "tolerance",
        "result",
        "calibrated on it",
    ):
        table.add_column(column)

    def show(value: float, percent: bool) -> str:
        if value != value:  # NaN: nothing observed
            return "-"
        return f"{value * 100:.2f}%" if percent else f"{value:.2f}"

    for row in frame.itertuples():
        percent = in_percent(row.indicator)
        colour = {"pass": "green", "FAIL": "red"}.get(row.result, "yellow")
        table.add_row(
            row.country,
            row.indicator,
            show(row.model, percent),
            show(row.observed, percent),
            show(row.gap, percent),
            row.tolerance,
            f"[{colour}]{row.result}[/]",
            "yes" if row.targeted_by_calibration else "no",
        )
    print_unwrapped(table)
    counts = frame["result"].value_counts()
    console.print(
        f"{counts.get('pass', 0)} pass, {counts.get('FAIL', 0)} fail, "
        f"{counts.get('no data', 0)} without observed data"
    )
    if out is not None:
        with writing(out):
            write_table(frame, out)
        console.print(Text(f"wrote {out}"))
