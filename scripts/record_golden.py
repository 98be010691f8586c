"""Record the reference results that tests/test_golden.py compares every run with.

One command, from the repository root:

    .venv/bin/python scripts/record_golden.py

It runs every shipped scenario (``sim/scenarios/*.toml``) for Brunei and the Philippines
(only the Philippines for scenarios that carry Philippine figures), 2 replications, 36 months,
a fixed seed, and writes each table the user sees (every replication, the summary over
replications, the breakdown by sector x sex x skill, the headline numbers), one paired
comparison and the validation table to ``tests/golden/*.parquet`` (about 2 MB in all).

The golden test then fails on any change of any number. When the model is changed on purpose,
re-run this command, look at what moved (``git diff --stat tests/golden``, or load the old and
new files), and commit the new recordings with the change that explains them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SEED = 20260101
REPLICATIONS = 2
HORIZON = 36
COUNTRIES = ("BRN", "PHL")


def _countries(scenario) -> tuple[str, ...]:
    """BRN and PHL, or only the scenario's own countries when it sets their figures."""
    if scenario.population.employment_thousands:
        return tuple(scenario.countries)
    return COUNTRIES


def _table(
    run: Callable[[str, str], Any], name: str, iso3: str, make: Callable[[Any], pd.DataFrame]
) -> pd.DataFrame:
    return make(run(name, iso3))


def cases() -> Iterator[tuple[str, Callable[[], pd.DataFrame]]]:
    """(file stem, function producing the frame) for every recorded table."""
    from sim import compare, list_scenarios, load_scenario, run_scenario
    from sim.validate import validate

    @functools.cache
    def run(name: str, iso3: str):
        return run_scenario(
            name, countries=[iso3], replications=REPLICATIONS, seed=SEED, horizon_months=HORIZON
        )

    for name in list_scenarios():
        for iso3 in _countries(load_scenario(name)):
            stem = f"{name}_{iso3}"
            tables: dict[str, Callable[[Any], pd.DataFrame]] = {
                "frame": lambda results: results.frame,
                "summary": lambda results: results.summary(),
                "breakdown": lambda results: results.breakdown(),
                "headline": lambda results: results.headline(years=(2026, 2027, 2028)),
            }
            for table, make in tables.items():
                yield f"{stem}_{table}", functools.partial(_table, run, name, iso3, make)
    yield (
        "compare_baseline_combined_BRN",
        lambda: compare(run("baseline", "BRN"), run("combined", "BRN"), years=(2027, 2028)),
    )
    yield "validate_BRN", lambda: validate(["BRN"], replications=1)


def record() -> list[Path]:
    """Write every case to tests/golden/<stem>.parquet; return the paths written."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.parquet"):
        old.unlink()
    written = []
    for stem, make in cases():
        path = GOLDEN / f"{stem}.parquet"
        make().to_parquet(path, index=False)
        written.append(path)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    paths = record()
    size = sum(p.stat().st_size for p in paths)
    sys.stdout.write(f"wrote {len(paths)} files, {size / 1e6:.2f} MB, to {GOLDEN}\n")
