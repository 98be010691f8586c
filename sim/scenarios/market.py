"""The labour-market sections of a scenario (kind ``structure``): how people and jobs meet
(``LabourMarket``) and what jobs pay (``Earnings``). Part of ``sim.scenarios.schema``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenarios.fields import SectorId, Strict, param


class LabourMarket(Strict):
    """How people and jobs meet. Turnover and job finding come from each country's data."""

    matching_elasticity: float = param(
        0.5,
        "Elasticity of hires with respect to searchers (eta) in the matching function",
        "elasticity",
        "structure",
        ge=0.05,
        le=0.95,
        reference="assumption; Petrongolo & Pissarides (2001) survey: 0.5-0.7",
    )
    own_sector_search_share: float = param(
        0.5,
        "Share of a searcher's effort spent in their own (last) sector; the rest spreads over "
        "sectors by similarity of occupation mix (ILOSTAT ISIC x ISCO) and size",
        "share",
        "structure",
        ge=0.0,
        le=1.0,
    )
    search_decay_per_month: float | None = param(
        None,
        "Fall in search efficiency per month of search (long spells find work less often); "
        "empty = the country's value calibrated to ILOSTAT unemployment durations",
        "1/month",
        "structure",
        reference="data/calibration.csv (sim.calibrate)",
        ge=0.0,
        le=0.5,
    )
    vacancy_filling_rate: float = param(
        0.5,
        "Share of open vacancies filled per month at the start, where no vacancy rate is "
        "published (Malaysia and Singapore use their observed vacancy rates)",
        "1/month",
        "structure",
        ge=0.05,
        le=1.0,
        reference="assumption; Malaysia's 2.1% vacancy rate (DOSM Q3 2024) implies about 0.4",
    )
    exposure_concentration: float = param(
        20.0,
        "Concentration of workers' task exposure around their occupation's mean (Beta "
        "distribution; higher = less spread)",
        "Beta a+b",
        "structure",
        ge=1.0,
        le=1000.0,
    )
    sector_separation_rate: dict[SectorId, Annotated[float, Field(gt=0.0, le=0.5)]] = param(
        {},
        "Monthly separations per worker in named sectors (e.g. 0.049 for Philippine contact "
        "centres: 45% a year, CCAP 2022); the other sectors are scaled so the country's "
        "calibrated average holds",
        "1/month",
        "structure",
        reference="FACTS §11.3 for BPO",
    )
    informality_basis: Literal["default", "national", "ilo", "status_proxy"] = param(
        "default",
        "Which informal-employment share the baseline holds: the national statistical "
        "office's headline on its own definition, ILOSTAT's ILO harmonised rate (17th ICLS; "
        "EMP_NIFL), or the status proxy, own-account plus contributing family workers (a lower "
        "bound); 'default' = national where published, else ILOSTAT, else the proxy",
        "choice",
        "structure",
        reference="data/labour_market.csv",
    )
    informal_search_intensity: float = param(
        0.2,
        "Search effort of informal workers for formal jobs, relative to an unemployed searcher "
        "(on-the-job search)",
        "share",
        "structure",
        ge=0.0,
        le=1.0,
        reference="assumption; sweep 0-0.5",
    )
    underemployment_basis: Literal["default", "national", "ilo"] = param(
        "default",
        "Which underemployment rate the baseline holds: the national headline on its own "
        "definition (PSA for the Philippines, wider than the ILO's time-related concept; BPS; "
        "GSO) or ILOSTAT's ILO time-related rate (TRU_DEMP); 'default' = national where "
        "published, else ILOSTAT",
        "choice",
        "structure",
        reference="data/labour_market.csv",
    )
    underemployment_informal_ratio: float = param(
        2.0,
        "Underemployment rate of informal workers relative to formal workers",
        "ratio",
        "structure",
        ge=1.0,
        le=10.0,
        reference="assumption; sweep 1-4",
    )
    underemployment_spell_months: float = param(
        6.0,
        "Mean length of a spell of time-related underemployment",
        "months",
        "structure",
        ge=1.0,
        le=60.0,
        reference="assumption; sweep 3-12",
    )
    discouragement_rate: float = param(
        0.01,
        "Monthly chance that someone unemployed for 12 months or more stops searching and "
        "leaves the labour force",
        "1/month",
        "structure",
        ge=0.0,
        le=0.5,
        reference="assumption; sweep 0-0.05",
    )
    reentry_rate: float = param(
        0.04,
        "Monthly chance that someone who stopped searching starts again",
        "1/month",
        "structure",
        ge=0.0,
        le=1.0,
        reference="assumption; sweep 0.01-0.1",
    )
    working_life_years: float = param(
        45.0,
        "Average working life; people leave the population (retire) at 1/(12 x this) a month "
        "and entrants replace them and add the labour force's growth",
        "years",
        "structure",
        ge=10.0,
        le=70.0,
        reference="assumption; statutory retirement ages 55-65 (OECD Pensions at a Glance "
        "Asia/Pacific 2022); range 35-50",
    )


class Earnings(Strict):
    """What jobs pay and how displacement and training change it."""

    informal_earnings_ratio: float = param(
        0.6,
        "Monthly earnings in informal work relative to a formal job in the same sector and "
        "skill band. No ASEAN estimate was found; raw gaps in Thailand (0.48-0.74) and the "
        "panel evidence that conditional gaps are smaller bound the range",
        "ratio",
        "uncertainty",
        ge=0.1,
        le=1.5,
        reference="assumption; context: Nguyen, Nordman & Roubaud (2013); OECD (2024) "
        "Breaking the Vicious Circles; range 0.45-0.85",
    )
    underemployed_hours_ratio: float = param(
        0.7,
        "Earnings of the time-related underemployed relative to full hours. On a national "
        "basis wider than the ILO's (PSA's), only its time-related part is docked: "
        "labour_market.csv's underemployment_national_hours_share, 0.58 for the Philippines",
        "ratio",
        "uncertainty",
        ge=0.1,
        le=1.0,
        reference="assumption; sweep 0.5-1.0",
    )
    scar_same_sector: float = param(
        0.05,
        "Pay cut on re-employment in the same sector after an automation layoff (lost "
        "match-specific capital: 70% of displaced US workers lose pay even at employers paying "
        "the same, Lachowska, Mas & Woodbury 2020)",
        "share of pay",
        "uncertainty",
        ge=0.0,
        le=0.9,
        reference="assumption; range 0-0.10",
    )
    scar_switch_sector: float = param(
        0.15,
        "Pay cut on re-employment in another sector after an automation layoff (lost "
        "industry-specific skills; Korea: a 15% cut into mostly non-regular jobs, OECD 2013; "
        "Brazil 10-15% in weak markets)",
        "share of pay",
        "uncertainty",
        ge=0.0,
        le=0.9,
        reference="assumption; range 0.05-0.25",
    )
    scar_half_life_years: float = param(
        6.0,
        "Years for the pay cut to halve (Couch & Placzek 2010: losses above 30% at first, up "
        "to 15% six years later: one halving in about six years)",
        "years",
        "uncertainty",
        ge=0.0,
        le=50.0,
        reference="derived; range 4-8",
    )
    scar_floor: float = param(
        0.0,
        "Part of the pay cut that never fades",
        "share of pay",
        "uncertainty",
        ge=0.0,
        le=0.9,
        reference="assumption; range 0-0.10 (0.15 for recessions)",
    )
    discount_rate_per_year: float = param(
        0.05,
        "Discount rate for present values of earnings and costs (Davis & von Wachter 2011 use 5%)",
        "1/year",
        "structure",
        ge=0.0,
        le=0.3,
    )
