"""Scenario files: find, read and validate them, and apply overrides.

A scenario is a TOML file in this folder (or anywhere, given by path) that states only what
differs from the defaults in ``schema.py``. ``load_scenario`` reads it with the standard
library's ``tomllib`` and validates it; every problem becomes a one-line ``ScenarioError``
naming the file and the key. Files saved with a byte-order mark (Windows Notepad) are read
as they are meant.

The rules a scenario must keep beyond single values live here and in the schema, for the
CLI, the API, the sweeps and the app alike: ``check_countries`` (a scenario holding one
country's figures runs for that country only) and ``check_sectors`` (a sector to report on
must be simulated).
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError, validation_message
from sim.scenarios.parameters import PARAMETERS, SECTIONS, mapping_entry, parameter_table
from sim.scenarios.schema import (
    COUNTRY_FIGURES,
    Levers,
    Scenario,
    country_figures,
    country_mismatch,
)
from sim.vocabulary import SECTORS

__all__ = [
    "COUNTRY_FIGURES",
    "PARAMETERS",
    "SCENARIO_DIR",
    "Scenario",
    "ScenarioError",
    "check_countries",
    "check_sectors",
    "country_figures",
    "list_scenarios",
    "load_scenario",
    "parse_scenario_bytes",
    "parse_scenario_text",
    "parameter_table",
    "resolve_path",
    "with_overrides",
]

SCENARIO_DIR = Path(__file__).resolve().parent
MAX_SCENARIO_BYTES = 256 * 1024
MAX_NESTING = 6


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios (file stems), baseline first."""
    names = sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
    return sorted(names, key=lambda name: (name != "baseline", name))


def resolve_path(name_or_path: str | Path, base_dir: Path | None = None) -> Path:
    """The file of a scenario given by name or path.

    A bare name (no folder, no suffix) of a shipped scenario is that scenario; anything else
    is a file path, whatever its suffix (``X.TOML``, ``my_scenario``), relative to ``base_dir``
    when that holds it (a sweep design's folder), else to the working folder. Write
    ``./baseline`` for a file that shares a shipped scenario's name.

    Raises:
        ScenarioError: no such shipped scenario or file.
    """
    text = str(name_or_path)
    bare = isinstance(name_or_path, str) and "/" not in text and "\\" not in text
    if bare and not Path(text).suffix and (SCENARIO_DIR / f"{text}.toml").is_file():
        return SCENARIO_DIR / f"{text}.toml"
    candidates = [Path(text)]
    if base_dir is not None and not Path(text).is_absolute():
        candidates.insert(0, base_dir / text)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if candidates[-1].is_dir():
        raise ScenarioError(f"{text}: is a folder, not a scenario file")
    if bare and not Path(text).suffix:
        known = ", ".join(list_scenarios())
        raise ScenarioError(
            f"unknown scenario {text!r} (no such file either); shipped scenarios: {known}"
        )
    raise ScenarioError(f"{text}: scenario file not found")


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
    text = text.removeprefix("\ufeff")  # a byte-order mark, as Windows editors save UTF-8
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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return parse_scenario_text(text, name)


def load_scenario(name_or_path: str | Path, base_dir: Path | None = None) -> Scenario:
    """Read and validate a shipped scenario by name, or a scenario file by path (see
    ``resolve_path``; ``base_dir`` is a folder to look in first)."""
    path = resolve_path(name_or_path, base_dir)
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_SCENARIO_BYTES // 1024} KiB")
    try:
        text = path.read_text(encoding="utf-8-sig")
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

    ``{"uncertainties.adoption_pace": 1.5, "levers.reskilling.enabled": True}``; one entry of
    a per-sector table is a key too: ``{"uncertainties.sector_exposure.retail_trade": 0.3}``
    sets (or adds) that sector and keeps the others.
    """
    raw = scenario.model_dump()
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        node = raw
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise ScenarioError(f"{origin}: unknown key {dotted!r}")
            node = node[part]
        entry = mapping_entry(dotted)
        if (parts[-1] not in node and entry is None) or (entry and parts[-1] not in SECTORS):
            raise ScenarioError(f"{origin}: unknown key {dotted!r}{_hint(dotted, node)}")
        node[parts[-1]] = value
    return _validate(raw, origin)


def _hint(dotted: str, node: dict[str, Any]) -> str:
    parent, _, last = dotted.rpartition(".")
    # An entry of a per-sector table: the known entries are the sector ids.
    names = list(SECTORS) if parent in PARAMETERS else list(node)
    close = difflib.get_close_matches(last, names, n=1)
    if not close:
        return ""
    return f" (did you mean {'.'.join(filter(None, [parent, close[0]]))!r}?)"


def check_countries(scenario: Scenario, countries: list[str] | tuple[str, ...]) -> None:
    """Refuse to run a scenario that holds one country's figures for another country.

    A scenario that sets any of ``COUNTRY_FIGURES`` (a sector's headcount, informal share,
    turnover or demand trend) declares ``for_country`` and runs for that country only: the
    CLI, the API, the sweeps and the app all ask this function.

    Raises:
        ScenarioError: one line naming the scenario, its country, the figures and the
            countries asked for.
    """
    mismatch = country_mismatch(scenario, list(countries))
    if mismatch:
        raise ScenarioError(mismatch)


def check_sectors(scenario: Scenario, sectors: list[str] | tuple[str, ...], what: str) -> None:
    """Refuse sectors to report on that are not sector ids or not simulated.

    ``what`` names where they came from (``--sector``, ``sectors``).

    Raises:
        ScenarioError: one line naming the sector and the valid ones.
    """
    simulated = scenario.population.sectors
    valid = list(simulated) if simulated is not None else list(SECTORS)
    for sector in sectors:
        if sector in valid:
            continue
        close = difflib.get_close_matches(sector, valid, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        why = (
            "not among the simulated sectors (population.sectors)"
            if sector in SECTORS
            else "unknown sector"
        )
        raise ScenarioError(f"{what} {sector!r}: {why}{hint}; valid: {', '.join(valid)}")
