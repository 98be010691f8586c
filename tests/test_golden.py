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


DIGEST = """
import hashlib
import numpy as np
from sim.runner import run_scenario
results = run_scenario("combined", countries=["PHL"], replications=2, horizon_months=12, seed=7)
print(hashlib.sha256(np.ascontiguousarray(results.sector_cube).tobytes()
                     + np.ascontiguousarray(results.country_cube).tobytes()).hexdigest())
"""


def test_results_do_not_depend_on_the_cpu_s_blas_kernel():
    """Numbers bit for bit whatever matrix kernel OpenBLAS picks for the CPU: with numpy's
    ``@``, the calibration's last bits followed the kernel, and 18 golden tests failed with
    the kernels of CPUs without AVX2 (``sim.products``). Prescott and Nehalem are the SSE
    kernels, safe on any x86-64 CPU."""
    import os
    import platform
    import subprocess
    import sys

    if platform.machine() not in {"x86_64", "AMD64"}:
        pytest.skip("OpenBLAS's kernel names here are x86-64's")
    digests = {}
    for core in ("", "Prescott", "Nehalem"):
        env = dict(os.environ, OPENBLAS_CORETYPE=core)
        done = subprocess.run([sys.executable, "-c", DIGEST], env=env, capture_output=True,
                              text=True, check=True, cwd=ROOT)
        digests[core or "default"] = done.stdout.strip().splitlines()[-1]
    assert len(set(digests.values())) == 1, digests
