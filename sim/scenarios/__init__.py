"""Scenario files: find, read and validate them, and apply overrides.

A scenario is a TOML file in this folder (or anywhere, given by path) that states only what
differs from the defaults in ``schema.py``. ``load_scenario`` reads it with the standard
library's ``tomllib`` and validates it; every problem becomes a one-line ``ScenarioError``
naming the file and the key.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError, validation_message
from sim.scenarios.parameters import PARAMETERS, SECTIONS, parameter_table
from sim.scenarios.schema import Levers, Scenario

__all__ = [
    "PARAMETERS",
    "SCENARIO_DIR",
    "Scenario",
    "ScenarioError",
    "list_scenarios",
    "load_scenario",
    "parse_scenario_bytes",
    "parse_scenario_text",
    "parameter_table",
    "with_overrides",
]

SCENARIO_DIR = Path(__file__).resolve().parent
MAX_SCENARIO_BYTES = 256 * 1024
MAX_NESTING = 6


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios (file stems), baseline first."""
    names = sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
    return sorted(names, key=lambda name: (name != "baseline", name))


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.parent != Path("."):
        if not candidate.is_file():
            raise ScenarioError(f"{candidate}: scenario file not found")
        return candidate
    path = SCENARIO_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(list_scenarios())
        raise ScenarioError(f"unknown scenario {str(name_or_path)!r}; shipped scenarios: {known}")
    return path


def _depth(value: Any, level: int = 0) -> int:
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()], default=level + 1)
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value], default=level + 1)
    return level


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_raw(text: str, origin: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{origin}: not valid TOML: {exc}") from None
    if _depth(raw) > MAX_NESTING:
        raise ScenarioError(f"{origin}: nested more than {MAX_NESTING} levels deep")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or parent not in list_scenarios():
        raise ScenarioError(
            f"{origin}: key 'extends' must name a shipped scenario "
            f"({', '.join(list_scenarios())}), got {parent!r}"
        )
    if parent in seen:
        raise ScenarioError(f"{origin}: 'extends' goes round in a circle via {parent!r}")
    path = SCENARIO_DIR / f"{parent}.toml"
    base = _read_raw(path.read_text(encoding="utf-8"), path.name, (*seen, parent))
    return _merge(base, raw)


def parse_scenario_text(text: str, origin: str) -> Scenario:
    """Validate scenario TOML text; ``origin`` names it in errors (a path or an upload name).

    ``extends = "name"`` starts from a shipped scenario and applies this file's changes.
    """
    return _validate(_read_raw(text, origin), origin)


def parse_scenario_bytes(name: str, data: bytes, limit: int | None = None) -> Scenario:
    """Validate an uploaded scenario file (TOML bytes, at most ``limit`` bytes).

    Raises:
        ScenarioError: too large, not UTF-8, not TOML, or not a valid scenario (one line).
    """
    limit = MAX_SCENARIO_BYTES if limit is None else limit
    if len(data) > limit:
        raise ScenarioError(f"{name}: larger than {limit // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return parse_scenario_text(text, name)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a shipped scenario by name, or a scenario file by path."""
    path = _resolve(name_or_path)
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_SCENARIO_BYTES // 1024} KiB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    shown = path.name if path.parent == SCENARIO_DIR else str(path)
    return parse_scenario_text(text, shown)


_SECTIONS: dict[str, type[BaseModel]] = {**SECTIONS, "levers": Levers}


def _known_keys(location: tuple[Any, ...]) -> list[str]:
    parent = ".".join(str(part) for part in location[:-1])
    model = _SECTIONS.get(parent, Scenario if not parent else None)
    return list(model.model_fields) if model else []


def _describe(error: Any, origin: str) -> str:
    location = tuple(part for part in error["loc"] if not isinstance(part, int))
    return validation_message(
        error, origin, ".".join(str(part) for part in error["loc"]), _known_keys(location)
    )


def _validate(raw: dict[str, Any], origin: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        first = _describe(errors[0], origin)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ScenarioError(first + more) from None


def with_overrides(
    scenario: Scenario, overrides: dict[str, Any], origin: str = "override"
) -> Scenario:
    """Return a validated copy of ``scenario`` with dotted keys replaced.

    ``{"uncertainties.adoption_pace": 1.5, "levers.reskilling.enabled": True}``
    """
    raw = scenario.model_dump()
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        node = raw
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise ScenarioError(f"{origin}: unknown key {dotted!r}")
            node = node[part]
        if parts[-1] not in node:
            close = difflib.get_close_matches(parts[-1], list(node), n=1)
            hint = f" (did you mean {'.'.join(parts[:-1] + [close[0]])!r}?)" if close else ""
            raise ScenarioError(f"{origin}: unknown key {dotted!r}{hint}")
        node[parts[-1]] = value
    return _validate(raw, origin)
