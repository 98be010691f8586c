"""Named random streams: one generator per random process (common random numbers).

A policy run and its no-policy twin share a seed. If every process drew from one generator, the
programme's draws would shift every later draw, and the paired difference of anything the
programme cannot touch would be noise. Here each process has its own stream, spawned in a
fixed order from the replication's ``SeedSequence``, so the twins share every draw the policy
does not touch: a programme that enrols nobody changes nothing, bit for bit.

Where possible a stream's consumption does not depend on who is in which state (``thin`` in
``sim.agents.workforce`` draws over slots, not over people in a state), so the same people are
picked in both twins for as long as their histories agree. A process that concerns few
people among many slots draws counter-based uniforms instead (``sim.kernels.keyed_picks``): one
per (key, month, slot), computed only for the people concerned, so it costs nothing for the
rest and pairs the twins person by person whatever their histories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Stream names, in spawn order (append new ones at the end: order is part of the seed scheme).
STREAMS = (
    "population",
    "demography",
    "turnover",
    "automation",
    "hours",
    "search",
    "programme",
    "evaluation",
    "keys",
    "population_size",
)

#: Processes drawn by counter (``Streams.key``); a process's key is the word of the ``keys``
#: seed at its position here (append new ones at the end: order is part of the seed scheme).
KEYED = ("underemployment_exit",)


@dataclass(frozen=True)
class Streams:
    """One ``numpy.random.Generator`` per random process of the model."""

    population: np.random.Generator  # the initial population (sectors, occupations, exposure)
    demography: np.random.Generator  # who the entrants are and where they start
    turnover: np.random.Generator  # ordinary separations, discouragement and re-entry
    automation: np.random.Generator  # layoffs by automation
    hours: np.random.Generator  # time-related underemployment
    search: np.random.Generator  # job search and matching
    programme: np.random.Generator  # programme queues, completion, kept-on
    evaluation: np.random.Generator  # random assignment to programme offer or control
    keys: np.random.Generator  # 64-bit keys of the counter-based draws (``key``)
    #: exits from the population (retirement) and the number of entrants: the population's
    #: size, kept apart from the entrants' draws. Those depend on the sector mix, which
    #: automation and programmes change; on one stream with them the twins' retirements drifted
    #: apart (a Thai replication retired 203,000 more people than its twin by 2035)
    population_size: np.random.Generator

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence | int | None) -> Streams:
        """Spawn the streams from a seed (a SeedSequence, an integer or None for fresh entropy)."""
        if isinstance(seed, np.random.SeedSequence):
            # A fresh copy: spawning advances a SeedSequence, and the twins of a replication
            # must get the same children from the same seed object.
            root = np.random.SeedSequence(
                seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size
            )
        else:
            root = np.random.SeedSequence(seed)
        children = root.spawn(len(STREAMS))
        return cls(*(np.random.default_rng(child) for child in children))

    def key(self, process: str) -> int:
        """The 64-bit key of a counter-based process (``sim.kernels.keyed_picks``), from the
        ``keys`` stream's seed (the stream itself is not advanced, so the order in which keys
        are asked for does not matter).

        Raises:
            ValueError: ``process`` is not in ``KEYED``.
        """
        if process not in KEYED:
            raise ValueError(f"unknown counter-based process {process!r}: one of {KEYED}")
        state = self.keys.bit_generator.seed_seq.generate_state(len(KEYED), dtype=np.uint64)
        return int(state[KEYED.index(process)])
