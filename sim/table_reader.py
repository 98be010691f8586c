"""Reading one data table: a CSV file to a typed DataFrame whose every row is valid.

``read_typed(path, model)`` rejects a missing, oversized (``MAX_CSV_BYTES``) or non-UTF-8
file, ragged rows and wrong headers (an ILOSTAT download given in place of a derived table is
named as such), then validates each row against its pydantic model (``sim.tables``), the
sources and confidence labels of present values, and duplicate keys. ``ErrorContext`` words
every failure as one :class:`DataError` line naming the file, the row (1-based data row,
header excluded, plus the row's identifying keys) and the column. Checks across rows and
tables are in ``sim.data_checks``; ``sim.data`` assembles a folder's tables.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.errors import DataError
from sim.tables import (
    Row,
    columns,
    describe,
)

_REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_CSV_BYTES = 20_000_000  # the shipped tables are ~0.2 MB; anything this big is a mistake
#: Column names of an ILOSTAT bulk-download or explorer CSV (the raw data, not our tables).
_ILOSTAT_COLUMNS = ("ref_area", "obs_value", "classif1", "indicator")


def display_path(path: Path) -> str:
    """A file's name in messages: relative to the checkout when inside it, else as given."""
    try:
        return path.resolve().relative_to(_REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


class ErrorContext:
    """Formats error messages for one file."""

    def __init__(self, path: Path, model: type[Row], raw: pd.DataFrame | None = None):
        self.name, self.model, self.raw = display_path(path), model, raw

    def where(self, row: int | None) -> str:
        if row is None:
            return ""
        keys = ""
        if self.raw is not None and all(k in self.raw.columns for k in self.model.KEYS):
            vals = self.raw.iloc[row - 1]
            keys = " (" + ", ".join(f"{k}={vals[k]}" for k in self.model.KEYS) + ")"
        return f", row {row}{keys}"

    def error(self, row: int | None, column: str | None, msg: str) -> DataError:
        col = f", column '{column}'" if column else ""
        return DataError(f"{self.name}{self.where(row)}{col}: {msg}")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.find(b"\n") + 1  # skip header
        line_no = data[: exc.start].count(b"\n")  # 0 = header
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col_idx = data[line_start : exc.start].count(b",")
        header = data[: max(start - 1, 0)].decode("utf-8", "replace").strip().split(",")
        col = header[col_idx] if 0 <= col_idx < len(header) else f"#{col_idx + 1}"
        where = f", row {line_no}" if line_no >= 1 else ", header row"
        raise DataError(
            f"{name}{where}, column '{col}': not valid UTF-8 "
            f"(byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _check_header(name: str, header: list[str], expected: list[str]) -> None:
    missing = [c for c in expected if c not in header]
    if missing and any(c.split(".")[0] in _ILOSTAT_COLUMNS for c in header):
        raise DataError(
            f"{name}: this looks like an ILOSTAT download (columns "
            f"{', '.join(header[:4])} ...), not the simulator's table; derive "
            f"{Path(name).name} from it with data/derive.py (see data/README.md)"
        )
    if missing:
        raise DataError(
            f"{name}, header row, column '{missing[0]}': required column(s) "
            f"missing: {', '.join(missing)}"
        )
    unknown = [c for c in header if c not in expected]
    if unknown:
        raise DataError(
            f"{name}, header row, column '{unknown[0]}': unknown column(s): {', '.join(unknown)}"
        )
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise DataError(f"{name}, header row, column '{dupes[0]}': duplicate column")


def _read_raw(path: Path, model: type[Row]) -> tuple[pd.DataFrame, bytes]:
    """Read a CSV as strings; reject missing files, bad encoding, ragged rows, bad headers."""
    ctx = ErrorContext(path, model)
    if not path.is_file():
        raise ctx.error(None, None, "file is missing")
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise ctx.error(
            None, None, f"file is {size / 1e6:.1f} MB; the limit is {MAX_CSV_BYTES / 1e6:.0f} MB"
        )
    data = path.read_bytes()
    text = _decode(data, ctx.name)
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if r]
    except csv.Error as exc:
        raise DataError(f"{ctx.name}: unparsable CSV ({exc})") from None
    if not rows:
        raise ctx.error(None, None, "file is empty (no header row)")
    header, body = rows[0], rows[1:]
    expected = columns(model)
    _check_header(ctx.name, header, expected)
    for i, r in enumerate(body, start=1):
        if len(r) != len(header):
            raise DataError(f"{ctx.name}, row {i}: expected {len(header)} fields, found {len(r)}")
    if not body:
        raise ctx.error(None, None, "no data rows")
    raw = pd.DataFrame(body, columns=header, dtype=object)[expected]
    return raw.map(str.strip), data


def read_typed(path: Path, model: type[Row]) -> tuple[pd.DataFrame, bytes]:
    """Validate every row with ``model``; a typed frame (floats, Int64 where optional)."""
    raw, data = _read_raw(path, model)
    ctx = ErrorContext(path, model, raw)
    rows = []
    for i, record in enumerate(raw.to_dict("records"), start=1):
        try:
            rows.append(model.model_validate(record).model_dump())
        except ValidationError as exc:
            raise ctx.error(i, *describe(exc.errors()[0])) from None
    df = pd.DataFrame(index=range(len(raw)))
    for name, info in model.model_fields.items():
        values = [row[name] for row in rows]
        if info.annotation in (float, float | None):
            df[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
        elif info.annotation is int:
            df[name] = pd.array(values, dtype="int64")
        elif info.annotation == int | None:
            df[name] = pd.array(values, dtype="Int64")
        else:
            df[name] = pd.Series(values, dtype=object)
    # provenance: every present value names a source and a valid confidence label
    for cells, src, conf in model.PROVENANCE:
        values = df[list(cells)]
        present = (values.notna() & values.ne("")).any(axis=1).to_numpy()
        for column, what in ((src, "source"), (conf, "confidence")):
            bad = np.flatnonzero(present & (df[column] == "").to_numpy())
            if bad.size:
                i = int(bad[0])
                cell = next(c for c in cells if pd.notna(df.at[i, c]) and df.at[i, c] != "")
                raise ctx.error(i + 1, column, f"empty {what} for a present value ({cell})")
    # duplicate keys
    keys = list(model.KEYS)
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        key = tuple(df.loc[i, keys])
        first = int(
            np.flatnonzero((df[keys] == pd.Series(key, index=keys)).all(axis=1).to_numpy())[0]
        )
        raise ctx.error(i + 1, keys[-1], f"duplicate of row {first + 1}")
    return df, data
