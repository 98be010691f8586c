"""Sweep designs: the TOML file, its validation against the scenario schema, the sampled points.

``load_design`` reads and checks a design (every problem is one ``SweepError`` line naming the
file and key) and returns a ``SweepPlan``: the base scenario with the design's run settings,
the parameters (checked against ``sim.scenarios.PARAMETERS``), the outcomes (checked against
``sim.metrics``), the sampled points (grid, Latin hypercube, Sobol/Saltelli, Morris) and one
task per (point, replication).
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.errors import ScenarioError, SimError, SweepError, validation_message
from sim.metrics import COUNTRY_METRICS, CUMULATIVE, SECTOR_METRICS
from sim.months import check_years, month_in, run_dates
from sim.provenance import canonical_hash
from sim.runner import replication_seeds, resolve_scenario
from sim.scenarios import (
    PARAMETERS,
    SCENARIO_DIR,
    Scenario,
    check_countries,
    load_scenario,
    resolve_path,
    with_overrides,
)
from sim.scenarios.parameters import mapping_entry
from sim.vocabulary import SECTORS

MAX_DESIGN_BYTES = 256 * 1024
MAX_RUNS = 1_000_000
#: Columns of the run table; a parameter's column name may not take one of them.
RUN_COLUMNS = (
    "run_id",
    "point",
    "replication",
    "seed_entropy",
    "seed_spawn_key",
    "scenario",
    "base_scenario_hash",
    "country",
    "data_hashes",
    "code_version",
    "worker",
    "wall_seconds",
    "finished_at",
    "status",
    "error",
    "part",
)
_RUN = {name: PARAMETERS[f"run.{name}"] for name in ("horizon_months", "scale", "seed")}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parameter(_Strict):
    """One scenario parameter to vary: a range for lhs/sobol/morris, levels for a grid."""

    key: str = Field(..., description="Dotted scenario key, e.g. uncertainties.adoption_pace")
    range: list[float] | None = Field(None, description="[min, max] for lhs, sobol, morris")
    levels: list[Any] | None = Field(None, description="Values for a grid design")
    name: str | None = Field(None, description="Column name (default: the key's last part)")
    kind: Literal["uncertainty", "lever", "structure"] | None = Field(
        None, description="Optional: checked against the kind in the scenario schema"
    )


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

    horizon_months: int | None = Field(
        None, ge=_RUN["horizon_months"].minimum, le=_RUN["horizon_months"].maximum
    )
    scale: int | None = Field(None, ge=_RUN["scale"].minimum, le=_RUN["scale"].maximum)
    seed: int | None = Field(None, ge=_RUN["seed"].minimum, le=_RUN["seed"].maximum)
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
    replications: int = Field(
        1, ge=PARAMETERS["run.replications"].minimum, le=PARAMETERS["run.replications"].maximum
    )
    run: RunSpec = Field(default_factory=lambda: RunSpec())
    parameters: list[Parameter] = Field(..., min_length=1)
    outcomes: list[Outcome] = Field(..., min_length=1)

    @field_validator("morris_levels")
    @classmethod
    def _even(cls, value: int) -> int:
        # SALib's Morris steps by levels / (2 (levels - 1)): with an odd number of levels the
        # grid points are not visited evenly (SALib only warns), which biases mu* and sigma.
        if value % 2:
            raise ValueError(
                f"Morris needs an even number of levels (SALib's num_levels), e.g. "
                f"{value - 1} or {value + 1}"
            )
        return value


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
    base_ref: str = ""  # the base scenario as `sim run` takes it: a name or a path
    data_dir: str | None = None  # the data folder every run reads
    data_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return len(self.values)

    @property
    def total_runs(self) -> int:
        return self.n_points * self.design.replications

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem dict (names and bounds) of a range design."""
        return {
            "num_vars": len(self.parameters),
            "names": [p.name for p in self.parameters],
            "bounds": [list(p.bounds) if p.bounds else [0.0, 1.0] for p in self.parameters],
        }

    def seed(self, point: int, replication: int) -> np.random.SeedSequence:
        """The stream of one run: replication r's stream in ``run_scenario``, whatever the
        point (common random numbers across points)."""
        return replication_seeds(self.base.run.seed, self.iso3, self.design.replications)[
            replication
        ]

    def overrides(self, point: int) -> dict[str, Any]:
        """The scenario keys a design point sets, with their values."""
        by_name = {p.name: p.key for p in self.parameters}
        return {by_name[name]: value for name, value in self.values[point].items()}

    def replay_args(self, point: int) -> list[str]:
        """``sim run`` arguments that rerun every replication of a design point exactly.

        Replication r of the sweep is replication r of this command's run.
        """
        run = self.base.run
        args = [
            self.base_ref,
            "--country",
            self.iso3,
            "--data",
            str(self.data_dir),
            "--seed",
            str(run.seed),
            "--replications",
            str(self.design.replications),
            "--horizon",
            str(run.horizon_months),
            "--set",
            f"run.start={run.start}",
        ]
        if run.scale is not None:
            args += ["--scale", str(run.scale)]
        for key, value in self.overrides(point).items():
            args += ["--set", f"{key}={json.dumps(value)}"]
        return args

    def tasks(self) -> Iterator[dict[str, Any]]:
        """One plain, picklable task per (point, replication), in a fixed order."""
        base = self.base.model_dump(mode="json")
        outcomes = [(o.name, o.metric, o.sectors) for o in self.outcomes]
        for point in range(self.n_points):
            overrides = self.overrides(point)
            for rep in range(self.design.replications):
                yield {
                    "run_id": run_id(point, rep),
                    "point": point,
                    "replication": rep,
                    "replications": self.design.replications,
                    "base": base,
                    "overrides": overrides,
                    "iso3": self.iso3,
                    "data": self.data_dir,
                    "outcomes": outcomes,
                }


def run_id(point: int, replication: int) -> str:
    """The identifier of one run, stable across sessions and machines."""
    return f"p{point:06d}-r{replication:03d}"


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: Any, origin: str) -> str:
    parent = tuple(p for p in error["loc"][:-1] if not isinstance(p, int))
    models: dict[tuple[Any, ...], type[BaseModel]] = {
        (): Design,
        ("parameters",): Parameter,
        ("outcomes",): Outcome,
        ("run",): RunSpec,
    }
    model = models.get(parent)
    return validation_message(
        error, origin, _loc(error["loc"]), model.model_fields if model else ()
    )


def load_design(path: str | Path, data: str | Path | None = None) -> SweepPlan:
    """Read, validate and plan a design file; every problem is a one-line ``SweepError``.

    ``data`` is a folder of the user's own tables (default: the shipped ones).
    """
    path = Path(path)
    origin = str(path)
    if not path.is_file():
        raise SweepError(f"{origin}: design file not found")
    if path.stat().st_size > MAX_DESIGN_BYTES:
        raise SweepError(f"{origin}: larger than {MAX_DESIGN_BYTES // 1024} KiB")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not TOML
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
    return plan_design(design, origin, text, base_dir=path.parent, data=data)


def _is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def plan_design(
    design: Design,
    origin: str = "design",
    text: str | None = None,
    base_dir: Path | None = None,
    data: str | Path | None = None,
) -> SweepPlan:
    """Check a design against the scenario schema, the data and the metrics; sample points."""
    from sim.data import DataError, load_data

    # Base scenario, with the design's run settings; a file is looked for beside the design.
    try:
        path = resolve_path(design.scenario, base_dir)
        scenario_ref = design.scenario if path.parent == SCENARIO_DIR else str(path)
        base = load_scenario(path)
        run = design.run
        base = resolve_scenario(
            base,
            None,
            horizon_months=run.horizon_months,
            scale=run.scale,
            seed=run.seed,
            start=run.start,
        )
    except ScenarioError as exc:
        raise SweepError(f"{origin}: key 'scenario' / [run]: {exc}") from None
    iso3 = (design.country or base.countries[0]).strip().upper()
    try:
        tables = load_data(data)
    except DataError as exc:
        raise SweepError(f"--data: {exc}") from None
    try:
        tables.country(iso3)
        check_countries(base, [iso3])
    except (DataError, ScenarioError) as exc:
        raise SweepError(f"{origin}: key 'country': {exc}") from None
    base = with_overrides(base, {"countries": [iso3]}, origin)

    parameters = _check_parameters(design, base, origin)
    outcomes = _check_outcomes(design, base, origin)
    samples, values = _sample(design, parameters, base.run.seed)
    if len(values) * design.replications > MAX_RUNS:
        raise SweepError(
            f"{origin}: {len(values) * design.replications:,} runs; at most {MAX_RUNS:,} per sweep"
        )
    plan = SweepPlan(
        design,
        origin,
        text,
        base,
        iso3,
        parameters,
        outcomes,
        samples,
        values,
        base_ref=str(scenario_ref),
        data_dir=str(tables.folder),
        data_hashes=dict(tables.hashes),
    )
    plan.design_hash = canonical_hash(design.model_dump(mode="json"))
    plan.base_hash = canonical_hash(base.model_dump(mode="json"))
    return plan


def _check_parameters(design: Design, base: Scenario, origin: str) -> list[ParameterInfo]:
    out: list[ParameterInfo] = []
    names: set[str] = set()
    ranged = design.design != "grid"
    for i, spec in enumerate(design.parameters):
        where = f"{origin}: parameters[{i}]"
        key = spec.key
        # One sector's entry of a per-sector table (uncertainties.sector_exposure.retail_trade)
        # varies like a parameter of its own.
        known = PARAMETERS.get(key) or mapping_entry(key)
        if known is None or (key not in PARAMETERS and key.rsplit(".", 1)[-1] not in SECTORS):
            try:
                with_overrides(base, {key: None}, f"{where}.key")
            except ScenarioError as exc:
                if "unknown key" in str(exc):
                    raise SweepError(str(exc)) from None
            raise SweepError(
                f"{where}.key: {key!r} is not a parameter that a sweep can vary (see `sim params`)"
            )
        if known.kind == "run" or key.startswith("run."):
            raise SweepError(f"{where}.key: {key!r} is a run setting; set it in [run] instead")
        if spec.kind is not None and spec.kind != known.kind:
            raise SweepError(
                f"{where}.kind: {key!r} is a {known.kind} in the scenario schema, not a {spec.kind}"
            )
        # Default column name: the key's last part; for a table's entry, the table's and the
        # entry's (sector_exposure_retail_trade), as the same sector may appear in two tables.
        parts = key.split(".")
        name = spec.name or ("_".join(parts[-2:]) if key not in PARAMETERS else parts[-1])
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SweepError(f"{where}.name: {name!r} must be letters, digits and _")
        if name in names or name in RUN_COLUMNS:
            raise SweepError(
                f"{where}.name: column name {name!r} is already used; give this "
                'parameter another name = "..."'
            )
        names.add(name)
        numeric = known.numeric
        bounds = levels = None
        if ranged:
            if spec.range is None or spec.levels is not None:
                raise SweepError(
                    f"{where}.range: a {design.design} design needs range = "
                    "[min, max] (and no levels)"
                )
            if numeric is None:
                raise SweepError(
                    f"{where}.range: {key!r} is not a number; vary it with a grid design and levels"
                )
            if len(spec.range) != 2:
                raise SweepError(f"{where}.range: write it as [min, max], got {spec.range}")
            lo, hi = spec.range
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise SweepError(f"{where}.range: bounds must be finite numbers")
            if lo > hi:
                raise SweepError(f"{where}.range: reversed bounds: min {lo} is above max {hi}")
            if lo == hi or (numeric == "int" and math.floor(hi) < math.ceil(lo)):
                raise SweepError(
                    f"{where}.range: empty range [{lo}, {hi}]; min must be below "
                    "max (to fix a value, set it in the base scenario)"
                )
            bounds = (float(lo), float(hi))
            probes = [_apply_type(lo, numeric), _apply_type(hi, numeric)]
        else:
            if spec.levels is None or spec.range is not None:
                raise SweepError(
                    f"{where}.levels: a grid design needs levels = [...] (and no range)"
                )
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
        out.append(
            ParameterInfo(key, name, known.kind, known.unit, numeric == "int", bounds, levels)
        )
    n = len(out)
    if design.design == "grid":
        if design.samples is not None:
            raise SweepError(
                f"{origin}: key 'samples': a grid design takes no samples (the "
                "levels make the grid)"
            )
    elif design.samples is None:
        raise SweepError(f"{origin}: missing required key 'samples' for a {design.design} design")
    elif design.design == "sobol" and not _is_power_of_two(design.samples):
        raise SweepError(
            f"{origin}: key 'samples' = {design.samples}: Sobol base samples N "
            "must be a power of two (e.g. 8, 64, 512)"
        )
    elif design.design == "morris" and design.samples < 2:
        raise SweepError(f"{origin}: key 'samples': Morris needs at least 2 trajectories")
    if design.design in {"sobol", "morris"} and n < 2:
        raise SweepError(
            f"{origin}: key 'parameters': {design.design} analysis needs at least 2 parameters"
        )
    return out


def _apply_type(value: Any, numeric: str | None) -> Any:
    if numeric == "int":
        return int(round(float(value)))
    if numeric == "float":
        return float(value)
    return value


def _check_outcomes(design: Design, base: Scenario, origin: str) -> list[OutcomeInfo]:
    known = [*SECTOR_METRICS, *COUNTRY_METRICS, *CUMULATIVE]
    horizon = base.run.horizon_months
    out: list[OutcomeInfo] = []
    for i, spec in enumerate(design.outcomes):
        where = f"{origin}: outcomes[{i}]"
        if spec.metric not in known:
            close = difflib.get_close_matches(spec.metric, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SweepError(
                f"{where}.metric: unknown metric {spec.metric!r}{hint}; see sim.metrics"
            )
        is_country = (
            spec.metric in COUNTRY_METRICS or CUMULATIVE.get(spec.metric) in COUNTRY_METRICS
        )
        sectors = None
        if spec.sector is not None:
            if is_country:
                raise SweepError(
                    f"{where}.sector: {spec.metric!r} is a whole-economy metric with no sectors"
                )
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
        dates = run_dates(base.run.start, horizon)
        if spec.year is not None:
            try:
                check_years(dates, [spec.year], "year")
            except SimError as exc:
                raise SweepError(f"{where}.{exc}; or raise run.horizon_months") from None
            month, label = month_in(dates, spec.year) or 0, f"@{spec.year}"
        elif spec.month is not None:
            month, label = spec.month, f"@m{spec.month}"
        else:
            month, label = horizon, ""
        if not 0 <= month <= horizon:
            raise SweepError(
                f"{where}.month: {month} is outside the run (months 0 to {horizon}: the end "
                f"of {dates[0]} to the end of {dates[-1]}); raise run.horizon_months"
            )
        name = spec.name or spec.metric + (f"[{'+'.join(sectors)}]" if sectors else "") + label
        if any(o.name == name for o in out):
            raise SweepError(f"{where}.name: outcome name {name!r} is already used")
        out.append(OutcomeInfo(name, spec.metric, sectors, month))
    return out


def _sample(
    design: Design, parameters: list[ParameterInfo], seed: int
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    names = [p.name for p in parameters]
    if design.design == "grid":
        rows = list(itertools.product(*[p.levels or () for p in parameters]))
        samples = np.empty((len(rows), len(parameters)), dtype=object)
        for i, row in enumerate(rows):
            samples[i] = row
        return samples, [dict(zip(names, row, strict=True)) for row in rows]
    bounds = [p.bounds or (0.0, 1.0) for p in parameters]  # every range design has bounds
    problem = {"num_vars": len(parameters), "names": names, "bounds": [list(b) for b in bounds]}
    n = design.samples
    if design.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(parameters), seed=seed).random(n)
        lo = np.array([b[0] for b in bounds])
        hi = np.array([b[1] for b in bounds])
        samples = lo + unit * (hi - lo)
    elif design.design == "sobol":
        from SALib.sample import sobol

        samples = sobol.sample(problem, n, calc_second_order=design.second_order, seed=seed)
    else:
        from SALib.sample import morris

        samples = morris.sample(problem, n, num_levels=design.morris_levels, seed=seed)
    values = [
        {
            p.name: _apply_type(v, "int" if p.integer else "float")
            for p, v in zip(parameters, row, strict=True)
        }
        for row in samples
    ]
    return np.asarray(samples, dtype=float), values
