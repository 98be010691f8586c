"""Calibration of each country's job finding, search decay and separations to ILOSTAT data.

Job losers start searching the month after they lose their job (FACTS §6.3's convention: with
a constant hazard f the mean spell is 1/f). The chance that a searcher in their d-th month of
search (d = 1, 2, ...) finds a job is h(d) = min(1, c * exp(-delta * (d - 1))): c is the hire
rate of a fresh searcher and delta how fast search efficiency fades. In a steady state the share
of a cohort still unemployed d months after the job loss is G(0) = 1,
G(d) = prod_{k=1..d} (1 - h(k)), so

- the unemployed stock per monthly inflow is sum_d G(d) (the mean spell, in months),
- the share of the unemployed with a spell under 6 months is sum_{d<6} G / sum_d G,
- the long-term share (12 months or more) is sum_{d>=12} G / sum_d G.

For countries with an ILOSTAT duration table, (c, delta) are fitted to the observed shares
under 6 months and 12+ months (least squares). Where there is no duration table, the targets
are the median shares of the countries that have one (an assumption, labelled so). The
separation rate then follows from the observed unemployment rate:
inflow = outflow gives s = u / ((1 - u) * sum_d G).

``sim calibrate`` re-runs the fit and writes ``calibration.csv`` into a data folder;
``sim.flows`` fits on the fly any country whose row is missing or out of date.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from sim.data import DataError, DataTables
from sim.tables import CalibrationRow, columns
from sim.vocabulary import LONG_TERM_MONTHS

MAX_MONTHS = 600
COLUMNS = columns(CalibrationRow)


def survival(hire_rate: float, decay: float, months: int = MAX_MONTHS) -> np.ndarray:
    """G(d): share of a cohort of job losers still unemployed at the end of month d."""
    d = np.arange(months)
    hazard = np.minimum(hire_rate * np.exp(-decay * np.maximum(d - 1, 0)), 1.0)
    hazard[0] = 0.0  # nobody is hired in the month they lose their job
    return np.cumprod(1.0 - hazard)


def spell_shares(hire_rate: float, decay: float) -> tuple[float, float, float]:
    """(share under 6 months, share 12+ months, mean spell in months) in the steady state."""
    g = survival(hire_rate, decay)
    total = g.sum()
    return (float(g[:6].sum() / total), float(g[LONG_TERM_MONTHS:].sum() / total), float(total))


def fit_durations(share_lt6m: float, share_ge12m: float) -> tuple[float, float]:
    """(hire_rate, decay) whose steady state reproduces the observed duration shares."""

    def gap(x: np.ndarray) -> np.ndarray:
        lt6, ge12, _ = spell_shares(x[0], x[1])
        return np.array([lt6 - share_lt6m, ge12 - share_ge12m])

    fits = [
        least_squares(gap, x0=start, bounds=([1e-4, 0.0], [1.0, 0.5]))
        for start in ((0.2, 0.0), (0.5, 0.05), (0.1, 0.1), (0.9, 0.2))
    ]
    best = min(fits, key=lambda fit: fit.cost)  # the first of equals, as before
    return float(best.x[0]), float(best.x[1])


def calibrate(tables: DataTables) -> pd.DataFrame:
    """One calibrated row per country (see the module docstring for the method)."""
    countries = tables.countries.set_index("iso3")
    rows: dict[str, dict[str, Any]] = {}
    for iso3, c in countries.iterrows():
        lt6, ge12 = c["share_lt6m"], c["share_ge12m"]
        if pd.notna(lt6) and pd.notna(ge12):
            hire, decay = fit_durations(float(lt6), float(ge12))
            rows[iso3] = {
                "hire_rate": hire,
                "search_decay": decay,
                "target_share_lt6m": float(lt6),
                "target_share_ge12m": float(ge12),
                "method": f"least squares on ILOSTAT duration shares ({int(c['duration_year'])})",
                "confidence": "derived (low)",
            }
    if not rows:
        raise DataError(
            f"{tables.folder / 'countries.csv'}: no country has duration shares "
            "(share_lt6m, share_ge12m) to calibrate the labour flows on"
        )
    typical_lt6 = float(np.median([row["target_share_lt6m"] for row in rows.values()]))
    typical_ge12 = float(np.median([row["target_share_ge12m"] for row in rows.values()]))
    typical = fit_durations(typical_lt6, typical_ge12)
    for iso3 in countries.index:
        if iso3 in rows:
            continue
        rows[iso3] = {
            "hire_rate": typical[0],
            "search_decay": typical[1],
            "target_share_lt6m": typical_lt6,
            "target_share_ge12m": typical_ge12,
            "method": "no duration data: targets are the median shares of the "
            "countries that have them (assumption)",
            "confidence": "assumption",
        }
    out = []
    for iso3, row in sorted(rows.items()):
        u = float(countries.loc[iso3, "unemployment_rate"])
        lt6, ge12, mean = spell_shares(float(row["hire_rate"]), float(row["search_decay"]))
        out.append(
            {
                "iso3": iso3,
                **row,
                "separation_rate": u / ((1 - u) * mean),
                "mean_spell_months": mean,
                "fitted_share_lt6m": lt6,
                "fitted_share_ge12m": ge12,
                "unemployment_rate": u,
            }
        )
    frame = pd.DataFrame(out)[COLUMNS]
    return frame.round(
        {
            "hire_rate": 6,
            "search_decay": 6,
            "separation_rate": 7,
            "mean_spell_months": 4,
            "fitted_share_lt6m": 4,
            "fitted_share_ge12m": 4,
        }
    )
