"""Validation: the model's baseline against what ASEAN labour-force surveys and the ILO show.

For each country, the calibrated baseline is run with no automation and compared with the
observed unemployment rate, the duration profile of unemployment (share under 6 months, share
of 12 months or more) and the mean spell; at month 0 the share of employment in occupations
exposed to generative AI is compared with the ILO's published figures. Every comparison has a
stated tolerance and says pass or fail; where nothing was observed it says so. The observed
figures come from the data folder: countries.csv, and validation_targets.csv for published
figures that no other table holds (each with its source and confidence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from mesa import Agent

from sim.agents.workforce import Status
from sim.data import DataTables, load_data, load_targets
from sim.flows import country_flows
from sim.model import LabourMarketModel
from sim.runner import replication_seeds
from sim.scenarios import PARAMETERS, load_scenario, with_overrides
from sim.vocabulary import LONG_TERM_MONTHS


@dataclass(frozen=True)
class Tolerance:
    """How close the model must come to an observed figure to pass."""

    relative: float | None = None
    absolute: float | None = None

    def passes(self, model: float, observed: float) -> bool:
        gap = abs(model - observed)
        if self.relative is not None:
            return gap <= self.relative * abs(observed)
        return gap <= (self.absolute or 0.0)

    def __str__(self) -> str:
        if self.relative is not None:
            return f"within {self.relative:.0%} of observed"
        return f"within {(self.absolute or 0.0) * 100:.1f} points"


UNEMPLOYED_AGENTS = 5_000  # simulated unemployed per validation run

TOLERANCES = {
    "unemployment rate": Tolerance(relative=0.10),
    "share unemployed 12+ months": Tolerance(absolute=0.03),
    "share unemployed under 6 months": Tolerance(absolute=0.05),
    "mean spell (months)": Tolerance(relative=0.15),
    "employment in GenAI-exposed occupations": Tolerance(absolute=0.03),
}


def simulate_baseline(
    tables: DataTables,
    iso3: str,
    months: int = PARAMETERS["run.horizon_months"].default,
    replications: int = 3,
    seed: int = PARAMETERS["run.seed"].default,
) -> dict[str, float]:
    """Run the no-automation baseline and measure it as a labour-force survey would."""
    country = tables.country(iso3)
    u = country.unemployment_rate
    unemployed = country.employment.sum() * u / (1 - u)
    # Survey-like precision: about 5,000 simulated unemployed, whatever the country's size.
    scale = max(1, int(unemployed // UNEMPLOYED_AGENTS))
    scenario = with_overrides(
        load_scenario("baseline"),
        {"uncertainties.adoption_ceiling": 0.0, "run.horizon_months": months, "run.scale": scale},
    )
    flows = country_flows(iso3, tables)
    rates, long_term, short, spells = [], [], [], []
    for child in replication_seeds(seed, iso3, replications):
        model = LabourMarketModel(
            scenario, country, tables, flows, rng=np.random.default_rng(child)
        )
        workforce = model.workforce
        inflow, stock = 0.0, 0.0
        for _ in range(months):
            model.step()
            if model.month <= months // 2:
                continue  # measure the second half, well after the start
            unemployed = np.flatnonzero(workforce.status == Status.UNEMPLOYED)
            elapsed = model.month - workforce.jobless_since[unemployed]
            rates.append(unemployed.size / workforce.n)
            long_term.append(
                float((elapsed >= LONG_TERM_MONTHS).mean()) if unemployed.size else 0.0
            )
            short.append(float((elapsed < 6).mean()) if unemployed.size else 0.0)
            inflow += model.flow_turnover.sum()
            stock += unemployed.size
        spells.append(stock / inflow if inflow else np.nan)
        Agent._ids.pop(model, None)  # Mesa 3.3.1 keeps models alive otherwise
    return {
        "unemployment rate": float(np.mean(rates)),
        "share unemployed 12+ months": float(np.mean(long_term)),
        "share unemployed under 6 months": float(np.mean(short)),
        "mean spell (months)": float(np.nanmean(spells)),
    }


def exposed_share(tables: DataTables, iso3: str) -> float:
    """Employment-weighted share of workers in GenAI-exposed occupations (ILO 2025 gradients)."""
    country = tables.country(iso3)
    exposed = tables.occupations["exposed_share_ilo2025"].to_numpy(dtype=float)
    by_sector = country.occ_mix @ exposed
    return float((by_sector * country.employment).sum() / country.employment.sum())


def validate(
    countries: list[str] | None = None, tables: DataTables | None = None, replications: int = 3
) -> pd.DataFrame:
    """Model vs observed for each country, with the gap, the tolerance and pass/fail."""
    tables = tables or load_data()
    targets = load_targets(tables.folder)
    info = tables.countries.set_index("iso3")
    codes = countries or list(info.index)
    for iso3 in codes:
        tables.country(iso3)  # an unknown code fails here, naming the valid ones
    rows = []
    for iso3 in codes:
        c = info.loc[iso3]
        model = simulate_baseline(tables, iso3, replications=replications)
        has_durations = pd.notna(c["share_ge12m"])
        observed = {
            "unemployment rate": (c["unemployment_rate"], c["unemployment_rate_source"]),
            "share unemployed 12+ months": (
                c["share_ge12m"] if has_durations else np.nan,
                c["duration_source"],
            ),
            "share unemployed under 6 months": (
                c["share_lt6m"] if has_durations else np.nan,
                c["duration_source"],
            ),
            # Not observed directly: FACTS §6.3's 1/f assumes a constant job-finding rate.
            "mean spell (months)": (
                1.0 / c["job_finding_rate"],
                "1/f, constant-hazard estimate: " + c["job_finding_source"],
            ),
        }
        targeted = {
            "unemployment rate": True,
            "share unemployed 12+ months": has_durations,
            "share unemployed under 6 months": has_durations,
            "mean spell (months)": False,
        }
        for name, value in model.items():
            target, source = observed[name]
            rows.append(_row(iso3, name, value, target, source, calibrated=targeted[name]))
        exposed = "employment in GenAI-exposed occupations"
        if (iso3, exposed) in targets.index:
            target, source = targets.loc[(iso3, exposed), ["observed", "source"]]
        else:
            target, source = np.nan, "no published ILO figure (GAP)"
        rows.append(
            _row(iso3, exposed, exposed_share(tables, iso3), target, source, calibrated=False)
        )
    return pd.DataFrame(rows)


def _row(
    iso3: str, name: str, model: float, observed: float, source: str, calibrated: bool
) -> dict:
    tolerance = TOLERANCES[name]
    if pd.isna(observed):
        verdict = "no data"
    else:
        verdict = "pass" if tolerance.passes(model, float(observed)) else "FAIL"
    return {
        "country": iso3,
        "indicator": name,
        "model": model,
        "observed": float(observed) if pd.notna(observed) else np.nan,
        "gap": model - float(observed) if pd.notna(observed) else np.nan,
        "tolerance": str(tolerance),
        "result": verdict,
        "targeted_by_calibration": calibrated,
        "observed_source": source,
    }
