"""Runs kept on disk between server starts, so a room's first page needs no simulation.

The page's runs are cached in memory for the life of the server (``webapp.compute.run_cached``).
This store keeps them on disk as well: a server started again, or started by
``python -m webapp.serve`` (``./start.sh``), which runs the default page before it answers,
shows a page it has run before without simulating it again.

A stored run is found by a key over everything that decides its numbers and its record: the
scenario's canonical JSON, the hashes of the data tables it reads (``sim.data.DataTables.hashes``),
every source file of the simulator (``sim/**/*.py`` and its scenario files), the code version
its provenance names (``sim.provenance.code_version``: the git commit), the versions of Python
and of the packages that compute or hold the results (numpy, pandas, scipy, numba, mesa), and
whether the compiled loops are on (``sim.jit.ENABLED``). Change any of them and the key
changes: the run is simulated afresh, so a stale result is never shown. The store holds at most
``max_bytes`` (default ``MAX_BYTES``); the runs used least recently go first.

The store is on only when the environment variable ``SIM_APP_STORE`` names a folder
(``webapp.serve`` sets ``.cache/app-runs`` in the checkout unless it is set; set it empty to run
without a store). Plain ``streamlit run app.py`` and the tests run without it. Files are pickles
written by this module only: do not point ``SIM_APP_STORE`` at a folder others can write to. A
store that cannot be read or written (a full disk, a folder another user owns) is passed over:
the page runs as if there were none.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from sim.data import load_data
from sim.results import Results

__all__ = ["ENV", "MAX_BYTES", "RunStore", "from_environment", "source_fingerprint"]

#: The environment variable naming the store's folder.
ENV = "SIM_APP_STORE"
#: Disk the store may take: about 90 runs of the default page (5.5 MB each).
MAX_BYTES = 512 * 2**20
SUFFIX = ".pickle"


#: Packages whose versions are part of the key (they compute, or make up, the results).
PACKAGES = ("numpy", "pandas", "scipy", "numba", "mesa")
#: partial files older than this are left over from a write that was killed: ``trim`` drops them
PARTIAL_SECONDS = 3600.0
_FINGERPRINTS: dict[tuple, str] = {}


def source_fingerprint() -> str:
    """SHA-256 over the simulator's source files (names and bytes), its code version, Python's
    and the ``PACKAGES``' versions, and ``sim.jit.ENABLED``.

    Recomputed (about 6 ms) only when a source file's size or modification time changed, so
    a server whose files are edited or pulled while it runs keys its new runs anew.
    """
    import sim
    from sim import jit
    from sim.provenance import canonical_hash, code_version, hash_bytes

    root = Path(sim.__file__).resolve().parent
    paths = sorted([*root.rglob("*.py"), *root.rglob("*.toml")])
    stamp = (jit.ENABLED, *map(_stamp, paths))
    if stamp not in _FINGERPRINTS:
        _FINGERPRINTS.clear()
        _FINGERPRINTS[stamp] = canonical_hash(
            {
                "python": sys.version,
                "code_version": code_version(),
                "compiled": jit.ENABLED,
                "packages": {package: _version(package) for package in PACKAGES},
                "sources": {
                    path.relative_to(root).as_posix(): hash_bytes(path.read_bytes())
                    for path in paths
                },
            }
        )
    return _FINGERPRINTS[stamp]


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # numba is optional
        return "absent"


class RunStore:
    """A folder of stored runs, keyed on what decides them (see the module's docstring)."""

    def __init__(self, folder: Path, max_bytes: int = MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def key(self, scenario_json: str) -> str:
        """A scenario's run's key, its file name without suffix: 64 hex digits. Compute it
        once per run, before simulating, and load and save under it: the key then names the
        code that ran even if files change meanwhile."""
        from sim.provenance import canonical_hash

        return canonical_hash([source_fingerprint(), load_data().hashes, scenario_json])

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def load(self, key: str) -> Results | None:
        """The run stored under ``key``, or None: not stored, not readable (passed over), or
        not a run (a damaged or foreign file: removed, and the run is simulated again)."""
        path = self.path(key)
        try:
            with path.open("rb") as handle:
                results = pickle.load(handle)
        except OSError:  # missing, or a folder this user may not read
            return None
        except Exception:  # noqa: BLE001 - a truncated or foreign file
            results = None
        if not isinstance(results, Results):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to go when the store is full
        return results

    def save(self, key: str, results: Results) -> bool:
        """Store a run under ``key`` (written whole, then renamed: never a half-written file),
        then trim. Returns whether it was stored: a disk that refuses (full, read-only,
        another user's) leaves the store as it was, and the page goes on with the run in
        memory."""
        partial = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=self.folder, prefix="partial-", suffix=".tmp", delete=False
            ) as handle:
                partial = Path(handle.name)
                pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.path(key))
        except BaseException as exc:  # Ctrl+C too: no partial file stays behind
            if partial is not None:
                with contextlib.suppress(OSError):
                    partial.unlink()
            if isinstance(exc, (OSError, pickle.PicklingError)):
                return False
            raise
        self.trim()
        return True

    def trim(self) -> None:
        """Remove the least recently used runs until the store is within ``max_bytes``, and
        partial files left by a write that was killed (older than ``PARTIAL_SECONDS``)."""
        files = []
        now = time.time()
        for path in self.folder.iterdir():
            try:
                stat = path.stat()
                if path.name.startswith("partial-") and now - stat.st_mtime > PARTIAL_SECONDS:
                    path.unlink()
                elif path.suffix == SUFFIX:
                    files.append((stat.st_mtime, stat.st_size, path))
            except OSError:  # trimmed meanwhile by another server process, or not ours
                continue
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files, key=lambda f: f[0]):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size


def from_environment() -> RunStore | None:
    """The store ``SIM_APP_STORE`` names, or None when it is unset or empty (no store)."""
    folder = os.environ.get(ENV, "").strip()
    return RunStore(Path(folder)) if folder else None
