"""The AI-divide view: one scenario in several ASEAN countries, side by side.

``run_region`` runs a scenario for a set of countries (default: all ten) with their no-AI twins
(``counterfactual=True``) and ``region_table`` compares them on scales that do not depend on a
country's size: exposure and readiness at the start, then by year the adoption level, the jobs
automation removes (layoffs and hires foregone) and the AI-era vacancies it creates as shares of
employment, the net effect on employment against the twin, and programme cost as a share of the
wage bill. A country's row is the same as a single-country run with the same seed: replications
are seeded by (seed, country) only (``sim.runner.replication_seeds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.bands import median_band
from sim.data import DataTables, load_data
from sim.inputs import SEXES, country_inputs
from sim.results import Results
from sim.runner import run_scenario
from sim.scenarios import Scenario
from sim.vocabulary import BAND

__all__ = ["exposure_at_start", "region_table", "run_region"]


def exposure_at_start(tables: DataTables, iso3: str) -> dict[str, float]:
    """Share of employment in GenAI-exposed occupations at the start, from the inputs.

    The expected value of what the model draws: sector employment x sex x major group (the
    sector's mix for that sex) x 2-digit group within the major group x the group's share of
    occupations in an ILO 2025 exposure gradient; plus the employment-weighted automation and
    augmentation shares of task time. No fitted factor.
    """
    inputs = country_inputs(tables, iso3, exposure_assumption="ilo_genai_2025")
    exposed = np.zeros(2)
    employed = np.zeros(2)
    automation = augmentation = 0.0
    task = inputs.task_exposure
    for s, _ in enumerate(SEXES):
        share = inputs.female_share if s == 1 else 1 - inputs.female_share
        people = inputs.employment * share  # [S]
        major = people[:, None] * inputs.occ_mix_by_sex[:, s, :]  # [S, 9]
        by_major = major.sum(axis=0)  # [9]
        codes = by_major[inputs.occ_major - 1] * inputs.occ_within[s]  # [K]
        exposed[s] = (codes * inputs.exposed_share).sum()
        employed[s] = codes.sum()
        automation += (codes * task * inputs.automation_share).sum()
        augmentation += (codes * task * (1 - inputs.automation_share)).sum()
    total = employed.sum()
    return {
        "exposed": exposed.sum() / total,
        "female": exposed[1] / employed[1],
        "male": exposed[0] / employed[0],
        "automation": automation / total,
        "augmentation": augmentation / total,
        "readiness": inputs.ai_readiness,
    }


def run_region(
    scenario: Scenario | str | Path = "baseline",
    countries: Sequence[str] | None = None,
    **settings: Any,
) -> Results:
    """Run ``scenario`` for ``countries`` (default: every country in the data) with its no-AI
    twins; ``settings`` go to ``run_scenario`` (replications, seed, data, executor, ...)."""
    tables = settings.get("data")
    if countries is None:
        loaded = tables if isinstance(tables, DataTables) else load_data(tables)
        countries = list(loaded.iso3_codes)
    return run_scenario(scenario, countries=countries, counterfactual=True, **settings)


def region_table(
    results: Results, years: Sequence[int] | None = None, band: tuple[float, float] = BAND
) -> pd.DataFrame:
    """One row per country x year: the comparison described in the module docstring.

    Shares are in percent of the country's employment at the start (regular jobs), so a
    country's size does not drive the comparison; median and band over replications.

    Raises:
        ValueError: the run has no counterfactual twin (use ``run_region``).
    """
    twin = results.counterfactual
    if twin is None:
        raise ValueError("the regional view needs the no-AI twin: use run_region")
    tables = (
        load_data(results.provenance.get("data_folder"))
        if results.provenance.get("data_folder")
        else load_data()
    )
    rows = []
    for iso3 in results.countries:
        start = exposure_at_start(tables, iso3)
        employed0 = results.values("employed", iso3)[:, :1]

        def share(values: np.ndarray, employed0: np.ndarray = employed0) -> np.ndarray:
            return values / employed0 * 100

        cost = results.values("reskilling_cost_cumulative", iso3) + results.values(
            "job_creation_cost_cumulative", iso3
        )
        bill = np.cumsum(results.values("wage_bill", iso3), axis=1)
        measures = {
            "adoption (%)": results.values("adoption", iso3) * 100,
            "formal positions removed (% of employment)": share(
                results.values("automation_cut_cumulative", iso3)
            ),
            "layoffs (% of employment)": share(
                results.values("automation_job_losses_cumulative", iso3)
            ),
            "hires foregone (% of employment)": share(
                results.values("hires_foregone_cumulative", iso3)
            ),
            "AI-era vacancies created (% of employment)": share(
                results.values("new_ai_vacancies_cumulative", iso3)
            ),
            "net employment effect vs no AI (% of employment)": share(
                results.values("employed", iso3) - twin.values("employed", iso3)
            ),
            "programme cost (% of the wage bill to date)": np.divide(
                cost, bill, out=np.zeros_like(cost), where=bill > 0
            )
            * 100,
        }
        for month in results.report_months(years):
            row: dict[str, Any] = {
                "country": iso3,
                "year": results.dates[month].year,
                "AI readiness (0-100)": start["readiness"],
                "employment in exposed occupations (%)": start["exposed"] * 100,
                "women / men exposed": start["female"] / start["male"],
                "automation share of task time (%)": start["automation"] * 100,
                "augmentation share of task time (%)": start["augmentation"] * 100,
            }
            for name, values in measures.items():
                mid, low, high = median_band(values[:, month], band)
                row[name] = float(mid)
                row[f"{name} low"] = float(low)
                row[f"{name} high"] = float(high)
            rows.append(row)
    return pd.DataFrame(rows)
