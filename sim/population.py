"""Who the simulated people are: the population at month 0 and the entrants after it.

Plain functions the model (``sim.model.LabourMarketModel``) calls while it builds a country and
each month for entrants. Employment and counts are in real people unless named ``*_n``
(simulated people); rates are monthly; arrays marked [S] are by sector in the canonical order.

- ``starting_employment``, ``automatic_scale``, ``starting_counts``, ``starting_states``: how
  many people of each sector and state the run starts with;
- ``labour_force_growth``: the tracked population's monthly growth (ILO modelled series);
- ``separation_rates``, ``underemployment_shares``: the turnover and hours hazards that hold
  the starting stocks;
- ``draw_people``, ``exposure_powers``, ``reshape_exposure``: sex, occupation, skill and
  automation exposure of new people;
- ``sector_mean``, ``augmentation_exposure``: sector means over the formal workers at the start.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from sim import kernels
from sim.agents.columns import chunks, match_mean
from sim.agents.policy import stochastic_round
from sim.agents.workforce import DRAW_CHUNK, Status, Workforce
from sim.inputs import CountryInputs
from sim.scenarios.schema import AUTO_SCALE_AGENTS, AUTO_SCALE_FOCUS_AGENTS, Population

__all__ = [
    "augmentation_exposure",
    "automatic_scale",
    "draw_people",
    "exposure_powers",
    "labour_force_growth",
    "reshape_exposure",
    "sector_mean",
    "separation_rates",
    "starting_counts",
    "starting_employment",
    "starting_states",
    "underemployment_shares",
]


def starting_employment(
    inputs: CountryInputs, population: Population, sector_ids: dict[str, int]
) -> np.ndarray:
    """Employed people by sector [S] at the start: the data's, with the scenario's replacements
    (thousands) and, when it simulates only some sectors, zero in the others."""
    employment = inputs.employment.astype(float).copy()
    for name, thousands in population.employment_thousands.items():
        employment[sector_ids[name]] = thousands * 1000.0
    if population.sectors is not None:
        keep = np.zeros(len(sector_ids), dtype=bool)
        keep[[sector_ids[name] for name in population.sectors]] = True
        employment[~keep] = 0.0
    return employment


def automatic_scale(employment: np.ndarray, focus: list[int]) -> int:
    """Real people per simulated person when the scenario leaves the scale open.

    About AUTO_SCALE_AGENTS simulated people for the country, and at least
    AUTO_SCALE_FOCUS_AGENTS in the focus sectors, so that a question about one sector (say BPO)
    is answered with enough simulated people in it.
    """
    scale = employment.sum() // AUTO_SCALE_AGENTS
    if focus:
        scale = min(scale, employment[focus].sum() // AUTO_SCALE_FOCUS_AGENTS)
    return max(1, int(scale))


def labour_force_growth(
    path: dict[int, float], start_year: int, start_month: int, months: int
) -> np.ndarray:
    """Monthly growth rates of the labour force [months], month 1 first.

    Geometric interpolation of the yearly ILO modelled series between mid-years; after its last
    year, the average yearly growth of its last three years continues (an assumption: the ILO
    projections end in 2027). Without a series: no growth.
    """
    if not path:
        return np.zeros(months)
    years = sorted(path)
    last = years[-1]
    trend = (path[last] / path[last - 3]) ** (1 / 3) if last - 3 in path else 1.0
    out = np.empty(months)
    for t in range(1, months + 1):
        year = start_year + (start_month - 1 + t - 1) // 12
        if year + 1 in path and year in path:
            yearly = path[year + 1] / path[year]
        elif year in path and year - 1 in path and year >= last or year > last:
            yearly = trend
        else:
            yearly = 1.0
        out[t - 1] = yearly ** (1 / 12) - 1.0
    return out


def separation_rates(
    base: float, named_rates: dict[str, float], sector_ids: dict[str, int], employed: np.ndarray
) -> np.ndarray:
    """Monthly separations per worker by sector [S]: named overrides, the rest scaled so the
    employment-weighted mean stays at the country's calibrated rate ``base``.

    named_rates: the scenario's ``labour_market.sector_separation_rate``; employed: [S].
    """
    n_sectors = len(sector_ids)
    rates = np.full(n_sectors, base)
    named = np.zeros(n_sectors, dtype=bool)
    for name, rate in named_rates.items():
        rates[sector_ids[name]] = rate
        named[sector_ids[name]] = True
    if named.any() and (~named).any() and employed[~named].sum() > 0:
        rest = (base * employed.sum() - (rates * employed)[named].sum()) / employed[~named].sum()
        rates[~named] = max(rest, base * 0.1)
    return rates


def starting_counts(
    rng: np.random.Generator,
    employment: np.ndarray,
    informal: np.ndarray,
    unemployment_rate: float,
    separation: np.ndarray,
    scale: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulated (formal, informal, unemployed) people by sector [S] each, at ``scale`` real
    people per simulated person (stochastic rounding).

    The unemployed go by last sector in proportion to the sector's separations (steady state:
    each sector's searchers are its leavers times the mean spell).
    """
    u, k = unemployment_rate, scale
    formal_n = np.array(
        [stochastic_round(rng, e * (1 - i) / k) for e, i in zip(employment, informal, strict=True)]
    )
    informal_n = np.array(
        [stochastic_round(rng, e * i / k) for e, i in zip(employment, informal, strict=True)]
    )
    leavers = separation * employment
    unemployed_real = employment.sum() * u / (1 - u) * leavers / leavers.sum()
    unemployed_n = np.array([stochastic_round(rng, e / k) for e in unemployed_real])
    return formal_n, informal_n, unemployed_n


def starting_states(
    formal_n: np.ndarray, informal_n: np.ndarray, unemployed_n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(sector, status) of every starting person [n0], int8 each: sector by sector, and within
    a sector the formal workers, then the informal workers, then the unemployed."""
    sector = np.repeat(
        np.arange(formal_n.size, dtype=np.int8), formal_n + informal_n + unemployed_n
    )
    # one repeat over the (sector, state) runs: the result is the only n0-long array made
    states = np.array([Status.FORMAL, Status.INFORMAL, Status.UNEMPLOYED], dtype=np.int8)
    runs = np.stack([formal_n, informal_n, unemployed_n], axis=1).ravel()
    status = np.repeat(np.tile(states, formal_n.size), runs)
    return sector, status


def underemployment_shares(
    rate: float,
    informal_share: np.ndarray,
    employment: np.ndarray,
    informal_ratio: float,
    spell_months: float,
) -> tuple[np.ndarray, float, np.ndarray]:
    """(shares, exit, entry): the share of formal and informal workers underemployed at the
    start [2], and the monthly hazards out (one number) and in [2] that hold those shares.

    rate: the country's time-related underemployment (share of employment); informal_share
    and employment: by sector [S]; informal_ratio: the informal share's ratio to the formal;
    spell_months: the mean spell of underemployment (both from the scenario).
    """
    informal = float((informal_share * employment).sum() / employment.sum())
    formal_share = rate / ((1 - informal) + informal_ratio * informal)
    shares = np.minimum(np.array([formal_share, formal_share * informal_ratio]), 0.9)
    exit_rate = 1.0 / spell_months
    entry = exit_rate * shares / (1 - shares)
    return shares, exit_rate, entry


@functools.lru_cache(maxsize=32)
def occupation_tables(inputs: CountryInputs) -> tuple[np.ndarray, list, list, tuple]:
    """The occupation draw's tables for a country, computed once per ``CountryInputs``
    (entrants are drawn every month): (CDF of major group by sector and sex [S, 2, 9],
    2-digit codes in each major group by sex [2][9] (arrays), their CDFs [2][9], and the
    two packed for the compiled pass, ``kernels.pack_occupations``)."""
    by_sex_cdf = np.cumsum(inputs.occ_mix_by_sex, axis=2)
    by_sex_cdf[..., -1] = 1.0
    within = inputs.occ_within
    codes_of = [
        [np.flatnonzero((inputs.occ_major == g) & (within[s] > 0)) for g in range(1, 10)]
        for s in range(2)
    ]
    cdf_of = [
        [
            np.cumsum(within[s, codes]) / within[s, codes].sum() if codes.size else codes
            for codes in codes_of[s]
        ]
        for s in range(2)
    ]
    return by_sex_cdf, codes_of, cdf_of, kernels.pack_occupations(codes_of, cdf_of)


def draw_people(
    rng: np.random.Generator,
    sector: np.ndarray,
    inputs: CountryInputs,
    concentration: float,
    exposure_power: np.ndarray,
    *,
    out: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Sex, occupation, skill and automation exposure of people in ``sector`` [n].

    Sex from the sector's female share; ISCO major group from the sector's mix for that
    sex; 2-digit group from the country's mix within the major group for that sex; skill
    band from the major group; task exposure Beta-distributed around the group's share of
    exposed tasks (``concentration``: the Beta's a + b), times the group's automation share,
    then reshaped by the sector's power [S] (``reshape_exposure``; 1 = as drawn). ``out``
    may give the arrays [n] to write occupation, exposure and skill into, and ``female``
    anything that takes a bool array by slices (the workforce's own, at set-up: no copies).
    """
    n = sector.size
    female = np.empty(n, dtype=bool) if out is None or "female" not in out else out["female"]
    occ = np.empty(n, dtype=np.int8) if out is None else out["occ"]
    exposure = np.empty(n, dtype=np.float32) if out is None else out["exposure"]
    skill = np.empty(n, dtype=inputs.occ_skill.dtype) if out is None else out["skill"]
    by_sex_cdf, codes_of, cdf_of, packed = occupation_tables(inputs)
    mean = np.clip(inputs.task_exposure, 1e-3, 1 - 1e-3)
    conc = concentration
    for a, b in chunks(n, DRAW_CHUNK):
        # A block's float temporaries are 8 bytes a person each (32 MB at 4 m people): they are
        # let go as soon as used, and the Beta's parameters are made in place (the same
        # operations, so the same numbers), which keeps the set-up's peak memory down.
        sec = sector[a:b].astype(np.intp)
        fem = rng.random(b - a) < inputs.female_share[sec]
        u = rng.random(b - a)
        v = rng.random(b - a)
        code = kernels.occupations(sec, fem, u, v, by_sex_cdf, codes_of, cdf_of, packed)
        del u, v, sec
        female[a:b] = fem
        occ[a:b] = code
        skill[a:b] = inputs.occ_skill[code]  # by block: an index array is made 8 bytes a slot
        del fem
        alpha = mean[code]  # m, then m x conc; beta: (1 - m) x conc
        beta = np.subtract(1, alpha)
        beta *= conc
        alpha *= conc
        task = rng.beta(alpha, beta)
        del alpha, beta
        task *= inputs.automation_share[code]
        exposure[a:b] = task
        del task
    reshape_exposure(sector, exposure, exposure_power)
    return {"sector": sector, "female": female, "occ": occ, "skill": skill, "exposure": exposure}


def exposure_powers(sector: np.ndarray, exposure: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Power per sector [S] that brings the mean automation exposure of the people in
    ``sector`` [n] to the scenario's ``target`` [S] (NaN: no target, power 1). A power
    transform keeps [0, 1] and the ranking; the model keeps the powers for later entrants."""
    powers = np.ones(target.size)
    for j in np.flatnonzero(~np.isnan(target)):
        rows = np.flatnonzero(sector == j)
        if rows.size:
            values = np.clip(exposure[rows].astype(float), 1e-9, 1.0)
            powers[j] = match_mean(values, target[j])
    return powers


def reshape_exposure(sector: np.ndarray, exposure: np.ndarray, power: np.ndarray) -> None:
    """Raise the exposure [n] of people in sectors whose power [S] is not 1 to that power
    (in place)."""
    for j in np.flatnonzero(power != 1.0):
        rows = np.flatnonzero(sector == j)
        exposure[rows] = np.clip(exposure[rows], 1e-9, 1.0) ** power[j]


def augmentation_exposure(inputs: CountryInputs, occ: np.ndarray) -> np.ndarray:
    """Augmentation exposure of occupations ``occ``: task exposure x (1 - automation share)."""
    task = inputs.task_exposure[occ]
    return task * (1.0 - inputs.automation_share[occ])


def sector_mean(
    workforce: Workforce, n: int, values: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Mean of ``values(slots)`` by sector [S] over the formal workers in slots 0..n-1."""
    n_sectors = workforce.n_sectors
    sums = np.zeros(n_sectors)
    counts = np.zeros(n_sectors)
    for a, b in chunks(n):
        part = np.arange(a, b)
        part = part[workforce.status[part] == Status.FORMAL]
        s = workforce.sector[part]
        sums += np.bincount(s, weights=values(part), minlength=n_sectors)
        counts += np.bincount(s, minlength=n_sectors)
    return np.divide(sums, counts, out=np.zeros(n_sectors), where=counts > 0)
