"""The labour-market tables of data/README.md §11-§19, as pydantic row models.

2-digit occupations and their GenAI exposure (``OccupationSubmajorRow``), pay by occupation
(``OccupationPayRow``), occupation shares within major groups and by sex within sectors,
the labour force series, the labour-market indicators (informality on several bases,
underemployment, status in employment, vacancies: ``LabourMarketRow``), informality by sector
and BPO headcounts. Each model's docstring names its file, units and README section; the cell
types and validators are ``sim.tables``'s. ``EXTRA_TABLES`` lists them in load order: a data
folder without one of them uses the shipped file (``sim.data``).
"""

from __future__ import annotations

from typing import Annotated

from sim.tables import (
    Confidence,
    Count,
    Id,
    IscoCode,
    MajorGroup,
    PeriodOpt,
    Positive,
    PositiveOpt,
    Row,
    Sector,
    Sex,
    Share,
    ShareOpt,
    Text,
    Year,
    YearOpt,
    number_field,
    text_field,
)
from sim.vocabulary import OCC_COLS, SKILL_BANDS

__all__ = [
    "EXTRA_TABLES",
    "INFORMAL_BASES",
    "STATUS_COLS",
    "BpoHeadcountRow",
    "LabourForceRow",
    "LabourMarketRow",
    "OccupationMixSubmajorRow",
    "OccupationPayRow",
    "OccupationSubmajorRow",
    "SectorInformalityRow",
    "SectorOccupationSexRow",
]

#: The bases of labour_market.csv's informal shares (its column names' middle part).
INFORMAL_BASES: tuple[str, ...] = ("national", "ilostat", "status_proxy")
#: Status in employment (ICSE-93) columns of labour_market.csv; present ones sum to 1.
STATUS_COLS: tuple[str, ...] = (
    "share_employees",
    "share_employers",
    "share_own_account",
    "share_cooperative_members",
    "share_contributing_family",
    "share_not_classifiable",
)


class OccupationSubmajorRow(Row):
    """occupations_submajor.csv: ISCO-08 sub-major groups (``level`` submajor, codes 11-96)
    and major groups (``level`` major, codes 1-9): GenAI exposure and its automation part
    (README §11; unweighted shares of a group's 4-digit occupations or tasks)."""

    FILE = "occupations_submajor.csv"
    KEYS = ("code",)
    code: IscoCode
    level: Annotated[str, text_field(required=True, choices=("submajor", "major"), what="a level")]
    isco08_major_group: MajorGroup
    label: Id
    skill_band: Annotated[str, text_field(required=True, choices=SKILL_BANDS)]
    n_occupations: Annotated[int, number_field(0, integer=True)]
    task_exposure_ilo2025: Share
    task_exposure_ilo2023: Share
    exposed_share_ilo2025: Share
    gradient4_share_ilo2025: Share
    automation_share_ilo2025: Share
    automation_share_ilo2023: Share
    source: Text
    confidence: Confidence

    PROVENANCE = (
        (
            (
                "n_occupations",
                "task_exposure_ilo2025",
                "task_exposure_ilo2023",
                "exposed_share_ilo2025",
                "gradient4_share_ilo2025",
                "automation_share_ilo2025",
                "automation_share_ilo2023",
            ),
            "source",
            "confidence",
        ),
    )


class OccupationPayRow(Row):
    """occupation_pay.csv: pay by ISCO-08 major group and its ratio to the mean (README §15).
    Countries without rows take the structure of the table's reference country (PHL)."""

    FILE = "occupation_pay.csv"
    KEYS = ("iso3", "isco08_major_group")
    iso3: Id
    isco08_major_group: MajorGroup
    label: Id
    period: PeriodOpt
    daily_basic_pay_lcu: PositiveOpt
    currency: Id
    pay_source: Text
    pay_confidence: Confidence
    pay_relative_to_mean: Positive
    relative_source: Text
    relative_confidence: Confidence

    PROVENANCE = (
        (("daily_basic_pay_lcu", "period"), "pay_source", "pay_confidence"),
        (("pay_relative_to_mean",), "relative_source", "relative_confidence"),
    )


class OccupationMixSubmajorRow(Row):
    """occupation_mix_submajor.csv: employment by sex and ISCO-08 sub-major group, and each
    group's share of its major group, P(sub-major | major, sex) (README §12)."""

    FILE = "occupation_mix_submajor.csv"
    KEYS = ("iso3", "sex", "code")
    iso3: Id
    year: Year
    sex: Annotated[
        str, text_field(required=True, choices=("female", "male", "total"), what="a sex or total")
    ]
    code: IscoCode
    isco08_major_group: MajorGroup
    employment_thousands: Count
    share_within_major: Share
    source: Text
    confidence: Confidence

    PROVENANCE = ((("year", "employment_thousands", "share_within_major"), "source", "confidence"),)


class SectorOccupationSexRow(Row):
    """sector_occupation_sex.csv: P(major group | sector, sex), ``occ_1``..``occ_9`` summing
    to 1 per row (README §13)."""

    FILE = "sector_occupation_sex.csv"
    KEYS = ("iso3", "sector", "sex")
    iso3: Id
    sector: Sector
    sex: Sex
    occ_1: Share
    occ_2: Share
    occ_3: Share
    occ_4: Share
    occ_5: Share
    occ_6: Share
    occ_7: Share
    occ_8: Share
    occ_9: Share
    method: Text
    source: Text
    confidence: Confidence

    PROVENANCE = ((OCC_COLS, "source", "confidence"),)


class LabourForceRow(Row):
    """labour_force.csv: ILO modelled labour force, 15+, thousands, by year (README §16)."""

    FILE = "labour_force.csv"
    KEYS = ("iso3", "year")
    iso3: Id
    year: Year
    labour_force_thousands: Positive
    basis: Id
    source: Text
    confidence: Confidence

    PROVENANCE = ((("labour_force_thousands",), "source", "confidence"),)


class LabourMarketRow(Row):
    """labour_market.csv: one row per country: informal employment on three bases, status in
    employment, time-related underemployment on two bases, vacancy rate (README §17). Every
    value is optional; a present one needs its source and confidence."""

    FILE = "labour_market.csv"
    KEYS = ("iso3",)
    iso3: Id
    informal_national_share: ShareOpt
    informal_national_period: PeriodOpt
    informal_national_definition: Text
    informal_national_source: Text
    informal_national_confidence: Confidence
    informal_ilostat_share: ShareOpt
    informal_ilostat_year: YearOpt
    informal_ilostat_definition: Text
    informal_ilostat_source: Text
    informal_ilostat_confidence: Confidence
    informal_status_proxy_share: ShareOpt
    informal_status_proxy_year: YearOpt
    informal_status_proxy_definition: Text
    informal_status_proxy_source: Text
    informal_status_proxy_confidence: Confidence
    informal_share_default: ShareOpt
    informal_share_default_basis: Annotated[
        str, text_field(choices=INFORMAL_BASES, what="an informality basis")
    ]
    informal_share_default_confidence: Confidence
    status_year: YearOpt
    share_employees: ShareOpt
    share_employers: ShareOpt
    share_own_account: ShareOpt
    share_cooperative_members: ShareOpt
    share_contributing_family: ShareOpt
    share_not_classifiable: ShareOpt
    status_source: Text
    status_confidence: Confidence
    underemployment_national_rate: ShareOpt
    underemployment_national_period: PeriodOpt
    underemployment_national_definition: Text
    underemployment_national_source: Text
    underemployment_national_confidence: Confidence
    underemployment_national_hours_share: ShareOpt
    underemployment_national_hours_share_source: Text
    underemployment_national_hours_share_confidence: Confidence
    underemployment_ilostat_rate: ShareOpt
    underemployment_ilostat_year: YearOpt
    underemployment_ilostat_definition: Text
    underemployment_ilostat_source: Text
    underemployment_ilostat_confidence: Confidence
    vacancy_rate: ShareOpt
    vacancy_period: PeriodOpt
    vacancy_definition: Text
    vacancy_source: Text
    vacancy_confidence: Confidence

    PROVENANCE = (
        (
            ("informal_national_share", "informal_national_period"),
            "informal_national_source",
            "informal_national_confidence",
        ),
        (
            ("informal_ilostat_share", "informal_ilostat_year"),
            "informal_ilostat_source",
            "informal_ilostat_confidence",
        ),
        (
            ("informal_status_proxy_share", "informal_status_proxy_year"),
            "informal_status_proxy_source",
            "informal_status_proxy_confidence",
        ),
        # the default is a copy of one basis: that basis is its source
        (
            ("informal_share_default",),
            "informal_share_default_basis",
            "informal_share_default_confidence",
        ),
        ((*STATUS_COLS, "status_year"), "status_source", "status_confidence"),
        (
            ("underemployment_national_rate", "underemployment_national_period"),
            "underemployment_national_source",
            "underemployment_national_confidence",
        ),
        (
            ("underemployment_national_hours_share",),
            "underemployment_national_hours_share_source",
            "underemployment_national_hours_share_confidence",
        ),
        (
            ("underemployment_ilostat_rate", "underemployment_ilostat_year"),
            "underemployment_ilostat_source",
            "underemployment_ilostat_confidence",
        ),
        (("vacancy_rate", "vacancy_period"), "vacancy_source", "vacancy_confidence"),
    )


class SectorInformalityRow(Row):
    """sector_informality.csv: informal share of employment by sector, as published or
    pooled, and shifted to the country default (README §18)."""

    FILE = "sector_informality.csv"
    KEYS = ("iso3", "sector")
    iso3: Id
    sector: Sector
    informal_share: Share
    year: YearOpt
    source: Text
    confidence: Confidence
    informal_share_at_default: ShareOpt
    at_default_source: Text
    at_default_confidence: Confidence

    PROVENANCE = (
        (("informal_share", "year"), "source", "confidence"),
        (("informal_share_at_default",), "at_default_source", "at_default_confidence"),
    )


class BpoHeadcountRow(Row):
    """bpo_headcount_phl.csv: IBPAP full-time employees of the Philippine IT-BPM industry by
    year; ``kind`` target marks the Roadmap 2028 target, not an observation (README §19)."""

    FILE = "bpo_headcount_phl.csv"
    KEYS = ("year",)
    year: Year
    headcount_fte: Positive
    kind: Annotated[str, text_field(required=True, choices=("estimate", "target"), what="a kind")]
    source: Text
    confidence: Confidence
    note: Text

    PROVENANCE = ((("headcount_fte",), "source", "confidence"),)


#: The labour-market tables (README §11-§19); a folder without one uses the shipped file.
EXTRA_TABLES: tuple[type[Row], ...] = (
    OccupationSubmajorRow,
    OccupationPayRow,
    OccupationMixSubmajorRow,
    SectorOccupationSexRow,
    LabourForceRow,
    LabourMarketRow,
    SectorInformalityRow,
    BpoHeadcountRow,
)
