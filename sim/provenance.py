"""Where a result came from: the code version and the hashes of its inputs.

Every result carries a provenance record (see ``run_record``) so that it can be reproduced:
the scenario and its parameters, the seeds, the SHA-256 of each data file the run read
(calibration included) and the code version.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["SEED_STREAMS", "canonical_hash", "code_version", "hash_bytes"]

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
            ["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent,
            capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def run_record(scenario: Any, tables: Any, runs: dict[str, list[Any]]) -> dict[str, Any]:
    """The provenance of one ``run_scenario`` call: what ran, on which inputs, with which code.

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
        "code_version": code_version(),
        "memory_bytes_per_run": [r.memory_bytes for reps in runs.values() for r in reps],
        "wall_seconds": round(sum(r.wall_seconds for reps in runs.values() for r in reps), 3),
    }
    if numbers != list(range(scenario.run.replications)):
        record["replication_numbers"] = numbers
    return record
