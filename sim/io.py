"""Writing result files: atomically, and safe to open in a spreadsheet.

``atomic_write`` writes beside the target and renames, so an interrupted write never leaves a
half-written file; ``safe_csv`` neutralises spreadsheet formula injection; ``write_table``
writes a table as ``.csv`` (formula-safe) or ``.parquet`` by its suffix. ``check_output_file``
and ``check_folder`` tell, before any work and without leaving anything behind, whether a
result can be written where the user asked.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import SimError

__all__ = [
    "FORMULA_PREFIXES",
    "TABLE_SUFFIXES",
    "atomic_write",
    "check_folder",
    "check_output_file",
    "safe_csv",
    "write_table",
]

#: Leading characters a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TABLE_SUFFIXES = (".csv", ".parquet")


def atomic_write(path: Path | str, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    The temporary name starts with a dot and ends in ``.tmp``; it is removed if ``write``
    fails, so a reader sees the old file or the whole new one, never a part.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _named(path: Path, label: str | None) -> str:
    return f"{label} {path}" if label else str(path)


def _unwritable(folder: Path) -> str | None:
    """Why files cannot be written in ``folder`` (made with its parents if missing), or None.

    Probes by creating and removing a file in the folder, or in its nearest existing parent
    when it is missing, so a read-only disk or a place only the system may write is found
    even for root. Nothing is left behind.
    """
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot make the folder {folder}: {existing} is a file"
    probe = existing / f".probe-{uuid.uuid4().hex[:8]}.tmp"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        probe.unlink()
    except OSError as exc:
        return f"{existing} is not writable ({exc.strerror or type(exc).__name__})"
    return None


def check_folder(folder: Path | str, label: str | None = None) -> Path:
    """Check, before any work, that files can be written in ``folder`` (created with its
    parents if missing). Nothing is created. ``label`` names the option in messages.

    Raises:
        SimError: one line: the folder is a file, a parent is a file, or it is not writable.
    """
    folder = Path(folder)
    problem = _unwritable(folder)
    if problem:
        raise SimError(f"{_named(folder, label)}: {problem}")
    return folder


def check_output_file(
    path: Path | str, suffixes: tuple[str, ...] = TABLE_SUFFIXES, label: str | None = None
) -> Path:
    """Check, before any work, that a result file can be written at ``path``.

    The name must end in one of ``suffixes`` (any case); the path must not be a folder or a
    device; its folder must be writable or creatable. Nothing is created. ``label`` names the
    option in messages (``--out``).

    Raises:
        SimError: one line naming the path and the problem.
    """
    path = Path(path)
    name = _named(path, label)
    if path.is_dir():
        raise SimError(
            f"{name}: is a folder; give a file name such as {path / ('results' + suffixes[0])}"
        )
    if path.suffix.lower() not in suffixes:
        raise SimError(f"{name}: the file name must end in {' or '.join(suffixes)}")
    if path.exists() and not path.is_file():
        raise SimError(f"{name}: exists and is not a regular file")
    problem = _unwritable(path.parent)
    if problem:
        raise SimError(f"{name}: {problem}")
    return path


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8) of ``df`` with every text cell and header that could start a formula
    (``= + - @``, tab, carriage return) prefixed with an apostrophe. Numbers are left alone;
    text cells are quoted."""
    out = df.copy()
    out.columns = [_neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(_neutralise)
    # Quote every text cell: a bare carriage return would otherwise split a row.
    return out.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def write_table(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` to ``.csv`` (formula-safe, see ``safe_csv``) or ``.parquet``, atomically.

    Raises:
        SimError: the suffix is neither ``.csv`` nor ``.parquet`` (any case), or the path is
            a folder or not writable (``check_output_file``; nothing is written).
    """
    path = check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        return atomic_write(path, lambda tmp: tmp.write_bytes(safe_csv(frame)))
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
