"""Where a result came from: the code version and the hashes of its inputs.

Every result carries a provenance record (see ``run_record``) so that it can be reproduced:
the scenario and its parameters, the seeds, the SHA-256 of each data file the run read
(calibration and the labour-market tables included), which inputs fell back to the shipped
tables or to a documented assumption, and the code version. ``sources_table`` lists the
source and confidence of every input figure of a country, for the app and the brief.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.labour_tables import STATUS_COLS, LabourMarketRow
from sim.vocabulary import OCC_COLS

if TYPE_CHECKING:
    from sim.data import DataTables

__all__ = [
    "SEED_STREAMS",
    "canonical_hash",
    "code_version",
    "hash_bytes",
    "input_notes",
    "run_record",
    "sources_table",
]

#: How replication streams are made (``sim.runner.replication_seeds``), as recorded.
SEED_STREAMS = "numpy SeedSequence([seed, crc32(ISO3)]).spawn(replications)"


def hash_bytes(data: bytes) -> str:
    """SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


def canonical_hash(value: Any) -> str:
    """SHA-256 of a JSON-able value written canonically (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def code_version() -> str:
    """Package version, plus the git commit when run from a checkout.

    Cached per process: it runs ``git`` (about 5 ms), and sweeps build thousands of results.
    """
    from sim import __version__

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def run_record(scenario: Any, tables: Any, runs: dict[str, list[Any]]) -> dict[str, Any]:
    """The provenance of one ``run_scenario`` call: what ran, on which inputs, with which code.

    ``data_fallbacks`` says what the run did not take from the data folder itself:
    ``shipped_tables``, the labour-market tables the folder lacks (the shipped file was read;
    its hash is in ``data_hashes``), and ``countries``, per country, the notes of
    ``sim.inputs.country_inputs`` (a country missing from a table, a basis without a value,
    and the fallback used instead; data/README.md §11-§19).

    Args:
        scenario: the ``Scenario`` that ran.
        tables: the ``DataTables`` it read (their file hashes, calibration included).
        runs: per country, the ``Replication`` records (replication number, memory, time).
    """
    from sim.flows import calibration_status

    status = calibration_status(tables)
    numbers = sorted({r.number for reps in runs.values() for r in reps})
    record = {
        "scenario": scenario.name,
        "scenario_parameters": json.loads(scenario.model_dump_json()),
        "countries": list(runs),
        "base_seed": scenario.run.seed,
        "replications": scenario.run.replications,
        "seed_streams": SEED_STREAMS,
        "data_folder": str(tables.folder),
        "data_hashes": dict(tables.hashes),
        "calibration": {iso3: status[iso3] for iso3 in runs},
        "data_fallbacks": {
            "shipped_tables": list(tables.shipped_extras),
            "countries": {iso3: list(input_notes(scenario, tables, iso3)) for iso3 in runs},
        },
        "code_version": code_version(),
        "memory_bytes_per_run": [r.memory_bytes for reps in runs.values() for r in reps],
        "wall_seconds": round(sum(r.wall_seconds for reps in runs.values() for r in reps), 3),
    }
    if numbers != list(range(scenario.run.replications)):
        record["replication_numbers"] = numbers
    return record


def input_notes(scenario: Any, tables: DataTables, iso3: str) -> tuple[str, ...]:
    """What one country's inputs under ``scenario`` take from a fallback instead of its own
    data (``CountryInputs.notes``); empty when nothing. Cached per tables, country and the
    scenario settings that pick the data (a sweep records it for every run)."""
    unc, lab = scenario.uncertainties, scenario.labour_market
    return _input_notes(
        tables, iso3, unc.exposure_assumption, lab.informality_basis, lab.underemployment_basis
    )


@lru_cache(maxsize=16)
def _input_notes(
    tables: DataTables, iso3: str, exposure: str, informality: str, underemployment: str
) -> tuple[str, ...]:
    from sim.inputs import country_inputs

    return country_inputs(
        tables,
        iso3,
        exposure_assumption=exposure,
        informality_basis=informality,
        underemployment_basis=underemployment,
    ).notes


_SECTOR_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("employment_thousands", "employment_source", "employment_confidence"),
    ("female_share", "female_share_source", "female_share_confidence"),
    *((c, "occ_mix_source", "occ_mix_confidence") for c in OCC_COLS),
    ("task_exposure_ilo2025", "exposure_source", "exposure_confidence"),
    ("task_exposure_ilo2023", "exposure_source", "exposure_confidence"),
    ("exposed_employment_share_ilo2025", "exposure_source", "exposure_confidence"),
    ("highest_gradient_share_ilo2025", "exposure_source", "exposure_confidence"),
    ("augmentation_share", "augmentation_source", "augmentation_confidence"),
    ("wage_monthly_lcu", "wage_source", "wage_confidence"),
)
_COUNTRY_FIELDS: tuple[tuple[str, str | Callable, str], ...] = (
    (
        "employment_thousands",
        lambda r: f"sum of the 12 sector rows; {r['employment_basis']}",
        "derived (high)",
    ),
    ("ai_readiness", "ai_readiness_source", "ai_readiness_confidence"),
    (
        "unemployment_rate",
        lambda r: (
            f"{r['unemployment_rate_source']} "
            f"[{r['unemployment_rate_year']}; {r['unemployment_rate_basis']}]"
        ),
        "unemployment_rate_confidence",
    ),
    ("job_finding_rate", "job_finding_source", "job_finding_confidence"),
    ("separation_rate", "separation_source", "separation_confidence"),
    ("share_lt6m", "duration_source", "duration_confidence"),
    ("share_6_12m", "duration_source", "duration_confidence"),
    ("share_ge12m", "duration_source", "duration_confidence"),
    ("avg_wage_lcu", "wage_source", "wage_confidence"),
)


#: labour_market.csv's figures (not their years or periods), with their source and confidence.
_MARKET_FIELDS: tuple[tuple[str, str, str], ...] = tuple(
    (column, src, conf)
    for cells, src, conf in LabourMarketRow.PROVENANCE
    for column in cells
    if column.endswith(("_share", "_rate")) or column in STATUS_COLS
    if column != "informal_share_default"  # a copy of one of the three bases
)


#: labour_market.csv's figures whose bases measure different things: (metric, basis).
_BASES = {
    "informal_national_share": ("informal_share", "national"),
    "informal_ilostat_share": ("informal_share", "ilo"),
    "informal_status_proxy_share": ("informal_share", "status_proxy"),
    "underemployment_national_rate": ("underemployment_rate", "national"),
    "underemployment_ilostat_rate": ("underemployment_rate", "ilo"),
}


def _defined(field: str, row: pd.Series) -> str:
    """The definition a figure of ``_BASES`` follows, as a prefix of its source (a national
    one names its agency, from the definition column); "" for other figures."""
    from sim.inputs import Definition, national_agency

    if field not in _BASES:
        return ""
    metric, basis = _BASES[field]
    text = row.get(field.rsplit("_", 1)[0] + "_definition")
    agency = national_agency(str(text)) if text is not None and pd.notna(text) else ""
    return f"{Definition(metric, basis, agency)}: "


def sources_table(tables: DataTables, iso3: str) -> pd.DataFrame:
    """Long provenance table for one country: field, sector, value, source, confidence.

    Rows: the sector figures of sectors.csv and the informal shares of sector_informality.csv
    (``sector`` named), then the country figures of countries.csv and labour_market.csv
    (``sector`` empty). ``value`` is NaN where not derivable (the source then says why).
    """
    tables.country(iso3)  # validates the code
    recs = []
    for _, r in tables.sectors.loc[tables.sectors["iso3"] == iso3].iterrows():
        for fld, src, conf in _SECTOR_FIELDS:
            recs.append((fld, r["sector"], r[fld], r[src], r[conf]))
    informality = tables.extras["sector_informality.csv"]
    for _, r in informality.loc[informality["iso3"] == iso3].iterrows():
        recs.append(
            ("informal_share", r["sector"], r["informal_share"], r["source"], r["confidence"])
        )
    c = tables.countries.loc[tables.countries["iso3"] == iso3].iloc[0]
    for fld, cite, conf in _COUNTRY_FIELDS:
        cited = cite(c) if callable(cite) else str(c[cite])
        confidence = c[conf] if conf in c.index else conf
        recs.append((fld, "", c[fld], cited, confidence))
    market = tables.extras["labour_market.csv"]
    for _, r in market.loc[market["iso3"] == iso3].iterrows():
        for fld, src, conf in _MARKET_FIELDS:
            recs.append((fld, "", r[fld], _defined(fld, r) + str(r[src]), r[conf]))
    out = pd.DataFrame(recs, columns=["field", "sector", "value", "source", "confidence"])
    out["value"] = out["value"].astype(float)
    return out
