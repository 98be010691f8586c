"""The parameter registry: every scenario parameter, read once from the schema.

``PARAMETERS`` maps each dotted key (``levers.reskilling.seats_per_100k``) to a
``Parameter``: its default, bounds, unit, kind (uncertainty, lever, structure, run),
description and reference, all taken from the pydantic fields in ``schema.py``. The CLI's
options and ``sim params``, the app's widgets, sweep designs and validation read defaults and
ranges here, never from a second copy.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenarios.schema import (
    Earnings,
    EvaluationDesign,
    JobCreation,
    LabourMarket,
    Population,
    Reskilling,
    RunSettings,
    Scenario,
    Uncertainties,
)

__all__ = [
    "PARAMETERS",
    "SECTIONS",
    "Parameter",
    "field_type",
    "mapping_entry",
    "parameter_table",
]

#: Scenario sections holding parameters, by dotted prefix.
SECTIONS: dict[str, type[BaseModel]] = {
    "run": RunSettings,
    "uncertainties": Uncertainties,
    "labour_market": LabourMarket,
    "levers.reskilling": Reskilling,
    "levers.job_creation": JobCreation,
    "evaluation": EvaluationDesign,
    "earnings": Earnings,
    "population": Population,
}


@dataclass(frozen=True)
class Parameter:
    """One scenario parameter as the schema defines it."""

    key: str
    kind: str  # "uncertainty" | "lever" | "structure" | "run"
    unit: str
    default: Any
    minimum: float | None
    maximum: float | None
    description: str
    reference: str
    annotation: Any

    @property
    def numeric(self) -> str | None:
        """'int' or 'float' for a number (optionally nullable), else None."""
        options = (
            typing.get_args(self.annotation) if _is_union(self.annotation) else (self.annotation,)
        )
        options = tuple(o for o in options if o is not type(None))
        if options == (int,):
            return "int"
        if options == (float,) or set(options) == {int, float}:
            return "float"
        return None

    @property
    def choices(self) -> tuple[Any, ...] | None:
        """The allowed values of a choice (a Literal), else None."""
        if typing.get_origin(self.annotation) is typing.Literal:
            return typing.get_args(self.annotation)
        return None

    def help(self, minimum: float | None = None, maximum: float | None = None) -> str:
        """Description, unit, range and reference in one sentence (for widgets and tables)."""
        lo = self.minimum if minimum is None else minimum
        hi = self.maximum if maximum is None else maximum
        rng = f" Range {lo:g} to {hi:g}." if lo is not None and hi is not None else ""
        ref = (
            " (assumption)"
            if self.reference == "assumption"
            else (f" Reference: {self.reference}." if self.reference else "")
        )
        return f"{self.description} [{self.unit}].{rng}{ref}"


def _is_union(annotation: Any) -> bool:
    return isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    found = {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in metadata}
    return found.get("Ge", found.get("Gt")), found.get("Le", found.get("Lt"))


def _registry() -> dict[str, Parameter]:
    out = {}
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            if not isinstance(extra, dict) or "kind" not in extra:
                continue
            lo, hi = _bounds(info.metadata)
            key = f"{section}.{name}"
            out[key] = Parameter(
                key=key,
                kind=str(extra["kind"]),
                unit=str(extra["unit"]),
                default=info.default,
                minimum=lo,
                maximum=hi,
                description=info.description or "",
                reference=str(extra["reference"]),
                annotation=info.annotation,
            )
    return out


PARAMETERS: dict[str, Parameter] = _registry()


def mapping_entry(key: str) -> Parameter | None:
    """The parameter behind one entry of a per-sector table, e.g.
    ``uncertainties.sector_exposure.bpo_business_services``: the table's kind, unit and
    reference, the entry's bounds and type, and the table's value for it as the default
    (None when the table leaves the sector alone). None if ``key`` is not such an entry.

    The entry name itself is checked when the scenario is validated (a sector id).
    """
    parent, _, entry = key.rpartition(".")
    table = PARAMETERS.get(parent)
    if table is None or typing.get_origin(table.annotation) is not dict or not entry:
        return None
    value_type = typing.get_args(table.annotation)[1]
    metadata: list[Any] = []
    if typing.get_origin(value_type) is typing.Annotated:
        value_type, *extras = typing.get_args(value_type)
        for extra in extras:  # pydantic Field(ge=..., le=...) keeps its bounds in metadata
            metadata.extend(getattr(extra, "metadata", [extra]))
    lo, hi = _bounds(metadata)
    return Parameter(
        key=key,
        kind=table.kind,
        unit=table.unit,
        default=(table.default or {}).get(entry),
        minimum=lo,
        maximum=hi,
        description=f"{table.description} ({entry})",
        reference=table.reference,
        annotation=value_type,
    )


def field_type(key: str) -> Any:
    """The annotation of any dotted scenario key, parameter or not (None if not a field)."""
    model: Any = Scenario
    annotation = None
    for part in key.split("."):
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            return None
        annotation = model.model_fields[part].annotation
        model = annotation
    return annotation


def parameter_table() -> list[dict[str, Any]]:
    """Every scenario parameter with its default, unit, kind, bounds and reference."""
    return [
        {
            "key": p.key,
            "default": p.default,
            "unit": p.unit,
            "kind": p.kind,
            "min": p.minimum,
            "max": p.maximum,
            "description": p.description,
            "reference": p.reference,
        }
        for p in PARAMETERS.values()
    ]
