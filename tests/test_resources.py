"""A run's size and memory are known before it is built; the CLI refuses what cannot fit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sim import resources
from sim.cli import app
from sim.resources import GIB, check_memory, run_size
from sim.runner import make_model
from sim.scenarios import load_scenario, with_overrides

runner = CliRunner()


@pytest.mark.parametrize(("name", "iso3", "scale"), [
    ("baseline", "BRN", None), ("phl_bpo", "PHL", None), ("baseline", "LAO", 40)])
def test_run_size_is_the_model_s_own(tables, name, iso3, scale):
    """The scale (the automatic rule with its focus-sector floor, or the scenario's) and the
    person slots are those the model itself allocates."""
    scenario = with_overrides(load_scenario(name), {"countries": [iso3], "run.scale": scale,
                                                    "run.horizon_months": 24})
    size = run_size(scenario, iso3, tables)
    model = make_model(scenario, iso3, tables, seed=1)
    assert size.scale == model.scale
    assert size.slots == pytest.approx(model.workforce.capacity, rel=0.01)
    assert size.person_months == size.slots * 24 * scenario.run.replications


MEASURE = """
import json, sys
from sim.data import load_data
from sim.runner import make_model
from sim.scenarios import load_scenario, with_overrides
scenario = with_overrides(load_scenario("baseline"), {"countries": ["PHL"], "run.scale": 40,
                                                      "run.horizon_months": 3})
model = make_model(scenario, "PHL", load_data(), seed=1)
for _ in range(3):
    model.step()
# VmHWM: this process's own peak (getrusage's ru_maxrss keeps the parent's peak across exec)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps(int(hwm.split()[1]) * 1024))
"""


def test_memory_estimate_bounds_the_measured_peak(tables):
    """The estimate is an upper bound of a real process's peak (so a refusal prevents running
    out of memory) and not so loose that it refuses runs that would fit."""
    done = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True,
                          check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    scenario = with_overrides(load_scenario("baseline"), {"countries": ["PHL"],
                                                          "run.scale": 40,
                                                          "run.horizon_months": 3})
    estimate = run_size(scenario, "PHL", tables).model_bytes
    assert measured <= estimate <= 1.6 * measured, (measured / 2**20, estimate / 2**20)


def test_the_twin_doubles_the_models_held(tables):
    scenario = with_overrides(load_scenario("baseline"), {"countries": ["BRN"]})
    one, two = run_size(scenario, "BRN", tables), run_size(scenario, "BRN", tables, True)
    fixed = resources.PROCESS_BYTES + resources.SETUP_BYTES
    assert two.model_bytes - fixed == 2 * (one.model_bytes - fixed)


def test_check_memory_refuses_in_one_line_with_a_scale_that_fits(tables):
    scenario = with_overrides(load_scenario("baseline"), {"countries": ["IDN"], "run.scale": 1})
    with pytest.raises(Exception) as caught:
        check_memory(scenario, tables, counterfactual=True, available=8 * GIB)
    message = str(caught.value)
    assert "\n" not in message
    assert "IDN" in message and "GiB" in message and "8.0 GiB available" in message
    suggested = int(message.rsplit("--scale ", 1)[1].split()[0].replace(",", ""))
    fitted = with_overrides(scenario, {"run.scale": suggested})
    check_memory(fitted, tables, counterfactual=True, available=8 * GIB)  # fits: no error
    assert check_memory(scenario, tables, available=64 * GIB)[0].scale == 1


def test_cli_refuses_a_run_too_big_for_the_machine_before_building_it(tmp_path, monkeypatch):
    """Indonesia person by person on a machine with 4 GiB free: one line, exit 2, no file."""
    monkeypatch.setattr(resources, "available_memory", lambda: 4 * GIB)
    built = []
    monkeypatch.setattr("sim.runner.make_model", lambda *a, **k: built.append(a))
    out = tmp_path / "idn.csv"
    result = runner.invoke(app, ["run", "baseline", "-c", "IDN", "--scale", "1", "-r", "1",
                                 "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "error: IDN: a run at scale 1" in result.output
    assert "4.0 GiB available: use --scale" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not built and not out.exists()


@pytest.mark.parametrize("command", [["run", "baseline"], ["compare", "baseline", "combined"],
                                     ["region", "baseline"]])
def test_cli_max_memory_refuses_a_run_over_the_limit_in_one_line(tmp_path, monkeypatch, command):
    """``--max-memory`` (every command that runs countries) is the limit a refusal names; 0 is
    refused by the option itself."""
    built = []
    monkeypatch.setattr("sim.runner.make_model", lambda *a, **k: built.append(a))
    out = tmp_path / "phl.csv"
    result = runner.invoke(app, [*command, "-c", "PHL", "--scale", "1", "-r", "1",
                                 "--max-memory", "1", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "the --max-memory limit is 1.0 GiB: use --scale" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, [*command, "-c", "BRN", "--max-memory", "0"])
    assert result.exit_code == 2
    assert not built and not out.exists()


class WatchedExecutor:
    """Runs each submitted run at once, in this process, only when ``wait`` asks for it, so a
    test sees exactly which runs were handed over together and what they add up to."""

    def __init__(self, need):
        self.need = need          # iso3 -> estimated bytes
        self.in_flight = []       # futures handed over, not yet finished
        self.peaks = []           # (runs, bytes) in flight at each hand-over

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future = Future()
        future.call = (fn, args)
        self.in_flight.append(future)
        self.peaks.append((len(self.in_flight), sum(self.need[f.call[1][1]]
                                                    for f in self.in_flight)))
        return future


def test_a_memory_budget_keeps_the_runs_in_flight_within_it(tables, monkeypatch):
    """Largest country first; the others join it only while the estimated peaks in flight fit
    the budget; a run alone over the budget still runs, alone; same numbers as serially."""
    from concurrent import futures as cf

    from sim.runner import run_scenario

    scenario = with_overrides(load_scenario("baseline"), {
        "countries": ["BRN", "LAO", "SGP"], "run.scale": 50, "run.replications": 2,
        "run.horizon_months": 3})
    need = {iso3: run_size(scenario, iso3, tables).model_bytes for iso3 in scenario.countries}
    largest = max(need, key=need.get)
    smallest = min(need, key=need.get)
    real_wait = cf.wait

    def finish_first(pending, return_when):  # the oldest run in flight finishes
        oldest = executor.in_flight.pop(0)
        fn, args = oldest.call
        oldest.set_result(fn(*args))
        return real_wait(pending, return_when=return_when)

    monkeypatch.setattr(cf, "wait", finish_first)
    serial = run_scenario(scenario, data=tables)
    for budget, most in [(need[largest] + need[smallest], 2), (need[largest] // 2, 1)]:
        executor = WatchedExecutor(need)
        ticks: list[tuple[int, int]] = []
        results = run_scenario(scenario, data=tables, executor=executor, memory_budget=budget,
                               progress=lambda done, total, ticks=ticks: ticks.append(
                                   (done, total)))
        assert executor.peaks[0] == (1, need[largest])
        assert max(runs for runs, _ in executor.peaks) == most
        assert all(used <= budget for runs, used in executor.peaks if runs > 1)
        assert ticks == [(i, 6) for i in range(1, 7)]
        assert results.frame.equals(serial.frame)
    with pytest.raises(ValueError, match="memory_budget"):
        run_scenario(scenario, data=tables, executor=executor, memory_budget=0)
