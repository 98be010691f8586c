"""Medians and bands over replications: ``median_band`` (the one place where they are
computed; the band is ``sim.vocabulary.BAND``, 5-95%, unless a caller asks for another), the
chart summaries ``series_band`` and ``breakdown_band``, and ``cost_per_reemployed``, the cost
per extra worker back in work of a policy run paired with a baseline run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.vocabulary import BAND


def median_band(
    values: np.ndarray, band: tuple[float, float] = BAND, axis: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, low, high) over replications (``axis``): the band's quantiles, linear."""
    mid, low, high = np.quantile(values, [0.5, band[0], band[1]], axis=axis)
    return mid, low, high


# -- summaries for charts ----------------------------------------------------------------------


def series_band(
    values: np.ndarray, dates: Sequence[str], series: str, band: tuple[float, float] = BAND
) -> pd.DataFrame:
    """Median and band over replications of a [replication, month] array, one row a month."""
    mid, low, high = median_band(np.asarray(values, dtype=float), band)
    return pd.DataFrame(
        {"date": list(dates), "series": series, "median": mid, "low": low, "high": high}
    )


def breakdown_band(
    breakdown: pd.DataFrame,
    metrics: Mapping[str, str],
    sectors: Iterable[str] | None = None,
    band: tuple[float, float] = BAND,
) -> pd.DataFrame:
    """Median and band over replications by sector x sex, summed over skill bands.

    ``breakdown`` is ``Results.breakdown(months=[m])`` for one country and month; ``metrics``
    maps its metric names to the labels to show.
    """
    table = breakdown[breakdown["metric"].isin(list(metrics))]
    if sectors is not None:
        table = table[table["sector"].isin(list(sectors))]
    per_rep = table.groupby(["metric", "sector", "sex", "replication"], sort=False)["value"].sum()
    groups = per_rep.index.droplevel("replication").unique()
    wide = per_rep.unstack("replication").reindex(groups)  # [metric x sector x sex, replication]
    mid, low, high = median_band(wide.to_numpy(), band, axis=1)
    out = pd.DataFrame({"median": mid, "low": low, "high": high}, index=groups).reset_index()
    out["measure"] = out["metric"].map(dict(metrics))
    return out


# -- cost effectiveness ----------------------------------------------------------------------


@dataclass(frozen=True)
class CostPerWorker:
    """Programme cost per extra worker re-employed compared with no policy."""

    median: float | None
    low: float | None
    high: float | None
    note: str  # why a figure is missing or what the band means; "" when all is defined


def cost_per_reemployed(
    cost: np.ndarray,
    policy_reemployed: np.ndarray,
    baseline_reemployed: np.ndarray,
    band: tuple[float, float] = BAND,
) -> CostPerWorker:
    """Cost per extra re-employed worker, paired by replication (same seeds).

    Args:
        cost: programme cost to date in each replication (local currency).
        policy_reemployed, baseline_reemployed: workers back in work in each replication of the
            policy and the no-policy run.

    The ratio is undefined when the programme costs nothing or does not put more people back
    in work than no policy (a trainee is locked in while training, so early on a programme can
    re-employ fewer people than doing nothing). Then ``median`` is None and ``note`` says why.
    When the median gain is positive but some replications gain nothing, the band's upper end
    is unbounded (None).
    """
    cost = np.asarray(cost, dtype=float)
    extra = np.asarray(policy_reemployed, dtype=float) - np.asarray(baseline_reemployed, float)
    mid_cost, mid_extra = float(median_band(cost)[0]), float(median_band(extra)[0])
    if mid_cost <= 0:
        return CostPerWorker(None, None, None, "no programme cost: no policy lever is on")
    if mid_extra <= 0:
        return CostPerWorker(
            None,
            None,
            None,
            f"the programme re-employs no more workers than no policy "
            f"(median difference {mid_extra:+,.0f}), so a cost per worker is "
            "undefined",
        )
    ratio = float(mid_cost / mid_extra)
    if np.all(extra > 0):
        _, low, high = median_band(cost / extra, band)
        return CostPerWorker(ratio, float(low), float(high), "")
    positive = extra > 0
    return CostPerWorker(
        ratio,
        float(median_band(cost[positive] / extra[positive], band)[1]),
        None,
        "upper end unbounded: in some replications the programme re-employed "
        "no more workers than no policy",
    )
