"""The package as a user installs it: a wheel, in a fresh environment, runs `sim run baseline`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_wheel.sh"


@pytest.mark.wheel
def test_an_installed_wheel_finds_its_data_and_runs_the_baseline():
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "site-packages" in done.stdout and "sim/datasets" in done.stdout
    assert "Programme cost to date" in done.stdout  # the headline table's last row
    assert "wheel ok" in done.stdout
