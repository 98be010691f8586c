"""A sweep's output folder: manifest, points, Parquet parts, lock and events log.

Every file is written under a temporary name and renamed, so a killed sweep never leaves a
torn file; ``Writer`` appends finished runs as part files (outcomes first, then runs), an
advisory lock keeps a second sweep out, ``events.jsonl`` records what happened.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimError, SweepError
from sim.io import atomic_write, check_folder
from sim.months import run_dates
from sim.provenance import SEED_STREAMS
from sim.sweeps.analysis import query
from sim.sweeps.design import SweepPlan

#: Version of the folder layout and seeding; a folder written by another version is refused.
FORMAT_VERSION = 2
OWN_FILES = {
    "manifest.json",
    "design.toml",
    "points.parquet",
    "runs",
    "outcomes",
    ".lock",
    "events.jsonl",
}


def _manifest(plan: SweepPlan) -> dict[str, Any]:
    from sim.provenance import code_version

    return {
        "format": FORMAT_VERSION,
        "name": plan.design.name,
        "design_file": plan.origin,
        "design_hash": plan.design_hash,
        "design": plan.design.model_dump(mode="json"),
        "base_scenario": plan.base.name,
        "base_scenario_hash": plan.base_hash,
        "country": plan.iso3,
        "method": plan.design.design,
        "n_points": plan.n_points,
        "replications": plan.design.replications,
        "total_runs": plan.total_runs,
        "seed": plan.base.run.seed,
        "seed_streams": f"{SEED_STREAMS}[replication], the same at every point (common "
        "random numbers); replay a run with `sim run` (see replay_point0)",
        "replay_point0": "sim run " + " ".join(plan.replay_args(0)),
        "data_folder": plan.data_dir,
        "data_hashes": plan.data_hashes,
        "start": plan.base.run.start,
        "horizon_months": plan.base.run.horizon_months,
        "parameters": [
            {
                "key": p.key,
                "name": p.name,
                "kind": p.kind,
                "unit": p.unit,
                "integer": p.integer,
                "range": list(p.bounds) if p.bounds else None,
                "levels": list(p.levels) if p.levels else None,
            }
            for p in plan.parameters
        ],
        "outcomes": [
            {
                "name": o.name,
                "metric": o.metric,
                "sector": list(o.sectors) if o.sectors else None,
                "month": o.month,
            }
            for o in plan.outcomes
        ],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": code_version(),
    }


def _differences(old: Any, new: Any, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += _differences(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        return out
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and all(isinstance(x, dict) for x in old + new)
    ):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in _differences(a, b, f"{where}[{i}]")
        ]
    return [] if old == new else [f"{where} ({json.dumps(old)} -> {json.dumps(new)})"]


def check_output(out: Path, plan: SweepPlan, *, probe_lock: bool = True) -> bool:
    """Check, writing nothing, that ``out`` can take this sweep: True if it already holds it.

    Refuses a folder that holds another design, a folder with foreign files, a file, and a
    folder on which another sweep is running (its lock is held).
    """
    out = Path(out)
    manifest_path = out / "manifest.json"
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out}: exists and is not a folder")
    try:
        check_folder(out)  # writable, or creatable: found now rather than after connecting
    except SimError as exc:
        raise SweepError(str(exc)) from None
    if probe_lock:
        _check_unlocked(out)
    if manifest_path.is_file():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{manifest_path}: unreadable manifest ({exc})") from None
        if old.get("format") != FORMAT_VERSION:
            raise SweepError(
                f"{out}: holds a sweep written by another version of the "
                f"simulator (folder format {old.get('format')}, this one writes "
                f"{FORMAT_VERSION}: seeds differ); use another --out folder"
            )
        if old.get("data_hashes", plan.data_hashes) != plan.data_hashes:
            raise SweepError(
                f"{out}: this sweep ran on other data files than {plan.data_dir} "
                "holds now; use another --out folder (or the same --data)"
            )
        if old.get("design_hash") != plan.design_hash:
            diffs = _differences(old.get("design"), plan.design.model_dump(mode="json"))
            shown = "; ".join(diffs[:4]) + (
                f"; and {len(diffs) - 4} more" if len(diffs) > 4 else ""
            )
            raise SweepError(
                f"{out}: holds sweep {old.get('name')!r} from a different design "
                f"({plan.origin} differs in: {shown}); use another --out folder"
            )
        if old.get("base_scenario_hash") != plan.base_hash:
            raise SweepError(
                f"{out}: the base scenario {plan.base.name!r} has changed since "
                "this sweep started; use another --out folder"
            )
        return True
    if out.exists():
        foreign = [
            p.name for p in out.iterdir() if p.name not in OWN_FILES and not p.name.endswith(".tmp")
        ]
        if foreign:
            raise SweepError(
                f"{out}: folder is not empty and holds no sweep (found "
                f"{foreign[0]!r}); use a new or empty --out folder"
            )
    return False


def prepare_output(out: Path, plan: SweepPlan) -> None:
    """Create the folder for a new sweep, or check that it holds this very sweep (idempotent).

    Call it holding the folder's lock (``run_sweep`` does); what a killed sweep left half done
    is removed: temporary files, and outcome parts whose runs part never landed (the views
    ignore them; their runs are not recorded, so this sweep runs them again).
    """
    out = Path(out)
    manifest_path = out / "manifest.json"
    if check_output(out, plan, probe_lock=False):
        for tmp in itertools.chain(out.glob(".*.tmp"), out.glob("*/.*.tmp")):
            tmp.unlink(missing_ok=True)
        landed = {part.name for part in (out / "runs").glob("*.parquet")}
        for part in (out / "outcomes").glob("*.parquet"):
            if part.name not in landed:
                part.unlink(missing_ok=True)
        return
    (out / "runs").mkdir(parents=True, exist_ok=True)
    (out / "outcomes").mkdir(exist_ok=True)
    points = pd.DataFrame({"point": np.arange(plan.n_points)})
    for j, p in enumerate(plan.parameters):
        column = plan.samples[:, j]
        points[p.name] = (
            column
            if p.levels is None
            else [json.dumps(v) if isinstance(v, list | dict) else v for v in column]
        )
    atomic_write(out / "points.parquet", lambda tmp: points.to_parquet(tmp, index=False))
    text = plan.text
    if text is not None:
        atomic_write(out / "design.toml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    atomic_write(
        manifest_path,
        lambda tmp: tmp.write_text(json.dumps(_manifest(plan), indent=2), encoding="utf-8"),
    )


def _lock_holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if text:
            return text
    return "holder unknown"


def _check_unlocked(out: Path) -> None:
    """Refuse, writing nothing, if a live sweep holds ``out/.lock``."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return
    lock = out / ".lock"
    if not lock.is_file():
        return
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return  # unreadable lock file: locked decides
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SweepError(
            f"{out}: another sweep is running on this folder ({_lock_holder(fd)}"
            "); wait for it to finish or use another --out folder"
        ) from None
    finally:
        os.close(fd)  # also releases the probe's lock


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an advisory lock on ``out/.lock`` (created with the folder if needed).

    ``flock`` locks belong to the open file: the kernel releases them when the process exits,
    however it dies, so a killed sweep never blocks the next one.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        out.mkdir(parents=True, exist_ok=True)
        yield
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SweepError(
            f"{out}: cannot create the output folder or its lock ({exc.strerror or exc})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepError(
                f"{out}: another sweep is running on this folder "
                f"({_lock_holder(fd)}); wait for it to finish or use another "
                "--out folder"
            ) from None
        with contextlib.suppress(OSError):  # who holds it, for the message above
            os.ftruncate(fd, 0)
            os.pwrite(
                fd,
                f"pid {os.getpid()} on {socket.gethostname()} since "
                f"{datetime.now(UTC).isoformat(timespec='seconds')}\n".encode(),
                0,
            )
        yield
    finally:
        os.close(fd)


class Events:
    """``events.jsonl``: one JSON line per event (start, workers lost, runs lost, stop, end).

    Best effort: a full disk must not turn the record of a problem into another problem.
    """

    def __init__(self, out: Path):
        self.path = out / "events.jsonl"

    def log(self, event: str, **fields: Any) -> None:
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "event": event,
                "pid": os.getpid(),
                **fields,
            },
            default=str,
        )
        with contextlib.suppress(OSError), open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def read_events(out_dir: str | Path) -> list[dict[str, Any]]:
    """The events of a sweep folder (``events.jsonl``), oldest first; torn lines skipped."""
    path = Path(out_dir) / "events.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def disk_error(out: Path, exc: OSError, saved: int) -> SweepError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "no space left on device"
    return SweepError(
        f"{out}: cannot write results ({reason}); the sweep stopped, {saved} "
        "runs saved in this session are kept; free space and run the same "
        "command again to resume"
    )


def _runs_schema(plan: SweepPlan):
    import pyarrow as pa

    fields = [
        ("run_id", pa.string()),
        ("point", pa.int64()),
        ("replication", pa.int64()),
        ("seed_entropy", pa.string()),
        ("seed_spawn_key", pa.string()),
    ]
    for p in plan.parameters:
        values = [v[p.name] for v in plan.values[:1]] or [0.0]
        v = values[0]
        if p.levels is not None and not all(isinstance(x, type(v)) for x in p.levels):
            kind = pa.string()
        elif isinstance(v, bool):
            kind = pa.bool_()
        elif isinstance(v, int):
            kind = pa.int64()
        elif isinstance(v, float):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append((p.name, kind))
    fields += [
        ("scenario", pa.string()),
        ("base_scenario_hash", pa.string()),
        ("country", pa.string()),
        ("data_hashes", pa.string()),
        ("code_version", pa.string()),
        ("worker", pa.string()),
        ("wall_seconds", pa.float64()),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("error", pa.string()),
        ("part", pa.string()),
    ]
    return pa.schema(fields)


class Writer:
    """Buffers finished runs and writes them as part files: outcomes first, then runs.

    A run counts as done once its row is in a runs part; outcome rows of a part whose runs
    part never landed (a kill between the two renames) are ignored by the views, which join
    outcomes to runs on (run_id, part).
    """

    def __init__(self, out: Path, plan: SweepPlan, batch_size: int, flush_seconds: float):
        self.out, self.plan = out, plan
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()
        self.schema = _runs_schema(plan)
        # the one calendar (``sim.months.run_dates``): month 0 is the end of the month before
        # the start, as in ``sim run``'s tables
        self.dates = (
            run_dates(plan.base.run.start, plan.base.run.horizon_months)
            .strftime("%Y-%m")
            .to_numpy()
        )
        self.parts = 0
        self.saved = 0  # runs written by this writer

    def add(self, record: dict[str, Any]) -> None:
        self.buffer.append(record)
        if (
            len(self.buffer) >= self.batch_size
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.last_flush = time.monotonic()
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        part = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        now = datetime.now(UTC)
        plan = self.plan
        run_ids, outcome_names, months, values = [], [], [], []
        for rec in batch:
            for name, series in rec["series"].items():
                run_ids.append(np.full(len(series), rec["run_id"], dtype=object))
                outcome_names.append(np.full(len(series), name, dtype=object))
                months.append(np.arange(len(series), dtype=np.int32))
                values.append(series)
        outcomes_path = self.out / "outcomes" / f"{part}.parquet"
        if values:
            month = np.concatenate(months)
            outcomes = pa.table(
                {
                    "run_id": pa.array(np.concatenate(run_ids), pa.string()),
                    "part": pa.array([part] * len(month), pa.string()),
                    "outcome": pa.array(np.concatenate(outcome_names), pa.string()),
                    "month": pa.array(month, pa.int32()),
                    "date": pa.array(self.dates[month], pa.string()),
                    "value": pa.array(np.concatenate(values), pa.float64()),
                }
            )
            try:
                atomic_write(outcomes_path, lambda tmp: pq.write_table(outcomes, tmp))
            except OSError as exc:
                raise disk_error(self.out, exc, self.saved) from None
        rows = []
        for rec in batch:
            point, rep = rec["point"], rec["replication"]
            seq = plan.seed(point, rep)
            row = {
                "run_id": rec["run_id"],
                "point": point,
                "replication": rep,
                "seed_entropy": str(seq.entropy),
                "seed_spawn_key": ",".join(str(k) for k in seq.spawn_key),
            }
            for p in plan.parameters:
                v = plan.values[point][p.name]
                row[p.name] = (
                    json.dumps(v)
                    if self.schema.field(p.name).type == pa.string() and not isinstance(v, str)
                    else v
                )
            row.update(
                scenario=plan.base.name,
                base_scenario_hash=plan.base_hash,
                country=plan.iso3,
                data_hashes=rec.get("data_hashes", ""),
                code_version=rec.get("code_version", ""),
                worker=rec.get("worker", ""),
                wall_seconds=float(rec["wall_seconds"]),
                finished_at=now,
                status=rec["status"],
                error=rec["error"],
                part=part,
            )
            rows.append(row)
        runs = pa.Table.from_pylist(rows, schema=self.schema)
        try:
            atomic_write(
                self.out / "runs" / f"{part}.parquet", lambda tmp: pq.write_table(runs, tmp)
            )
        except OSError as exc:
            with contextlib.suppress(OSError):  # its outcomes would be ignored; drop them
                outcomes_path.unlink(missing_ok=True)
            raise disk_error(self.out, exc, self.saved) from None
        self.parts += 1
        self.saved += len(batch)


def statuses(out: Path) -> dict[str, str]:
    """run_id -> 'ok' or 'failed' for every run already recorded (ok wins)."""
    if not any((out / "runs").glob("*.parquet")):
        return {}
    frame = query(out, "SELECT run_id, status FROM runs")
    return dict(zip(frame["run_id"], frame["status"], strict=True))
