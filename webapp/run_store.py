"""Runs kept on disk between server starts, so a room's first page needs no simulation.

The page's runs are cached in memory for the life of the server (``webapp.compute.run_cached``).
This store keeps them on disk as well: a server started again, or started by
``python -m webapp.serve`` (``./start.sh``), which runs the default page before it answers,
shows a page it has run before without simulating it again.

A stored run is found by a key over everything that decides its numbers: the scenario's
canonical JSON, the hashes of the data tables it reads (``sim.data.DataTables.hashes``), every
source file of the simulator (``sim/**/*.py`` and its scenario files) and numpy's version (its
random generators). Change any of them and the key changes: the run is simulated afresh, so a
stale result is never shown. The store holds at most ``max_bytes`` (default ``MAX_BYTES``); the
runs used least recently go first.

The store is on only when the environment variable ``SIM_APP_STORE`` names a folder
(``webapp.serve`` sets ``.cache/app-runs`` in the checkout unless it is set). Plain
``streamlit run app.py`` and the tests run without it. Files are pickles written by this module
only: do not point ``SIM_APP_STORE`` at a folder others can write to.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np

from sim.data import load_data
from sim.results import Results

__all__ = ["ENV", "MAX_BYTES", "RunStore", "from_environment", "source_fingerprint"]

#: The environment variable naming the store's folder.
ENV = "SIM_APP_STORE"
#: Disk the store may take: about 90 runs of the default page (5.5 MB each).
MAX_BYTES = 512 * 2**20
SUFFIX = ".pickle"


@functools.cache
def source_fingerprint() -> str:
    """sha256 over the simulator's source files (names and bytes) and numpy's version.

    About 6 ms for the ~60 files; computed once per process.
    """
    import sim

    root = Path(sim.__file__).resolve().parent
    digest = hashlib.sha256(np.__version__.encode())
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.toml")]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class RunStore:
    """A folder of stored runs, keyed on what decides them (see the module's docstring)."""

    def __init__(self, folder: Path, max_bytes: int = MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def key(self, scenario_json: str) -> str:
        """The file name (without suffix) of a scenario's run: 64 hex digits."""
        digest = hashlib.sha256(source_fingerprint().encode())
        for name, value in sorted(load_data().hashes.items()):
            digest.update(f"{name}={value};".encode())
        digest.update(scenario_json.encode())
        return digest.hexdigest()

    def path(self, scenario_json: str) -> Path:
        return self.folder / f"{self.key(scenario_json)}{SUFFIX}"

    def load(self, scenario_json: str) -> Results | None:
        """The stored run, or None (not stored, or a file that cannot be read: run it again)."""
        path = self.path(scenario_json)
        try:
            with path.open("rb") as handle:
                results = pickle.load(handle)
            os.utime(path)  # used now: the last to go when the store is full
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a truncated or foreign file: drop it, run again
            path.unlink(missing_ok=True)
            return None
        return results if isinstance(results, Results) else None

    def save(self, scenario_json: str, results: Results) -> None:
        """Store a run (written whole, then renamed: never a half-written file), then trim.

        A disk that refuses (full, read-only) leaves the store as it was: the page goes on
        with the run in memory.
        """
        partial = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=self.folder, prefix="partial-", suffix=".tmp", delete=False
            ) as handle:
                partial = Path(handle.name)
                pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.path(scenario_json))
        except (OSError, pickle.PicklingError):
            if partial is not None:
                partial.unlink(missing_ok=True)
            return
        self.trim()

    def trim(self) -> None:
        """Remove the least recently used runs until the store is within ``max_bytes``."""
        files = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                stat = path.stat()
            except FileNotFoundError:  # another server process trimmed it
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files, key=lambda f: f[0]):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size


def from_environment() -> RunStore | None:
    """The store ``SIM_APP_STORE`` names, or None when it is unset or empty (no store)."""
    folder = os.environ.get(ENV, "").strip()
    return RunStore(Path(folder)) if folder else None
