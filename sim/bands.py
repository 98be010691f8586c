"""Medians and bands over replications: ``median_band`` (the one place where they are
computed; the band is ``sim.vocabulary.BAND``, 5-95%, unless a caller asks for another), the
chart summaries ``series_band`` and ``breakdown_band``, and ``cost_per_gain``, the cost per unit
gained of a policy run paired with a baseline run (``cost_per_reemployed``: per extra worker
back in work)."""

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
    """Programme cost per unit gained compared with no policy (an extra worker re-employed, a
    net job-year)."""

    median: float | None
    low: float | None
    high: float | None  # None: unbounded (some replications gained nothing) or undefined
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
    is unbounded (None). The rule is ``cost_per_gain``'s.
    """
    extra = np.asarray(policy_reemployed, dtype=float) - np.asarray(baseline_reemployed, float)
    return cost_per_gain(
        cost, extra, band, unit="worker", no_gain="re-employs no more workers than no policy"
    )


def cost_per_gain(
    cost: np.ndarray,
    gain: np.ndarray,
    band: tuple[float, float] = BAND,
    unit: str = "unit",
    no_gain: str = "gains nothing over no policy",
) -> CostPerWorker:
    """Programme cost per unit gained, paired by replication (same seeds): the one rule for every
    cost-effectiveness ratio (cost per worker re-employed, cost per net job-year).

    Args:
        cost: programme cost in each replication (local currency).
        gain: what the programme gained in each replication over its no-policy twin (workers,
            job-years); zero or negative where it gained nothing.
        unit: what one unit of gain is, for the note ("worker", "net job-year").
        no_gain: what the programme did where it gained nothing, for the note.

    The median is over all replications: the median cost over the median gain. It is undefined
    (None, and the note says why) when the median cost is not positive (no programme) or the
    median gain is not positive. A replication that gained nothing has no finite cost per unit:
    its cost per unit is unbounded, so when any replication gained nothing the band's upper end
    is unbounded (``high`` None) and its lower end is the band's quantile of the replications
    that gained; otherwise the band is the quantiles of the paired per-replication ratios.
    """
    cost = np.asarray(cost, dtype=float)
    gain = np.asarray(gain, dtype=float)
    mid_cost, mid_gain = float(median_band(cost)[0]), float(median_band(gain)[0])
    if mid_cost <= 0:
        return CostPerWorker(None, None, None, "no programme cost: no policy lever is on")
    if mid_gain <= 0:
        return CostPerWorker(
            None,
            None,
            None,
            f"the programme {no_gain} (median difference {mid_gain:+,.0f}), so a cost per "
            f"{unit} is undefined",
        )
    ratio = float(mid_cost / mid_gain)
    positive = gain > 0
    if np.all(positive):
        _, low, high = median_band(cost / gain, band)
        return CostPerWorker(ratio, float(low), float(high), "")
    return CostPerWorker(
        ratio,
        float(median_band(cost[positive] / gain[positive], band)[1]),
        None,
        f"upper end unbounded: in {int((~positive).sum())} of {gain.size} replications the "
        f"programme {no_gain}",
    )
