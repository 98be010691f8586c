"""Countries side by side: worker processes only when they pay, the same numbers as serially,
and ``-c ALL`` for every country with data."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pandas as pd
from typer.testing import CliRunner

from sim.cli import app
from sim.runner import (
    fresh_processes,
    parallel_executor,
    parallel_workers,
    resolve_scenario,
    run_scenario,
    warm_up,
)


def test_worker_processes_only_for_work_that_pays_for_them(tables):
    small = resolve_scenario("baseline", {"countries": ["BRN", "SGP"]}, horizon_months=24)
    assert parallel_executor(small, tables) is None  # automatic scale: a second or two
    assert parallel_workers(small, tables) == 1
    one = resolve_scenario("baseline", {"countries": ["PHL"]}, scale=1, replications=1)
    assert parallel_executor(one, tables) is None  # a single run cannot be split
    large = resolve_scenario("baseline", {"countries": ["PHL", "THA"]}, scale=1,
                             replications=1)
    assert parallel_workers(large, tables) == min(os.cpu_count() or 1, 2)
    pool = parallel_executor(large, tables)
    try:
        assert isinstance(pool, ProcessPoolExecutor)
        assert pool._max_tasks_per_child == 1  # each large run in a fresh process
    finally:
        if pool is not None:
            pool.shutdown()
    assert fresh_processes(large, tables)


def test_many_small_runs_share_long_lived_worker_processes(tables):
    """Ten countries at the automatic scale, two replications with their twins: 40 runs of
    about a second each, worth running side by side but not worth a fresh process each (3-4 s
    to start and import the simulator): the workers start once and take run after run."""
    region = resolve_scenario("baseline", {"countries": list(tables.iso3_codes)},
                              replications=2)
    assert parallel_workers(region, tables, counterfactual=True) == min(os.cpu_count() or 1, 2)
    assert not fresh_processes(region, tables, counterfactual=True)
    pool = parallel_executor(region, tables, counterfactual=True)
    try:
        assert pool is not None and pool._max_tasks_per_child is None
    finally:
        if pool is not None:
            pool.shutdown()


def test_countries_in_worker_processes_give_the_serial_numbers(tables):
    scenario = resolve_scenario("combined", {"countries": ["SGP", "BRN"]}, scale=100,
                                horizon_months=18, replications=2)
    serial = run_scenario(scenario, data=tables)
    with ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=warm_up) as pool:
        parallel = run_scenario(scenario, data=tables, executor=pool)
    pd.testing.assert_frame_equal(serial.frame, parallel.frame, check_exact=True)


def test_country_all_runs_every_country_with_data(tables):
    result = CliRunner().invoke(app, ["run", "baseline", "-c", "ALL", "--scale", "2000",
                                      "-r", "1", "--horizon", "2", "--no-counterfactual"])
    assert result.exit_code == 0, result.output
    for iso3 in tables.iso3_codes:
        assert f"- {iso3} -" in result.output
