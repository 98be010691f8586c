"""Writing result files: atomically, safe to open in a spreadsheet, carrying their provenance.

``atomic_write`` writes beside the target and renames, so an interrupted write never leaves a
half-written file; ``safe_csv`` neutralises spreadsheet formula injection; ``xlsx_bytes`` makes
an Excel workbook; ``write_table`` writes a table as ``.csv``, ``.parquet`` or ``.xlsx`` by its
suffix. ``check_output_file`` and ``check_folder`` tell, before any work and without leaving
anything behind, whether a result can be written where the user asked.

Provenance (what ran: scenario, seed, replications, scale, data hashes, code version) travels
inside each file, so a table cannot lose it:
- CSV: UTF-8 with a byte-order mark (Excel then reads the text as UTF-8 in every locale), and a
  header block of lines ``#,"key","value"`` above the table. ``pandas.read_csv(path,
  comment="#")``, DuckDB's ``read_csv(path, comment='#', quote='"')`` and R's
  ``read.csv(path, comment.char="#")`` skip it; a spreadsheet shows it as rows.
- Parquet: the file's schema metadata, key ``sim.provenance`` (JSON).
- Excel: a ``provenance`` sheet. Numbers are stored as numbers, so the workbook opens the same
  in any locale (a CSV opened in a locale whose list separator is ``;``, such as Vietnamese or
  Indonesian, puts each row in one column).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import SimError

__all__ = [
    "FORMULA_PREFIXES",
    "PARQUET_KEY",
    "TABLE_SUFFIXES",
    "XLSX_MAX_ROWS",
    "atomic_write",
    "check_folder",
    "check_output_file",
    "parquet_bytes",
    "provenance_rows",
    "read_parquet_provenance",
    "safe_csv",
    "write_table",
    "xlsx_bytes",
]

#: Leading characters a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")
PARQUET_KEY = b"sim.provenance"
#: Rows of an Excel sheet, the header row included.
XLSX_MAX_ROWS = 1_048_576
BOM = "\ufeff"


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


def _neutralised(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [_neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(_neutralise)
    return out


def provenance_rows(provenance: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, value) text pairs of a provenance record; nested values as compact JSON, and every
    value on one line."""
    rows = []
    for key, value in provenance.items():
        if isinstance(value, dict | list | tuple):
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        else:
            text = str(value)
        rows.append((str(key), " ".join(text.split())))
    return rows


def safe_csv(df: pd.DataFrame, provenance: Mapping[str, Any] | None = None) -> bytes:
    """CSV bytes of ``df`` (UTF-8 with a byte-order mark), with every text cell and header
    that could start a formula (``= + - @``, tab, carriage return) prefixed with an
    apostrophe. Numbers are left alone; text cells are quoted. With ``provenance``, a header
    block of ``#,"key","value"`` lines comes first (see the module's text)."""
    head = ""
    if provenance:
        lines = io.StringIO()
        writer = csv.writer(lines, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow(["provenance of the table below; read it with comment='#'"])
        for key, value in provenance_rows(provenance):
            writer.writerow([key, _neutralise(value)])
        head = "".join(f"#,{line}\n" for line in lines.getvalue().splitlines())
    # Quote every text cell: a bare carriage return would otherwise split a row.
    body = _neutralised(df).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return (BOM + head + body).encode("utf-8")


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip("' ")[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate = f"{base[: 31 - len(str(n)) - 1]} {n}"
        n += 1
    taken.add(candidate.lower())
    return candidate


def xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame], provenance: Mapping[str, Any] | None = None
) -> bytes:
    """An Excel workbook: one sheet per table (formula-safe text, numbers as numbers, a frozen
    header row), then a ``provenance`` sheet.

    Raises:
        ValueError: a table has more rows than an Excel sheet holds.
    """
    for name, frame in sheets.items():
        if len(frame) >= XLSX_MAX_ROWS:
            raise ValueError(
                f"table {name!r} has {len(frame):,} rows; an Excel sheet holds at most "
                f"{XLSX_MAX_ROWS - 1:,}: write .csv or .parquet instead"
            )
    buffer = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet = _sheet_name(name, taken)
            _neutralised(frame).to_excel(writer, sheet_name=sheet, index=False)
            writer.sheets[sheet].freeze_panes = "A2"
        if provenance:
            table = pd.DataFrame(provenance_rows(provenance), columns=["item", "value"])
            _neutralised(table).to_excel(
                writer, sheet_name=_sheet_name("provenance", taken), index=False
            )
    return buffer.getvalue()


def _write_parquet(
    frame: pd.DataFrame, path: Path | io.BytesIO, provenance: Mapping[str, Any] | None
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if provenance:
        meta = dict(table.schema.metadata or {})
        meta[PARQUET_KEY] = json.dumps(dict(provenance), default=str).encode()
        table = table.replace_schema_metadata(meta)
    pq.write_table(table, path)


def parquet_bytes(frame: pd.DataFrame, provenance: Mapping[str, Any] | None = None) -> bytes:
    """``frame`` as a Parquet file, ``provenance`` in its schema metadata (as ``write_table``
    writes it; for a download)."""
    buffer = io.BytesIO()
    _write_parquet(frame, buffer, provenance)
    return buffer.getvalue()


def read_parquet_provenance(path: Path | str) -> dict[str, Any]:
    """The provenance a Parquet file carries (empty when it has none)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[PARQUET_KEY]) if PARQUET_KEY in meta else {}


def write_table(
    frame: pd.DataFrame,
    path: Path | str,
    provenance: Mapping[str, Any] | None = None,
    sheet: str = "table",
) -> Path:
    """Write ``frame`` to ``.csv`` (formula-safe, see ``safe_csv``), ``.parquet`` or ``.xlsx``
    (sheet ``sheet``), atomically, with ``provenance`` inside the file.

    Raises:
        SimError: the suffix is none of ``.csv``, ``.parquet``, ``.xlsx`` (any case), or the
            path is a folder or not writable (``check_output_file``; nothing is written).
        ValueError: the table is too long for an Excel sheet (nothing is written).
    """
    path = check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = safe_csv(frame, provenance)
        return atomic_write(path, lambda tmp: tmp.write_bytes(data))
    if suffix == ".xlsx":
        data = xlsx_bytes({sheet: frame}, provenance)
        return atomic_write(path, lambda tmp: tmp.write_bytes(data))
    return atomic_write(path, lambda tmp: _write_parquet(frame, tmp, provenance))
