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
