"""The run's calendar: which calendar month each model month stands for, and checks of the
years a caller asks for (``run_dates``, ``month_in``, ``check_years``)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sim.errors import SimError


def run_dates(start: str, horizon_months: int) -> pd.PeriodIndex:
    """The calendar month whose end each model month 0..``horizon_months`` stands for.

    The calendar, once for everything: model month 0 is the state at the start, i.e. the end
    of the month before ``start`` (``run.start``); simulated month t (1, 2, ...) is the
    calendar month ``start`` + (t - 1), and its values are at that month's end. So "by end of
    2026" is model month 12 of a run starting 2026-01.
    """
    first = pd.Period(start, freq="M") - 1
    return pd.period_range(first, periods=horizon_months + 1, freq="M")


def month_in(dates: pd.PeriodIndex, year: int, month: int = 12) -> int | None:
    """Model month of a calendar month in a run's ``dates``, or None if outside the run."""
    offset = (pd.Period(year=year, month=month, freq="M") - dates[0]).n
    return offset if 0 <= offset < len(dates) else None


def check_years(dates: pd.PeriodIndex, years: Iterable[int], what: str = "year") -> None:
    """Refuse years whose end ("by end of YYYY" = December of YYYY) is outside the run.

    Raises:
        SimError: one line naming the year and the run's calendar range.
    """
    for year in years:
        if month_in(dates, int(year)) is not None:
            continue
        first = dates[0].year
        last = dates[-1].year if dates[-1].month == 12 else dates[-1].year - 1
        can = (
            f"years {first} to {last} can be shown"
            if first < last
            else f"only {first} can be shown"
            if first == last
            else "no December falls in it; lengthen the run"
        )
        raise SimError(
            f"{what} {year}: outside the run, which covers the end of {dates[0]} (the state at "
            f"the start) to the end of {dates[-1]}; by end of a year means its December, so "
            f"{can}"
        )
