"""The building blocks of the scenario schema: ``param`` (a field with its unit, kind and
reference), ``Strict`` (the base of every section: unknown keys are errors, values frozen) and
the literal types of sectors, skill bands and exposure assumptions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.vocabulary import EXPOSURE_ASSUMPTIONS, SECTORS, SKILL_BANDS

SectorId = Literal[SECTORS]  # type: ignore[valid-type]
SkillBand = Literal[SKILL_BANDS]  # type: ignore[valid-type]
ExposureAssumption = Literal[tuple(EXPOSURE_ASSUMPTIONS)]  # type: ignore[valid-type]


def param(
    default: Any,
    description: str,
    unit: str,
    kind: Literal["uncertainty", "lever", "structure", "run"],
    reference: str = "assumption",
    **bounds: Any,
) -> Any:
    """A scenario parameter with its description, unit, kind and reference (or 'assumption')."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "kind": kind, "reference": reference},
        **bounds,
    )


class Strict(BaseModel):
    """A section of a scenario: unknown keys are errors, and values cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def distinct_sectors(value: list[str], key: str) -> list[str]:
    """``value`` without repeats (first occurrence kept); ValueError naming ``key`` if empty."""
    if not value:
        raise ValueError(f"{key} needs at least one sector")
    return list(dict.fromkeys(value))
