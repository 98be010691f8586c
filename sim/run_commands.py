"""The ``sim`` commands that run scenarios: ``run``, ``compare`` and ``region``.

Registered on the ``sim`` command by ``sim.cli``; their options and checks are in
``sim.cli_common``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sim.cli_common import (
    CountryOpt,
    DataOpt,
    HorizonOpt,
    MemoryOpt,
    RepsOpt,
    ScaleOpt,
    SectorOpt,
    SeedOpt,
    SetOpt,
    YearsOpt,
    all_countries,
    check_countries,
    check_out,
    checked_scenario,
    data_tables,
    run_checked,
)
from sim.io import TABLE_SUFFIXES, write_table
from sim.terminal import (
    band,
    cell,
    console,
    effect_table,
    evaluation_rich_table,
    fail,
    fmt,
    headline_table,
    region_rich_table,
    single_replication_note,
    writing,
)


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
    max_memory: MemoryOpt = None,
) -> None:
    """Run a scenario and print headline numbers with their 5-95% bands."""
    if table not in {"summary", "frame", "breakdown"}:
        raise fail(f"--table {table!r}: choose summary, frame or breakdown")
    check_out(out, TABLE_SUFFIXES)
    tables = data_tables(data)
    country = all_countries(country, tables)
    resolved = checked_scenario(
        scenario, country, replications, seed, horizon, scale, set_, sector, year
    )
    check_countries(resolved, tables)
    results = run_checked(resolved, tables, f"running {scenario}", counterfactual, max_memory)
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
        with writing(out, errors=(OSError, ValueError)):  # SimError is a ValueError
            path = results.write(out, table)
        console.print(Text(f"wrote {path}"))


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
    max_memory: MemoryOpt = None,
) -> None:
    """Compare two scenarios replication by replication (same seeds): policy minus baseline."""
    from sim.evaluation import cost_benefit, evaluation_table
    from sim.results import compare

    check_out(out, TABLE_SUFFIXES)
    tables = data_tables(data)
    country = all_countries(country, tables)
    a_scenario = checked_scenario(
        baseline, country, replications, seed, horizon, scale, None, sector, year
    )
    run = a_scenario.run
    # The policy runs on the baseline's countries, seeds, calendar and scale: paired by seed.
    b_scenario = checked_scenario(
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
    check_countries(a_scenario, tables)
    years = tuple(year) if year else None
    a = run_checked(a_scenario, tables, f"running {baseline}", max_memory=max_memory)
    b = run_checked(b_scenario, tables, f"running {policy}", max_memory=max_memory)
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
        with writing(out, errors=(OSError, ValueError)):  # SimError is a ValueError
            write_table(frame, out, provenance, sheet="comparison")
        console.print(Text(f"wrote {out}"))


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
    max_memory: MemoryOpt = None,
) -> None:
    """The AI divide: one scenario in every ASEAN country (or those given), side by side.

    Exposure and readiness at the start; by year the adoption level, the jobs automation
    removes (layoffs and hires foregone) and the AI-era vacancies it creates as shares of
    employment, the net effect on employment against the same seeds with no AI, and programme
    cost as a share of the wage bill. Each country's row equals its single-country run.
    """
    from sim.region import region_table

    check_out(out, (".csv",))
    tables = data_tables(data)
    codes = [c.upper() for c in country] if country else list(tables.iso3_codes)
    resolved = checked_scenario(
        scenario, codes, replications, seed, horizon, scale, set_, None, year
    )
    check_countries(resolved, tables)
    results = run_checked(
        resolved, tables, f"running {scenario}", counterfactual=True, max_memory=max_memory
    )
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
        with writing(out, errors=(OSError, ValueError)):  # SimError is a ValueError
            write_table(frame, out)
        console.print(f"wrote {out}")
