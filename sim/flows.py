"""Labour flows: each country's calibrated job finding, search decay and separations.

``LabourFlows`` holds the three monthly rates a model needs. ``country_flows`` takes them from
the data folder's ``calibration.csv`` when it holds a current row for the country (one fitted
to the unemployment rate and duration shares now in ``countries.csv``), and otherwise fits
them on the fly with ``sim.calibrate`` (the same procedure that wrote the shipped file), so a
user's own data folder is calibrated to its own figures. ``calibration_status`` says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate import calibrate, survival
from sim.data import CALIBRATION_FILE, DataTables, load_data

__all__ = ["LabourFlows", "calibration_status", "country_flows", "load_calibration"]

FITTED = "calibration.csv"
ON_THE_FLY = "fitted on the fly"


@dataclass(frozen=True)
class LabourFlows:
    """A country's calibrated turnover and job finding (see ``sim.calibrate``)."""

    hire_rate: float  # monthly hire chance of a fresh searcher
    search_decay: float  # fall in search efficiency per month of search
    separation_rate: float  # monthly ordinary separations per employed worker

    def initial_spells(self) -> Callable[[np.random.Generator, int], np.ndarray]:
        """Months since job loss of the initially unemployed, drawn from the steady state."""
        weights = survival(self.hire_rate, self.search_decay)
        weights = weights / weights.sum()

        def draw(rng: np.random.Generator, n: int) -> np.ndarray:
            return rng.choice(weights.size, size=n, p=weights)

        return draw


def _targets(tables: DataTables) -> pd.DataFrame:
    """The unemployment rate and duration shares a current calibration was fitted to."""
    countries = tables.countries.set_index("iso3")
    observed = countries[["share_lt6m", "share_ge12m"]].dropna()
    typical = observed.median() if len(observed) else pd.Series(np.nan, observed.columns)
    return pd.DataFrame(
        {
            "unemployment_rate": countries["unemployment_rate"],
            "target_share_lt6m": countries["share_lt6m"].fillna(typical["share_lt6m"]),
            "target_share_ge12m": countries["share_ge12m"].fillna(typical["share_ge12m"]),
        }
    )


@lru_cache(maxsize=8)
def calibration_status(tables: DataTables) -> dict[str, str]:
    """Per country: where its flows come from, ``"calibration.csv"`` or why they are fitted.

    A row is current when its unemployment rate and target duration shares equal the figures
    in countries.csv (for a country without a duration table, the median shares of those with
    one); otherwise it was fitted to other data and is not used.
    """
    targets = _targets(tables)
    status = {}
    for iso3 in tables.iso3_codes:
        cal = tables.calibration
        if cal is None:
            status[iso3] = f"{ON_THE_FLY} (no {CALIBRATION_FILE} in {tables.folder})"
        elif iso3 not in cal.index:
            status[iso3] = f"{ON_THE_FLY} (no row in {CALIBRATION_FILE})"
        elif not np.allclose(
            cal.loc[iso3, targets.columns].to_numpy(dtype=float),
            targets.loc[iso3].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-12,
        ):
            status[iso3] = (
                f"{ON_THE_FLY} (the {CALIBRATION_FILE} row was fitted to other "
                "unemployment or duration figures than countries.csv holds)"
            )
        else:
            status[iso3] = FITTED
    return status


@lru_cache(maxsize=8)
def _fitted(tables: DataTables) -> pd.DataFrame:
    return calibrate(tables).set_index("iso3")


def load_calibration(data_dir: Path | str | None = None) -> pd.DataFrame:
    """The calibration in use for every country of a data folder, indexed by iso3.

    Rows come from the folder's calibration.csv where current, else from a fit on the fly;
    the ``origin`` column says which (see ``calibration_status``).

    Raises:
        DataError: the folder's tables are invalid, or a fit is needed and impossible.
    """
    tables = load_data(data_dir)
    status = calibration_status(tables)
    rows = []
    for iso3 in tables.iso3_codes:
        source = tables.calibration if status[iso3] == FITTED else None
        if source is None:
            source = _fitted(tables)
        rows.append(source.loc[iso3].to_dict() | {"origin": status[iso3]})
    return pd.DataFrame(rows, index=pd.Index(tables.iso3_codes, name="iso3"))


def country_flows(iso3: str, tables: DataTables | None = None) -> LabourFlows:
    """The labour flows of a country: its current calibration row, or a fit on the fly."""
    tables = tables if tables is not None else load_data()
    tables.country(iso3)  # an unknown code fails here, naming the valid ones
    current = calibration_status(tables)[iso3] == FITTED
    table = tables.calibration if current else None
    row = (table if table is not None else _fitted(tables)).loc[iso3]
    return LabourFlows(
        float(row["hire_rate"]), float(row["search_decay"]), float(row["separation_rate"])
    )
