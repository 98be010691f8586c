"""Shared fixtures: the shipped data tables and a way to build one model directly."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.data import load_data
from sim.model import LabourMarketModel
from sim.runner import make_model
from sim.scenarios import Scenario, load_scenario, with_overrides

CHROMIUM = "/usr/bin/chromium"


def browser_missing() -> str | None:
    """Why the real-browser tests cannot run on this machine, or None when they can.

    test.sh, run as root, installs both with apt-get."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if ctypes.util.find_library("atomic") is None:
        return ("libatomic.so.1 is missing: Playwright's driver needs it"
                " (apt-get install libatomic1)")
    return None


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and (reason := browser_missing()):
        pytest.skip(reason)


@pytest.fixture(scope="session")
def tables():
    return load_data()


def build_model(tables, iso3: str = "BRN", scenario: str | Scenario = "baseline",
                overrides: dict | None = None, seed: int = 1) -> LabourMarketModel:
    """A model for one country, with scenario overrides, seeded."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if overrides:
        base = with_overrides(base, overrides)
    return make_model(base, iso3, tables, seed)


def sweep_until_parts(design: Path, out: Path, parts: int, batch_size: int,
                      timeout: float) -> subprocess.Popen:
    """Start `sim sweep` (serial) in a subprocess; return once it has written ``parts`` run
    part files, or when it ends or ``timeout`` seconds pass. The caller stops it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(design), "--out", str(out),
         "--workers", "0", "--batch-size", str(batch_size)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "runs").glob("part-*.parquet"))) >= parts:
            break
        time.sleep(0.01)
    return proc
