"""Results of a scenario run: tidy tables, bands over replications, headline numbers.

``Results`` holds the arrays of every (country, replication) of one run (``sim.runner``
builds it) and turns them into what people read: the tidy long ``frame``, the ``summary``
(median and band per month, sector and metric), the ``breakdown`` by sector x sex x skill
band and the ``headline`` table at the end of chosen years. ``compare`` pairs a policy run
with a baseline run replication by replication (same seeds).

Medians and bands (``median_band``, ``cost_per_reemployed``, the chart summaries) live in
``sim.bands``, the run's calendar (``run_dates``, ``month_in``, ``check_years``) in
``sim.months``; both are importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.agents.workforce import Status
from sim.bands import CostPerWorker, cost_per_reemployed, median_band
from sim.data import DataTables
from sim.errors import SimError
from sim.inputs import CONCEPTS, Definition
from sim.io import write_table
from sim.metrics import COUNTRY_METRICS, CUMULATIVE, SECTOR_METRICS
from sim.months import check_years, month_in, run_dates
from sim.provenance import run_record
from sim.scenarios import Scenario, check_sectors
from sim.vocabulary import ALL, BAND, HEADLINE_YEARS, SECTORS, SEXES, SKILL_BANDS

if TYPE_CHECKING:
    from sim.runner import Replication

__all__ = [
    "HEADLINE",
    "CostPerWorker",
    "Results",
    "check_years",
    "compare",
    "cost_per_reemployed",
    "median_band",
    "month_in",
    "run_dates",
]

# Indicators summed from recorded metrics.
DERIVED = {
    "displaced_workers": (
        "displaced_formal",
        "displaced_informal",
        "displaced_unemployed",
        "displaced_inactive",
        "displaced_retired",
        "displaced_in_training",
        "displaced_in_programme_job",
    ),
    "displaced_out_of_labour_force": ("displaced_inactive", "displaced_retired"),
    "displaced_employed": ("displaced_formal", "displaced_informal"),
    # employment as the ILO counts it: regular work and programme jobs
    "employed_with_programme_jobs": ("employed", "programme_jobs"),
    # the unemployed with reskilling trainees counted among them (see
    # ``sim.metrics.unemployment_rate_counting_trainees``)
    "unemployed_or_in_training": ("unemployed", "in_training"),
    "programme_cost_cumulative": ("reskilling_cost_cumulative", "job_creation_cost_cumulative"),
}


def short_basis(text: str) -> str:
    """The name of an unemployment rate's basis (countries.csv ``unemployment_rate_basis``):
    its words before the first colon or parenthesis, and whether it is not the national
    headline ("ILOSTAT survey ratio U/(U+E), not the national headline rate"; "BPS national
    open unemployment rate, Sakernas Aug 2024"); "" for none."""
    text = text.strip()
    head = text.split(":", 1)[0] if ":" in text else text.split(" (", 1)[0]
    if "not the national headline" in text:
        head += ", not the national headline rate"
    return head.strip()


#: ``{formal}`` in a label where informal work is the status proxy (own-account and contributing
#: family workers): formal work then holds every employee and employer, formal or informal.
FORMAL_WITH_PROXY = " (status proxy: all employees and employers, formal or informal)"
#: Shares reported in percent.
PERCENT = (
    "unemployment_rate",
    "unemployment_rate_counting_trainees",
    "informal_share",
    "underemployment_rate",
    "vacancy_rate",
)
# (label, indicator, scope): "focus" = for the chosen sectors, "economy" = whole economy.
HEADLINE = [
    ("Formal positions removed by automation", "automation_cut_cumulative", "focus"),
    ("  of which hires foregone (jobs not created)", "hires_foregone_cumulative", "focus"),
    ("  of which layoffs (jobs destroyed)", "automation_job_losses_cumulative", "focus"),
    ("New AI-era vacancies (augmentation)", "new_ai_vacancies_cumulative", "focus"),
    ("  of which lost for want of skills", "ai_vacancies_lapsed_cumulative", "focus"),
    ("People laid off by automation", "displaced_workers", "focus"),
    ("  of whom in formal work{formal}", "displaced_formal", "focus"),
    ("  of whom in informal work: {informal_share}", "displaced_informal", "focus"),
    ("  of whom underemployed", "displaced_underemployed", "focus"),
    ("  of whom unemployed", "displaced_unemployed", "focus"),
    ("    of whom 12+ months", "displaced_long_term_unemployed", "focus"),
    ("  of whom out of the labour force (inactive)", "displaced_inactive", "focus"),
    (
        "  of whom retired (an age-blind rate: no effect of the layoff)",
        "displaced_retired",
        "focus",
    ),
    ("  of whom in reskilling", "displaced_in_training", "focus"),
    ("  of whom in a programme job", "displaced_in_programme_job", "focus"),
    ("Employed in these sectors, regular work", "employed", "focus"),
    ("  of whom entered the labour force since the start", "entrants_employed", "focus"),
    ("Unemployment rate, whole economy (%){unemployment}", "unemployment_rate", "economy"),
    (
        "Unemployment rate, reskilling trainees counted as unemployed (%)",
        "unemployment_rate_counting_trainees",
        "economy",
    ),
    # {metric}: the statistical definition the country's figure follows (``Results.label``)
    ("Informal share of employment (%): {informal_share}", "informal_share", "economy"),
    ("Underemployment (%): {underemployment_rate}", "underemployment_rate", "economy"),
    ("Long-term unemployed, whole economy", "long_term_unemployed", "economy"),
    ("Monthly wage bill, these sectors, regular work ({currency})", "regular_wage_bill", "focus"),
    ("People enrolled in reskilling to date", "reskilling_people", "economy"),
    (
        "  enrolments (a person may enrol again in a later spell)",
        "reskilling_enrolments_cumulative",
        "economy",
    ),
    ("Programme cost to date ({currency})", "programme_cost_cumulative", "economy"),
]
BREAKDOWN_STATUS = {
    "displaced_formal": Status.FORMAL,
    "displaced_informal": Status.INFORMAL,
    "displaced_unemployed": Status.UNEMPLOYED,
    "displaced_inactive": Status.INACTIVE,
    "displaced_in_training": Status.TRAINING,
    "displaced_in_programme_job": Status.PROGRAMME_JOB,
}


def _present(array: np.ndarray | None) -> np.ndarray:
    """An array a replication always records (typed optional for older pickles)."""
    if array is None:
        raise ValueError("a replication without its evaluation or cohort arrays")
    return array


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
    #: [country, replication, programme, arm, long-term, horizon, measure] (sim.evaluation)
    evaluation: np.ndarray | None = None
    #: [country, replication, 2 (earnings, people), month since layoff]: the laid-off cohort
    cohort_earnings: np.ndarray | None = None
    #: [country, replication]: the cohort's monthly earnings before the layoff, summed
    cohort_pre: np.ndarray | None = None
    #: [country, replication]: real people per simulated person
    scales: np.ndarray | None = None
    #: the same seeds with no automation, when run with ``counterfactual=True``
    counterfactual: Results | None = None
    #: per country, the definition its informal share and underemployment rate follow
    #: (``sim.inputs.definition``: the basis of the inputs the run read)
    definitions: dict[str, dict[str, Definition]] = field(default_factory=dict)
    #: per country, what its unemployment rate measures, named in labels (``short_basis``)
    unemployment_bases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_runs(
        cls, scenario: Scenario, runs: dict[str, list[Replication]], tables: DataTables
    ) -> Results:
        countries = tuple(runs)
        names = list(SECTOR_METRICS)
        sector = np.stack([np.stack([r.sector for r in reps]) for reps in runs.values()])
        country = np.stack([np.stack([r.country for r in reps]) for reps in runs.values()])
        losses = np.stack([np.stack([r.losses for r in reps]) for reps in runs.values()])
        displaced = np.stack([np.stack([r.displaced for r in reps]) for reps in runs.values()])
        extras = {
            "evaluation": np.stack(
                [np.stack([_present(r.evaluation) for r in reps]) for reps in runs.values()]
            ),
            "cohort_earnings": np.stack(
                [np.stack([_present(r.cohort_earnings) for r in reps]) for reps in runs.values()]
            ),
            "cohort_pre": np.array([[r.cohort_pre for r in reps] for reps in runs.values()]),
            "scales": np.array([[r.scale for r in reps] for reps in runs.values()]),
        }
        twins = {iso3: [r.twin for r in reps] for iso3, reps in runs.items()}
        counterfactual = None
        if all(t is not None for reps in twins.values() for t in reps):
            from sim.runner import no_automation

            counterfactual = cls.from_runs(no_automation(scenario), twins, tables)  # type: ignore[arg-type]

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
            [sector]
            + [
                np.cumsum(sector[:, :, :, names.index(CUMULATIVE[n])], axis=2)[:, :, :, None]
                for n in sector_extra
            ],
            axis=3,
        )
        cnames = list(COUNTRY_METRICS)
        country = np.concatenate(
            [country]
            + [
                np.cumsum(country[..., cnames.index(CUMULATIVE[n])], axis=2)[..., None]
                for n in country_extra
            ],
            axis=3,
        )
        provenance = run_record(scenario, tables, runs)
        currencies = {iso3: tables.country(iso3).currency for iso3 in countries}
        from sim.runner import definitions_of

        definitions = {iso3: definitions_of(scenario, iso3, tables) for iso3 in countries}
        bases = {iso3: short_basis(tables.country(iso3).unemployment_basis) for iso3 in countries}
        return cls(
            scenario,
            countries,
            sector,
            country,
            losses,
            displaced,
            provenance,
            tuple(names + sector_extra),
            tuple(cnames + country_extra),
            currencies,
            counterfactual=counterfactual,
            definitions=definitions,
            unemployment_bases=bases,
            **extras,
        )

    # -- calendar -----------------------------------------------------------------------------

    @cached_property
    def dates(self) -> pd.PeriodIndex:
        """The calendar month whose end each model month stands for (``run_dates``)."""
        return run_dates(self.scenario.run.start, self.sector_cube.shape[2] - 1)

    def month_of(self, year: int, month: int = 12) -> int | None:
        """Model month of a calendar month, or None if outside the run."""
        return month_in(self.dates, year, month)

    @property
    def sectors(self) -> tuple[str, ...]:
        """Sector labels of the last cube axis, ending with 'all'."""
        return (*SECTORS, ALL)

    def label(self, text: str, iso3: str) -> str:
        """A row label for ``iso3``: ``{currency}``, each ``{metric}`` of ``CONCEPTS`` (the
        definition that country's figure follows), ``{formal}`` (what formal work holds
        where informality is the status proxy) and ``{unemployment}`` (what its unemployment
        rate measures) filled in."""
        text = text.replace("{currency}", self.currencies.get(iso3, "local currency"))
        informal = self.definitions.get(iso3, {}).get("informal_share")
        proxy = informal is not None and informal.basis == "status_proxy"
        text = text.replace("{formal}", FORMAL_WITH_PROXY if proxy else "")
        basis = self.unemployment_bases.get(iso3, "")
        text = text.replace("{unemployment}", f": {basis}" if basis else "")
        for metric in CONCEPTS:
            found = self.definitions.get(iso3, {}).get(metric)
            text = text.replace("{" + metric + "}", str(found) if found else "definition unknown")
        return text

    # -- values -------------------------------------------------------------------------------

    def values(
        self, metric: str, country: str | None = None, sectors: Iterable[str] | None = None
    ) -> np.ndarray:
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
        sectors = [sectors] if isinstance(sectors, str) else list(sectors)
        unknown = [s for s in sectors if s not in SECTORS]
        if unknown:
            raise SimError(f"unknown sector {unknown[0]!r}; valid: {', '.join(SECTORS)}")
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
            names=["country", "replication", "month", "metric", "sector"],
        )
        sector_part = pd.DataFrame({"value": self.sector_cube.reshape(-1)}, index=index)
        cindex = pd.MultiIndex.from_product(
            [self.countries, range(n_r), range(n_t), self.country_metrics, [ALL]],
            names=["country", "replication", "month", "metric", "sector"],
        )
        country_part = pd.DataFrame({"value": self.country_cube.reshape(-1)}, index=cindex)
        frame = pd.concat([sector_part, country_part]).reset_index()
        frame.insert(0, "scenario", self.scenario.name)
        frame.insert(4, "date", self.dates.strftime("%Y-%m")[frame["month"].to_numpy()])
        return frame[
            ["scenario", "country", "replication", "month", "date", "sector", "metric", "value"]
        ]

    def summary(self, band: tuple[float, float] = BAND) -> pd.DataFrame:
        """Median and band over replications, per country x month x sector x metric."""
        parts = []
        for c, iso3 in enumerate(self.countries):
            for cube, metrics, sectors in (
                (self.sector_cube[c], self.sector_metrics, self.sectors),  # [R, T, M, S]
                (self.country_cube[c][..., None], self.country_metrics, (ALL,)),
            ):
                mid, low, high = median_band(cube, band)
                idx = pd.MultiIndex.from_product(
                    [range(cube.shape[1]), metrics, sectors], names=["month", "metric", "sector"]
                )
                parts.append(
                    pd.DataFrame(
                        {
                            "country": iso3,
                            "median": mid.reshape(-1),
                            "low": low.reshape(-1),
                            "high": high.reshape(-1),
                        },
                        index=idx,
                    )
                )
        out = pd.concat(parts).reset_index()
        out.insert(1, "date", self.dates.strftime("%Y-%m")[out["month"].to_numpy()])
        out.insert(0, "scenario", self.scenario.name)
        return out[
            ["scenario", "country", "month", "date", "sector", "metric", "median", "low", "high"]
        ]

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
                names=["country", "replication", "month", "sector", "sex", "skill"],
            )
            parts.append(pd.DataFrame({"metric": name, "value": cube.reshape(-1)}, index=idx))
        out = pd.concat(parts).reset_index()
        out.insert(3, "date", self.dates.strftime("%Y-%m")[out["month"].to_numpy()])
        return out

    def report_months(self, years: Sequence[int] | None = None) -> list[int]:
        """Model months for headline years (December of each), by default 2030 and 2035.

        With the default years, those the run reaches, or its last month if it reaches none.

        Raises:
            SimError: a year given is outside the run (``check_years``).
        """
        if years:
            check_years(self.dates, years)
            return [month_in(self.dates, y) for y in years]  # type: ignore[misc]
        months = [m for m in (self.month_of(y) for y in HEADLINE_YEARS) if m is not None]
        return months or [len(self.dates) - 1]

    def indicator(
        self,
        metric: str,
        country: str | None = None,
        sectors: Iterable[str] | None = None,
        scope: str | None = None,
    ) -> np.ndarray:
        """A headline indicator as [replication, month].

        Displacement and employment are for ``sectors`` (default: the scenario's focus sectors,
        or every sector); whole-economy indicators (``scope="economy"``, by default those so
        marked in ``HEADLINE``) ignore it. Percentages are in percent.
        """
        if scope is None:
            scope = next((scope for _, name, scope in HEADLINE if name == metric), "focus")
        if scope == "economy":
            sectors = None
        elif sectors is None:
            sectors = self.scenario.focus_sectors or None
        parts = DERIVED.get(metric, (metric,))
        total = np.sum([self.values(part, country, sectors) for part in parts], axis=0)
        return total * 100 if metric in PERCENT else total

    def headline(
        self,
        sectors: Iterable[str] | None = None,
        years: Sequence[int] | None = None,
        band: tuple[float, float] = BAND,
        country: str | None = None,
        rows: Sequence[tuple[str, str, str]] = (),
    ) -> pd.DataFrame:
        """Headline numbers at the end of each year: median and band over replications.

        Displacement counts refer to workers displaced from ``sectors`` (default: the
        scenario's focus sectors, or every sector). ``years`` default to 2030 and 2035 where
        the run reaches them (else its last month). ``rows`` are (label, indicator, scope) to
        report instead of ``HEADLINE``.

        Raises:
            SimError: a year outside the run, or a sector that is unknown or not simulated.
        """
        if sectors is not None:
            check_sectors(self.scenario, list(sectors), "sector")
        table = []
        for iso3 in (country,) if country else self.countries:
            for month in self.report_months(years):
                for label, metric, scope in rows or HEADLINE:
                    v = self.indicator(metric, iso3, sectors, scope)[:, month]
                    mid, lo, hi = median_band(v, band)
                    table.append(
                        {
                            "country": iso3,
                            "year": self.dates[month].year,
                            "date": str(self.dates[month]),
                            "indicator": self.label(label, iso3),
                            "metric": metric,
                            "median": mid,
                            "low": lo,
                            "high": hi,
                        }
                    )
        return pd.DataFrame(
            table,
            columns=["country", "year", "date", "indicator", "metric", "median", "low", "high"],
        )

    # -- files --------------------------------------------------------------------------------

    def file_provenance(self) -> dict[str, Any]:
        """The provenance a result file carries: ``provenance`` plus the scale of each country
        (real people per simulated person)."""
        record = dict(self.provenance)
        if self.scales is not None:
            record["scale"] = {
                iso3: sorted({int(k) for k in row})
                for iso3, row in zip(self.countries, self.scales, strict=True)
            }
        return record

    def write(self, path: Path | str, what: str = "summary") -> Path:
        """Write ``summary``, ``frame`` or ``breakdown`` to CSV, Parquet or Excel (by suffix),
        with the run's provenance inside the file (``sim.io``).

        Writes to a temporary file beside the target and renames it, so an interrupted write
        never leaves a half-written result.
        """
        table = {"summary": self.summary, "frame": lambda: self.frame, "breakdown": self.breakdown}[
            what
        ]()
        return write_table(table, path, self.file_provenance(), sheet=what)


def compare(
    baseline: Results,
    policy: Results,
    band: tuple[float, float] = BAND,
    sectors: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    rows: Sequence[tuple[str, str, str]] = (),
) -> pd.DataFrame:
    """Policy minus baseline, paired by replication (same seeds), with median and band.

    ``rows`` are (label, indicator, scope) to compare instead of ``HEADLINE``.

    Raises:
        ValueError: runs of other countries, replications or horizons.
        SimError: a year outside the run, or a sector that is unknown or not simulated.
    """
    if sectors is not None:
        check_sectors(baseline.scenario, list(sectors), "sector")
    if (
        baseline.countries != policy.countries
        or baseline.sector_cube.shape != policy.sector_cube.shape
    ):
        raise ValueError("compare needs two runs over the same countries, replications and horizon")
    table = []
    for iso3 in baseline.countries:
        for month in baseline.report_months(years):
            for label, metric, scope in rows or HEADLINE:
                base = baseline.indicator(metric, iso3, sectors, scope)[:, month]
                pol = policy.indicator(metric, iso3, sectors, scope)[:, month]
                mid, low, high = median_band(pol - base, band)
                table.append(
                    {
                        "country": iso3,
                        "year": baseline.dates[month].year,
                        "indicator": baseline.label(label.strip(), iso3),
                        "metric": metric,
                        "baseline": float(median_band(base, band)[0]),
                        "policy": float(median_band(pol, band)[0]),
                        "difference": float(mid),
                        "low": float(low),
                        "high": float(high),
                    }
                )
    return pd.DataFrame(table)
