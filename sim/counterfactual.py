"""Automation measured against a counterfactual: the same seeds with no AI adoption.

A run made with ``counterfactual=True`` carries its twin (``Results.counterfactual``): the
same people, demography, turnover and programmes, with no adoption. Paired by seed, the
difference is automation's effect: jobs destroyed plus jobs not created, net of the new
AI-era jobs, and who bears it (people who entered the labour force during the run, or
incumbents). The people laid off by automation are followed in both runs, so their earnings
loss is measured as Jacobson, LaLonde and Sullivan (1993) measure it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.bands import median_band
from sim.evaluation import earnings_loss
from sim.results import PERCENT, Results
from sim.vocabulary import BAND

__all__ = ["automation_effect"]

#: (label, metric, scope, what): "difference" = run minus twin; "run" = the run's own value.
ROWS = [
    ("Employed in these sectors, regular work, difference", "employed", "focus"),
    ("  entrants since the start", "entrants_employed", "focus"),
    ("  incumbents", "incumbents_employed", "focus"),
    ("Formal employment, whole economy, difference{formal}", "formal_employed", "economy"),
    (
        "Informal employment, whole economy, difference: {informal_share}",
        "informal_employed",
        "economy",
    ),
    ("Employment, whole economy, difference", "employed", "economy"),
    ("Unemployment rate, difference (points){unemployment}", "unemployment_rate", "economy"),
    (
        "Underemployment rate, difference (points): {underemployment_rate}",
        "underemployment_rate",
        "economy",
    ),
    ("Monthly wage bill, whole economy, difference ({currency})", "regular_wage_bill", "economy"),
]


def _values(results: Results, metric: str, iso3: str, sectors: list[str] | None) -> np.ndarray:
    if metric == "incumbents_employed":
        return results.values("employed", iso3, sectors) - results.values(
            "entrants_employed", iso3, sectors
        )
    scale = 100.0 if metric in PERCENT else 1.0
    return results.values(metric, iso3, sectors) * scale


def automation_effect(
    results: Results,
    sectors: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    band: tuple[float, float] = BAND,
) -> pd.DataFrame:
    """Run minus its no-automation twin at the end of each headline year, median and band;
    then the laid-off cohort's earnings loss (years 1, 3, 5 after the layoff) and its present
    value in years of pre-layoff earnings.

    Raises:
        ValueError: the run was made without ``counterfactual=True``.
    """
    twin = results.counterfactual
    if twin is None:
        raise ValueError("this run has no counterfactual twin: run it with counterfactual=True")
    focus = list(sectors) if sectors else (list(results.scenario.focus_sectors) or None)
    rows = []
    for c, iso3 in enumerate(results.countries):
        for month in results.report_months(years):
            for label, metric, scope in ROWS:
                picked = focus if scope == "focus" else None
                diff = (
                    _values(results, metric, iso3, picked)[:, month]
                    - _values(twin, metric, iso3, picked)[:, month]
                )
                mid, low, high = median_band(diff, band)
                rows.append(
                    {
                        "country": iso3,
                        "year": results.dates[month].year,
                        "indicator": results.label(label, iso3),
                        "median": float(mid),
                        "low": float(low),
                        "high": float(high),
                    }
                )
        if (
            results.cohort_earnings is None
            or twin.cohort_earnings is None
            or results.cohort_pre is None
        ):
            continue
        loss = earnings_loss(
            results.cohort_earnings[c],
            twin.cohort_earnings[c],
            results.cohort_pre[c],
            results.scenario.earnings.discount_rate_per_year,
        )
        laid_off = results.cohort_earnings[c][:, 1, 0]
        for year in (1, 3, 5):
            if year > loss["loss_by_year"].shape[-1]:
                continue
            values = loss["loss_by_year"][:, year - 1] * 100
            rows.append(
                _summary(
                    iso3,
                    f"Laid off by automation: earnings lost in year {year} "
                    "after the layoff (% of no-AI earnings)",
                    values,
                    band,
                )
            )
        rows.append(
            _summary(
                iso3,
                "  present value of earnings lost over the run (years of pre-layoff earnings)",
                loss["present_value_years"],
                band,
            )
        )
        rows[-1]["note"] = f"{np.median(laid_off):,.0f} people followed (median)"
    return pd.DataFrame(rows)


def _summary(iso3: str, label: str, values: np.ndarray, band: tuple[float, float]) -> dict:
    ok = values[~np.isnan(values)]
    mid, low, high = median_band(ok, band) if ok.size else (np.nan,) * 3
    return {
        "country": iso3,
        "year": None,
        "indicator": label,
        "median": float(mid),
        "low": float(low),
        "high": float(high),
    }
