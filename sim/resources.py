"""How much a run asks of the machine, known before anything is built.

A run's size follows from its scenario alone: the people simulated (the country's labour force
divided by the scale, which the model picks with ``sim.population.automatic_scale`` when the
scenario leaves it open), the person slots the workforce allocates for labour-force growth, the
months and the replications. ``run_size`` states that size; ``check_memory`` refuses, in one line, a
run whose peak memory would exceed what the machine has available. The CLI calls it before a
run and the app before every request (the app also bounds the work, ``RunSize.person_months``).

The memory coefficients were measured on the Philippine baseline (peak resident memory of one
process): about 243 MB for the interpreter with numpy, pandas, mesa and numba, about 290-300 MB
once the compiled kernels are loaded; then the workforce's arrays, 20 bytes a person slot, and
the set-up's temporaries, which are bounded by blocks of about 4 million people (about 100-150
MB whatever the size) plus a few bytes a slot. Measured with ``benchmarks/scale.py``: 1,693 MB
at the peak for the whole Philippines at k = 1 (58.2 m slots: 24 bytes a slot above the 286 MB
of a process with its kernels loaded, the fixed part included), 391 MB for the IT-BPM workforce
(2.4 m slots). The estimate takes 28 bytes a slot and 128 MB of fixed temporaries: an upper
bound by 18% at the whole Philippines and by 45% at 1.5 m slots (``tests/test_resources.py``).
Until the set-up's temporaries were bounded, a slot took 76-110 bytes at the peak, and the
estimate refused runs that fit (Indonesia at k = 1 on a 16 GB machine).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from sim.data import DataTables
from sim.errors import ModelError
from sim.inputs import country_inputs
from sim.population import automatic_scale, labour_force_growth
from sim.scenarios import Scenario

__all__ = [
    "BYTES_PER_SLOT",
    "PROCESS_BYTES",
    "SETUP_BYTES",
    "RunSize",
    "available_memory",
    "check_memory",
    "run_size",
]

#: Peak bytes per person slot while a model is built and run (measured; see the module's text).
BYTES_PER_SLOT = 28
#: The set-up's temporaries that do not grow with the population (blocks of about 4 m people).
SETUP_BYTES = 128 * 2**20
#: Resident memory of a process that has imported the simulator and loaded its compiled kernels,
#: before any model (measured: 243 MB after the imports, about 300 MB with the kernels loaded;
#: the kernels' first compilation on a fresh machine adds about 15 MB more).
PROCESS_BYTES = 320 * 2**20
GIB = 2**30


@dataclass(frozen=True)
class RunSize:
    """What one country's run of a scenario asks for.

    ``people`` are simulated at the start; ``slots`` is the workforce's allocation (people plus
    the labour force's growth over the horizon); ``models`` is 2 with the no-automation twin,
    which a replication builds while its own model is still held.
    """

    iso3: str
    scale: int
    people: int
    slots: int
    months: int
    replications: int
    models: int

    @property
    def person_months(self) -> float:
        """Simulated person-months over every replication (and the twins): the work."""
        return float(self.slots) * self.months * self.replications * self.models

    @property
    def model_bytes(self) -> int:
        """Peak memory of one replication in one process, bytes (its twin, when there is one,
        is built while its own model is held; the set-up's temporaries come one at a time)."""
        return PROCESS_BYTES + SETUP_BYTES + self.models * self.slots * BYTES_PER_SLOT


def run_size(
    scenario: Scenario, iso3: str, tables: DataTables, counterfactual: bool = False
) -> RunSize:
    """The size of ``scenario``'s run for one country, from its data (nothing is simulated).

    Follows the model's own set-up: the scenario's employment overrides and sector selection,
    the automatic scale when ``run.scale`` is empty, the unemployed on top of employment, and
    the slots allocated for the labour force's growth (``sim.model_setup``).

    Raises:
        DataError: an unknown country code.
    """
    data = tables.country(iso3)
    employment = np.asarray(data.employment, dtype=float).copy()
    index = {name: i for i, name in enumerate(data.sectors)}
    for name, thousands in scenario.population.employment_thousands.items():
        employment[index[name]] = thousands * 1000.0
    if scenario.population.sectors is not None:
        keep = np.zeros(employment.size, dtype=bool)
        keep[[index[name] for name in scenario.population.sectors]] = True
        employment[~keep] = 0.0
    focus = [index[name] for name in scenario.focus_sectors]
    scale = scenario.run.scale or automatic_scale(employment, focus)
    people = int(employment.sum() / (1.0 - data.unemployment_rate) / scale)
    inputs = country_inputs(
        tables, iso3, exposure_assumption=scenario.uncertainties.exposure_assumption
    )
    year, month = (int(part) for part in scenario.run.start.split("-"))
    growth = labour_force_growth(inputs.labour_force, year, month, scenario.run.horizon_months)
    peak = float(np.cumprod(1.0 + growth).max(initial=1.0))
    slots = int(people * peak * 1.02) + 1024
    return RunSize(
        iso3,
        int(scale),
        people,
        slots,
        scenario.run.horizon_months,
        scenario.run.replications,
        2 if counterfactual else 1,
    )


def available_memory() -> int:
    """Bytes of memory available to new work now (``MemAvailable``; else the physical total)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(
    scenario: Scenario,
    tables: DataTables,
    counterfactual: bool = False,
    processes: int = 1,
    available: int | None = None,
    limit: str | None = None,
) -> list[RunSize]:
    """Refuse a run whose peak memory would exceed the memory available; else its sizes.

    Runs go one after another in one process, or ``processes`` (country, replication) runs at
    once (each as large as the largest, an upper bound; with a memory budget, the runner
    keeps the runs in flight within it, ``sim.runner.run_scenario``, and ``processes`` is 1).
    ``available``: the bytes to fit in (default: ``available_memory``); ``limit``: how the
    refusal names them when they are a user's limit (for example "the --max-memory limit").

    Raises:
        ModelError: one line with the memory needed, the memory available and a scale that fits.
    """
    sizes = [run_size(scenario, iso3, tables, counterfactual) for iso3 in scenario.countries]
    have = available_memory() if available is None else available
    at_once = max(1, min(processes, len(scenario.countries) * scenario.run.replications))
    for size in sizes:
        need = at_once * size.model_bytes
        if need <= have:
            continue
        per_slot = size.models * BYTES_PER_SLOT * at_once
        room = max(have - at_once * (PROCESS_BYTES + SETUP_BYTES), 1)
        fits = int(np.ceil(size.scale * size.slots * per_slot / room))
        raise ModelError(
            f"{size.iso3}: a run at scale {size.scale:,} ({size.slots:,} simulated people"
            f"{', and its no-automation twin' if size.models == 2 else ''}) needs about "
            f"{need / GIB:.1f} GiB of memory; "
            + (
                f"{limit} is {have / GIB:.1f} GiB"
                if limit
                else f"this machine has {have / GIB:.1f} GiB available"
            )
            + f": use --scale {fits:,} or more"
        )
    return sizes
