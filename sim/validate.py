"""Validation: the model's baseline against what ASEAN labour-force surveys and the ILO show.

For each country, the calibrated baseline is run with no automation and compared with the
observed unemployment rate, the duration profile of unemployment (share under 6 months, share
of 12 months or more), the mean spell, the informal share of employment, underemployment (each
on the basis the inputs hold it on, which its row names: ``sim.inputs.definition``) and the
vacancy rate (where a survey publishes one); at month 0 the share of
employment in occupations exposed to generative AI, and women's relative to men's, is compared
with the ILO's published figures. Every comparison has a
stated tolerance (``TOLERANCES``: shares within a few points and a factor of 2, rates and
spells within a fraction of the observed value, the women/men ratio within 0.3) and says pass
or fail; where nothing was observed it says so. The observed
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
from sim.inputs import country_inputs, definition
from sim.metrics import (
    exposed_employment,
    informal_share,
    underemployment_rate,
    unemployment_rate,
    vacancy_rate,
)
from sim.runner import make_model, replication_seeds
from sim.scenarios import PARAMETERS, Scenario, ScenarioError, load_scenario, with_overrides
from sim.vocabulary import LONG_TERM_MONTHS


@dataclass(frozen=True)
class Tolerance:
    """How close the model must come to an observed figure to pass.

    ``relative``: the gap at most this fraction of the observed value (rates, spells).
    ``absolute``: the gap at most this much, in the indicator's own units: a share's points
    (0.03 = 3 points) or, with ``ratio``, a ratio's units (0.3 on a women/men ratio of 2.0).
    ``factor``: for shares, also the model within this factor of the observed share, and its
    complement (1 - share) within it of the observed complement. A few points are a tight test
    of a share near a half but none of a share under a point: 0.95% against an observed 0.26%
    is 0.7 points off, yet more than three times too many. A factor of 2 is about what a
    labour-force survey's own sampling error allows for a share of a few tenths of a percent
    measured on 2,000-3,000 unemployed respondents (a 95% interval of roughly 70-90% of the
    share either way); above a few percent the points bind, and near 100% the complement does
    (96.3% of the unemployed under 6 months against 98.4% observed is 3.7% against 1.6% at 6
    months or more). The rule is the same for every share, chosen for what a survey can tell
    apart, not set from the results.
    """

    relative: float | None = None
    absolute: float | None = None
    factor: float | None = None
    ratio: bool = False

    def passes(self, model: float, observed: float) -> bool:
        gap = abs(model - observed)
        if self.relative is not None:
            ok = gap <= self.relative * abs(observed)
        else:
            ok = gap <= (self.absolute or 0.0)
        if self.factor is not None:
            ok = ok and _within_factor(model, observed, self.factor)
            ok = ok and _within_factor(1.0 - model, 1.0 - observed, self.factor)
        return ok

    def __str__(self) -> str:
        if self.relative is not None:
            text = f"within {self.relative:.0%} of observed"
        elif self.ratio:
            text = f"within {self.absolute or 0.0:.2f} of the ratio"
        else:
            text = f"within {(self.absolute or 0.0) * 100:.1f} points"
        if self.factor is not None:
            text += f" and a factor of {self.factor:g}"
        return text


def _within_factor(model: float, observed: float, factor: float) -> bool:
    """``model`` between ``observed / factor`` and ``observed * factor`` (both >= 0)."""
    return observed / factor <= model <= observed * factor


UNEMPLOYED_AGENTS = 5_000  # simulated unemployed per validation run

# Shares are held to points and a factor of 2 (see Tolerance); rates and spells to a fraction
# of the observed value; the women/men ratio to 0.3 of a ratio of about 2.
TOLERANCES = {
    "unemployment rate": Tolerance(relative=0.10),
    "share unemployed 12+ months": Tolerance(absolute=0.03, factor=2.0),
    "share unemployed under 6 months": Tolerance(absolute=0.05, factor=2.0),
    "mean spell (months)": Tolerance(relative=0.15),
    "informal share of employment": Tolerance(absolute=0.03, factor=2.0),
    "underemployment": Tolerance(absolute=0.03, factor=2.0),
    "vacancy rate": Tolerance(relative=0.25),
    "employment in GenAI-exposed occupations": Tolerance(absolute=0.03, factor=2.0),
    "women / men in GenAI-exposed occupations": Tolerance(absolute=0.3, ratio=True),
}


def in_percent(indicator: str) -> bool:
    """Whether an indicator of ``TOLERANCES`` is a share or rate (shown in %), not a spell in
    months or a ratio. ``indicator`` may carry the definition its row names ("name: ...")."""
    name = indicator.split(": ", 1)[0]
    return "spell" not in name and not TOLERANCES[name].ratio


# Settings validation fixes itself: no automation, its own length, scale and replications.
FIXED = {
    "uncertainties.adoption_ceiling": "validation runs with no automation",
    "run.horizon_months": "validation runs 120 months and measures the second half",
    "run.scale": "validation picks the scale (about 5,000 simulated unemployed)",
    "run.replications": "use --replications",
}


def baseline_scenario(overrides: dict[str, object] | None = None) -> Scenario:
    """The shipped ``baseline`` with ``overrides`` (dotted keys, as ``--set`` gives them), for
    validating it under other settings, e.g. ``{"labour_market.underemployment_basis":
    "ilo"}`` to hold underemployment to ILOSTAT's time-related figure.

    Raises:
        ScenarioError: an unknown key or bad value, or a key of ``FIXED`` (one line naming it).
    """
    overrides = dict(overrides or {})
    for key in overrides:
        if key in FIXED:
            raise ScenarioError(f"--set {key}: not for validation ({FIXED[key]})")
    return with_overrides(load_scenario("baseline"), overrides, origin="--set")


def simulate_baseline(
    tables: DataTables,
    iso3: str,
    months: int = PARAMETERS["run.horizon_months"].default,
    replications: int = 3,
    scenario: Scenario | None = None,
) -> dict[str, float]:
    """Run the no-automation baseline (``scenario``, default the shipped ``baseline``; its
    seed is the base seed) and measure it as a labour-force survey would: the second half of
    the run, averaged over months and replications; exposure at month 0."""
    country = tables.country(iso3)
    u = country.unemployment_rate
    unemployed = country.employment.sum() * u / (1 - u)
    # Survey-like precision: about 5,000 simulated unemployed, whatever the country's size.
    scale = max(1, int(unemployed // UNEMPLOYED_AGENTS))
    scenario = with_overrides(
        scenario or load_scenario("baseline"),
        {"uncertainties.adoption_ceiling": 0.0, "run.horizon_months": months, "run.scale": scale},
    )
    seed = scenario.run.seed
    measured: dict[str, list[float]] = {name: [] for name in TOLERANCES}
    for child in replication_seeds(seed, iso3, replications):
        model = make_model(scenario, iso3, tables, child)
        exposed = exposed_employment(model)
        measured["employment in GenAI-exposed occupations"].append(exposed["all"])
        measured["women / men in GenAI-exposed occupations"].append(
            exposed["female"] / exposed["male"]
        )
        workforce = model.workforce
        inflow, stock = 0.0, 0.0
        for _ in range(months):
            model.step()
            if model.month <= months // 2:
                continue  # measure the second half, well after the start
            unemployed = workforce.with_status(Status.UNEMPLOYED)
            spell = model.month - workforce.spell_start[unemployed]
            measured["unemployment rate"].append(unemployment_rate(model))
            measured["share unemployed 12+ months"].append(
                float((spell >= LONG_TERM_MONTHS).mean()) if unemployed.size else 0.0
            )
            measured["share unemployed under 6 months"].append(
                float((spell < 6).mean()) if unemployed.size else 0.0
            )
            measured["informal share of employment"].append(informal_share(model))
            measured["underemployment"].append(underemployment_rate(model))
            measured["vacancy rate"].append(vacancy_rate(model))
            inflow += model.flow_turnover.sum() + model.flow_layoffs.sum()
            stock += unemployed.size
        measured["mean spell (months)"].append(stock / inflow if inflow else np.nan)
        Agent._ids.pop(model, None)  # Mesa 3.3.1 keeps models alive otherwise
    return {name: float(np.nanmean(values)) for name, values in measured.items()}


def validate(
    countries: list[str] | None = None,
    tables: DataTables | None = None,
    replications: int = 3,
    overrides: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Model vs observed for each country (ISO3 codes, default all), one row per country and
    indicator: model, observed, gap, tolerance, pass/FAIL/no data, whether calibration targets
    it, and the observed figure's source. ``overrides`` change the baseline as ``--set`` does
    (``baseline_scenario``); the observed figures follow the bases they choose.

    Raises:
        DataError: an unknown country code. ScenarioError: see ``baseline_scenario``.
    """
    scenario = baseline_scenario(overrides)
    lab = scenario.labour_market
    tables = tables or load_data()
    targets = load_targets(tables.folder)
    market = tables.extras["labour_market.csv"].set_index("iso3")
    info = tables.countries.set_index("iso3")
    codes = countries or list(info.index)
    for iso3 in codes:
        tables.country(iso3)  # an unknown code fails here, naming the valid ones
    rows = []
    for iso3 in codes:
        c = info.loc[iso3]
        inputs = country_inputs(
            tables,
            iso3,
            exposure_assumption=scenario.uncertainties.exposure_assumption,
            informality_basis=lab.informality_basis,
            underemployment_basis=lab.underemployment_basis,
        )
        m = market.loc[iso3]
        model = simulate_baseline(tables, iso3, replications=replications, scenario=scenario)
        has_durations = pd.notna(c["share_ge12m"])
        basis = inputs.informal_basis
        informal_column = {
            "national": "informal_national",
            "ilo": "informal_ilostat",
            "status_proxy": "informal_status_proxy",
        }[basis]
        under_column = {
            "national": "underemployment_national",
            "ilo": "underemployment_ilostat",
        }.get(inputs.underemployment_basis)
        informal_observed = float(
            (inputs.informal_share * inputs.employment).sum() / inputs.employment.sum()
        )
        observed = {
            "unemployment rate": (c["unemployment_rate"], c["unemployment_rate_source"], True),
            "share unemployed 12+ months": (
                c["share_ge12m"] if has_durations else np.nan,
                c["duration_source"],
                has_durations,
            ),
            "share unemployed under 6 months": (
                c["share_lt6m"] if has_durations else np.nan,
                c["duration_source"],
                has_durations,
            ),
            # Not observed directly: FACTS §6.3's 1/f assumes a constant job-finding rate.
            "mean spell (months)": (
                1.0 / c["job_finding_rate"],
                "1/f, constant-hazard estimate: " + c["job_finding_source"],
                False,
            ),
            "informal share of employment": (
                informal_observed,
                f"{basis}: {m[informal_column + '_source']}",
                True,
            ),
            "underemployment": (
                inputs.underemployment_rate if under_column else np.nan,
                str(m[under_column + "_source"]) if under_column else "no figure",
                True,
            ),
            "vacancy rate": (
                inputs.vacancy_rate if inputs.vacancy_rate is not None else np.nan,
                str(m["vacancy_source"])
                if inputs.vacancy_rate is not None
                else "no vacancy survey (GAP)",
                inputs.vacancy_rate is not None,
            ),
        }
        for name in (
            "employment in GenAI-exposed occupations",
            "women / men in GenAI-exposed occupations",
        ):
            if (iso3, name) in targets.index:
                target, source = targets.loc[(iso3, name), ["observed", "source"]]
            else:
                target, source = np.nan, "no published ILO figure (GAP)"
            observed[name] = (target, source, False)
        shown = {  # the figures whose definition follows the basis: the row names it
            "informal share of employment": definition(inputs, "informal_share"),
            "underemployment": definition(inputs, "underemployment_rate"),
        }
        for name, value in model.items():
            target, source, calibrated = observed[name]
            label = f"{name}: {shown[name]}" if name in shown else name
            rows.append(_row(iso3, name, value, target, source, calibrated=calibrated, label=label))
    return pd.DataFrame(rows)


def _row(
    iso3: str,
    name: str,
    model: float,
    observed: float,
    source: str,
    calibrated: bool,
    label: str | None = None,
) -> dict:
    """One comparison; ``label`` (default ``name``) is the indicator as shown."""
    tolerance = TOLERANCES[name]
    if pd.isna(observed):
        verdict = "no data"
    else:
        verdict = "pass" if tolerance.passes(model, float(observed)) else "FAIL"
    return {
        "country": iso3,
        "indicator": label or name,
        "model": model,
        "observed": float(observed) if pd.notna(observed) else np.nan,
        "gap": model - float(observed) if pd.notna(observed) else np.nan,
        "tolerance": str(tolerance),
        "result": verdict,
        "targeted_by_calibration": calibrated,
        "observed_source": source,
    }
