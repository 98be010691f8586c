"""Agent-based simulator of AI and automation displacement in ASEAN labour markets.

The public API, importable from ``sim`` directly (loaded on first use, so ``import sim`` stays
cheap):

>>> from sim import run_scenario, compare
>>> base = run_scenario("phl_bpo", replications=3, horizon_months=24)

- running: ``run_scenario``, ``Results``, ``compare``, ``cost_per_reemployed``;
- scenarios: ``load_scenario``, ``list_scenarios``, ``with_overrides``, ``Scenario``,
  ``PARAMETERS`` (every parameter's default, unit, range and reference);
- data: ``load_data``, ``DataTables``, ``sources_table``;
- exports: ``html_brief``, ``write_table``, ``safe_csv``;
- sweeps: ``run_sweep``, ``load_design``, ``query``, ``sensitivity`` (the ``sweep`` extra);
- errors: ``SimError`` and its kinds ``DataError``, ``ScenarioError``, ``ModelError``,
  ``SweepError``; ``one_line`` formats any of them for a terminal or a page.

The fit of the labour flows and the model-vs-observed checks keep their module names:
``sim.calibrate.calibrate``, ``sim.validate.validate``.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "run_scenario": "sim.runner",
    "Results": "sim.results",
    "compare": "sim.results",
    "cost_per_reemployed": "sim.results",
    "Scenario": "sim.scenarios",
    "PARAMETERS": "sim.scenarios",
    "list_scenarios": "sim.scenarios",
    "load_scenario": "sim.scenarios",
    "with_overrides": "sim.scenarios",
    "DataTables": "sim.data",
    "load_data": "sim.data",
    "sources_table": "sim.provenance",
    "html_brief": "sim.brief",
    "safe_csv": "sim.io",
    "write_table": "sim.io",
    "run_sweep": "sim.sweeps",
    "load_design": "sim.sweeps",
    "query": "sim.sweeps",
    "sensitivity": "sim.sweeps",
    "SimError": "sim.errors",
    "DataError": "sim.errors",
    "ScenarioError": "sim.errors",
    "ModelError": "sim.errors",
    "SweepError": "sim.errors",
    "one_line": "sim.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
