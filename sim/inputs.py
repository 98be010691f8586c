"""Everything the model needs about one country, gathered from the data tables.

``country_inputs(tables, iso3, scenario)`` joins the core tables (``sim.data``) with the
labour-market extras derived by ``data/derive.py``: 2-digit occupations and their GenAI exposure
split into automation and augmentation, occupation by sex within sectors, relative pay by
occupation, informal employment and underemployment on a chosen basis, vacancy rates and the
labour-force path. Each array is in the canonical sector order; see ``CountryInputs`` for
shapes and units.

The informal share and the underemployment rate of different bases measure different things
(a national definition, the ILO's concept, a proxy), so every output that shows one names the
basis in use: ``definition(inputs, metric)`` says which, from ``informal_basis`` and
``underemployment_basis``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data import DataTables, load_data
from sim.products import vec_mat
from sim.vocabulary import OCC_COLS, SKILL_BANDS

SEXES = ("male", "female")  # index 0 = male, 1 = female, as in the workforce arrays
MAJOR_SKILL = {1: 2, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 0}  # ISCO-08 skill levels
#: Whose relative pay by occupation stands in for countries without their own (README §15).
PAY_REFERENCE = "PHL"


@dataclass(frozen=True, eq=False)
class CountryInputs:
    """One country's inputs. S sectors, K occupation codes (ISCO-08 sub-major groups plus one
    pseudo-code per major group for countries without 2-digit data)."""

    iso3: str
    name: str
    currency: str
    sectors: tuple[str, ...]
    employment: np.ndarray  # [S] employed persons (survey basis of sectors.csv)
    female_share: np.ndarray  # [S]
    occ_mix: np.ndarray  # [S, 9] P(major group | sector), both sexes
    occ_mix_by_sex: np.ndarray  # [S, 2, 9] P(major group | sector, sex); sex 0 = male
    occ_codes: tuple[str, ...]  # [K]
    occ_major: np.ndarray  # [K] ISCO-08 major group 1..9
    occ_within: np.ndarray  # [2, K] P(code | major group, sex)
    occ_skill: np.ndarray  # [K] skill band 0 low, 1 medium, 2 high
    task_exposure: np.ndarray  # [K] share of tasks scoring >= 0.5 (chosen assumption)
    automation_share: np.ndarray  # [K] part of that exposure that is automation
    exposed_share: np.ndarray  # [K] share of occupations in an ILO 2025 gradient
    submajor: bool  # whether 2-digit occupations are used
    skill_pay: np.ndarray  # [3] pay relative to the mean, by skill band
    wage: np.ndarray  # [S] monthly earnings of employees, local currency
    avg_wage: float
    informal_share: np.ndarray  # [S] informal share of employment on the chosen basis
    informal_basis: str  # national, ilo, status_proxy or none (``definition``)
    underemployment_rate: float  # share of employment on the chosen basis
    underemployment_basis: str  # national, ilo or none (``definition``)
    #: part of ``underemployment_rate`` that is time-related (short hours): 1 on the ILO basis
    #: and for national definitions bounded by hours; PSA's wider one, 0.58 (labour_market.csv)
    underemployment_hours_share: float
    vacancy_rate: float | None  # vacancies / (jobs + vacancies), where published
    labour_force: dict[int, float]  # year -> labour force (thousands, ILO modelled)
    ai_readiness: float
    unemployment_rate: float
    share_ge12m: float | None
    notes: tuple[str, ...] = ()  # what had no data and what was assumed instead
    #: labour_market.csv's definition of each basis in use ("" for none), by metric name
    definitions: dict[str, str] = field(default_factory=dict)


#: What each basis measures, by metric (``CountryInputs.informal_basis`` and
#: ``underemployment_basis``; data/README.md §17). ``{agency}``: whose national definition.
CONCEPTS: dict[str, dict[str, str]] = {
    "informal_share": {
        "national": "national definition ({agency})",
        "ilo": "ILO harmonised (17th ICLS; ILOSTAT EMP_NIFL)",
        "status_proxy": "status proxy (own-account + contributing family workers), a lower bound",
        "none": "no figure",
    },
    "underemployment_rate": {
        "national": "national definition ({agency})",
        "ilo": "ILO time-related (19th ICLS; ILOSTAT TRU_DEMP)",
        "none": "no figure",
    },
}


@dataclass(frozen=True)
class Definition:
    """Which statistical definition a country's figure of ``metric`` follows."""

    metric: str  # informal_share or underemployment_rate
    basis: str  # national, ilo, status_proxy or none
    agency: str = ""  # for a national basis: whose (e.g. "PSA"), from labour_market.csv

    @property
    def concept(self) -> str:
        """The wording of ``CONCEPTS`` (``{agency}`` left in, for a translation to fill);
        "national definition" for a national basis that names no agency."""
        if self.basis == "national" and not self.agency:
            return "national definition"
        return CONCEPTS[self.metric][self.basis]

    def __str__(self) -> str:
        return self.concept.format(agency=self.agency)


def definition(inputs: CountryInputs, metric: str) -> Definition:
    """The definition ``inputs`` hold ``metric`` (informal_share or underemployment_rate) on:
    the basis in use and, for a national one, the agency that labour_market.csv's definition
    names first (the text before its colon: "PSA", "BPS setengah pengangguran")."""
    basis = {
        "informal_share": inputs.informal_basis,
        "underemployment_rate": inputs.underemployment_basis,
    }[metric]
    agency = national_agency(inputs.definitions.get(metric, "")) if basis == "national" else ""
    return Definition(metric, basis, agency)


def national_agency(text: str) -> str:
    """Whose a national definition of labour_market.csv is: the text before its colon ("PSA",
    "BPS setengah pengangguran"); "" when it has none."""
    return text.split(":", 1)[0].strip() if ":" in text else ""


def read_extras(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """The labour-market tables of a data folder, validated (``load_data(data_dir).extras``;
    a folder without one of them gets the shipped file). Prefer ``tables.extras``."""
    return load_data(data_dir).extras


def logit_shift(shares: np.ndarray, weights: np.ndarray, target: float) -> np.ndarray:
    """Shares moved by one common log-odds offset so their weighted mean equals ``target``.

    Keeps the sectors' ranking and relative odds (the sector profile) while matching the
    country total of the chosen definition. Shares of exactly 0 or 1 stay put.
    """
    p = np.clip(shares, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    w = weights / weights.sum()
    lo, hi = -20.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if (w / (1 + np.exp(-(logit + mid)))).sum() < target:
            lo = mid
        else:
            hi = mid
    return 1 / (1 + np.exp(-(logit + (lo + hi) / 2)))


def _pick(
    row: pd.Series, basis: str, options: dict[str, str], order: tuple[str, ...]
) -> tuple[float, str]:
    """The value of ``basis`` (a column per option), or the first available in ``order``."""
    wanted = order if basis == "default" else (basis, *order)
    for name in wanted:
        value = row.get(options[name])
        if value is not None and pd.notna(value):
            return float(value), name
    return float("nan"), "none"


def country_inputs(
    tables: DataTables,
    iso3: str,
    *,
    exposure_assumption: str,
    informality_basis: str = "default",
    underemployment_basis: str = "default",
) -> CountryInputs:
    """Gather one country's inputs (see the module docstring) from ``tables`` and its
    labour-market tables (``tables.extras``, validated by ``sim.data.load_data``).

    A country missing from one of those tables gets the fallback of data/README.md §11-§19
    and a line in ``notes`` saying so.

    Raises:
        DataError: ``iso3`` is not in the tables.
    """
    core = tables.country(iso3)
    extras = tables.extras
    year = exposure_assumption.rsplit("_", 1)[-1]  # "2025" or "2023"

    occ = extras["occupations_submajor.csv"]
    codes = tuple(occ["code"].astype(str))
    major = occ["isco08_major_group"].to_numpy(dtype=int)
    mix = extras["occupation_mix_submajor.csv"]
    mine = mix[mix["iso3"] == iso3]
    within = np.zeros((2, len(codes)))
    submajor = not mine.empty
    if submajor:
        index = {code: k for k, code in enumerate(codes)}
        for s, sex in enumerate(SEXES):
            rows = mine[mine["sex"] == sex]
            for code, share in zip(
                rows["code"].astype(str), rows["share_within_major"], strict=True
            ):
                within[s, index[code]] = share
            # a major group with no published 2-digit employment keeps its own aggregate
            for g in range(1, 10):
                block = (major == g) & (occ["level"] == "submajor").to_numpy()
                if within[s, block].sum() <= 0:
                    within[s, (major == g) & (occ["level"] == "major").to_numpy()] = 1.0
                else:
                    within[s, block] /= within[s, block].sum()
    else:
        within[:, (occ["level"] == "major").to_numpy()] = 1.0

    notes: list[str] = []
    if not submajor:
        notes.append(f"{iso3}: no 2-digit occupations: ISCO major groups used")
    sos = extras["sector_occupation_sex.csv"]
    mine_sos = sos[sos["iso3"] == iso3].set_index(["sector", "sex"])
    if mine_sos.empty:
        notes.append(
            f"{iso3}: no row in sector_occupation_sex.csv: women and men share each "
            "sector's occupation mix"
        )
    wanted = pd.MultiIndex.from_product([core.sectors, SEXES])
    published = (
        mine_sos.reindex(wanted)[list(OCC_COLS)]
        .to_numpy(dtype=float)
        .reshape(len(core.sectors), 2, 9)
    )  # NaN where the country has no rows
    by_sex = np.empty((len(core.sectors), 2, 9))
    for i in range(len(core.sectors)):
        for s in range(len(SEXES)):
            row = core.occ_mix[i] if np.isnan(published[i, s]).any() else published[i, s]
            by_sex[i, s] = row / row.sum() if row.sum() > 0 else core.occ_mix[i]

    pays = extras["occupation_pay.csv"]
    reference = next(
        code for code in (iso3, PAY_REFERENCE, pays["iso3"].iloc[0]) if (pays["iso3"] == code).any()
    )
    if reference != iso3:  # README §15: the same relative pay structure, an assumption
        notes.append(
            f"{iso3}: no pay by occupation in occupation_pay.csv: {reference}'s "
            "relative pay assumed"
        )
    pay = pays[pays["iso3"] == reference].set_index("isco08_major_group")["pay_relative_to_mean"]
    employed_by_major = vec_mat(core.employment, core.occ_mix)  # [9]
    skill_pay = np.zeros(len(SKILL_BANDS))
    for band in range(len(SKILL_BANDS)):
        groups = [g for g, b in MAJOR_SKILL.items() if b == band]
        w = employed_by_major[[g - 1 for g in groups]]
        values = pay.loc[groups].to_numpy(dtype=float)
        skill_pay[band] = (values * w).sum() / w.sum() if w.sum() > 0 else values.mean()

    markets = extras["labour_market.csv"].set_index("iso3")
    market = markets.loc[iso3] if iso3 in markets.index else pd.Series(dtype=object)
    target, basis = _pick(
        market,
        informality_basis,
        {
            "national": "informal_national_share",
            "ilo": "informal_ilostat_share",
            "status_proxy": "informal_status_proxy_share",
        },
        ("national", "ilo", "status_proxy"),
    )
    profile = extras["sector_informality.csv"]
    profile = profile[profile["iso3"] == iso3].set_index("sector")
    if profile.empty:
        shares = np.zeros(len(core.sectors))
        if np.isfinite(target):
            shares = np.full(len(core.sectors), target)
            notes.append(
                f"{iso3}: no row in sector_informality.csv: the country share in every sector"
            )
    else:
        shares = (
            profile.reindex(list(core.sectors))["informal_share"].fillna(0.0).to_numpy(dtype=float)
        )
    informal = (
        logit_shift(shares, core.employment, target)
        if np.isfinite(target) and target > 0
        else shares
    )
    under, under_basis = _pick(
        market,
        underemployment_basis,
        {"national": "underemployment_national_rate", "ilo": "underemployment_ilostat_rate"},
        ("national", "ilo"),
    )
    hours_share = 1.0  # the ILO concept is time-related by definition
    if under_basis == "national":
        value = market.get("underemployment_national_hours_share")
        if value is not None and pd.notna(value):
            hours_share = float(value)
        else:
            notes.append(
                f"{iso3}: no underemployment_national_hours_share in labour_market.csv: all "
                "of the national underemployment treated as time-related"
            )
    definitions = {}  # the labour_market.csv definition of each basis in use
    for metric, prefix, used in (
        ("informal_share", "informal", basis),
        ("underemployment_rate", "underemployment", under_basis),
    ):
        text = market.get(f"{prefix}_{'ilostat' if used == 'ilo' else used}_definition")
        definitions[metric] = str(text) if text is not None and pd.notna(text) else ""
    vacancy = market.get("vacancy_rate")
    instead = {
        "informal share": "the sector informality profile as it is"
        if not profile.empty
        else "all employment treated as formal",
        "underemployment rate": "no underemployment",
    }
    if market.empty:
        notes.append(
            f"{iso3}: no row in labour_market.csv: {instead['informal share']}, "
            "no underemployment, no vacancy rate"
        )
    else:
        for what, wanted, used in (
            ("informal share", informality_basis, basis),
            ("underemployment rate", underemployment_basis, under_basis),
        ):
            if used == "none":
                notes.append(f"{iso3}: no {what} in labour_market.csv: {instead[what]}")
            elif wanted not in ("default", used):
                notes.append(f"{iso3}: no {wanted} {what} in labour_market.csv: {used} used")

    lf = extras["labour_force.csv"]
    lf = lf[lf["iso3"] == iso3]
    if lf.empty:
        notes.append(f"{iso3}: no row in labour_force.csv: the labour force does not grow")
    wage = np.where(np.isnan(core.wage_monthly_lcu), core.avg_wage_lcu, core.wage_monthly_lcu)
    return CountryInputs(
        iso3=iso3,
        name=core.name,
        currency=core.currency,
        sectors=core.sectors,
        employment=core.employment,
        female_share=core.female_share,
        occ_mix=core.occ_mix,
        occ_mix_by_sex=by_sex,
        occ_codes=codes,
        occ_major=major,
        occ_within=within,
        occ_skill=np.array([MAJOR_SKILL[g] for g in major], dtype=np.int8),
        task_exposure=occ[f"task_exposure_ilo{year}"].to_numpy(dtype=float),
        automation_share=occ[f"automation_share_ilo{year}"].to_numpy(dtype=float),
        exposed_share=occ["exposed_share_ilo2025"].to_numpy(dtype=float),
        submajor=submajor,
        skill_pay=skill_pay,
        wage=wage,
        avg_wage=core.avg_wage_lcu,
        informal_share=informal,
        informal_basis=basis,
        underemployment_rate=0.0 if not np.isfinite(under) else under,
        underemployment_basis=under_basis,
        underemployment_hours_share=hours_share,
        vacancy_rate=float(vacancy) if vacancy is not None and pd.notna(vacancy) else None,
        labour_force=dict(
            zip(lf["year"].astype(int), lf["labour_force_thousands"].astype(float), strict=True)
        ),
        ai_readiness=core.ai_readiness,
        unemployment_rate=core.unemployment_rate,
        share_ge12m=core.share_ge12m,
        notes=tuple(notes),
        definitions=definitions,
    )
