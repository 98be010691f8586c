"""run_scenario: the one entry point the CLI, the app, the sweeps and the tests all use.

Layers, as in the STARS models: ``simulate`` runs one replication of one country and returns
its arrays; ``run_scenario`` runs every (country, replication) with independent seeded streams
and returns ``Results``; ``Results`` turns the arrays into tidy tables, summaries over
replications (median and a 5-95% band) and headline numbers; ``compare`` pairs a policy run
with a baseline run replication by replication (same seeds, common random numbers).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.agents.workforce import N_SKILL, N_STATUS, Status
from sim.data import SECTORS, SKILL_BANDS, DataTables, load_data
from sim.flows import country_flows
from sim.io import write_table
from sim.metrics import COUNTRY_METRICS, CUMULATIVE, SECTOR_METRICS
from sim.model import LabourMarketModel
from sim.provenance import code_version
from sim.scenarios import Scenario, load_scenario, with_overrides

ALL = "all"
HEADLINE_YEARS = (2030, 2035)

# Indicators summed from recorded metrics.
DERIVED = {
    "displaced_workers": ("displaced_employed", "displaced_unemployed", "displaced_in_training",
                          "displaced_in_programme_job"),
    "programme_cost_cumulative": ("reskilling_cost_cumulative", "job_creation_cost_cumulative"),
}
# (label, indicator, scope): "focus" = for the chosen sectors, "economy" = whole economy.
HEADLINE = [
    ("Workers displaced by automation", "displaced_workers", "focus"),
    ("  of whom back in a regular job", "displaced_employed", "focus"),
    ("  of whom unemployed", "displaced_unemployed", "focus"),
    ("    of whom unemployed 12+ months", "displaced_long_term_unemployed", "focus"),
    ("  of whom in reskilling", "displaced_in_training", "focus"),
    ("  of whom in a programme job", "displaced_in_programme_job", "focus"),
    ("Automation job losses (incl. repeat losses)", "automation_job_losses_cumulative", "focus"),
    ("Employed in these sectors", "employed", "focus"),
    ("Unemployment rate, whole economy (%)", "unemployment_rate", "economy"),
    ("Long-term unemployed, whole economy", "long_term_unemployed", "economy"),
    ("Programme cost to date ({currency})", "programme_cost_cumulative", "economy"),
]
SEXES = ("male", "female")
BREAKDOWN_STATUS = {
    "displaced_employed": Status.EMPLOYED,
    "displaced_unemployed": Status.UNEMPLOYED,
    "displaced_in_training": Status.TRAINING,
    "displaced_in_programme_job": Status.PROGRAMME_JOB,
}


@dataclass
class Replication:
    """Arrays from one replication of one country (real workers / local currency)."""

    sector: np.ndarray      # [T+1, n_sector_metrics, S]
    country: np.ndarray     # [T+1, n_country_metrics]
    losses: np.ndarray      # [T+1, S, sex, skill] automation job losses in the month
    displaced: np.ndarray   # [T+1, status, S, sex, skill] displaced workers by status
    memory_bytes: int = 0
    wall_seconds: float = 0.0


def replication_seeds(seed: int, iso3: str, replications: int) -> list[np.random.SeedSequence]:
    """Independent child streams for each replication of a country.

    The stream of replication r depends only on (seed, country, r): adding replications or
    countries never changes the streams of the others.
    """
    root = np.random.SeedSequence([seed, zlib.crc32(iso3.encode())])
    return root.spawn(replications)


def simulate(scenario: Scenario, iso3: str, tables: DataTables,
             seed: np.random.SeedSequence) -> Replication:
    """Run one replication of one country and collect every metric each month."""
    started = time.perf_counter()
    model = LabourMarketModel(scenario, tables.country(iso3), tables,
                              country_flows(iso3, tables),
                              rng=np.random.default_rng(seed))
    try:
        horizon = scenario.run.horizon_months
        sector_metrics = list(SECTOR_METRICS.values())
        country_metrics = list(COUNTRY_METRICS.values())
        n_sectors = model.n_sectors
        sector_out = np.zeros((horizon + 1, len(sector_metrics), n_sectors))
        country_out = np.zeros((horizon + 1, len(country_metrics)))
        losses = np.zeros((horizon + 1, n_sectors, 2, N_SKILL))
        displaced = np.zeros((horizon + 1, N_STATUS, n_sectors, 2, N_SKILL))
        for month in range(horizon + 1):
            if month:
                model.step()
            for i, metric in enumerate(sector_metrics):
                sector_out[month, i] = metric.reporter(model)
            for i, metric in enumerate(country_metrics):
                country_out[month, i] = metric.reporter(model)
            losses[month] = model.flow_automation * model.scale
            displaced[month] = model.workforce.displaced_stocks * model.scale
        return Replication(sector_out, country_out, losses, displaced,
                           memory_bytes=model.workforce.memory_bytes(),
                           wall_seconds=time.perf_counter() - started)
    finally:
        # Mesa 3.3.1 keeps every model alive through Agent._ids (mesa issue 3179).
        mesa.Agent._ids.pop(model, None)


def resolve_scenario(scenario: Scenario | str | Path, overrides: dict[str, Any] | None = None,
                     **settings: Any) -> Scenario:
    """A scenario object from a name, path or object, with run settings and overrides applied."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    changes = {f"run.{key}": value for key, value in settings.items() if value is not None}
    changes.update(overrides or {})
    return with_overrides(scenario, changes) if changes else scenario


def run_scenario(
    scenario: Scenario | str | Path = "baseline",
    *,
    countries: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    horizon_months: int | None = None,
    scale: int | None = None,
    overrides: dict[str, Any] | None = None,
    data: DataTables | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """Run a scenario for one or more countries with seeded, independent replications.

    Args:
        scenario: a shipped scenario name (``"baseline"``), a TOML path or a ``Scenario``.
        countries: ISO3 codes; default: the scenario's own countries.
        replications, seed, horizon_months, scale: override the scenario's run settings.
        overrides: dotted scenario keys to change, e.g. ``{"uncertainties.adoption_pace": 2}``.
        data: validated data tables (default: the shipped ``data/`` folder).
        progress: called with (runs done, runs in total) after each replication.

    Returns:
        Results with tidy tables, summaries and headline numbers.
    """
    scenario = resolve_scenario(scenario, overrides, replications=replications, seed=seed,
                                horizon_months=horizon_months, scale=scale)
    if countries is not None:
        scenario = with_overrides(scenario, {"countries": list(countries)})
    tables = data if data is not None else load_data()
    for iso3 in scenario.countries:
        tables.country(iso3)  # fail early, naming the unknown code
    total = len(scenario.countries) * scenario.run.replications
    runs: dict[str, list[Replication]] = {}
    done = 0
    for iso3 in scenario.countries:
        runs[iso3] = []
        for child in replication_seeds(scenario.run.seed, iso3, scenario.run.replications):
            runs[iso3].append(simulate(scenario, iso3, tables, child))
            done += 1
            if progress:
                progress(done, total)
    return Results.from_runs(scenario, runs, tables)


def _quantiles(cube: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    return np.quantile(cube, [0.5, band[0], band[1]], axis=0)


@dataclass
class Results:
    """Everything one scenario run produced, for every country and replication.

    ``sector_cube`` is [country, replication, month, metric, sector + all] and
    ``country_cube`` is [country, replication, month, metric]; use ``frame``, ``summary``,
    ``headline`` and ``breakdown`` rather than the cubes.
    """

    scenario: Scenario
    countries: tuple[str, ...]
    sector_cube: np.ndarray
    country_cube: np.ndarray
    losses: np.ndarray
    displaced: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)

    sector_metrics: tuple[str, ...] = ()
    country_metrics: tuple[str, ...] = ()
    currencies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_runs(cls, scenario: Scenario, runs: dict[str, list[Replication]],
                  tables: DataTables) -> Results:
        countries = tuple(runs)
        names = list(SECTOR_METRICS)
        sector = np.stack([np.stack([r.sector for r in reps]) for reps in runs.values()])
        country = np.stack([np.stack([r.country for r in reps]) for reps in runs.values()])
        losses = np.stack([np.stack([r.losses for r in reps]) for reps in runs.values()])
        displaced = np.stack([np.stack([r.displaced for r in reps]) for reps in runs.values()])

        # Totals over sectors: sums, or employment-weighted means for rates.
        employed = sector[..., names.index("employed"), :]
        weights = employed / np.maximum(employed.sum(axis=-1, keepdims=True), 1e-12)
        totals = np.empty(sector.shape[:-1])
        for i, name in enumerate(names):
            if SECTOR_METRICS[name].how == "employment_mean":
                totals[..., i] = (sector[..., i, :] * weights).sum(axis=-1)
            else:
                totals[..., i] = sector[..., i, :].sum(axis=-1)
        sector = np.concatenate([sector, totals[..., None]], axis=-1)

        # Running totals of flows.
        sector_extra = [name for name, base in CUMULATIVE.items() if base in SECTOR_METRICS]
        country_extra = [name for name, base in CUMULATIVE.items() if base in COUNTRY_METRICS]
        sector = np.concatenate(
            [sector] + [np.cumsum(sector[:, :, :, names.index(CUMULATIVE[n])], axis=2)[:, :, :,
                        None] for n in sector_extra], axis=3)
        cnames = list(COUNTRY_METRICS)
        country = np.concatenate(
            [country] + [np.cumsum(country[..., cnames.index(CUMULATIVE[n])], axis=2)[..., None]
                         for n in country_extra], axis=3)
        provenance = {
            "scenario": scenario.name,
            "scenario_parameters": json.loads(scenario.model_dump_json()),
            "countries": list(countries),
            "base_seed": scenario.run.seed,
            "replications": scenario.run.replications,
            "seed_streams": "numpy SeedSequence([seed, crc32(ISO3)]).spawn(replications)",
            "data_hashes": dict(tables.hashes),
            "code_version": code_version(),
            "memory_bytes_per_run": [r.memory_bytes for reps in runs.values() for r in reps],
            "wall_seconds": round(sum(r.wall_seconds for reps in runs.values() for r in reps), 3),
        }
        currencies = {iso3: tables.country(iso3).currency for iso3 in countries}
        return cls(scenario, countries, sector, country, losses, displaced, provenance,
                   tuple(names + sector_extra), tuple(cnames + country_extra), currencies)

    # -- calendar -----------------------------------------------------------------------------

    @cached_property
    def dates(self) -> pd.PeriodIndex:
        """Calendar month of each model month (month 0 = the scenario's start)."""
        return pd.period_range(self.scenario.run.start, periods=self.sector_cube.shape[2],
                               freq="M")

    def month_of(self, year: int, month: int = 12) -> int | None:
        """Model month of a calendar month, or None if outside the run."""
        target = pd.Period(year=year, month=month, freq="M")
        offset = (target - self.dates[0]).n
        return offset if 0 <= offset < len(self.dates) else None

    @property
    def sectors(self) -> tuple[str, ...]:
        """Sector labels of the last cube axis, ending with 'all'."""
        return (*SECTORS, ALL)

    # -- values -------------------------------------------------------------------------------

    def values(self, metric: str, country: str | None = None,
               sectors: Iterable[str] | None = None) -> np.ndarray:
        """One metric as [replication, month], summed over ``sectors`` (default: all)."""
        c = self.countries.index(country or self.countries[0])
        if metric in self.country_metrics:
            return self.country_cube[c, :, :, self.country_metrics.index(metric)]
        if metric not in self.sector_metrics:
            known = ", ".join(self.sector_metrics + self.country_metrics)
            raise KeyError(f"unknown metric {metric!r}; known: {known}")
        cube = self.sector_cube[c, :, :, self.sector_metrics.index(metric)]
        if sectors is None:
            return cube[..., -1]
        picked = [SECTORS.index(s) for s in sectors]
        if SECTOR_METRICS.get(metric) and SECTOR_METRICS[metric].how == "employment_mean":
            emp = self.sector_cube[c, :, :, self.sector_metrics.index("employed")][..., picked]
            return (cube[..., picked] * emp).sum(-1) / np.maximum(emp.sum(-1), 1e-12)
        return cube[..., picked].sum(axis=-1)

    # -- tables -------------------------------------------------------------------------------

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Tidy long table: one row per country x replication x month x sector x metric."""
        n_c, n_r, n_t, n_m, n_s = self.sector_cube.shape
        index = pd.MultiIndex.from_product(
            [self.countries, range(n_r), range(n_t), self.sector_metrics, self.sectors],
            names=["country", "replication", "month", "metric", "sector"])
        sector_part = pd.DataFrame({"value": self.sector_cube.reshape(-1)}, index=index)
        cindex = pd.MultiIndex.from_product(
            [self.countries, range(n_r), range(n_t), self.country_metrics, [ALL]],
            names=["country", "replication", "month", "metric", "sector"])
        country_part = pd.DataFrame({"value": self.country_cube.reshape(-1)}, index=cindex)
        frame = pd.concat([sector_part, country_part]).reset_index()
        frame.insert(0, "scenario", self.scenario.name)
        frame.insert(4, "date", self.dates.strftime("%Y-%m")[frame["month"].to_numpy()])
        return frame[["scenario", "country", "replication", "month", "date", "sector", "metric",
                      "value"]]

    def summary(self, band: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
        """Median and band over replications, per country x month x sector x metric."""
        parts = []
        for c, iso3 in enumerate(self.countries):
            sq = _quantiles(self.sector_cube[c], band)  # [3, T, M, S]
            n_t, n_m, n_s = sq.shape[1:]
            idx = pd.MultiIndex.from_product([range(n_t), self.sector_metrics, self.sectors],
                                             names=["month", "metric", "sector"])
            parts.append(pd.DataFrame({"country": iso3, "median": sq[0].reshape(-1),
                                       "low": sq[1].reshape(-1), "high": sq[2].reshape(-1)},
                                      index=idx))
            cq = _quantiles(self.country_cube[c], band)
            cidx = pd.MultiIndex.from_product([range(cq.shape[1]), self.country_metrics, [ALL]],
                                              names=["month", "metric", "sector"])
            parts.append(pd.DataFrame({"country": iso3, "median": cq[0].reshape(-1),
                                       "low": cq[1].reshape(-1), "high": cq[2].reshape(-1)},
                                      index=cidx))
        out = pd.concat(parts).reset_index()
        out.insert(1, "date", self.dates.strftime("%Y-%m")[out["month"].to_numpy()])
        out.insert(0, "scenario", self.scenario.name)
        return out[["scenario", "country", "month", "date", "sector", "metric", "median", "low",
                    "high"]]

    def breakdown(self, months: Sequence[int] | None = None) -> pd.DataFrame:
        """Who is displaced and who is back in work, by sector x sex x skill band.

        Rows for each replication at the given months (default: every 12 months and the last),
        with metrics ``automation_job_losses_cumulative`` and the displaced workers' statuses.
        """
        n_t = self.losses.shape[2]
        if months is None:
            months = sorted(set(range(0, n_t, 12)) | {n_t - 1})
        cumulative = np.cumsum(self.losses, axis=2)[:, :, months]  # [C, R, m, S, 2, 3]
        blocks = {"automation_job_losses_cumulative": cumulative}
        for name, status in BREAKDOWN_STATUS.items():
            blocks[name] = self.displaced[:, :, months, status]
        parts = []
        for name, cube in blocks.items():
            idx = pd.MultiIndex.from_product(
                [self.countries, range(cube.shape[1]), months, SECTORS, SEXES, SKILL_BANDS],
                names=["country", "replication", "month", "sector", "sex", "skill"])
            parts.append(pd.DataFrame({"metric": name, "value": cube.reshape(-1)}, index=idx))
        out = pd.concat(parts).reset_index()
        out.insert(3, "date", self.dates.strftime("%Y-%m")[out["month"].to_numpy()])
        return out

    def report_months(self, years: Sequence[int] | None = None) -> list[int]:
        """Model months for headline years (December of each), by default 2030 and 2035.

        With the default years, a run too short to reach them reports its last month.
        """
        months = [m for m in (self.month_of(y) for y in (years or HEADLINE_YEARS))
                  if m is not None]
        if not months and years is None:
            months = [len(self.dates) - 1]
        return months

    def indicator(self, metric: str, country: str | None = None,
                  sectors: Iterable[str] | None = None) -> np.ndarray:
        """A headline indicator as [replication, month].

        Displacement and employment are for ``sectors`` (default: the scenario's focus sectors,
        or every sector); whole-economy indicators ignore it. Percentages are in percent.
        """
        scope = next((scope for _, name, scope in HEADLINE if name == metric), "focus")
        if scope == "economy":
            sectors = None
        elif sectors is None:
            sectors = self.scenario.focus_sectors or None
        parts = DERIVED.get(metric, (metric,))
        total = sum(self.values(part, country, sectors) for part in parts)
        return total * 100 if metric == "unemployment_rate" else total

    def headline(self, sectors: Iterable[str] | None = None, years: Sequence[int] | None = None,
                 band: tuple[float, float] = (0.05, 0.95), country: str | None = None
                 ) -> pd.DataFrame:
        """Headline numbers at the end of each year: median and band over replications.

        Displacement counts refer to workers displaced from ``sectors`` (default: the
        scenario's focus sectors, or every sector). Years outside the run are left out.
        """
        rows = []
        for iso3 in (country,) if country else self.countries:
            currency = self.currencies.get(iso3, "local currency")
            for month in self.report_months(years):
                for label, metric, _ in HEADLINE:
                    v = self.indicator(metric, iso3, sectors)[:, month]
                    lo, mid, hi = np.quantile(v, [band[0], 0.5, band[1]])
                    rows.append({"country": iso3, "year": self.dates[month].year,
                                 "date": str(self.dates[month]),
                                 "indicator": label.replace("{currency}", currency),
                                 "metric": metric, "median": mid, "low": lo, "high": hi})
        return pd.DataFrame(rows, columns=["country", "year", "date", "indicator", "metric",
                                           "median", "low", "high"])

    # -- files --------------------------------------------------------------------------------

    def write(self, path: Path | str, what: str = "summary") -> Path:
        """Write ``summary``, ``frame`` or ``breakdown`` to CSV or Parquet (by suffix).

        Writes to a temporary file beside the target and renames it, so an interrupted write
        never leaves a half-written result.
        """
        table = {"summary": self.summary, "frame": lambda: self.frame,
                 "breakdown": self.breakdown}[what]()
        return write_table(table, path)


def compare(baseline: Results, policy: Results, band: tuple[float, float] = (0.05, 0.95),
            sectors: Iterable[str] | None = None, years: Sequence[int] | None = None
            ) -> pd.DataFrame:
    """Policy minus baseline, paired by replication (same seeds), with median and band."""
    if baseline.countries != policy.countries or baseline.sector_cube.shape != \
            policy.sector_cube.shape:
        raise ValueError("compare needs two runs over the same countries, replications and "
                         "horizon")
    rows = []
    for iso3 in baseline.countries:
        currency = baseline.currencies.get(iso3, "local currency")
        for month in baseline.report_months(years):
            for label, metric, _ in HEADLINE:
                base = baseline.indicator(metric, iso3, sectors)[:, month]
                pol = policy.indicator(metric, iso3, sectors)[:, month]
                diff = pol - base
                rows.append({
                    "country": iso3, "year": baseline.dates[month].year,
                    "indicator": label.strip().replace("{currency}", currency),
                    "metric": metric,
                    "baseline": float(np.median(base)), "policy": float(np.median(pol)),
                    "difference": float(np.median(diff)),
                    "low": float(np.quantile(diff, band[0])),
                    "high": float(np.quantile(diff, band[1])),
                })
    return pd.DataFrame(rows)
