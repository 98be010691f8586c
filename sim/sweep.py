"""Research sweeps: designs, parallel runs on Dask, results on disk, SQL and sensitivity.

A sweep design (TOML, see ``designs/`` and ``docs/sweeps.md``) names a base scenario, a
country, the parameters to vary (uncertainties and levers, by their dotted scenario keys), a
sampling design (grid, Latin hypercube, Sobol/Saltelli or Morris), replications, run settings
and the outcomes to record. ``load_design`` validates all of it before anything is written;
``run_sweep`` runs every (point, replication) through ``sim.runner.simulate`` - the engine
behind the app and the CLI - serially or on dask.distributed, and appends each batch of
finished runs to a Parquet dataset in the output folder (one part file per batch, written
under a temporary name and renamed, so a killed sweep never leaves a torn file). Re-running
the same design on the same folder resumes it. ``query`` puts DuckDB views ``runs``,
``outcomes`` and ``points`` over the dataset; ``sensitivity`` computes Sobol or Morris indices
with SALib.

Seeds depend only on (base seed, point, replication) through numpy ``SeedSequence``, so a
sweep gives bit-identical numbers serially, on a LocalCluster or on a remote cluster.

Layout of an output folder::

    manifest.json      design (normalised), its hash, base scenario hash, parameters, outcomes
    design.toml        a copy of the design file
    points.parquet     one row per design point: the sampled values (before integer rounding)
    runs/part-*.parquet      one row per finished run (ok or failed), with its provenance
    outcomes/part-*.parquet  run_id x outcome x month -> value, for ok runs
    sensitivity_*.csv  indices written by ``sensitivity``
    events.jsonl       what happened: sweeps started and stopped, workers lost, runs lost
    .lock              advisory lock (flock) held by the running sweep

Faults (see docs/sweeps.md, "Faults and guarantees"): bad input (design, folder, scheduler)
writes nothing; a second sweep on a locked folder is refused; a run that raises is recorded as
failed; a lost Dask worker's runs are rescheduled; a full disk stops the sweep with one line
and keeps every part already written. Re-running resumes to the same results.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import itertools
import json
import math
import os
import re
import socket
import time
import tomllib
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import SweepError
from sim.io import atomic_write
from sim.metrics import COUNTRY_METRICS, CUMULATIVE, SECTOR_METRICS
from sim.provenance import canonical_hash
from sim.scenarios import Scenario, ScenarioError, load_scenario, parameter_table, with_overrides
from sim.vocabulary import SECTORS

__all__ = [
    "Design",
    "SweepError",
    "SweepPlan",
    "SweepResult",
    "check_output",
    "load_design",
    "query",
    "read_events",
    "run_sweep",
    "sensitivity",
]

MAX_DESIGN_BYTES = 256 * 1024
MAX_RUNS = 1_000_000
FORMAT_VERSION = 1
DEFAULT_FLUSH_SECONDS = 2.0
DEFAULT_BATCH_SIZE = 50
DEFAULT_CONNECT_TIMEOUT = 10.0
OWN_FILES = {"manifest.json", "design.toml", "points.parquet", "runs", "outcomes", ".lock",
             "events.jsonl"}
RUN_COLUMNS = ("run_id", "point", "replication", "seed_entropy", "seed_spawn_key", "scenario",
               "base_scenario_hash", "country", "data_hashes", "code_version", "worker",
               "wall_seconds", "finished_at", "status", "error", "part")


# -- the design file ------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parameter(_Strict):
    """One scenario parameter to vary: a range for lhs/sobol/morris, levels for a grid."""

    key: str = Field(..., description="Dotted scenario key, e.g. uncertainties.adoption_pace")
    range: list[float] | None = Field(None, description="[min, max] for lhs, sobol, morris")
    levels: list[Any] | None = Field(None, description="Values for a grid design")
    name: str | None = Field(None, description="Column name (default: the key's last part)")
    kind: Literal["uncertainty", "lever", "structure"] | None = Field(
        None, description="Optional: checked against the kind in the scenario schema")


class Outcome(_Strict):
    """A recorded outcome: a metric's monthly series, optionally for some sectors.

    ``year`` (end of that year) or ``month`` (model month) picks the value that the sensitivity
    analysis uses; by default the last month of the run.
    """

    metric: str
    sector: str | list[str] | None = None
    year: int | None = None
    month: int | None = None
    name: str | None = None


class RunSpec(_Strict):
    """Run settings applied to the base scenario for every run of the sweep."""

    horizon_months: int | None = Field(None, ge=1, le=600)
    scale: int | None = Field(None, ge=1, le=1_000_000)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    start: str | None = None


class Design(_Strict):
    """A sweep design as written in its TOML file."""

    name: str = Field(..., min_length=1, max_length=80)
    description: str = ""
    scenario: str = "baseline"
    country: str | None = None
    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(None, ge=1, le=MAX_RUNS)
    morris_levels: int = Field(4, ge=2, le=20)
    second_order: bool = False
    replications: int = Field(1, ge=1, le=1000)
    common_random_numbers: bool = False
    run: RunSpec = Field(default_factory=RunSpec)
    parameters: list[Parameter] = Field(..., min_length=1)
    outcomes: list[Outcome] = Field(..., min_length=1)


@dataclass(frozen=True)
class ParameterInfo:
    """A validated parameter: where it lives in the scenario and what it is."""

    key: str
    name: str
    kind: str
    unit: str
    integer: bool
    bounds: tuple[float, float] | None
    levels: tuple[Any, ...] | None


@dataclass(frozen=True)
class OutcomeInfo:
    """A validated outcome: metric, sectors (None = all / country metric), analysis month."""

    name: str
    metric: str
    sectors: tuple[str, ...] | None
    month: int


@dataclass
class SweepPlan:
    """Everything needed to run a sweep: the validated design, base scenario and points."""

    design: Design
    origin: str
    text: str | None
    base: Scenario
    iso3: str
    parameters: list[ParameterInfo]
    outcomes: list[OutcomeInfo]
    samples: np.ndarray  # [point, parameter] as sampled (object array for grids)
    values: list[dict[str, Any]]  # per point: parameter name -> value applied to the scenario
    design_hash: str = ""
    base_hash: str = ""

    @property
    def n_points(self) -> int:
        return len(self.values)

    @property
    def total_runs(self) -> int:
        return self.n_points * self.design.replications

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem dict (names and bounds) of a range design."""
        return {"num_vars": len(self.parameters), "names": [p.name for p in self.parameters],
                "bounds": [list(p.bounds) if p.bounds else [0.0, 1.0] for p in self.parameters]}

    def seed(self, point: int, replication: int) -> np.random.SeedSequence:
        """The stream of one run: from (base seed, point, replication) only."""
        key = (replication,) if self.design.common_random_numbers else (point, replication)
        return np.random.SeedSequence(self.base.run.seed, spawn_key=key)

    def tasks(self) -> Iterator[dict[str, Any]]:
        """One plain, picklable task per (point, replication), in a fixed order."""
        base = self.base.model_dump(mode="json")
        outcomes = [(o.name, o.metric, o.sectors) for o in self.outcomes]
        by_name = {p.name: p.key for p in self.parameters}
        for point, values in enumerate(self.values):
            overrides = {by_name[name]: value for name, value in values.items()}
            for rep in range(self.design.replications):
                seq = self.seed(point, rep)
                yield {"run_id": run_id(point, rep), "point": point, "replication": rep,
                       "base": base, "overrides": overrides, "iso3": self.iso3,
                       "entropy": seq.entropy, "spawn_key": tuple(seq.spawn_key),
                       "outcomes": outcomes}


def run_id(point: int, replication: int) -> str:
    """The identifier of one run, stable across sessions and machines."""
    return f"p{point:06d}-r{replication:03d}"


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: dict[str, Any], origin: str) -> str:
    key = _loc(error["loc"])
    if error["type"] == "extra_forbidden":
        parent = tuple(p for p in error["loc"][:-1] if not isinstance(p, int))
        model = {(): Design, ("parameters",): Parameter, ("outcomes",): Outcome,
                 ("run",): RunSpec}.get(parent)
        close = difflib.get_close_matches(str(error["loc"][-1]), list(model.model_fields)
                                          if model else [], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{origin}: unknown key {key!r}{hint}"
    if error["type"] == "missing":
        return f"{origin}: missing required key {key!r}"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, dict) else "table"
    return f"{origin}: key {key!r} = {shown[:60]}: {error['msg'].removeprefix('Value error, ')}"


def load_design(path: str | Path) -> SweepPlan:
    """Read, validate and plan a design file; every problem is a one-line ``SweepError``."""
    path = Path(path)
    origin = str(path)
    if not path.is_file():
        raise SweepError(f"{origin}: design file not found")
    if path.stat().st_size > MAX_DESIGN_BYTES:
        raise SweepError(f"{origin}: larger than {MAX_DESIGN_BYTES // 1024} KiB")
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise SweepError(f"{origin}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SweepError(f"{origin}: not valid TOML: {exc}") from None
    try:
        design = Design.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise SweepError(_describe(errors[0], origin) + more) from None
    return plan_design(design, origin, text, base_dir=path.parent)


def _field_type(key: str) -> Any:
    """The annotation of a dotted scenario key (None if not a field)."""
    model: Any = Scenario
    annotation = None
    for part in key.split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)) \
                or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        model = annotation
    return annotation


def _numeric(annotation: Any) -> str | None:
    """'int' or 'float' for numeric fields (optionally nullable), else None."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) \
        or typing.get_origin(annotation) is typing.Union else (annotation,)
    options = [o for o in options if o is not type(None)]
    if options == [int]:
        return "int"
    if options == [float] or set(options) == {int, float}:
        return "float"
    return None


def _is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def plan_design(design: Design, origin: str = "design", text: str | None = None,
                base_dir: Path | None = None) -> SweepPlan:
    """Check a design against the scenario schema, the data and the metrics; sample points."""
    from sim.data import DataError, load_data
    from sim.runner import resolve_scenario

    # Base scenario, with the design's run settings.
    scenario_ref: str | Path = design.scenario
    if base_dir is not None and (design.scenario.endswith(".toml") or "/" in design.scenario):
        candidate = base_dir / design.scenario
        scenario_ref = candidate if candidate.is_file() else Path(design.scenario)
    try:
        base = load_scenario(scenario_ref)
        run = design.run
        base = resolve_scenario(base, None, horizon_months=run.horizon_months, scale=run.scale,
                                seed=run.seed, start=run.start)
    except ScenarioError as exc:
        raise SweepError(f"{origin}: key 'scenario' / [run]: {exc}") from None
    iso3 = (design.country or base.countries[0]).strip().upper()
    try:
        load_data().country(iso3)
    except DataError as exc:
        raise SweepError(f"{origin}: key 'country': {exc}") from None
    base = with_overrides(base, {"countries": [iso3]}, origin)

    parameters = _check_parameters(design, base, origin)
    outcomes = _check_outcomes(design, base, origin)
    samples, values = _sample(design, parameters, base.run.seed)
    if len(values) * design.replications > MAX_RUNS:
        raise SweepError(f"{origin}: {len(values) * design.replications:,} runs; at most "
                         f"{MAX_RUNS:,} per sweep")
    plan = SweepPlan(design, origin, text, base, iso3, parameters, outcomes, samples, values)
    plan.design_hash = canonical_hash(design.model_dump(mode="json"))
    plan.base_hash = canonical_hash(base.model_dump(mode="json"))
    return plan


def _check_parameters(design: Design, base: Scenario, origin: str) -> list[ParameterInfo]:
    table = {row["key"]: row for row in parameter_table()}
    out: list[ParameterInfo] = []
    names: set[str] = set()
    ranged = design.design != "grid"
    for i, spec in enumerate(design.parameters):
        where = f"{origin}: parameters[{i}]"
        key = spec.key
        if key not in table:
            try:
                with_overrides(base, {key: None}, f"{where}.key")
            except ScenarioError as exc:
                if "unknown key" in str(exc):
                    raise SweepError(str(exc)) from None
            raise SweepError(f"{where}.key: {key!r} is not a parameter that a sweep can vary "
                             "(see `sim params`)")
        row = table[key]
        if row["kind"] == "run" or key.startswith("run."):
            raise SweepError(f"{where}.key: {key!r} is a run setting; set it in [run] instead")
        if spec.kind is not None and spec.kind != row["kind"]:
            raise SweepError(f"{where}.kind: {key!r} is a {row['kind']} in the scenario "
                             f"schema, not a {spec.kind}")
        name = spec.name or key.rsplit(".", 1)[-1]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SweepError(f"{where}.name: {name!r} must be letters, digits and _")
        if name in names or name in RUN_COLUMNS:
            raise SweepError(f"{where}.name: column name {name!r} is already used; give this "
                             "parameter another name = \"...\"")
        names.add(name)
        numeric = _numeric(_field_type(key))
        bounds = levels = None
        if ranged:
            if spec.range is None or spec.levels is not None:
                raise SweepError(f"{where}.range: a {design.design} design needs range = "
                                 "[min, max] (and no levels)")
            if numeric is None:
                raise SweepError(f"{where}.range: {key!r} is not a number; vary it with a grid "
                                 "design and levels")
            if len(spec.range) != 2:
                raise SweepError(f"{where}.range: write it as [min, max], got {spec.range}")
            lo, hi = spec.range
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise SweepError(f"{where}.range: bounds must be finite numbers")
            if lo > hi:
                raise SweepError(f"{where}.range: reversed bounds: min {lo} is above max {hi}")
            if lo == hi or (numeric == "int" and math.floor(hi) < math.ceil(lo)):
                raise SweepError(f"{where}.range: empty range [{lo}, {hi}]; min must be below "
                                 "max (to fix a value, set it in the base scenario)")
            bounds = (float(lo), float(hi))
            probes = [_apply_type(lo, numeric), _apply_type(hi, numeric)]
        else:
            if spec.levels is None or spec.range is not None:
                raise SweepError(f"{where}.levels: a grid design needs levels = [...] "
                                 "(and no range)")
            if not spec.levels:
                raise SweepError(f"{where}.levels: empty list; give at least one level")
            if len({json.dumps(v, sort_keys=True) for v in spec.levels}) != len(spec.levels):
                raise SweepError(f"{where}.levels: repeated level in {spec.levels}")
            levels = tuple(spec.levels)
            probes = list(levels)
        for value in probes:
            try:
                with_overrides(base, {key: value}, where)
            except ScenarioError as exc:
                raise SweepError(str(exc)) from None
        out.append(ParameterInfo(key, name, row["kind"], row["unit"], numeric == "int",
                                 bounds, levels))
    n = len(out)
    if design.design == "grid":
        if design.samples is not None:
            raise SweepError(f"{origin}: key 'samples': a grid design takes no samples (the "
                             "levels make the grid)")
    elif design.samples is None:
        raise SweepError(f"{origin}: missing required key 'samples' for a {design.design} "
                         "design")
    elif design.design == "sobol" and not _is_power_of_two(design.samples):
        raise SweepError(f"{origin}: key 'samples' = {design.samples}: Sobol base samples N "
                         "must be a power of two (e.g. 8, 64, 512)")
    elif design.design == "morris" and design.samples < 2:
        raise SweepError(f"{origin}: key 'samples': Morris needs at least 2 trajectories")
    if design.design in {"sobol", "morris"} and n < 2:
        raise SweepError(f"{origin}: key 'parameters': {design.design} analysis needs at "
                         "least 2 parameters")
    return out


def _apply_type(value: Any, numeric: str | None) -> Any:
    if numeric == "int":
        return int(round(float(value)))
    if numeric == "float":
        return float(value)
    return value


def _month_of(start: str, year: int, month: int = 12) -> int:
    first = pd.Period(start, freq="M")
    return (pd.Period(year=year, month=month, freq="M") - first).n


def _check_outcomes(design: Design, base: Scenario, origin: str) -> list[OutcomeInfo]:
    known = [*SECTOR_METRICS, *COUNTRY_METRICS, *CUMULATIVE]
    horizon = base.run.horizon_months
    out: list[OutcomeInfo] = []
    for i, spec in enumerate(design.outcomes):
        where = f"{origin}: outcomes[{i}]"
        if spec.metric not in known:
            close = difflib.get_close_matches(spec.metric, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SweepError(f"{where}.metric: unknown metric {spec.metric!r}{hint}; see "
                             "sim.metrics")
        is_country = spec.metric in COUNTRY_METRICS or CUMULATIVE.get(spec.metric) in \
            COUNTRY_METRICS
        sectors = None
        if spec.sector is not None:
            if is_country:
                raise SweepError(f"{where}.sector: {spec.metric!r} is a whole-economy metric "
                                 "with no sectors")
            sectors = (spec.sector,) if isinstance(spec.sector, str) else tuple(spec.sector)
            for s in sectors:
                if s not in SECTORS:
                    close = difflib.get_close_matches(s, SECTORS, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise SweepError(f"{where}.sector: unknown sector {s!r}{hint}")
            if not sectors:
                raise SweepError(f"{where}.sector: empty list")
        if spec.year is not None and spec.month is not None:
            raise SweepError(f"{where}: give year or month, not both")
        if spec.year is not None:
            month = _month_of(base.run.start, spec.year)
            label = f"@{spec.year}"
        elif spec.month is not None:
            month, label = spec.month, f"@m{spec.month}"
        else:
            month, label = horizon, ""
        if not 0 <= month <= horizon:
            last = pd.Period(base.run.start, freq="M") + horizon
            key = "year" if spec.year is not None else "month"
            raise SweepError(f"{where}.{key}: outside the run ({base.run.start} to {last}, "
                             f"{horizon} months); raise run.horizon_months")
        name = spec.name or spec.metric + (f"[{'+'.join(sectors)}]" if sectors else "") + label
        if any(o.name == name for o in out):
            raise SweepError(f"{where}.name: outcome name {name!r} is already used")
        out.append(OutcomeInfo(name, spec.metric, sectors, month))
    return out


def _sample(design: Design, parameters: list[ParameterInfo], seed: int
            ) -> tuple[np.ndarray, list[dict[str, Any]]]:
    names = [p.name for p in parameters]
    if design.design == "grid":
        rows = list(itertools.product(*[p.levels for p in parameters]))
        samples = np.empty((len(rows), len(parameters)), dtype=object)
        for i, row in enumerate(rows):
            samples[i] = row
        return samples, [dict(zip(names, row, strict=True)) for row in rows]
    problem = {"num_vars": len(parameters), "names": names,
               "bounds": [list(p.bounds) for p in parameters]}
    n = design.samples
    if design.design == "lhs":
        from scipy.stats import qmc
        unit = qmc.LatinHypercube(d=len(parameters), seed=seed).random(n)
        lo = np.array([p.bounds[0] for p in parameters])
        hi = np.array([p.bounds[1] for p in parameters])
        samples = lo + unit * (hi - lo)
    elif design.design == "sobol":
        from SALib.sample import sobol
        samples = sobol.sample(problem, n, calc_second_order=design.second_order, seed=seed)
    else:
        from SALib.sample import morris
        samples = morris.sample(problem, n, num_levels=design.morris_levels, seed=seed)
    values = [{p.name: _apply_type(v, "int" if p.integer else "float")
               for p, v in zip(parameters, row, strict=True)} for row in samples]
    return np.asarray(samples, dtype=float), values


# -- one run (on a worker or in this process) ------------------------------------------------


def execute(task: dict[str, Any]) -> dict[str, Any]:
    """Run one (point, replication) and return its record; errors are caught and recorded."""
    from sim.data import load_data
    from sim.provenance import code_version
    from sim.runner import Results, simulate

    started = time.perf_counter()
    record: dict[str, Any] = {"run_id": task["run_id"], "point": task["point"],
                              "replication": task["replication"], "worker": socket.gethostname(),
                              "series": {}, "error": None, "status": "ok"}
    try:
        tables = load_data()
        record["data_hashes"] = json.dumps(tables.hashes, sort_keys=True)
        record["code_version"] = code_version()
        scenario = with_overrides(Scenario.model_validate(task["base"]), task["overrides"],
                                  f"run {task['run_id']}")
        seq = np.random.SeedSequence(task["entropy"], spawn_key=task["spawn_key"])
        replication = simulate(scenario, task["iso3"], tables, seq)
        results = Results.from_runs(scenario, {task["iso3"]: [replication]}, tables)
        for name, metric, sectors in task["outcomes"]:
            record["series"][name] = np.asarray(
                results.values(metric, task["iso3"], sectors)[0], dtype=np.float64)
    except Exception as exc:  # a failed run is data: recorded, retried with --retry-failed
        record.update(status="failed", series={},
                      error=f"{type(exc).__name__}: {exc}"[:2000])
    record["wall_seconds"] = time.perf_counter() - started
    return record


def _failed_record(task: dict[str, Any], exc: BaseException, note: str = ""
                   ) -> dict[str, Any]:
    error = " ".join(f"{type(exc).__name__}: {exc}".split()) + (f" ({note})" if note else "")
    return {"run_id": task["run_id"], "point": task["point"],
            "replication": task["replication"], "worker": "", "series": {}, "status": "failed",
            "error": error[:2000], "wall_seconds": 0.0}


def _serial(tasks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for task in tasks:
        yield execute(task)


class _Dask:
    """A connection to dask.distributed: a LocalCluster, or a running scheduler.

    Connecting happens before anything is written, so a bad ``--scheduler`` leaves no trace.
    Workers lost while the sweep runs are noted (the scheduler's ``remove-worker`` events) and
    their tasks are rescheduled by Dask; a run whose future still fails is yielded as ``lost``
    (not written, so a re-run does it) unless Dask gave up on it (``KilledWorker``: the run
    took down several workers), which is recorded as a failed run.
    """

    def __init__(self, scheduler: str | None, workers: int | None, timeout: float):
        import logging

        from dask.distributed import Client, LocalCluster

        self.cluster = None
        self.events: list[tuple[float, dict[str, Any]]] = []
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=timeout)
            except Exception as exc:  # OSError (refused, timed out), ValueError (bad address)
                message = " ".join(str(exc).split()) or type(exc).__name__
                raise SweepError(f"--scheduler {scheduler}: cannot connect within "
                                 f"{timeout:g} s ({message}); nothing was written") from None
        else:
            try:
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                            threads_per_worker=1, processes=True,
                                            dashboard_address=":0",
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            except Exception as exc:
                self.close()
                message = " ".join(str(exc).split()) or type(exc).__name__
                raise SweepError(f"cannot start a local Dask cluster ({message}); try "
                                 "--workers 0 to run serially") from None
        with contextlib.suppress(Exception):  # events are a record, not a requirement
            self.client.subscribe_topic("all", self.events.append)

    def worker_events(self) -> list[dict[str, Any]]:
        """Workers lost or added since the last call (drained)."""
        out = []
        while self.events:
            stamp, msg = self.events.pop(0)
            if isinstance(msg, dict) and msg.get("action") in {"remove-worker", "add-worker"}:
                out.append({"event": "worker-lost" if msg["action"] == "remove-worker"
                            else "worker-added", "worker": msg.get("worker", ""),
                            "scheduler_time": stamp,
                            "runs_in_flight": sorted(str(k).split("-", 2)[-1] for k in
                                                     msg.get("processing-tasks", ()))})
        return out

    def records(self, tasks: list[dict[str, Any]], tag: str) -> Iterator[dict[str, Any]]:
        """Run tasks, yielding records as they complete.

        At most a few tasks per worker thread are in flight, so a sweep of a million runs does
        not flood the scheduler; task keys are ``sweep-<design hash>-<run_id>``.
        """
        from dask.distributed import as_completed
        from distributed.scheduler import KilledWorker

        client = self.client
        threads = max(1, sum(client.nthreads().values()))
        pending = iter(tasks)
        by_key: dict[str, dict[str, Any]] = {}

        def submit(task: dict[str, Any]):
            key = f"sweep-{tag}-{task['run_id']}"
            by_key[key] = task
            return client.submit(execute, task, key=key, pure=False, retries=0)

        first = [submit(t) for t in itertools.islice(pending, max(8, 4 * threads))]
        queue = as_completed(first)
        for future in queue:
            task = by_key.pop(future.key)
            try:
                record = future.result()
            except KilledWorker as exc:  # Dask gave up: the run kept killing its workers
                record = _failed_record(task, exc, "the run's worker died each time it ran "
                                                   "(out of memory or a crash?)")
            except Exception as exc:  # the scheduler lost the task: not a result; re-run it
                record = _failed_record(task, exc)
                record["status"] = "lost"
            future.release()
            nxt = next(pending, None)
            if nxt is not None:
                queue.add(submit(nxt))
            yield record

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:  # else the scheduler logs a failed send of our own goodbye
            with contextlib.suppress(Exception):
                client.unsubscribe_topic("all")
        for thing in (client, self.cluster):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()


# -- the output folder ----------------------------------------------------------------------


def _manifest(plan: SweepPlan) -> dict[str, Any]:
    from sim.provenance import code_version
    return {
        "format": FORMAT_VERSION,
        "name": plan.design.name,
        "design_file": plan.origin,
        "design_hash": plan.design_hash,
        "design": plan.design.model_dump(mode="json"),
        "base_scenario": plan.base.name,
        "base_scenario_hash": plan.base_hash,
        "country": plan.iso3,
        "method": plan.design.design,
        "n_points": plan.n_points,
        "replications": plan.design.replications,
        "total_runs": plan.total_runs,
        "seed": plan.base.run.seed,
        "seed_streams": "numpy SeedSequence(seed, spawn_key=(point, replication))"
                        if not plan.design.common_random_numbers else
                        "numpy SeedSequence(seed, spawn_key=(replication,)) (common random "
                        "numbers across points)",
        "start": plan.base.run.start,
        "horizon_months": plan.base.run.horizon_months,
        "parameters": [{"key": p.key, "name": p.name, "kind": p.kind, "unit": p.unit,
                        "integer": p.integer, "range": list(p.bounds) if p.bounds else None,
                        "levels": list(p.levels) if p.levels else None}
                       for p in plan.parameters],
        "outcomes": [{"name": o.name, "metric": o.metric,
                      "sector": list(o.sectors) if o.sectors else None, "month": o.month}
                     for o in plan.outcomes],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": code_version(),
    }


def _differences(old: Any, new: Any, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += _differences(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and \
            all(isinstance(x, dict) for x in old + new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True))
                for d in _differences(a, b, f"{where}[{i}]")]
    return [] if old == new else [f"{where} ({json.dumps(old)} -> {json.dumps(new)})"]


def check_output(out: Path, plan: SweepPlan, *, probe_lock: bool = True) -> bool:
    """Check, writing nothing, that ``out`` can take this sweep: True if it already holds it.

    Refuses a folder that holds another design, a folder with foreign files, a file, and a
    folder on which another sweep is running (its lock is held).
    """
    out = Path(out)
    manifest_path = out / "manifest.json"
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out}: exists and is not a folder")
    if probe_lock:
        _check_unlocked(out)
    if manifest_path.is_file():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{manifest_path}: unreadable manifest ({exc})") from None
        if old.get("design_hash") != plan.design_hash:
            diffs = _differences(old.get("design"), plan.design.model_dump(mode="json"))
            shown = "; ".join(diffs[:4]) + (f"; and {len(diffs) - 4} more" if len(diffs) > 4
                                            else "")
            raise SweepError(f"{out}: holds sweep {old.get('name')!r} from a different design "
                             f"({plan.origin} differs in: {shown}); use another --out folder")
        if old.get("base_scenario_hash") != plan.base_hash:
            raise SweepError(f"{out}: the base scenario {plan.base.name!r} has changed since "
                             "this sweep started; use another --out folder")
        return True
    if out.exists():
        foreign = [p.name for p in out.iterdir()
                   if p.name not in OWN_FILES and not p.name.endswith(".tmp")]
        if foreign:
            raise SweepError(f"{out}: folder is not empty and holds no sweep (found "
                             f"{foreign[0]!r}); use a new or empty --out folder")
    return False


def prepare_output(out: Path, plan: SweepPlan) -> None:
    """Create the folder for a new sweep, or check that it holds this very sweep (idempotent).

    Call it holding the folder's lock (``run_sweep`` does); temporary files left by a killed
    sweep are removed.
    """
    out = Path(out)
    manifest_path = out / "manifest.json"
    if check_output(out, plan, probe_lock=False):
        for tmp in itertools.chain(out.glob(".*.tmp"), out.glob("*/.*.tmp")):
            tmp.unlink(missing_ok=True)  # left by a killed sweep
        return
    (out / "runs").mkdir(parents=True, exist_ok=True)
    (out / "outcomes").mkdir(exist_ok=True)
    points = pd.DataFrame({"point": np.arange(plan.n_points)})
    for j, p in enumerate(plan.parameters):
        column = plan.samples[:, j]
        points[p.name] = column if p.levels is None else [json.dumps(v) if isinstance(
            v, list | dict) else v for v in column]
    atomic_write(out / "points.parquet", lambda tmp: points.to_parquet(tmp, index=False))
    if plan.text is not None:
        atomic_write(out / "design.toml",
                      lambda tmp: tmp.write_text(plan.text, encoding="utf-8"))
    atomic_write(manifest_path, lambda tmp: tmp.write_text(
        json.dumps(_manifest(plan), indent=2), encoding="utf-8"))


def _lock_holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if text:
            return text
    return "holder unknown"


def _check_unlocked(out: Path) -> None:
    """Refuse, writing nothing, if a live sweep holds ``out/.lock``."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return
    lock = out / ".lock"
    if not lock.is_file():
        return
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return  # unreadable lock file: _locked decides
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SweepError(f"{out}: another sweep is running on this folder ({_lock_holder(fd)}"
                         "); wait for it to finish or use another --out folder") from None
    finally:
        os.close(fd)  # also releases the probe's lock


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an advisory lock on ``out/.lock`` (created with the folder if needed).

    ``flock`` locks belong to the open file: the kernel releases them when the process exits,
    however it dies, so a killed sweep never blocks the next one.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        out.mkdir(parents=True, exist_ok=True)
        yield
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SweepError(f"{out}: cannot create the output folder or its lock "
                         f"({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepError(f"{out}: another sweep is running on this folder "
                             f"({_lock_holder(fd)}); wait for it to finish or use another "
                             "--out folder") from None
        with contextlib.suppress(OSError):  # who holds it, for the message above
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since "
                          f"{datetime.now(UTC).isoformat(timespec='seconds')}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


class _Events:
    """``events.jsonl``: one JSON line per event (start, workers lost, runs lost, stop, end).

    Best effort: a full disk must not turn the record of a problem into another problem.
    """

    def __init__(self, out: Path):
        self.path = out / "events.jsonl"

    def log(self, event: str, **fields: Any) -> None:
        line = json.dumps({"time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                           "event": event, "pid": os.getpid(), **fields}, default=str)
        with contextlib.suppress(OSError), open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def read_events(out_dir: str | Path) -> list[dict[str, Any]]:
    """The events of a sweep folder (``events.jsonl``), oldest first; torn lines skipped."""
    path = Path(out_dir) / "events.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _disk_error(out: Path, exc: OSError, saved: int) -> SweepError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "no space left on device"
    return SweepError(f"{out}: cannot write results ({reason}); the sweep stopped, {saved} "
                      "runs saved in this session are kept; free space and run the same "
                      "command again to resume")


def _runs_schema(plan: SweepPlan):
    import pyarrow as pa
    fields = [("run_id", pa.string()), ("point", pa.int64()), ("replication", pa.int64()),
              ("seed_entropy", pa.string()), ("seed_spawn_key", pa.string())]
    for p in plan.parameters:
        values = [v[p.name] for v in plan.values[:1]] or [0.0]
        v = values[0]
        if p.levels is not None and not all(isinstance(x, type(v)) for x in p.levels):
            kind = pa.string()
        elif isinstance(v, bool):
            kind = pa.bool_()
        elif isinstance(v, int):
            kind = pa.int64()
        elif isinstance(v, float):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append((p.name, kind))
    fields += [("scenario", pa.string()), ("base_scenario_hash", pa.string()),
               ("country", pa.string()), ("data_hashes", pa.string()),
               ("code_version", pa.string()), ("worker", pa.string()),
               ("wall_seconds", pa.float64()), ("finished_at", pa.timestamp("us", tz="UTC")),
               ("status", pa.string()), ("error", pa.string()), ("part", pa.string())]
    return pa.schema(fields)


class _Writer:
    """Buffers finished runs and writes them as part files: outcomes first, then runs.

    A run counts as done once its row is in a runs part; outcome rows of a part whose runs
    part never landed (a kill between the two renames) are ignored by the views, which join
    outcomes to runs on (run_id, part).
    """

    def __init__(self, out: Path, plan: SweepPlan, batch_size: int, flush_seconds: float):
        self.out, self.plan = out, plan
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()
        self.schema = _runs_schema(plan)
        self.dates = pd.period_range(plan.base.run.start,
                                     periods=plan.base.run.horizon_months + 1,
                                     freq="M").strftime("%Y-%m").to_numpy()
        self.parts = 0
        self.saved = 0  # runs written by this writer

    def add(self, record: dict[str, Any]) -> None:
        self.buffer.append(record)
        if len(self.buffer) >= self.batch_size or \
                time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.last_flush = time.monotonic()
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        part = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        now = datetime.now(UTC)
        plan = self.plan
        run_ids, outcome_names, months, values = [], [], [], []
        for rec in batch:
            for name, series in rec["series"].items():
                run_ids.append(np.full(len(series), rec["run_id"], dtype=object))
                outcome_names.append(np.full(len(series), name, dtype=object))
                months.append(np.arange(len(series), dtype=np.int32))
                values.append(series)
        outcomes_path = self.out / "outcomes" / f"{part}.parquet"
        if values:
            month = np.concatenate(months)
            outcomes = pa.table({
                "run_id": pa.array(np.concatenate(run_ids), pa.string()),
                "part": pa.array([part] * len(month), pa.string()),
                "outcome": pa.array(np.concatenate(outcome_names), pa.string()),
                "month": pa.array(month, pa.int32()),
                "date": pa.array(self.dates[month], pa.string()),
                "value": pa.array(np.concatenate(values), pa.float64()),
            })
            try:
                atomic_write(outcomes_path, lambda tmp: pq.write_table(outcomes, tmp))
            except OSError as exc:
                raise _disk_error(self.out, exc, self.saved) from None
        rows = []
        for rec in batch:
            point, rep = rec["point"], rec["replication"]
            seq = plan.seed(point, rep)
            row = {"run_id": rec["run_id"], "point": point, "replication": rep,
                   "seed_entropy": str(seq.entropy),
                   "seed_spawn_key": ",".join(str(k) for k in seq.spawn_key)}
            for p in plan.parameters:
                v = plan.values[point][p.name]
                row[p.name] = json.dumps(v) if self.schema.field(p.name).type == pa.string() \
                    and not isinstance(v, str) else v
            row.update(scenario=plan.base.name, base_scenario_hash=plan.base_hash,
                       country=plan.iso3, data_hashes=rec.get("data_hashes", ""),
                       code_version=rec.get("code_version", ""), worker=rec.get("worker", ""),
                       wall_seconds=float(rec["wall_seconds"]), finished_at=now,
                       status=rec["status"], error=rec["error"], part=part)
            rows.append(row)
        runs = pa.Table.from_pylist(rows, schema=self.schema)
        try:
            atomic_write(self.out / "runs" / f"{part}.parquet",
                          lambda tmp: pq.write_table(runs, tmp))
        except OSError as exc:
            with contextlib.suppress(OSError):  # its outcomes would be ignored; drop them
                outcomes_path.unlink(missing_ok=True)
            raise _disk_error(self.out, exc, self.saved) from None
        self.parts += 1
        self.saved += len(batch)


def _statuses(out: Path) -> dict[str, str]:
    """run_id -> 'ok' or 'failed' for every run already recorded (ok wins)."""
    if not any((out / "runs").glob("*.parquet")):
        return {}
    frame = query(out, "SELECT run_id, status FROM runs")
    return dict(zip(frame["run_id"], frame["status"], strict=True))


# -- the entry point ------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What ``run_sweep`` did: runs in the design, already done, run now, failed, lost."""

    out_dir: Path
    total: int
    skipped: int
    completed: int
    failed: int
    failed_total: int
    wall_seconds: float
    parts: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    lost: int = 0  # runs the cluster lost (not recorded): a plain re-run does them
    workers_lost: int = 0

    @property
    def runs_per_second(self) -> float:
        """Runs finished in this call per wall-clock second."""
        done = self.completed + self.failed
        return done / self.wall_seconds if self.wall_seconds > 0 else float("nan")

    @property
    def complete(self) -> bool:
        """Every run of the design is recorded ok."""
        return self.skipped - (self.failed_total - self.failed) + self.completed == self.total

    def runs(self) -> pd.DataFrame:
        """The consolidated run table (one row per run)."""
        return query(self.out_dir, "SELECT * FROM runs ORDER BY run_id")

    def outcomes(self) -> pd.DataFrame:
        """The outcomes table of the consolidated runs."""
        return query(self.out_dir, "SELECT * FROM outcomes ORDER BY run_id, outcome, month")


def _todo(plan: SweepPlan, statuses: dict[str, str], retry_failed: bool
          ) -> tuple[list[dict[str, Any]], int, int]:
    todo, ok_before, failed_kept = [], 0, 0
    for task in plan.tasks():
        status = statuses.get(task["run_id"])
        if status == "ok":
            ok_before += 1
        elif status == "failed" and not retry_failed:
            failed_kept += 1
        else:
            todo.append(task)
    return todo, ok_before, failed_kept


def run_sweep(
    design: str | Path | SweepPlan,
    out_dir: str | Path,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    *,
    retry_failed: bool = False,
    serial: bool = False,
    batch_size: int | None = None,
    flush_seconds: float = DEFAULT_FLUSH_SECONDS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> SweepResult:
    """Run (or resume) a sweep and write its results to ``out_dir``.

    Order of work, so that bad input writes nothing: validate the design and the folder
    (read only), connect to Dask, then take the folder's lock and write. Faults while running:
    a run that raises is recorded as failed (rerun with ``retry_failed``); a lost worker's runs
    are rescheduled by Dask (a run Dask could not finish is left unrecorded, so a re-run does
    it); a full disk stops the sweep with a ``SweepError`` keeping every part already written.
    What happened is logged in ``out_dir/events.jsonl``.

    Args:
        design: a design TOML path, or a plan from ``load_design``.
        out_dir: the output folder; re-running on it skips the runs already finished.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); default: a
            LocalCluster with one single-threaded worker process per core.
        workers: LocalCluster worker processes (default: the machine's cores); 0 = serial.
        progress: called with (runs finished ok, runs failed, runs in total) as runs finish.
        retry_failed: run again the runs recorded as failed.
        serial: run in this process without Dask (same results, bit for bit).
        batch_size: runs per Parquet part file (default 50; a part is also written every
            ``flush_seconds``).
        connect_timeout: seconds to wait for ``scheduler``.

    Returns:
        A SweepResult; the data are in ``out_dir`` (see ``query``).

    Raises:
        SweepError: bad design or folder, unreachable scheduler, folder locked by another
            sweep, or results that cannot be written (one line each).
    """
    plan = design if isinstance(design, SweepPlan) else load_design(design)
    out = Path(out_dir)
    started = time.perf_counter()
    exists = check_output(out, plan)  # read only
    todo, _, _ = _todo(plan, _statuses(out) if exists else {}, retry_failed)
    dask = None
    if todo and not (serial or workers == 0):
        dask = _Dask(scheduler, workers, connect_timeout)  # before anything is written
    try:
        with _locked(out):
            try:
                prepare_output(out, plan)
            except OSError as exc:
                raise _disk_error(out, exc, 0) from None
            return _run_locked(plan, out, dask, progress, retry_failed, batch_size,
                               flush_seconds, started, scheduler, workers)
    finally:
        if dask is not None:
            dask.close()


def _run_locked(plan: SweepPlan, out: Path, dask: _Dask | None,
                progress: Callable[[int, int, int], None] | None, retry_failed: bool,
                batch_size: int | None, flush_seconds: float, started: float,
                scheduler: str | None, workers: int | None) -> SweepResult:
    # Statuses again, under the lock: nobody else writes now.
    todo, ok_before, failed_kept = _todo(plan, _statuses(out), retry_failed)
    writer = _Writer(out, plan, batch_size or DEFAULT_BATCH_SIZE, flush_seconds)
    events = _Events(out)
    ok, failed, lost, workers_lost = ok_before, failed_kept, 0, 0
    mode = "serial" if dask is None else (scheduler or f"local cluster ({workers or 'auto'})")
    events.log("sweep-started", host=socket.gethostname(), mode=mode, total=plan.total_runs,
               already_ok=ok_before, failed_kept=failed_kept, to_run=len(todo),
               retry_failed=retry_failed)
    if progress:
        progress(ok, failed, plan.total_runs)

    def note_workers() -> None:
        nonlocal workers_lost
        for event in dask.worker_events() if dask is not None else ():
            workers_lost += event["event"] == "worker-lost"
            events.log(**event)

    if todo:
        records = _serial(todo) if dask is None else dask.records(todo, plan.design_hash[:10])
        try:
            for record in records:
                note_workers()
                if record["status"] == "lost":
                    lost += 1
                    events.log("run-lost", run_id=record["run_id"], error=record["error"])
                    continue
                writer.add(record)
                if record["status"] == "ok":
                    ok += 1
                else:
                    failed += 1
                if progress:
                    progress(ok, failed, plan.total_runs)
            writer.flush()
        except SweepError as exc:  # the disk: what was written stays; nothing half-written
            events.log("sweep-stopped", error=str(exc), saved=writer.saved)
            raise
        except BaseException as exc:  # Ctrl-C or a bug: keep what finished
            with contextlib.suppress(SweepError):
                writer.flush()
            events.log("sweep-stopped", error=f"{type(exc).__name__}: {exc}",
                       saved=writer.saved)
            raise
        finally:
            records.close()  # stops submitting now, not at garbage collection
        note_workers()
    events.log("sweep-finished", ok=ok, failed=failed, lost=lost, workers_lost=workers_lost,
               written=writer.saved)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return SweepResult(out, plan.total_runs, ok_before + failed_kept, ok - ok_before,
                       failed - failed_kept, failed, time.perf_counter() - started,
                       writer.parts, manifest, lost, workers_lost)


# -- querying and analysis ------------------------------------------------------------------


def _read_manifest(out: Path) -> dict[str, Any]:
    path = Path(out) / "manifest.json"
    if not path.is_file():
        raise SweepError(f"{out}: not a sweep folder (no manifest.json); run `sim sweep "
                         "DESIGN --out DIR` first")
    return json.loads(path.read_text(encoding="utf-8"))


def connect(out_dir: str | Path):
    """A DuckDB connection with views ``runs``, ``outcomes`` and ``points`` over a sweep.

    ``runs`` holds one row per run (the latest ok record if a run was retried), ``outcomes``
    only the rows of those records, ``runs_all`` every record ever written.
    """
    import duckdb

    out = Path(out_dir)
    _read_manifest(out)
    if not any((out / "runs").glob("*.parquet")):
        raise SweepError(f"{out}: no finished runs yet")
    con = duckdb.connect()

    def glob(sub: str) -> str:
        return str(out / sub / "*.parquet").replace("'", "''")

    con.execute(f"CREATE VIEW runs_all AS SELECT * FROM read_parquet('{glob('runs')}', "
                "union_by_name = true)")
    con.execute("CREATE VIEW runs AS SELECT * EXCLUDE (_rank) FROM (SELECT *, row_number() "
                "OVER (PARTITION BY run_id ORDER BY status = 'ok' DESC, finished_at DESC, "
                "part DESC) AS _rank FROM runs_all) WHERE _rank = 1")
    if any((out / "outcomes").glob("*.parquet")):
        con.execute(f"CREATE VIEW outcomes AS SELECT o.* FROM read_parquet('{glob('outcomes')}'"
                    ") AS o SEMI JOIN runs AS r ON o.run_id = r.run_id AND o.part = r.part")
    else:
        con.execute("CREATE VIEW outcomes AS SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS "
                    "part, NULL::VARCHAR AS outcome, NULL::INTEGER AS month, NULL::VARCHAR AS "
                    "date, NULL::DOUBLE AS value WHERE false")
    points = str(out / "points.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet('{points}')")
    return con


def query(out_dir: str | Path, sql: str) -> pd.DataFrame:
    """Run SQL over a sweep's ``runs``, ``outcomes`` and ``points`` views."""
    import duckdb

    con = connect(out_dir)
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        message = " ".join(str(exc).split())
        raise SweepError(f"query failed: {message}") from None
    finally:
        con.close()


def _scalar_outcomes(out: Path, manifest: dict[str, Any], outcome: str | None
                     ) -> dict[str, np.ndarray]:
    """Per outcome: the value at its analysis month, averaged over replications, by point."""
    targets = pd.DataFrame([(o["name"], o["month"]) for o in manifest["outcomes"]],
                           columns=["outcome", "month"])
    if outcome is not None:
        if outcome not in set(targets["outcome"]):
            raise SweepError(f"--outcome {outcome!r}: not in this sweep; outcomes: "
                             f"{', '.join(targets['outcome'])}")
        targets = targets[targets["outcome"] == outcome]
    con = connect(out)
    try:
        con.register("targets", targets)
        frame = con.execute(
            "SELECT r.point, o.outcome, avg(o.value) AS value FROM outcomes o "
            "JOIN targets t ON o.outcome = t.outcome AND o.month = t.month "
            "JOIN runs r ON o.run_id = r.run_id WHERE r.status = 'ok' "
            "GROUP BY r.point, o.outcome").df()
    finally:
        con.close()
    n = manifest["n_points"]
    out_values = {}
    for name in targets["outcome"]:
        rows = frame[frame["outcome"] == name].set_index("point")["value"]
        missing = n - len(rows)
        if missing:
            raise SweepError(f"{out}: {missing} of {n} design points have no finished run; "
                             "complete the sweep first (run `sim sweep` again, with "
                             "--retry-failed for failed runs)")
        out_values[name] = rows.sort_index().to_numpy(dtype=float)
    return out_values


def sensitivity(out_dir: str | Path, method: str | None = None, outcome: str | None = None,
                num_resamples: int = 200, conf_level: float = 0.95) -> pd.DataFrame:
    """Sobol (first-order and total) or Morris (mu*, sigma) indices per outcome.

    Replications are averaged per design point before the analysis. The table is also saved as
    ``sensitivity_<method>.csv`` in the folder (its path is in ``table.attrs["path"]``).
    """
    out = Path(out_dir)
    manifest = _read_manifest(out)
    design = manifest["method"]
    method = method or (design if design in {"sobol", "morris"} else "sobol")
    if method not in {"sobol", "morris"}:
        raise SweepError(f"--method {method!r}: choose sobol or morris")
    if method != design:
        need = {"sobol": 'design = "sobol" (Saltelli sample, N base samples a power of two)',
                "morris": 'design = "morris" (trajectories)'}[method]
        raise SweepError(f"{out}: a {design} design cannot support {method} analysis; "
                         f"{method} indices need a sweep with {need}")
    params = manifest["parameters"]
    problem = {"num_vars": len(params), "names": [p["name"] for p in params],
               "bounds": [p["range"] for p in params]}
    seed = int(manifest["seed"]) % 2**32
    ys = _scalar_outcomes(out, manifest, outcome)
    frames = []
    for name, y in ys.items():
        if np.ptp(y) == 0:
            stats = {k: np.full(len(params), np.nan) for k in
                     ("S1", "S1_conf", "ST", "ST_conf", "mu", "mu_star", "sigma",
                      "mu_star_conf")}
        elif method == "sobol":
            from SALib.analyze import sobol
            with np.errstate(all="ignore"):
                stats = sobol.analyze(problem, y, calc_second_order=manifest["design"][
                    "second_order"], num_resamples=num_resamples, conf_level=conf_level,
                    seed=seed)
        else:
            from SALib.analyze import morris
            x = pd.read_parquet(out / "points.parquet").sort_values("point")[
                problem["names"]].to_numpy(dtype=float)
            stats = morris.analyze(problem, x, y, num_resamples=num_resamples,
                                   conf_level=conf_level,
                                   num_levels=manifest["design"]["morris_levels"], seed=seed)
        frame = pd.DataFrame({"outcome": name, "parameter": problem["names"],
                              "key": [p["key"] for p in params],
                              "kind": [p["kind"] for p in params]})
        columns = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else \
            ("mu", "mu_star", "mu_star_conf", "sigma")
        for column in columns:
            frame[column] = np.asarray(stats[column], dtype=float)
        rank_by = "ST" if method == "sobol" else "mu_star"
        frame["rank"] = frame[rank_by].rank(ascending=False, method="min").astype("Int64")
        frames.append(frame.sort_values(rank_by, ascending=False, na_position="last"))
    table = pd.concat(frames, ignore_index=True)
    suffix = "" if outcome is None else "_" + re.sub(r"[^A-Za-z0-9_]+", "_", outcome).strip("_")
    path = out / f"sensitivity_{method}{suffix}.csv"
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))
    table.attrs["path"] = str(path)
    return table
