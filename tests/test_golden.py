"""Every shipped scenario gives exactly the numbers recorded in tests/golden/.

The recordings come from ``scripts/record_golden.py`` (its docstring says when and how to
re-record). Any difference, down to the last bit of a float, fails here and names the table.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("record_golden", ROOT / "scripts" /
                                               "record_golden.py")
record_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record_golden)

CASES = dict(record_golden.cases())


def test_every_recording_has_a_case_and_every_case_a_recording():
    recorded = {path.stem for path in record_golden.GOLDEN.glob("*.parquet")}
    assert recorded == set(CASES), "re-run scripts/record_golden.py"


@pytest.mark.parametrize("stem", sorted(CASES))
def test_results_are_bit_identical_to_the_recording(stem):
    expected = pd.read_parquet(record_golden.GOLDEN / f"{stem}.parquet")
    actual = CASES[stem]().reset_index(drop=True)
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
