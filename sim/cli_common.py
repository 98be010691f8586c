"""What the ``sim`` commands share: their options, the checks before a run, and the run.

The options (``CountryOpt``, ``RepsOpt``, ...) take their bounds and defaults from the parameter
registry (``sim.scenarios.parameters``). The helpers check everything a command was given
before any work (one line naming what is wrong, exit status 2) and run a checked scenario with
a progress bar, in worker processes when that pays (``sim.runner.parallel_workers``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sim.errors import one_line
from sim.scenarios.parameters import PARAMETERS
from sim.scenarios.schema import AUTO_SCALE_AGENTS
from sim.terminal import (
    err,
    fail,
    input_errors,
    parse_sets,
    progress,
)


def data_tables(data: Path | None) -> Any:
    """The data tables of ``--data`` (or the shipped ones); one line and exit 2 if invalid."""
    from sim.data import load_data

    try:
        return load_data(data)
    except input_errors() as exc:
        raise fail(str(exc)) from None


def note_calibration(tables: Any, countries: tuple[str, ...] | list[str]) -> None:
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


def checked_scenario(
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
    from sim.months import check_years, run_dates
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


def check_countries(scenario: Any, tables: Any) -> None:
    """Unknown country codes, before any run (one line, exit 2)."""
    try:
        for iso3 in scenario.countries:
            tables.country(iso3)
    except input_errors() as exc:
        raise fail(str(exc)) from None


def check_out(path: Path | None, suffixes: tuple[str, ...], option: str = "--out") -> None:
    """A result file's path, checked before any work (one line, exit 2; nothing written)."""
    from sim.io import check_output_file

    if path is None:
        return
    try:
        check_output_file(path, suffixes, option)
    except input_errors() as exc:
        raise fail(str(exc)) from None


def all_countries(countries: list[str] | None, tables: Any) -> list[str] | None:
    """``-c ALL``: every country with data in ``tables``."""
    if countries and any(code.upper() == "ALL" for code in countries):
        return list(tables.iso3_codes)
    return countries


def run_checked(
    scenario: Any,
    tables: Any,
    label: str,
    counterfactual: bool = False,
    max_memory: float | None = None,
):
    """Run a checked scenario (see ``checked_scenario``) with a progress bar that leaves no trace;
    several large runs go to one worker process per core (``runner.parallel_workers``), as
    many at once as fit in the memory available (or ``max_memory`` GiB: the estimated peaks of
    the runs in flight, ``runner.run_scenario``'s ``memory_budget``); refused in one line
    first if one run alone would not fit."""
    from contextlib import nullcontext

    from sim.resources import GIB, available_memory, check_memory
    from sim.runner import parallel_executor, run_scenario

    try:
        budget = available_memory() if max_memory is None else int(max_memory * GIB)
        limit = None if max_memory is None else "the --max-memory limit"
        check_memory(scenario, tables, counterfactual, available=budget, limit=limit)
        # several large runs: one worker process per core (1: serial is as fast, no pool);
        # no process starts before the first run is submitted
        executor = parallel_executor(scenario, tables, counterfactual)
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
                memory_budget=budget if executor is not None else None,
            )
    except input_errors() as exc:
        raise fail(str(exc)) from None
    note_calibration(tables, results.countries)
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
MemoryOpt = Annotated[
    float | None,
    typer.Option(
        "--max-memory",
        min=0.1,
        help="GiB the runs in flight may take together (estimated peaks): countries run side "
        "by side only while they fit. Default: the memory available now.",
    ),
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
