"""Writing result files: atomically, and safe to open in a spreadsheet.

``atomic_write`` writes beside the target and renames, so an interrupted write never leaves a
half-written file; ``safe_csv`` neutralises spreadsheet formula injection; ``write_table``
writes a table as ``.csv`` (formula-safe) or ``.parquet`` by its suffix.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "TABLE_SUFFIXES", "atomic_write", "safe_csv", "write_table"]

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
        ValueError: the suffix is neither ``.csv`` nor ``.parquet``.
    """
    path = Path(path)
    if path.suffix not in TABLE_SUFFIXES:
        raise ValueError(f"{path}: output must end in .csv or .parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        return atomic_write(path, lambda tmp: tmp.write_bytes(safe_csv(frame)))
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
