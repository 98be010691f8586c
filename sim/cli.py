"""The ``sim`` command: list, run and compare scenarios, check the data.

Every command calls the same ``run_scenario`` as the app and the sweeps. Errors in input (an
unknown scenario or country, a bad ``--set``, a malformed data file) print one line naming what
is wrong and exit with status 2; nothing is written unless the run finished.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim.errors import one_line
from sim.io import write_table
from sim.scenarios.parameters import PARAMETERS
from sim.scenarios.schema import AUTO_SCALE_AGENTS

app = typer.Typer(
    name="sim",
    help="Simulate how AI and automation displace workers in ASEAN labour markets, sector by "
         "sector, and what reskilling and job-creation programmes change. Numbers are in real "
         "workers; money in the country's currency.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (files, CI logs) gets room for the tables instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)


def _input_errors() -> tuple[type[Exception], ...]:
    from sim.errors import SimError
    return (SimError,)


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise (status 2).

    The message may quote user input (a cell, a key, a file name): it is flattened to one line
    and escaped so that text such as "[/]" is shown, not read as terminal markup.
    """
    err.print(f"[bold red]error:[/] {escape(one_line(message))}", highlight=False)
    return typer.Exit(code=2)


def parse_sets(pairs: list[str] | None) -> dict[str, Any]:
    """``key=value`` pairs; values are read as TOML values (numbers, true/false, lists)."""
    import tomllib
    overrides: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"--set {pair!r}: write it as key=value, e.g. "
                       "uncertainties.adoption_pace=1.5")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text  # a bare word: treat as a string (e.g. eligibility=unemployed)
        overrides[key.strip()] = value
    return overrides


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=err, transient=True)


def _run(scenario: str, countries: list[str] | None, replications: int | None,
         seed: int | None, horizon: int | None, scale: int | None,
         sets: list[str] | None, label: str):
    from sim.runner import run_scenario
    try:
        with _progress() as progress:
            task = progress.add_task(label, total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return run_scenario(scenario, countries=countries, replications=replications,
                                seed=seed, horizon_months=horizon, scale=scale,
                                overrides=parse_sets(sets), progress=tick)
    except _input_errors() as exc:
        raise fail(str(exc)) from None


def _fmt(value: float, metric: str) -> str:
    if metric == "unemployment_rate":
        return f"{value:.2f}"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} m"
    return f"{value:,.0f}"


def _headline_table(title: str, frame) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in ("by end of", "indicator", "median", "5-95% band"):
        table.add_column(column, justify="right" if column != "indicator" else "left")
    for row in frame.itertuples():
        table.add_row(str(row.year), row.indicator, _fmt(row.median, row.metric),
                      f"{_fmt(row.low, row.metric)} to {_fmt(row.high, row.metric)}")
    return table


CountryOpt = Annotated[list[str] | None, typer.Option(
    "--country", "-c", help="ISO3 country code (repeat for several). Default: the scenario's.")]
_REPS, _SEED = PARAMETERS["run.replications"], PARAMETERS["run.seed"]
_HORIZON, _SCALE = PARAMETERS["run.horizon_months"], PARAMETERS["run.scale"]
RepsOpt = Annotated[int | None, typer.Option(
    "--replications", "-r", min=_REPS.minimum, max=_REPS.maximum,
    help=f"Independent replications (default {_REPS.default}).")]
SeedOpt = Annotated[int | None, typer.Option(
    "--seed", min=_SEED.minimum, max=_SEED.maximum,
    help=f"Base random seed (default {_SEED.default}).")]
HorizonOpt = Annotated[int | None, typer.Option(
    "--horizon", min=_HORIZON.minimum, max=_HORIZON.maximum,
    help=f"Months to simulate (default {_HORIZON.default}).")]
ScaleOpt = Annotated[int | None, typer.Option(
    "--scale", min=_SCALE.minimum, max=_SCALE.maximum,
    help="Real workers per simulated worker; 1 = everyone. "
         f"Default: about {AUTO_SCALE_AGENTS:,} simulated workers per country.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Change a scenario parameter, e.g. --set levers.reskilling.enabled=true "
                  "(see `sim params`).")]
SectorOpt = Annotated[list[str] | None, typer.Option(
    "--sector", help="Sectors to report displacement for (default: the scenario's focus).")]
YearsOpt = Annotated[list[int] | None, typer.Option(
    "--year", help="Years for the headline table (default 2030 and 2035).")]


@app.command("list")
def list_command() -> None:
    """List the shipped scenarios and the countries with data."""
    from sim.data import load_data
    from sim.scenarios import list_scenarios, load_scenario
    table = Table(title="Scenarios (sim/scenarios/*.toml)", title_justify="left")
    table.add_column("name")
    table.add_column("title")
    table.add_column("what it does")
    for name in list_scenarios():
        scenario = load_scenario(name)
        table.add_row(name, scenario.name, " ".join(scenario.description.split())[:110] + "...")
    console.print(table)
    tables = load_data()
    countries = Table(title="Countries (data/countries.csv)", title_justify="left")
    for column in ("code", "country", "employed (m)", "basis"):
        countries.add_column(column)
    for row in tables.countries.itertuples():
        countries.add_row(row.iso3, row.country, f"{row.employment_thousands / 1000:,.1f}",
                          row.employment_basis)
    console.print(countries)


@app.command("params")
def params_command() -> None:
    """List every scenario parameter: default, unit, kind (uncertainty/lever) and source."""
    from sim.scenarios import parameter_table
    table = Table(title="Scenario parameters (use with --set key=value)", title_justify="left")
    for column in ("key", "kind", "default", "unit", "range"):
        table.add_column(column)
    for row in parameter_table():
        bounds = "" if row["min"] is None and row["max"] is None else \
            f"{row['min']} to {row['max']}"
        table.add_row(row["key"], row["kind"], str(row["default"]), row["unit"], bounds)
    console.print(table)


@app.command("run")
def run_command(
    scenario: Annotated[str, typer.Argument(help="Scenario name (see `sim list`) or TOML path.")]
    = "baseline",
    country: CountryOpt = None,
    replications: RepsOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    scale: ScaleOpt = None,
    set_: SetOpt = None,
    sector: SectorOpt = None,
    year: YearsOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write results to this .csv or .parquet file.")] = None,
    table: Annotated[str, typer.Option(
        help="What --out holds: summary (median and band per month, sector, metric), frame "
             "(every replication) or breakdown (by sector, sex and skill).")] = "summary",
) -> None:
    """Run a scenario and print headline numbers with their 5-95% bands."""
    if out is not None and out.suffix not in {".csv", ".parquet"}:
        raise fail(f"--out {out}: the file name must end in .csv or .parquet")
    if table not in {"summary", "frame", "breakdown"}:
        raise fail(f"--table {table!r}: choose summary, frame or breakdown")
    results = _run(scenario, country, replications, seed, horizon, scale, set_,
                   f"running {scenario}")
    try:
        frame = results.headline(sector, tuple(year) if year else None)
    except ValueError as exc:
        raise fail(str(exc)) from None
    focus = sector or results.scenario.focus_sectors or ["all sectors"]
    for iso3 in results.countries:
        console.print(_headline_table(
            f"{results.scenario.name} - {iso3} - displacement from {', '.join(focus)} "
            f"({results.scenario.run.replications} replications, seed "
            f"{results.scenario.run.seed})", frame[frame["country"] == iso3]))
    if out is not None:
        path = results.write(out, table)
        console.print(f"wrote {path}")


@app.command("compare")
def compare_command(
    baseline: Annotated[str, typer.Argument(help="The reference scenario, e.g. phl_bpo.")],
    policy: Annotated[str, typer.Argument(help="The scenario to compare, e.g. "
                                                "phl_bpo_reskilling.")],
    country: CountryOpt = None,
    replications: RepsOpt = None,
    seed: SeedOpt = None,
    horizon: HorizonOpt = None,
    scale: ScaleOpt = None,
    sector: SectorOpt = None,
    year: YearsOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="Write the comparison to .csv")] = None,
) -> None:
    """Compare two scenarios replication by replication (same seeds): policy minus baseline."""
    from sim.runner import compare
    if out is not None and out.suffix != ".csv":
        raise fail(f"--out {out}: the file name must end in .csv")
    years = tuple(year) if year else None
    a = _run(baseline, country, replications, seed, horizon, scale, None, f"running {baseline}")
    countries = list(a.countries)
    b = _run(policy, countries, a.scenario.run.replications, a.scenario.run.seed,
             a.scenario.run.horizon_months, scale, None, f"running {policy}")
    try:
        frame = compare(a, b, sectors=sector or a.scenario.focus_sectors or None, years=years)
    except ValueError as exc:
        raise fail(str(exc)) from None
    for iso3 in a.countries:
        table = Table(title=f"policy = {b.scenario.name}; baseline = {a.scenario.name}; "
                            f"{iso3}; paired by seed",
                      title_justify="left")
        for column in ("by end of", "indicator", "baseline", "policy", "difference",
                       "5-95% band"):
            table.add_column(column, justify="left" if column == "indicator" else "right")
        for row in frame[frame["country"] == iso3].itertuples():
            table.add_row(str(row.year), row.indicator, _fmt(row.baseline, row.metric),
                          _fmt(row.policy, row.metric), _fmt(row.difference, row.metric),
                          f"{_fmt(row.low, row.metric)} to {_fmt(row.high, row.metric)}")
        console.print(table)
    if out is not None:
        write_table(frame, out)
        console.print(f"wrote {out}")


@app.command("validate-data")
def validate_data_command(
    data: Annotated[Path | None, typer.Option(help="Data folder (default: the shipped data/).")]
    = None,
) -> None:
    """Check every data file: columns, types, ranges, sources, confidences, sums."""
    from sim.data import load_data
    try:
        tables = load_data(data)
    except _input_errors() as exc:
        raise fail(str(exc)) from None
    console.print(f"ok: {len(tables.sectors)} sector rows, {len(tables.countries)} countries, "
                  f"{len(tables.occupations)} occupation groups")
    console.print(json.dumps(tables.hashes, indent=2))


@app.command("calibrate")
def calibrate_command(
    data: Annotated[Path | None, typer.Option(
        help="Data folder holding countries.csv (default: the shipped tables).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Where to write (default: calibration.csv in the data folder).")]
    = None,
) -> None:
    """Fit each country's labour flows (hire rate, search decay, separations) to its
    unemployment rate and ILOSTAT duration shares, and write calibration.csv."""
    from sim.calibrate import calibrate
    from sim.data import CALIBRATION_FILE, load_data
    from sim.io import atomic_write
    try:
        tables = load_data(data)
        frame = calibrate(tables)
    except _input_errors() as exc:
        raise fail(str(exc)) from None
    target = out if out is not None else tables.folder / CALIBRATION_FILE
    try:
        atomic_write(target, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"))
    except OSError as exc:
        raise fail(f"{target}: cannot write ({exc.strerror or exc})") from None
    console.print(frame.drop(columns=["method"]).to_string(index=False), markup=False)
    console.print(f"wrote {target}", markup=False, highlight=False)


def _sweep_errors() -> tuple[type[Exception], ...]:
    from sim.sweeps import SweepError
    return (SweepError, *_input_errors())


def _cell(value: Any):
    from rich.text import Text  # plain text: values like "metric[sector]" are not markup
    if isinstance(value, float):
        return Text(f"{value:.6g}")
    return Text("" if value is None else str(value))


def _frame_table(frame, max_rows: int | None = None) -> Table:
    table = Table()
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "iuf"
        table.add_column(_cell(column), justify="right" if numeric else "left")
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


@app.command("sweep")
def sweep_command(
    design: Annotated[Path, typer.Argument(help="Sweep design TOML (see designs/).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; re-run the same "
                                                          "command on it to resume.")],
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a running Dask scheduler, e.g. tcp://host:8786 (default: a local "
             "cluster on this machine's cores).")] = None,
    workers: Annotated[int | None, typer.Option(
        min=0, help="Local worker processes (default: one per core); 0 = run serially "
                    "without Dask.")] = None,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Run again the runs recorded as failed.")] = False,
    batch_size: Annotated[int | None, typer.Option(
        min=1, help="Runs per Parquet part file (default 50; a part is also written every "
                    "2 seconds).")] = None,
    connect_timeout: Annotated[float, typer.Option(
        min=0.1, max=3600, help="Seconds to wait for --scheduler before giving up.")] = 10.0,
) -> None:
    """Run a parameter sweep (grid, lhs, sobol, morris) in parallel; results go to --out.

    Exit status: 0 every run recorded ok; 1 the sweep ended but runs failed (their errors are
    in the run table; rerun them with --retry-failed) or were lost with a worker (run the same
    command again); 2 bad input, unreachable scheduler, folder in use by another sweep, or
    results that cannot be written (nothing half-written is left); 130 interrupted.
    """
    from rich.progress import TimeElapsedColumn

    from sim.sweeps import check_output, load_design, run_sweep
    try:
        plan = load_design(design)
        check_output(out, plan)  # writes nothing
    except _sweep_errors() as exc:
        raise fail(str(exc)) from None
    d = plan.design
    where = "serially" if workers == 0 else (f"on {scheduler}" if scheduler else
                                             f"on a local Dask cluster ({workers or 'all'} "
                                             "workers)")
    console.print(f"[bold]{escape(d.name)}[/]: {d.design} design, {plan.n_points} points x "
                  f"{d.replications} replications = {plan.total_runs} runs of "
                  f"{escape(repr(plan.base.name))} in {plan.iso3}, {escape(where)}",
                  highlight=False)
    params = Table(title_justify="left")
    for column in ("parameter", "key", "kind", "values"):
        params.add_column(column)
    for p in plan.parameters:
        values = f"{p.bounds[0]:g} to {p.bounds[1]:g}" if p.bounds else \
            ", ".join(json.dumps(v) for v in p.levels or ())
        params.add_row(*(_cell(v) for v in (p.name, p.key, p.kind, values)))
    console.print(params)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[green]{task.fields[ok]} ok[/] [red]{task.fields[failed]} failed"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err) as progress:
            task = progress.add_task("sweep", total=plan.total_runs, ok=0, failed=0)

            def tick(ok: int, failed: int, total: int) -> None:
                progress.update(task, completed=ok + failed, total=total, ok=ok, failed=failed)

            result = run_sweep(plan, out, scheduler=scheduler, workers=workers, progress=tick,
                               retry_failed=retry_failed, batch_size=batch_size,
                               connect_timeout=connect_timeout)
    except _sweep_errors() as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print(f"interrupted: finished runs are saved in {escape(str(out))}; run the same "
                  "command again to resume", highlight=False)
        raise typer.Exit(code=130) from None
    except Exception as exc:  # no traceback for a researcher; the events log has the record
        raise fail(f"sweep stopped by an unexpected error ({type(exc).__name__}: {exc}); "
                   f"finished runs are saved in {out}; run the same command again to resume; "
                   "please report this") from None
    console.print(f"{result.completed} runs done now, {result.skipped} already recorded, "
                  f"{result.failed_total} failed in total; {result.wall_seconds:.1f} s "
                  f"({result.runs_per_second:.1f} runs/s). Results in {out}",
                  highlight=False, markup=False)
    if result.workers_lost:
        err.print(f"note: {result.workers_lost} Dask worker(s) lost during the sweep; their "
                  f"runs were rescheduled (see {escape(str(out / 'events.jsonl'))})",
                  highlight=False)
    if result.failed_total or result.lost:
        parts = []
        if result.failed_total:
            parts.append(f"{result.failed_total} runs failed (see: sim query {out} \"SELECT "
                         "run_id, error FROM runs WHERE status = 'failed'\"; rerun them with "
                         "--retry-failed)")
        if result.lost:
            parts.append(f"{result.lost} runs were lost with their workers (run the same "
                         "command again to do them)")
        err.print("[bold yellow]warning:[/] sweep incomplete: " + escape("; ".join(parts)),
                  highlight=False)
        raise typer.Exit(code=1)


@app.command("query")
def query_command(
    out: Annotated[Path, typer.Argument(help="A sweep output folder.")],
    sql: Annotated[str, typer.Argument(
        help="SQL over the views runs (one row per run, with parameters and provenance), "
             "outcomes (run_id, outcome, month, date, value) and points.")],
    max_rows: Annotated[int, typer.Option(min=1, help="Rows to print.")] = 50,
    csv: Annotated[Path | None, typer.Option(help="Also write the full result to this CSV.")]
    = None,
) -> None:
    """Query a sweep's results with SQL (DuckDB), e.g. "SELECT status, count(*) FROM runs
    GROUP BY status"."""
    from sim.sweeps import query
    try:
        frame = query(out, sql)
    except _sweep_errors() as exc:
        raise fail(str(exc)) from None
    more = f" (first {max_rows} of {len(frame)} rows)" if len(frame) > max_rows else \
        f" ({len(frame)} rows)"
    console.print(f"{out}{more}", highlight=False, markup=False)
    console.print(_frame_table(frame, max_rows))
    if csv is not None:
        write_table(frame, csv)
        console.print(f"wrote {csv}")


@app.command("sensitivity")
def sensitivity_command(
    out: Annotated[Path, typer.Argument(help="A finished sweep output folder.")],
    method: Annotated[str | None, typer.Option(
        help="sobol (first-order S1 and total ST) or morris (mu*, sigma); default: the "
             "sweep's design.")] = None,
    outcome: Annotated[str | None, typer.Option(help="Only this outcome (default: all).")]
    = None,
) -> None:
    """Sensitivity indices of each outcome to each parameter (SALib), with 95% intervals."""
    from rich.markup import escape

    from sim.sweeps import sensitivity
    try:
        frame = sensitivity(out, method=method, outcome=outcome)
    except _sweep_errors() as exc:
        raise fail(str(exc)) from None
    used = "sobol" if "ST" in frame.columns else "morris"
    for name, part in frame.groupby("outcome", sort=False):
        shown = part.drop(columns=["outcome", "key"])
        console.print(f"[bold]{escape(name)}[/]: {used} indices (replications averaged per "
                      "point; *_conf = 95% interval half-width)", highlight=False)
        console.print(_frame_table(shown))
    console.print(f"wrote {frame.attrs['path']}")


@app.command("validate")
def validate_command(
    country: CountryOpt = None,
    replications: Annotated[int, typer.Option("--replications", "-r", min=1, max=50,
                                              help="Baseline replications per country.")] = 3,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write a .csv")] = None,
) -> None:
    """Compare the calibrated baseline with observed ILOSTAT and ILO figures, country by country.

    Runs each country with no automation for 120 months and measures it as a survey would:
    unemployment rate, share unemployed 12+ months and under 6 months, mean spell; and the
    share of employment in GenAI-exposed occupations against the ILO's published figures.
    """
    from sim.validate import validate
    if out is not None and out.suffix != ".csv":
        raise fail(f"--out {out}: the file name must end in .csv")
    try:
        with err.status("running calibrated baselines"):
            frame = validate([c.upper() for c in country] if country else None,
                             replications=replications)
    except _input_errors() as exc:
        raise fail(str(exc)) from None
    table = Table(title="Model (baseline, no automation) vs observed", title_justify="left")
    for column in ("country", "indicator", "model", "observed", "gap", "tolerance", "result",
                   "calibrated on it"):
        table.add_column(column)
    def show(value: float, percent: bool) -> str:
        if value != value:  # NaN: nothing observed
            return "-"
        return f"{value * 100:.2f}%" if percent else f"{value:.2f}"

    for row in frame.itertuples():
        percent = "spell" not in row.indicator
        colour = {"pass": "green", "FAIL": "red"}.get(row.result, "yellow")
        table.add_row(row.country, row.indicator, show(row.model, percent),
                      show(row.observed, percent), show(row.gap, percent), row.tolerance,
                      f"[{colour}]{row.result}[/]",
                      "yes" if row.targeted_by_calibration else "no")
    console.print(table)
    counts = frame["result"].value_counts()
    console.print(f"{counts.get('pass', 0)} pass, {counts.get('FAIL', 0)} fail, "
                  f"{counts.get('no data', 0)} without observed data")
    if out is not None:
        write_table(frame, out)
        console.print(f"wrote {out}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
