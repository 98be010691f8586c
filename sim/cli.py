"""The ``sim`` command: list, run and compare scenarios, check and calibrate the data.

Every command calls the same ``run_scenario`` as the app and the sweeps. Errors in input (an
unknown scenario, country or sector, a bad ``--set``, a malformed data file, a ``--year``
outside the run, a scenario holding another country's figures, an output path that cannot
take the file) print one line naming what is wrong and exit with status 2. All of them are
checked before the model runs; nothing is written unless the run finished. Every command that
runs the model takes ``--data FOLDER``: a folder of the user's own tables, validated, hashed
and calibrated like the shipped ones. The sweep commands live in ``sim.sweep_commands``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from sim import sweep_commands
from sim.errors import SimError, one_line
from sim.io import TABLE_SUFFIXES, write_table
from sim.scenarios.parameters import PARAMETERS
from sim.scenarios.schema import AUTO_SCALE_AGENTS
from sim.terminal import (
    band,
    cell,
    console,
    effect_table,
    err,
    evaluation_rich_table,
    fail,
    fmt,
    headline_table,
    input_errors,
    parse_sets,
    progress,
    region_rich_table,
    single_replication_note,
)

app = typer.Typer(
    name="sim",
    help="Simulate how AI and automation displace workers in ASEAN labour markets, sector by "
    "sector, and what reskilling and job-creation programmes change. Numbers are in real "
    "workers; money in the country's currency.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(sweep_commands.app)


def _tables(data: Path | None) -> Any:
    """The data tables of ``--data`` (or the shipped ones); one line and exit 2 if invalid."""
    from sim.data import load_data

    try:
        return load_data(data)
    except input_errors() as exc:
        raise fail(str(exc)) from None


def _note_calibration(tables: Any, countries: tuple[str, ...] | list[str]) -> None:
    """Say on stderr when a country's labour flows were fitted on the fly."""
    from sim.flows import FITTED, calibration_status

    status = calibration_status(tables)
    for iso3 in countries:
        if status[iso3] != FITTED:
            err.print(
                one_line(
                    f"note: {iso3}: labour flows {status[iso3]}; `sim calibrate --data "
                    f"{tables.folder}` saves them"
                ),
                markup=False,
                highlight=False,
            )


def _scenario(
    scenario: Any,
    countries: list[str] | None,
    replications: int | None,
    seed: int | None,
    horizon: int | None,
    scale: int | None,
    sets: list[str] | None,
    sectors: list[str] | None = None,
    years: list[int] | None = None,
    **run: Any,
) -> Any:
    """The scenario as it will run, with every setting checked before any work; one line and
    exit 2 if anything is wrong (the countries it may run for, the sectors and years to
    report)."""
    from sim.results import check_years, run_dates
    from sim.runner import resolve_scenario
    from sim.scenarios import check_sectors

    try:
        resolved = resolve_scenario(
            scenario,
            parse_sets(sets),
            countries,
            replications=replications,
            seed=seed,
            horizon_months=horizon,
            scale=scale,
            **run,
        )
        if sectors:
            check_sectors(resolved, sectors, "--sector")
        if years:
            check_years(run_dates(resolved.run.start, resolved.run.horizon_months), years, "--year")
    except input_errors() as exc:
        raise fail(str(exc)) from None
    return resolved


def _check_countries(scenario: Any, tables: Any) -> None:
    """Unknown country codes, before any run (one line, exit 2)."""
    try:
        for iso3 in scenario.countries:
            tables.country(iso3)
    except input_errors() as exc:
        raise fail(str(exc)) from None


def _out(path: Path | None, suffixes: tuple[str, ...], option: str = "--out") -> None:
    """A result file's path, checked before any work (one line, exit 2; nothing written)."""
    from sim.io import check_output_file

    if path is None:
        return
    try:
        check_output_file(path, suffixes, option)
    except input_errors() as exc:
        raise fail(str(exc)) from None


def _all_countries(countries: list[str] | None, tables: Any) -> list[str] | None:
    """``-c ALL``: every country with data in ``tables``."""
    if countries and any(code.upper() == "ALL" for code in countries):
        return list(tables.iso3_codes)
    return countries


def _run(scenario: Any, tables: Any, label: str, counterfactual: bool = False):
    """Run a checked scenario (see ``_scenario``) with a progress bar that leaves no trace;
    several large runs go to one worker process per core (``runner.parallel_executor``);
    refused in one line first if its memory would exceed what the machine has."""
    from contextlib import nullcontext

    from sim.resources import check_memory
    from sim.runner import parallel_executor, run_scenario

    try:
        # several large runs: one worker process per core (None when serial is as fast);
        # no process starts before the first run is submitted
        executor = parallel_executor(scenario, tables, counterfactual)
        processes = executor._max_workers if executor is not None else 1  # type: ignore[attr-defined]
        check_memory(scenario, tables, counterfactual, processes)  # before anything is built
        with progress() as bar, executor or nullcontext():
            task = bar.add_task(label, total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            results = run_scenario(
                scenario,
                data=tables,
                counterfactual=counterfactual,
                executor=executor,
                progress=tick,
            )
    except input_errors() as exc:
        raise fail(str(exc)) from None
    _note_calibration(tables, results.countries)
    return results


CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="ISO3 country code (repeat for several; ALL = every country with data). "
        "Default: the scenario's.",
    ),
]


def _run_setting(key: str, *flags: str, help: str) -> Any:
    """A CLI option for a run setting, its bounds read from the parameter registry."""
    setting = PARAMETERS[key]
    return typer.Option(*flags, min=setting.minimum, max=setting.maximum, help=help)


_DEFAULT = {
    key: PARAMETERS[f"run.{key}"].default for key in ("replications", "seed", "horizon_months")
}
RepsOpt = Annotated[
    int | None,
    _run_setting(
        "run.replications",
        "--replications",
        "-r",
        help=f"Independent replications (default {_DEFAULT['replications']}).",
    ),
]
SeedOpt = Annotated[
    int | None,
    _run_setting("run.seed", "--seed", help=f"Base random seed (default {_DEFAULT['seed']})."),
]
HorizonOpt = Annotated[
    int | None,
    _run_setting(
        "run.horizon_months",
        "--horizon",
        help=f"Months to simulate (default {_DEFAULT['horizon_months']}).",
    ),
]
ScaleOpt = Annotated[
    int | None,
    _run_setting(
        "run.scale",
        "--scale",
        help="Real workers per simulated worker; 1 = everyone. Default: about "
        f"{AUTO_SCALE_AGENTS:,} simulated workers per country.",
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Change a scenario parameter, e.g. --set levers.reskilling.enabled=true "
        "(see `sim params`).",
    ),
]
SectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sector", help="Sectors to report displacement for (default: the scenario's focus)."
    ),
]
YearsOpt = Annotated[
    list[int] | None,
    typer.Option("--year", help="Years for the headline table (default 2030 and 2035)."),
]
DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Folder with your own data tables (sectors.csv, countries.csv, "
        "occupations.csv; calibration.csv optional: missing or out-of-date rows are "
        "fitted on the fly). Default: the tables shipped with the package.",
    ),
]


@app.command("list")
def list_command(data: DataOpt = None) -> None:
    """List the shipped scenarios and the countries with data."""
    from sim.scenarios import list_scenarios, load_scenario

    tables = _tables(data)  # a bad --data is refused before anything is printed
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


@app.command("params")
def params_command() -> None:
    """List every scenario parameter: default, unit, kind (uncertainty/lever) and source."""
    from sim.scenarios import parameter_table

    table = Table(title="Scenario parameters (use with --set key=value)", title_justify="left")
    for column in ("key", "kind", "default", "unit", "range"):
        table.add_column(column)
    for row in parameter_table():
        bounds = (
            "" if row["min"] is None and row["max"] is None else f"{row['min']} to {row['max']}"
        )
        table.add_row(row["key"], row["kind"], str(row["default"]), row["unit"], bounds)
    console.print(table)


@app.command("run")
def run_command(
    scenario: Annotated[
        str,
        typer.Argument(
            help="Scenario name (see `sim list`) or the path of a scenario file (any suffix; "
            "./NAME for a file named like a shipped scenario)."
        ),
    ] = "baseline",
    country: CountryOpt = None,
    replications: RepsOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    scale: ScaleOpt = None,
    set_: SetOpt = None,
    sector: SectorOpt = None,
    year: YearsOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write results to a .csv, .parquet or .xlsx file (provenance inside).",
        ),
    ] = None,
    table: Annotated[
        str,
        typer.Option(
            help="What --out holds: summary (median and band per month, sector, metric), frame "
            "(every replication) or breakdown (by sector, sex and skill)."
        ),
    ] = "summary",
    data: DataOpt = None,
    counterfactual: Annotated[
        bool,
        typer.Option(
            "--counterfactual/--no-counterfactual",
            help="Also run the same seeds with no AI adoption and print automation's effect "
            "against it (jobs not created, who bears them, the laid-off's earnings). Doubles "
            "the run time.",
        ),
    ] = True,
) -> None:
    """Run a scenario and print headline numbers with their 5-95% bands."""
    if table not in {"summary", "frame", "breakdown"}:
        raise fail(f"--table {table!r}: choose summary, frame or breakdown")
    _out(out, TABLE_SUFFIXES)
    tables = _tables(data)
    country = _all_countries(country, tables)
    resolved = _scenario(scenario, country, replications, seed, horizon, scale, set_, sector, year)
    _check_countries(resolved, tables)
    results = _run(resolved, tables, f"running {scenario}", counterfactual)
    from sim.counterfactual import automation_effect

    try:
        frame = results.headline(sector, tuple(year) if year else None)
        effect = (
            automation_effect(results, sector, tuple(year) if year else None)
            if counterfactual
            else None
        )
    except ValueError as exc:
        raise fail(str(exc)) from None
    focus = sector or results.scenario.focus_sectors or ["all sectors"]
    reps = results.scenario.run.replications
    for iso3 in results.countries:
        console.print(
            headline_table(
                f"{results.scenario.name} - {iso3} - displacement from {', '.join(focus)} "
                f"({reps} replication{'s' if reps > 1 else ''}, seed {results.scenario.run.seed})",
                frame[frame["country"] == iso3],
                reps,
            )
        )
        if effect is not None:
            console.print(
                effect_table(
                    f"Automation's effect: against the same seeds with no AI adoption - {iso3}",
                    effect[effect["country"] == iso3],
                    reps,
                )
            )
    single_replication_note(reps)
    if out is not None:
        try:
            path = results.write(out, table)
        except (OSError, ValueError) as exc:  # SimError is a ValueError
            raise fail(
                f"--out {out}: cannot write ({getattr(exc, 'strerror', None) or exc})"
            ) from None
        console.print(Text(f"wrote {path}"))


@app.command("compare")
def compare_command(
    baseline: Annotated[str, typer.Argument(help="The reference scenario, e.g. phl_bpo.")],
    policy: Annotated[
        str, typer.Argument(help="The scenario to compare, e.g. phl_bpo_reskilling.")
    ],
    country: CountryOpt = None,
    replications: RepsOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    scale: ScaleOpt = None,
    sector: SectorOpt = None,
    year: YearsOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the comparison to a .csv, .parquet or .xlsx file."),
    ] = None,
    data: DataOpt = None,
) -> None:
    """Compare two scenarios replication by replication (same seeds): policy minus baseline."""
    from sim.evaluation import cost_benefit, evaluation_table
    from sim.results import compare

    _out(out, TABLE_SUFFIXES)
    tables = _tables(data)
    country = _all_countries(country, tables)
    a_scenario = _scenario(
        baseline, country, replications, seed, horizon, scale, None, sector, year
    )
    run = a_scenario.run
    # The policy runs on the baseline's countries, seeds, calendar and scale: paired by seed.
    b_scenario = _scenario(
        policy,
        list(a_scenario.countries),
        run.replications,
        run.seed,
        run.horizon_months,
        scale,
        None,
        sector,
        year,
        start=run.start,
    )
    _check_countries(a_scenario, tables)
    years = tuple(year) if year else None
    a = _run(a_scenario, tables, f"running {baseline}")
    b = _run(b_scenario, tables, f"running {policy}")
    try:
        frame = compare(a, b, sectors=sector or a.scenario.focus_sectors or None, years=years)
        benefits = cost_benefit(a, b, b.scenario.earnings.discount_rate_per_year)
        evaluation = evaluation_table(b)
    except ValueError as exc:
        raise fail(str(exc)) from None
    reps = run.replications
    for iso3 in a.countries:
        table = Table(
            title=cell(
                f"policy = {b.scenario.name}; baseline = {a.scenario.name}; {iso3}; paired by seed"
            ),
            title_justify="left",
        )
        for column in ("by end of", "indicator", "baseline", "policy", "difference", "5-95% band"):
            table.add_column(column, justify="left" if column == "indicator" else "right")
        for row in frame[frame["country"] == iso3].itertuples():
            table.add_row(
                str(row.year),
                Text(row.indicator),
                fmt(row.baseline, row.metric),
                fmt(row.policy, row.metric),
                fmt(row.difference, row.metric),
                band(fmt(row.low, row.metric), fmt(row.high, row.metric), reps),
            )
        console.print(table)
        console.print(
            effect_table(
                f"Cost and benefit, whole economy, policy minus baseline over the run - {iso3}",
                benefits[benefits["country"] == iso3],
                reps,
            )
        )
        trial = evaluation[evaluation["country"] == iso3] if len(evaluation) else evaluation
        if len(trial):
            console.print(evaluation_rich_table(iso3, trial, reps))
    single_replication_note(reps)
    if out is not None:
        provenance = {"baseline": a.file_provenance(), "policy": b.file_provenance()}
        try:
            write_table(frame, out, provenance, sheet="comparison")
        except (OSError, ValueError) as exc:  # SimError is a ValueError
            raise fail(
                f"--out {out}: cannot write ({getattr(exc, 'strerror', None) or exc})"
            ) from None
        console.print(Text(f"wrote {out}"))


@app.command("validate-data")
def validate_data_command(data: DataOpt = None) -> None:
    """Check every data file, calibration.csv and the labour-market tables included; print
    each file's SHA-256 (a table the folder lacks is the shipped one, marked "shipped").

    Columns, types, ranges, sources, confidences and sums are checked; countries whose labour
    flows would be fitted on the fly (no current calibration row) are named.
    """
    from sim.data import load_targets
    from sim.flows import FITTED, calibration_status

    tables = _tables(data)
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
    _note_calibration(
        tables, [iso3 for iso3, status in calibration_status(tables).items() if status != FITTED]
    )
    console.print(json.dumps(tables.hashes, indent=2), markup=False, highlight=False)


@app.command("calibrate")
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

    _out(out, (".csv",))
    tables = _tables(data)
    target = out if out is not None else tables.folder / CALIBRATION_FILE
    _out(target, (".csv",), "--out" if out is not None else "calibration file")
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


@app.command("region")
def region_command(
    scenario: Annotated[
        str, typer.Argument(help="Scenario name (see `sim list`) or TOML path.")
    ] = "baseline",
    country: CountryOpt = None,
    replications: RepsOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    scale: ScaleOpt = None,
    set_: SetOpt = None,
    year: YearsOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the table to a .csv")
    ] = None,
    data: DataOpt = None,
) -> None:
    """The AI divide: one scenario in every ASEAN country (or those given), side by side.

    Exposure and readiness at the start; by year the adoption level, the jobs automation
    removes (layoffs and hires foregone) and the AI-era vacancies it creates as shares of
    employment, the net effect on employment against the same seeds with no AI, and programme
    cost as a share of the wage bill. Each country's row equals its single-country run.
    """
    from sim.region import region_table

    _out(out, (".csv",))
    tables = _tables(data)
    codes = [c.upper() for c in country] if country else list(tables.iso3_codes)
    resolved = _scenario(scenario, codes, replications, seed, horizon, scale, set_, None, year)
    _check_countries(resolved, tables)
    results = _run(resolved, tables, f"running {scenario}", counterfactual=True)
    try:
        frame = region_table(results, tuple(year) if year else None)
    except ValueError as exc:
        raise fail(str(exc)) from None
    console.print(
        region_rich_table(
            f"{results.scenario.name}: the countries side by side "
            f"({results.scenario.run.replications} replications, median)",
            frame,
        )
    )
    if out is not None:
        write_table(frame, out)
        console.print(f"wrote {out}")


@app.command("validate")
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
) -> None:
    """Compare the calibrated baseline with observed ILOSTAT and ILO figures, country by country.

    Runs each country with no automation for 120 months and measures it as a survey would:
    unemployment rate, share unemployed 12+ months and under 6 months, mean spell; and the
    share of employment in GenAI-exposed occupations against the ILO's published figures.
    """
    from sim.validate import validate

    _out(out, TABLE_SUFFIXES)
    try:
        with err.status("running calibrated baselines"):
            frame = validate(
                [c.upper() for c in country] if country else None,
                tables=_tables(data),
                replications=replications,
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
        percent = "spell" not in row.indicator and "/" not in row.indicator
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
    console.print(table)
    counts = frame["result"].value_counts()
    console.print(
        f"{counts.get('pass', 0)} pass, {counts.get('FAIL', 0)} fail, "
        f"{counts.get('no data', 0)} without observed data"
    )
    if out is not None:
        try:
            write_table(frame, out)
        except (OSError, SimError) as exc:
            raise fail(
                f"--out {out}: cannot write ({getattr(exc, 'strerror', None) or exc})"
            ) from None
        console.print(Text(f"wrote {out}"))


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
