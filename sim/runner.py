"""run_scenario: the one entry point the CLI, the app, the sweeps and the tests all use.

Layers, as in the STARS models: ``simulate`` runs one replication of one country and returns
its arrays; ``run_scenario`` runs every (country, replication) with independent seeded
streams, serially or on any executor (a process pool, a Dask client), and returns
``sim.results.Results``.

Seeding, the one convention everywhere: replication r of country C under base seed S uses
``SeedSequence([S, crc32(C)]).spawn(R)[r]``, which depends only on (S, C, r). A sweep run at
design point p, replication r is replication r of ``run_scenario(base, seed=S,
overrides=<point p>)``, so ``sim run BASE --seed S -r R --set key=value ...`` (R > r) replays
it exactly; every design point sees the same streams (common random numbers).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.agents.workforce import N_SKILL, N_STATUS
from sim.data import DataTables, load_data
from sim.flows import country_flows
from sim.inputs import CONCEPTS, Definition, country_inputs, definition
from sim.metrics import COUNTRY_METRICS, CUMULATIVE, SECTOR_METRICS
from sim.model import LabourMarketModel
from sim.provenance import code_version  # noqa: F401  (re-exported for callers)
from sim.results import Results, compare  # noqa: F401  (re-exported for callers)
from sim.scenarios import Scenario, check_countries, load_scenario, with_overrides

__all__ = [
    "Replication",
    "make_model",
    "fresh_processes",
    "parallel_executor",
    "parallel_workers",
    "recorded_metrics",
    "replication_seeds",
    "resolve_scenario",
    "run_scenario",
    "simulate",
    "worker_pool",
]


@dataclass
class Replication:
    """Arrays from one replication of one country (real workers / local currency)."""

    sector: np.ndarray  # [T+1, n_sector_metrics, S]
    country: np.ndarray  # [T+1, n_country_metrics]
    losses: np.ndarray  # [T+1, S, sex, skill] automation job losses in the month
    displaced: np.ndarray  # [T+1, status, S, sex, skill] displaced workers by status
    evaluation: np.ndarray | None = None  # [programme, arm, long-term, horizon, measure]
    cohort_earnings: np.ndarray | None = None  # [2 (sum, people), T+1] by months since layoff
    cohort_pre: float = 0.0  # sum of the laid-off people's monthly earnings before the layoff
    twin: Replication | None = None  # the same seed with no automation (``counterfactual``)
    scale: int = 1  # real people per simulated person
    memory_bytes: int = 0
    wall_seconds: float = 0.0
    number: int = 0  # the replication's number r (its seed stream)


def replication_seeds(seed: int, iso3: str, replications: int) -> list[np.random.SeedSequence]:
    """Independent child streams for each replication of a country.

    The stream of replication r depends only on (seed, country, r): adding replications or
    countries never changes the streams of the others.
    """
    root = np.random.SeedSequence([seed, zlib.crc32(iso3.encode())])
    return root.spawn(replications)


def make_model(
    scenario: Scenario,
    iso3: str,
    tables: DataTables,
    seed: np.random.SeedSequence | int | None,
    watch: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> LabourMarketModel:
    """A model of one country at month 0 (inputs and calibrated flows from ``tables``)."""
    unc, lab = scenario.uncertainties, scenario.labour_market
    inputs = _inputs(
        tables, iso3, unc.exposure_assumption, lab.informality_basis, lab.underemployment_basis
    )
    return LabourMarketModel(scenario, inputs, country_flows(iso3, tables), seed=seed, watch=watch)


_INPUTS: dict[tuple, Any] = {}


def _inputs(tables: DataTables, iso3: str, exposure: str, informality: str, underemployment: str):
    """``country_inputs``, kept per data folder, data hashes and settings: joining the tables
    (pandas) took more time than a small run's whole set-up, and every replication, sweep run
    and app redraw asks for the same few countries again."""
    key = (
        str(tables.folder),
        tuple(sorted(tables.hashes.items())),
        iso3,
        exposure,
        informality,
        underemployment,
    )
    if key not in _INPUTS:
        if len(_INPUTS) >= 32:
            _INPUTS.pop(next(iter(_INPUTS)))
        _INPUTS[key] = country_inputs(
            tables,
            iso3,
            exposure_assumption=exposure,
            informality_basis=informality,
            underemployment_basis=underemployment,
        )
    return _INPUTS[key]


def definitions_of(scenario: Scenario, iso3: str, tables: DataTables) -> dict[str, Definition]:
    """The definition each of ``iso3``'s figures of ``CONCEPTS`` follows under ``scenario``
    (the basis its inputs hold them on: ``sim.inputs.definition``)."""
    unc, lab = scenario.uncertainties, scenario.labour_market
    inputs = _inputs(
        tables, iso3, unc.exposure_assumption, lab.informality_basis, lab.underemployment_basis
    )
    return {metric: definition(inputs, metric) for metric in CONCEPTS}


def no_automation(scenario: Scenario) -> Scenario:
    """The counterfactual twin: the same scenario, seeds and levers, with no AI adoption."""
    return with_overrides(scenario, {"uncertainties.adoption_ceiling": 0.0})


def recorded_metrics(metrics: Iterable[str] | None) -> frozenset[str] | None:
    """The monthly metrics a run must record to give ``metrics`` (names of ``SECTOR_METRICS``,
    ``COUNTRY_METRICS`` or running totals, ``CUMULATIVE``): the running totals' monthly
    flows, and ``employed``, which weighs the sector totals of rates. None: all of them.

    Raises:
        KeyError: an unknown metric name.
    """
    if metrics is None:
        return None
    names = set()
    for name in metrics:
        base = CUMULATIVE.get(name, name)
        if base not in SECTOR_METRICS and base not in COUNTRY_METRICS:
            raise KeyError(f"unknown metric {name!r}; see sim.metrics")
        names.add(base)
    return frozenset(names | {"employed"})


def _record(
    model: LabourMarketModel,
    seed: np.random.SeedSequence,
    started: float,
    metrics: frozenset[str] | None = None,
) -> Replication:
    """Step ``model`` to its horizon, collecting every metric each month (or only those in
    ``metrics``, ``recorded_metrics``: the others are NaN). A metric's reporter only reads
    the model, so the ones left out change nothing else."""
    horizon = model.horizon

    def reporters(table: dict) -> list[tuple[int, Callable]]:  # (column, reporter) to record
        return [
            (i, metric.reporter)
            for i, (name, metric) in enumerate(table.items())
            if metrics is None or name in metrics
        ]

    sector_metrics, country_metrics = reporters(SECTOR_METRICS), reporters(COUNTRY_METRICS)
    n_sectors = model.n_sectors
    fill = np.zeros if metrics is None else partial(np.full, fill_value=np.nan)
    sector_out = fill((horizon + 1, len(SECTOR_METRICS), n_sectors))
    country_out = fill((horizon + 1, len(COUNTRY_METRICS)))
    losses = np.zeros((horizon + 1, n_sectors, 2, N_SKILL))
    displaced = np.zeros((horizon + 1, N_STATUS, n_sectors, 2, N_SKILL))
    for month in range(horizon + 1):
        if month:
            model.step()
        for i, reporter in sector_metrics:
            sector_out[month, i] = reporter(model)
        for i, reporter in country_metrics:
            country_out[month, i] = reporter(model)
        losses[month] = model.flow_layoffs * model.scale
        displaced[month] = model.workforce.displaced_stocks.sum(axis=1) * model.scale
    return Replication(
        sector_out,
        country_out,
        losses,
        displaced,
        evaluation=model.evaluation.outcomes.copy(),
        cohort_earnings=model.cohort_earnings * np.array([[model.scale], [model.scale]]),
        cohort_pre=model.cohort.pre_total * model.scale,
        scale=model.scale,
        memory_bytes=model.workforce.memory_bytes(),
        wall_seconds=time.perf_counter() - started,
        number=int(seed.spawn_key[-1]) if seed.spawn_key else 0,
    )


def simulate(
    scenario: Scenario,
    iso3: str,
    tables: DataTables,
    seed: np.random.SeedSequence,
    counterfactual: bool = False,
    metrics: frozenset[str] | None = None,
) -> Replication:
    """Run one replication of one country and collect every metric each month (or only
    ``metrics``, from ``recorded_metrics``; the others are NaN).

    With ``counterfactual``, the same seed is also run with no automation (``twin``), following
    the people laid off by automation in the first run: their earnings there, month by month
    since the layoff they did not have, are the counterfactual of Jacobson, LaLonde and
    Sullivan's comparison. The replication's number is the last element of the seed's spawn key.
    """
    started = time.perf_counter()
    model = make_model(scenario, iso3, tables, seed)
    try:
        replication = _record(model, seed, started, metrics)
        watch = model.cohort.watch_list()
    finally:
        # Mesa 3.3.1 keeps every model alive through Agent._ids (mesa issue 3179); and a model
        # is a web of reference cycles, freed only when the garbage collector next runs, which
        # a numpy-heavy run may not trigger for minutes: the next country would then be built
        # beside the last one's people. Their arrays are dropped now.
        mesa.Agent._ids.pop(model, None)
        model.workforce.release()
    if counterfactual:
        twin = make_model(no_automation(scenario), iso3, tables, seed, watch=watch)
        try:
            replication.twin = _record(twin, seed, time.perf_counter(), metrics)
        finally:
            mesa.Agent._ids.pop(twin, None)
            twin.workforce.release()
    return replication


def resolve_scenario(
    scenario: Scenario | str | Path,
    overrides: dict[str, Any] | None = None,
    countries: Sequence[str] | None = None,
    **settings: Any,
) -> Scenario:
    """A scenario object from a name, path or object, with run settings, overrides and
    countries applied (all checked together, before anything runs).

    Raises:
        ScenarioError: an unknown scenario or key, a value out of range, or countries the
            scenario cannot run for (``sim.scenarios.check_countries``).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    changes = {f"run.{key}": value for key, value in settings.items() if value is not None}
    changes.update(overrides or {})
    if countries is not None:
        if "for_country" not in changes:  # else the changed scenario is checked as a whole
            check_countries(scenario, list(countries))
        changes["countries"] = list(countries)
    return with_overrides(scenario, changes) if changes else scenario


def simulate_in_worker(
    scenario_json: str,
    iso3: str,
    seed: np.random.SeedSequence,
    data_dir: str,
    counterfactual: bool = False,
    metrics: frozenset[str] | None = None,
) -> Replication:
    """``simulate`` in another process: plain arguments in (pickled cheaply), arrays out."""
    tables = load_data(data_dir)  # cached per process and folder
    return simulate(
        Scenario.model_validate_json(scenario_json), iso3, tables, seed, counterfactual, metrics
    )


def warm_up(data_dir: str | None = None) -> None:
    """Import the simulator and load the data in a worker process ahead of the first run."""
    load_data(data_dir)


def simulated_people(scenario: Scenario, iso3: str, tables: DataTables) -> float:
    """About how many people a run of ``iso3`` simulates at the start (``sim.resources.run_size``:
    the scenario's sectors and employment, its scale or the automatic one with the floor of
    simulated people in the sectors in focus)."""
    from sim.resources import run_size

    return float(run_size(scenario, iso3, tables).people)


#: simulated person-months below which a run stays in this process: a worker process takes
#: ~2-3 s to start and import the simulator, about what ~2e8 person-months cost
PARALLEL_MIN_PERSON_MONTHS = 2e8


def parallel_workers(scenario: Scenario, tables: DataTables, counterfactual: bool = False) -> int:
    """How many worker processes run a scenario's (country, replication) runs side by side:
    one per core up to the number of runs, or 1 (serial, in this process) when that is as fast
    (one run, one core, or too little work to pay for starting worker processes)."""
    return _workers(_person_months(scenario, tables, counterfactual))


def _workers(work: list[float]) -> int:
    """``parallel_workers`` from the person-months of each run (``_person_months``)."""
    import os

    cores = os.cpu_count() or 1
    if len(work) < 2 or cores < 2 or sum(work) < PARALLEL_MIN_PERSON_MONTHS:
        return 1
    return min(cores, len(work))


def _person_months(
    scenario: Scenario, tables: DataTables, counterfactual: bool = False
) -> list[float]:
    """Simulated person-months of each (country, replication) run, its twin included."""
    return [
        simulated_people(scenario, iso3, tables)
        * scenario.run.horizon_months
        * (2 if counterfactual else 1)
        for iso3 in scenario.countries
    ] * scenario.run.replications


def fresh_processes(scenario: Scenario, tables: DataTables, counterfactual: bool = False) -> bool:
    """Whether each run should get a fresh worker process (``worker_pool(fresh=True)``): when
    the largest run is itself worth a process's start-up (``PARALLEL_MIN_PERSON_MONTHS``), so
    the start-up is small beside it and its memory goes back to the system the moment it ends.
    Smaller runs share long-lived workers, which start once: ten countries at the automatic
    scale with two replications and their twins are 40 runs of about a second, and a fresh
    process for each (3-4 s to import the simulator) made ``sim region -r 2`` 67-81 s against
    12 s in one process."""
    return _fresh(_person_months(scenario, tables, counterfactual))


def _fresh(work: list[float]) -> bool:
    """``fresh_processes`` from the person-months of each run (``_person_months``)."""
    return max(work) >= PARALLEL_MIN_PERSON_MONTHS


def worker_pool(workers: int, tables: DataTables, fresh: bool = True) -> Executor:
    """A process pool of ``workers`` processes for runs on ``tables``. Close it after use
    (``with`` or ``shutdown``); no process starts before the first run is submitted.

    Processes are started by spawn (Mesa forces it). With ``fresh``, one process per run, so
    each holds only its own country's people and memory peaks at the sum of the runs in flight
    (a finished country's memory goes back to the system at once, instead of lingering in the
    worker's heap under the next one); otherwise each worker runs one run after another
    (``fresh_processes`` says which pays).
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=warm_up,
        initargs=(str(tables.folder),),
        max_tasks_per_child=1 if fresh else None,
    )


def parallel_executor(
    scenario: Scenario, tables: DataTables, counterfactual: bool = False
) -> Executor | None:
    """A process pool to run a scenario's (country, replication) runs side by side
    (``parallel_workers`` processes, ``worker_pool``, a fresh process per run when
    ``fresh_processes``), or None when serial is as fast. Close it after use (``with`` or
    ``shutdown``).
    """
    work = _person_months(scenario, tables, counterfactual)  # each country sized once
    workers = _workers(work)
    return worker_pool(workers, tables, _fresh(work)) if workers > 1 else None


def _within_budget(
    scenario: Scenario,
    tables: DataTables,
    tasks: list[tuple[str, int, np.random.SeedSequence]],
    executor: Executor,
    budget: int,
    counterfactual: bool,
    recorded: frozenset[str] | None,
    progress: Callable[[int, int], None] | None,
) -> list[Replication]:
    """Run ``tasks`` on ``executor`` so that the estimated peaks of the runs submitted and not
    yet finished add up to at most ``budget`` bytes (one run alone may exceed it); the
    results in task order. Whenever a run finishes, the largest waiting runs that fit go next
    (largest first, as without a budget: small countries fill in beside a large one)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from sim.resources import run_size

    text = scenario.model_dump_json()
    need = {
        iso3: run_size(scenario, iso3, tables, counterfactual).model_bytes
        for iso3 in scenario.countries
    }
    waiting = sorted(range(len(tasks)), key=lambda i: -need[tasks[i][0]])
    running: dict[Any, int] = {}  # future -> task number
    results: list[Any] = [None] * len(tasks)
    done = 0
    while waiting or running:
        used = sum(need[tasks[i][0]] for i in running.values())
        for i in list(waiting):
            iso3, _, seq = tasks[i]
            if running and used + need[iso3] > budget:
                continue
            future = executor.submit(
                simulate_in_worker, text, iso3, seq, str(tables.folder), counterfactual, recorded
            )
            running[future] = i
            used += need[iso3]
            waiting.remove(i)
        finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in finished:
            results[running.pop(future)] = future.result()  # a failed run raises here
            done += 1
            if progress:
                progress(done, len(tasks))
    return results


def run_scenario(
    scenario: Scenario | str | Path = "baseline",
    *,
    countries: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    horizon_months: int | None = None,
    scale: int | None = None,
    overrides: dict[str, Any] | None = None,
    data: DataTables | Path | str | None = None,
    executor: Executor | Any | None = None,
    only: Sequence[int] | None = None,
    counterfactual: bool = False,
    progress: Callable[[int, int], None] | None = None,
    metrics: Iterable[str] | None = None,
    memory_budget: int | None = None,
) -> Results:
    """Run a scenario for one or more countries with seeded, independent replications.

    Args:
        scenario: a shipped scenario name (``"baseline"``), a TOML path or a ``Scenario``.
        countries: ISO3 codes; default: the scenario's own countries.
        replications, seed, horizon_months, scale: override the scenario's run settings.
        overrides: dotted scenario keys to change, e.g. ``{"uncertainties.adoption_pace": 2}``.
        data: a data folder (path) or loaded tables; default: the tables shipped with the
            package. A folder's own calibration is used (``sim.flows``).
        executor: anything with ``submit(fn, *args)`` returning a future with ``result()``
            (``concurrent.futures.ProcessPoolExecutor``, a ``dask.distributed.Client``):
            replications run there, with the same numbers as serially. Default: serially.
        only: run just these replication numbers (each in ``range(replications)``), as a
            sweep or a replay does; default: all.
        counterfactual: also run each replication with no automation (same seeds), for the
            net effect of automation and the earnings of the people it lays off
            (``Results.counterfactual``); doubles the run time.
        progress: called with (runs done, runs in total) after each replication.
        metrics: record only these metrics (``sim.metrics`` names, running totals included);
            every other metric of the results is NaN. A sweep that stores a few outcomes
            skips the rest of the monthly reporters (about 5% of a run at the app's scale).
            Default: all.
        memory_budget: with an ``executor`` from ``concurrent.futures`` (``worker_pool``):
            bytes the runs handed to it and not yet finished may take together, by their
            estimated peaks (``sim.resources.RunSize.model_bytes``, an upper bound). Runs go
            largest first; a run that does not fit waits for others to finish, and one that
            alone exceeds the budget runs on its own. Default: no bound (every run submitted
            at once; memory peaks at the sum of the runs in flight).

    Returns:
        Results with tidy tables, summaries and headline numbers (replications in order).

    Raises:
        ScenarioError: an unknown scenario or key, or a value out of range.
        DataError: an unknown country code, or data tables that fail validation.
        ModelError: settings that cannot make a model.
        KeyError: an unknown name in ``metrics``.
        ValueError: a replication number out of range, or a ``memory_budget`` of 0 or less.
    """
    recorded = recorded_metrics(metrics)
    if memory_budget is not None and memory_budget <= 0:
        raise ValueError(f"memory_budget must be a number of bytes above 0, not {memory_budget}")
    scenario = resolve_scenario(
        scenario,
        overrides,
        countries,
        replications=replications,
        seed=seed,
        horizon_months=horizon_months,
        scale=scale,
    )
    tables = data if isinstance(data, DataTables) else load_data(data)
    for iso3 in scenario.countries:
        country_flows(iso3, tables)  # fail early, naming an unknown code or a failed fit
    numbers = list(range(scenario.run.replications)) if only is None else list(only)
    bad = [r for r in numbers if not 0 <= r < scenario.run.replications]
    if bad:
        raise ValueError(f"replication {bad[0]} is outside 0..{scenario.run.replications - 1}")
    streams = {
        iso3: replication_seeds(scenario.run.seed, iso3, scenario.run.replications)
        for iso3 in scenario.countries
    }
    tasks = [(iso3, r, streams[iso3][r]) for iso3 in scenario.countries for r in numbers]
    pending: Iterator[Replication]
    if executor is None:
        pending = (
            simulate(scenario, iso3, tables, seq, counterfactual, recorded)
            for iso3, _, seq in tasks
        )
    elif memory_budget is not None:
        pending = iter(
            _within_budget(
                scenario, tables, tasks, executor, memory_budget, counterfactual, recorded, progress
            )
        )
        progress = None  # called as the runs finish
    else:
        text = scenario.model_dump_json()
        # Largest countries first: the long runs start at once and the short ones fill in
        # around them (results are still collected in task order).
        size = {iso3: simulated_people(scenario, iso3, tables) for iso3 in scenario.countries}
        order = sorted(range(len(tasks)), key=lambda i: -size[tasks[i][0]])
        futures: list[Any] = [None] * len(tasks)
        for i in order:
            iso3, _, seq = tasks[i]
            futures[i] = executor.submit(
                simulate_in_worker, text, iso3, seq, str(tables.folder), counterfactual, recorded
            )
        pending = (future.result() for future in futures)
    runs: dict[str, list[Replication]] = {iso3: [] for iso3 in scenario.countries}
    for done, ((iso3, _, _), replication) in enumerate(zip(tasks, pending, strict=True), 1):
        runs[iso3].append(replication)
        if progress:
            progress(done, len(tasks))
    return Results.from_runs(scenario, runs, tables)
