"""Compiled loops for the model's hot spots, each with a pure-numpy twin giving the same bits.

A month touches a few per cent of the people (leavers, searchers, hires), but in numpy every
step over them allocates a temporary and reads it again: twenty passes over the same few
hundred thousand people cost more than the work. Here the hottest steps are single loops
compiled with numba, in three modules, all imported from here:

- ``sim.kernels_draws``: random picks (``dense_picks``, ``keyed_picks``, ``sorted_unique``,
  ``distinct_uniform``, ``distinct_kept``, ``uniform_below``) and ``skip_draws`` for a pick
  that finds nobody;
- ``sim.kernels_search``: job search (``target_sectors``, ``searchers``, ``search_effort``,
  ``choose_pool``) and the occupations of new people;
- ``sim.kernels_moves``: a move's update of the people ledgers (``shift_ledgers``,
  ``move_people``, ``set_under``), who starts underemployment (``starting_under``) and the
  idle set (``refresh_idle``, ``with_status``).

Each function has a numpy twin (``*_numpy``, or for the moves the workforce's own steps) with
the same result bit for bit, the same random draws consumed, and the same order of
floating-point additions; ``tests/test_kernels.py`` checks every pair, and the golden results
(``tests/golden``) hold on either path. The switch is ``sim.jit.ENABLED``: numba is a
dependency; the numpy path runs where numba is missing, or when ``SIM_NUMBA=0`` is set.
"""

from __future__ import annotations

from sim.kernels_draws import (
    DENSE_CHUNK,
    KEYED_CHUNK,
    dense_picks,
    dense_picks_numpy,
    distinct_kept,
    distinct_uniform,
    keep,
    keep_numpy,
    keyed_picks,
    keyed_picks_numpy,
    keyed_uniform_numpy,
    merge_unique,
    merge_unique_numpy,
    skip_draws,
    sorted_unique,
    sorted_unique_numpy,
    uniform_below,
)
from sim.kernels_moves import (
    move_people,
    refresh_idle,
    set_under,
    shift_ledgers,
    starting_under,
    starting_under_numpy,
    with_status,
)
from sim.kernels_search import (
    choose_pool,
    choose_pool_numpy,
    decay_table,
    occupations,
    occupations_numpy,
    pack_occupations,
    search_effort,
    search_effort_numpy,
    searchers,
    searchers_numpy,
    target_sectors,
    target_sectors_numpy,
)

__all__ = [
    "DENSE_CHUNK",
    "KEYED_CHUNK",
    "choose_pool",
    "choose_pool_numpy",
    "decay_table",
    "dense_picks",
    "dense_picks_numpy",
    "distinct_kept",
    "distinct_uniform",
    "keep",
    "keep_numpy",
    "keyed_picks",
    "keyed_picks_numpy",
    "keyed_uniform_numpy",
    "merge_unique",
    "merge_unique_numpy",
    "move_people",
    "occupations",
    "occupations_numpy",
    "pack_occupations",
    "refresh_idle",
    "search_effort",
    "search_effort_numpy",
    "searchers",
    "searchers_numpy",
    "set_under",
    "shift_ledgers",
    "skip_draws",
    "sorted_unique",
    "sorted_unique_numpy",
    "starting_under",
    "starting_under_numpy",
    "target_sectors",
    "target_sectors_numpy",
    "uniform_below",
    "with_status",
]
