"""Reading a sweep: DuckDB views over its Parquet parts, and SALib sensitivity indices."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimError, SweepError
from sim.io import atomic_write, check_folder


def read_manifest(out: Path) -> dict[str, Any]:
    path = Path(out) / "manifest.json"
    if not path.is_file():
        raise SweepError(
            f"{out}: not a sweep folder (no manifest.json); run `sim sweep DESIGN --out DIR` first"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def connect(out_dir: str | Path):
    """A DuckDB connection with views ``runs``, ``outcomes`` and ``points`` over a sweep.

    ``runs`` holds one row per run (the latest ok record if a run was retried), ``outcomes``
    only the rows of those records, ``runs_all`` every record ever written.
    """
    import duckdb

    out = Path(out_dir)
    read_manifest(out)
    if not any((out / "runs").glob("*.parquet")):
        raise SweepError(f"{out}: no finished runs yet")
    con = duckdb.connect()

    def glob(sub: str) -> str:
        return str(out / sub / "*.parquet").replace("'", "''")

    con.execute(
        f"CREATE VIEW runs_all AS SELECT * FROM read_parquet('{glob('runs')}', "
        "union_by_name = true)"
    )
    con.execute(
        "CREATE VIEW runs AS SELECT * EXCLUDE (_rank) FROM (SELECT *, row_number() "
        "OVER (PARTITION BY run_id ORDER BY status = 'ok' DESC, finished_at DESC, "
        "part DESC) AS _rank FROM runs_all) WHERE _rank = 1"
    )
    if any((out / "outcomes").glob("*.parquet")):
        con.execute(
            f"CREATE VIEW outcomes AS SELECT o.* FROM read_parquet('{glob('outcomes')}'"
            ") AS o SEMI JOIN runs AS r ON o.run_id = r.run_id AND o.part = r.part"
        )
    else:
        con.execute(
            "CREATE VIEW outcomes AS SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS "
            "part, NULL::VARCHAR AS outcome, NULL::INTEGER AS month, NULL::VARCHAR AS "
            "date, NULL::DOUBLE AS value WHERE false"
        )
    points = str(out / "points.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet('{points}')")
    return con


def query(out_dir: str | Path, sql: str) -> pd.DataFrame:
    """Run SQL over a sweep's ``runs``, ``outcomes`` and ``points`` views."""
    import duckdb

    con = connect(out_dir)
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        message = " ".join(str(exc).split())
        raise SweepError(f"query failed: {message}") from None
    finally:
        con.close()


def _scalar_outcomes(
    out: Path, manifest: dict[str, Any], outcome: str | None
) -> dict[str, np.ndarray]:
    """Per outcome: the value at its analysis month, averaged over replications, by point."""
    targets = pd.DataFrame(
        [(o["name"], o["month"]) for o in manifest["outcomes"]], columns=["outcome", "month"]
    )
    if outcome is not None:
        if outcome not in set(targets["outcome"]):
            raise SweepError(
                f"--outcome {outcome!r}: not in this sweep; outcomes: "
                f"{', '.join(targets['outcome'])}"
            )
        targets = targets[targets["outcome"] == outcome]
    con = connect(out)
    try:
        con.register("targets", targets)
        frame = con.execute(
            "SELECT r.point, o.outcome, avg(o.value) AS value FROM outcomes o "
            "JOIN targets t ON o.outcome = t.outcome AND o.month = t.month "
            "JOIN runs r ON o.run_id = r.run_id WHERE r.status = 'ok' "
            "GROUP BY r.point, o.outcome"
        ).df()
    finally:
        con.close()
    n = manifest["n_points"]
    out_values = {}
    for name in targets["outcome"]:
        rows = frame[frame["outcome"] == name].set_index("point")["value"]
        missing = n - len(rows)
        if missing:
            raise SweepError(
                f"{out}: {missing} of {n} design points have no finished run; "
                "complete the sweep first (run `sim sweep` again, with "
                "--retry-failed for failed runs)"
            )
        out_values[name] = rows.sort_index().to_numpy(dtype=float)
    return out_values


def sensitivity(
    out_dir: str | Path,
    method: str | None = None,
    outcome: str | None = None,
    num_resamples: int = 200,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Sobol (first-order and total) or Morris (mu*, sigma) indices per outcome.

    Replications are averaged per design point before the analysis. The table is also saved as
    ``sensitivity_<method>.csv`` in the folder (its path is in ``table.attrs["path"]``). A
    Sobol design sampled with ``second_order = true`` also gives the second-order indices S2
    of every pair of parameters (the share of the outcome's variance due to the two acting
    together, beyond their first-order effects), with their 95% half-widths: one row per
    outcome and pair in ``table.attrs["second_order"]``, saved as
    ``sensitivity_sobol_s2.csv`` (its path in ``table.attrs["second_order_path"]``).

    Raises:
        SweepError: not a finished sweep folder, a method the design cannot support, an
            unknown outcome, or a folder where the table cannot be written (checked first).
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    try:
        check_folder(out, "sweep folder")
    except SimError as exc:
        raise SweepError(str(exc)) from None
    design = manifest["method"]
    method = method or (design if design in {"sobol", "morris"} else "sobol")
    if method not in {"sobol", "morris"}:
        raise SweepError(f"--method {method!r}: choose sobol or morris")
    if method != design:
        need = {
            "sobol": 'design = "sobol" (Saltelli sample, N base samples a power of two)',
            "morris": 'design = "morris" (trajectories)',
        }[method]
        raise SweepError(
            f"{out}: a {design} design cannot support {method} analysis; "
            f"{method} indices need a sweep with {need}"
        )
    params = manifest["parameters"]
    problem = {
        "num_vars": len(params),
        "names": [p["name"] for p in params],
        "bounds": [p["range"] for p in params],
    }
    seed = int(manifest["seed"]) % 2**32
    ys = _scalar_outcomes(out, manifest, outcome)
    second_order = method == "sobol" and bool(manifest["design"]["second_order"])
    frames, pairs = [], []
    for name, y in ys.items():
        if np.ptp(y) == 0:
            stats = {
                k: np.full(len(params), np.nan)
                for k in (
                    "S1",
                    "S1_conf",
                    "ST",
                    "ST_conf",
                    "mu",
                    "mu_star",
                    "sigma",
                    "mu_star_conf",
                )
            }
            stats["S2"] = stats["S2_conf"] = np.full((len(params), len(params)), np.nan)
        elif method == "sobol":
            from SALib.analyze import sobol

            with np.errstate(all="ignore"):
                stats = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=second_order,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    seed=seed,
                )
        else:
            from SALib.analyze import morris

            x = (
                pd.read_parquet(out / "points.parquet")
                .sort_values("point")[problem["names"]]
                .to_numpy(dtype=float)
            )
            stats = morris.analyze(
                problem,
                x,
                y,
                num_resamples=num_resamples,
                conf_level=conf_level,
                num_levels=manifest["design"]["morris_levels"],
                seed=seed,
            )
        frame = pd.DataFrame(
            {
                "outcome": name,
                "parameter": problem["names"],
                "key": [p["key"] for p in params],
                "kind": [p["kind"] for p in params],
            }
        )
        columns = (
            ("S1", "S1_conf", "ST", "ST_conf")
            if method == "sobol"
            else ("mu", "mu_star", "mu_star_conf", "sigma")
        )
        for column in columns:
            frame[column] = np.asarray(stats[column], dtype=float)
        rank_by = "ST" if method == "sobol" else "mu_star"
        frame["rank"] = frame[rank_by].rank(ascending=False, method="min").astype("Int64")
        frames.append(frame.sort_values(rank_by, ascending=False, na_position="last"))
        if second_order:
            names = [p["name"] for p in params]
            pairs.append(_pairs(name, names, stats["S2"], stats["S2_conf"]))
    table = pd.concat(frames, ignore_index=True)
    suffix = "" if outcome is None else "_" + re.sub(r"[^A-Za-z0-9_]+", "_", outcome).strip("_")
    path = out / f"sensitivity_{method}{suffix}.csv"
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))
    table.attrs["path"] = str(path)
    if second_order:
        s2 = pd.concat(pairs, ignore_index=True)
        s2_path = out / f"sensitivity_sobol_s2{suffix}.csv"
        atomic_write(s2_path, lambda tmp: s2.to_csv(tmp, index=False))
        table.attrs["second_order"] = s2
        table.attrs["second_order_path"] = str(s2_path)
    return table


def _pairs(outcome: str, names: list[str], s2: Any, conf: Any) -> pd.DataFrame:
    """SALib's upper-triangular S2 matrix as one row per pair of parameters, largest first."""
    s2, conf = np.asarray(s2, dtype=float), np.asarray(conf, dtype=float)
    rows = [
        {
            "outcome": outcome,
            "parameter": names[i],
            "with": names[j],
            "S2": s2[i, j],
            "S2_conf": conf[i, j],
        }
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return pd.DataFrame(rows).sort_values("S2", ascending=False, na_position="last")
