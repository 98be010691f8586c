"""The columns of every data table, as pydantic row models.

One model per CSV file in ``data/``: a field per column, in file order, whose type says what
a cell may hold (a share in [0, 1], a rate in (0, 1), a year, a confidence label, ...).
Cells arrive as text; the validators below parse them and raise one-line messages
(``'abc' is not a number``, ``1.7 is outside [0, 1]``) that ``sim.data`` places after the file,
row and column. ``PROVENANCE`` on a model lists which value columns need a source and a
confidence wherever a value is present.

This module holds the cell types (``Share``, ``Rate``, ``Year``, ... built with
``number_field`` and ``text_field``), the ``Row`` base and the core tables
(sectors, countries, occupations, calibration, validation targets); the labour-market tables
of data/README.md §11-§19 are in ``sim.labour_tables``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

from sim.vocabulary import CONFIDENCE_LEVELS, OCC_COLS, SECTORS, SKILL_BANDS

__all__ = [
    "number_field",
    "text_field",
    "TABLES",
    "CalibrationRow",
    "CountryRow",
    "OccupationRow",
    "Row",
    "SectorRow",
    "TargetRow",
]


def number_field(
    lo: float | None = None,
    hi: float | None = None,
    *,
    required: bool = True,
    integer: bool = False,
    open_lo: bool = False,
    open_hi: bool = False,
) -> BeforeValidator:
    """A numeric cell: parsed from text, finite, within [lo, hi] (or open ends)."""
    interval = (
        f"{'(' if open_lo or lo is None else '['}{'-inf' if lo is None else f'{lo:g}'}, "
        f"{'inf' if hi is None else f'{hi:g}'}{')' if open_hi or hi is None else ']'}"
    )

    def parse(text: str) -> float | int | None:
        if text == "":
            if required:
                raise ValueError("empty value in a required numeric column")
            return None
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if math.isnan(value):
            raise ValueError("NaN is not allowed (leave the cell empty if the value is missing)")
        if math.isinf(value):
            raise ValueError(f"{text!r} is not finite")
        if integer and not value.is_integer():
            raise ValueError(f"{text!r} is not an integer")
        below = lo is not None and (value <= lo if open_lo else value < lo)
        above = hi is not None and (value >= hi if open_hi else value > hi)
        if below and lo == 0 and not open_lo and hi is None:
            raise ValueError(f"{text} is negative")
        if below or above:
            raise ValueError(f"{text} is outside {interval}")
        return int(value) if integer else value

    return BeforeValidator(parse)


def text_field(
    *,
    required: bool = False,
    choices: tuple[str, ...] | frozenset[str] | None = None,
    what: str = "",
) -> BeforeValidator:
    """A text cell: required ids must not be empty; labels must be one of ``choices``."""

    def parse(text: str) -> str:
        if required and text == "":
            raise ValueError("empty value in a required column")
        if choices is not None and text and text not in choices:
            if what:
                raise ValueError(f"{text!r} is not {what} (allowed: {', '.join(sorted(choices))})")
            raise ValueError(f"{text!r} is not one of: {', '.join(choices)}")
        return text

    return BeforeValidator(parse)


def _pattern(regex: str, what: str, *, required: bool) -> BeforeValidator:
    """A text cell that must match ``regex`` (whole cell), e.g. a code or a period."""
    compiled = re.compile(regex)

    def parse(text: str) -> str:
        if text == "":
            if required:
                raise ValueError("empty value in a required column")
            return text
        if not compiled.fullmatch(text):
            raise ValueError(f"{text!r} is not {what}")
        return text

    return BeforeValidator(parse)


Id = Annotated[str, text_field(required=True)]
Text = Annotated[str, text_field()]
Confidence = Annotated[str, text_field(choices=CONFIDENCE_LEVELS, what="a confidence label")]
Share = Annotated[float, number_field(0.0, 1.0)]
ShareOpt = Annotated[float | None, number_field(0.0, 1.0, required=False)]
Rate = Annotated[float, number_field(0.0, 1.0, open_lo=True, open_hi=True)]
Count = Annotated[float, number_field(0.0)]
Positive = Annotated[float, number_field(0.0, open_lo=True)]
PositiveOpt = Annotated[float | None, number_field(0.0, open_lo=True, required=False)]
Year = Annotated[int, number_field(1990, 2100, integer=True)]
YearOpt = Annotated[int | None, number_field(1990, 2100, integer=True, required=False)]
#: A survey period as text: a year, a month or a quarter (``2023``, ``2024-08``, ``2024-Q3``).
PeriodOpt = Annotated[
    str,
    _pattern(
        r"(199[0-9]|20[0-9]{2}|2100)(-(0[1-9]|1[0-2]|Q[1-4]))?",
        "a period (YYYY, YYYY-MM or YYYY-Qn, from 1990)",
        required=False,
    ),
]
MajorGroup = Annotated[int, number_field(1, 9, integer=True)]
#: An ISCO-08 code as text: a major group (1-9) or a sub-major group (11-96).
IscoCode = Annotated[
    str, _pattern(r"[1-9][0-9]?", "an ISCO-08 major or sub-major group code", required=True)
]
Sector = Annotated[str, text_field(required=True, choices=SECTORS)]
Sex = Annotated[str, text_field(required=True, choices=("female", "male"), what="a sex")]


class Row(BaseModel):
    """One CSV row; the field order is the file's column order."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    FILE: ClassVar[str]
    KEYS: ClassVar[tuple[str, ...]]
    #: (value columns, source column, confidence column): a present value needs both.
    PROVENANCE: ClassVar[tuple[tuple[tuple[str, ...], str, str], ...]] = ()


class SectorRow(Row):
    """sectors.csv: one row per country x sector (employment, occupation mix, exposure)."""

    FILE = "sectors.csv"
    KEYS = ("iso3", "sector")
    iso3: Id
    sector: Annotated[str, text_field(required=True, choices=SECTORS)]
    sector_label: Id
    isic_sections: Id
    year: Year
    employment_thousands: Count
    employment_source: Text
    employment_confidence: Confidence
    female_share: Share
    female_share_source: Text
    female_share_confidence: Confidence
    occ_1: Share
    occ_2: Share
    occ_3: Share
    occ_4: Share
    occ_5: Share
    occ_6: Share
    occ_7: Share
    occ_8: Share
    occ_9: Share
    occ_mix_year: Year
    occ_mix_source: Text
    occ_mix_confidence: Confidence
    task_exposure_ilo2025: Share
    task_exposure_ilo2023: Share
    exposed_employment_share_ilo2025: Share
    highest_gradient_share_ilo2025: Share
    exposure_source: Text
    exposure_confidence: Confidence
    augmentation_share: Share
    augmentation_source: Text
    augmentation_confidence: Confidence
    wage_monthly_lcu: PositiveOpt
    currency: Id
    wage_year: YearOpt
    wage_source: Text
    wage_confidence: Confidence

    PROVENANCE = (
        (("employment_thousands",), "employment_source", "employment_confidence"),
        (("female_share",), "female_share_source", "female_share_confidence"),
        ((*OCC_COLS, "occ_mix_year"), "occ_mix_source", "occ_mix_confidence"),
        (
            (
                "task_exposure_ilo2025",
                "task_exposure_ilo2023",
                "exposed_employment_share_ilo2025",
                "highest_gradient_share_ilo2025",
            ),
            "exposure_source",
            "exposure_confidence",
        ),
        (("augmentation_share",), "augmentation_source", "augmentation_confidence"),
        (("wage_monthly_lcu", "wage_year"), "wage_source", "wage_confidence"),
    )


class CountryRow(Row):
    """countries.csv: one row per country (readiness, unemployment, flows, durations, wages)."""

    FILE = "countries.csv"
    KEYS = ("iso3",)
    iso3: Id
    country: Id
    currency: Id
    employment_year: Year
    employment_basis: Id
    employment_thousands: Count
    ai_readiness: Annotated[float, number_field(0.0, 100.0)]
    ai_readiness_source: Text
    ai_readiness_confidence: Confidence
    unemployment_rate: Rate
    unemployment_rate_year: Year
    unemployment_rate_basis: Id
    unemployment_rate_source: Text
    unemployment_rate_confidence: Confidence
    job_finding_rate: Rate
    job_finding_source: Text
    job_finding_confidence: Confidence
    separation_rate: Rate
    separation_source: Text
    separation_confidence: Confidence
    duration_year: YearOpt
    share_lt6m: ShareOpt
    share_6_12m: ShareOpt
    share_ge12m: ShareOpt
    duration_source: Text
    duration_confidence: Confidence
    avg_wage_lcu: Positive
    wage_year: Year
    wage_source: Text
    wage_confidence: Confidence

    PROVENANCE = (
        (("ai_readiness",), "ai_readiness_source", "ai_readiness_confidence"),
        (
            ("unemployment_rate", "unemployment_rate_year"),
            "unemployment_rate_source",
            "unemployment_rate_confidence",
        ),
        (("job_finding_rate",), "job_finding_source", "job_finding_confidence"),
        (("separation_rate",), "separation_source", "separation_confidence"),
        (
            ("duration_year", "share_lt6m", "share_6_12m", "share_ge12m"),
            "duration_source",
            "duration_confidence",
        ),
        (("avg_wage_lcu", "wage_year"), "wage_source", "wage_confidence"),
    )


class OccupationRow(Row):
    """occupations.csv: one row per ISCO-08 major group (skill band, GenAI exposure)."""

    FILE = "occupations.csv"
    KEYS = ("isco08_major_group",)
    isco08_major_group: Annotated[int, number_field(1, 9, integer=True)]
    label: Id
    skill_band: Annotated[str, text_field(required=True, choices=SKILL_BANDS)]
    task_exposure_ilo2025: Share
    task_exposure_ilo2023: Share
    exposed_share_ilo2025: Share
    gradient4_share_ilo2025: Share
    augmentation_potential_2023: Share
    automation_potential_2023: Share
    mean_score_2025: Share
    source: Text
    confidence: Confidence

    PROVENANCE = (
        (
            (
                "task_exposure_ilo2025",
                "task_exposure_ilo2023",
                "exposed_share_ilo2025",
                "gradient4_share_ilo2025",
                "augmentation_potential_2023",
                "automation_potential_2023",
                "mean_score_2025",
            ),
            "source",
            "confidence",
        ),
    )


class CalibrationRow(Row):
    """calibration.csv: each country's fitted labour flows (written by ``sim calibrate``)."""

    FILE = "calibration.csv"
    KEYS = ("iso3",)
    iso3: Id
    hire_rate: Share
    search_decay: Share
    separation_rate: Share
    mean_spell_months: Count
    target_share_lt6m: Share
    target_share_ge12m: Share
    fitted_share_lt6m: Share
    fitted_share_ge12m: Share
    unemployment_rate: Rate
    method: Id
    confidence: Annotated[
        str, text_field(required=True, choices=CONFIDENCE_LEVELS, what="a confidence label")
    ]


class TargetRow(Row):
    """validation_targets.csv: published figures ``sim validate`` compares the model with,
    beyond those in countries.csv (e.g. the ILO's share of employment in exposed jobs)."""

    FILE = "validation_targets.csv"
    KEYS = ("iso3", "indicator")
    iso3: Id
    indicator: Id
    observed: Annotated[float, number_field()]
    year: Year
    source: Id
    confidence: Annotated[
        str, text_field(required=True, choices=CONFIDENCE_LEVELS, what="a confidence label")
    ]


#: The tables a data folder holds; calibration.csv may be absent (then it is fitted).
TABLES: tuple[type[Row], ...] = (SectorRow, CountryRow, OccupationRow)


def columns(model: type[Row]) -> list[str]:
    """The model's columns in file order."""
    return list(model.model_fields)


def describe(error: Any) -> tuple[str, str]:
    """(column, message) of the first pydantic error of a row."""
    column = str(error["loc"][0]) if error["loc"] else ""
    return column, error["msg"].removeprefix("Value error, ")
