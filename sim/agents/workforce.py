"""The workforce: every simulated worker of one country, held as a struct of arrays.

One Python object per worker is ~160x slower than arrays at the sizes ministries need (a
whole country person by person), so the workers live in numpy arrays owned by a single
``Workforce`` agent. Each worker i has a sector, an ISCO-08 occupation group, a skill band, a
sex, a task exposure, a status with the month it began, the month its current jobless spell
began, the sector it lost a job to automation in (if any) and a retraining target.

Every change of status goes through ``move``, which keeps a ledger of stocks by
(status, sector, sex, skill) and, for workers displaced by automation, by the sector they were
displaced from. Stocks therefore change by exactly their flows; ``recount`` rebuilds the same
ledger from the arrays so that tests can check it.
"""

from __future__ import annotations

from enum import IntEnum

import mesa
import numpy as np

NO_SECTOR = -1


class Status(IntEnum):
    """A worker's labour-market status."""

    EMPLOYED = 0
    UNEMPLOYED = 1
    TRAINING = 2
    PROGRAMME_JOB = 3


N_STATUS = len(Status)
N_SEX = 2  # 0 = male, 1 = female
N_SKILL = 3  # 0 = low, 1 = medium, 2 = high (ISCO-08 skill levels of the occupation)
CHUNK = 1 << 22  # workers per chunk in whole-population passes (bounds temporaries to ~32 MB)


def match_mean(values: np.ndarray, target: float, sample: int = 100_000) -> float:
    """Power p such that mean(values ** p) equals ``target`` (values in (0, 1]).

    Solved by bisection on log p over at most ``sample`` evenly spaced values.
    """
    if target <= 0.0:
        return 1e6  # every exposure becomes (numerically) zero
    if target >= 1.0:
        return 0.0
    step = max(1, values.size // sample)
    probe = np.clip(values[::step], 1e-12, 1.0)
    low, high = -12.0, 12.0  # log of the power
    for _ in range(60):
        middle = (low + high) / 2
        if (probe ** np.exp(middle)).mean() > target:
            low = middle
        else:
            high = middle
    return float(np.exp((low + high) / 2))


def _chunks(n: int) -> list[tuple[int, int]]:
    """[start, stop) ranges covering range(n) in pieces of ``CHUNK``."""
    return [(a, min(a + CHUNK, n)) for a in range(0, n, CHUNK)]


class Workforce(mesa.Agent):
    """All simulated workers of a country (struct of arrays) and their stock ledger."""

    def __init__(
        self,
        model: mesa.Model,
        *,
        employed: np.ndarray,
        unemployed: np.ndarray,
        occ_mix: np.ndarray,
        occ_skill: np.ndarray,
        occ_exposure: np.ndarray,
        sector_exposure_target: np.ndarray,
        female_share: np.ndarray,
        exposure_concentration: float,
        months_jobless: callable,
    ) -> None:
        """Create workers sector by sector.

        Args:
            model: the owning model (its ``rng`` is the only source of randomness).
            employed: simulated employed workers per sector [S] (integers).
            unemployed: simulated unemployed workers per last sector [S] (integers).
            occ_mix: occupation mix per sector [S, 9].
            occ_skill: skill band of each ISCO major group [9].
            occ_exposure: mean task exposure of each ISCO major group [9].
            sector_exposure_target: mean task exposure to rescale each sector to, or NaN [S].
            female_share: share of women per sector [S].
            exposure_concentration: Beta a+b for the spread of exposure around its mean.
            months_jobless: function(rng, n) -> months already spent jobless, for the
                initial unemployed.
        """
        super().__init__(model)
        rng = model.rng
        n_sectors = len(employed)
        self.n_sectors = n_sectors
        per_sector = employed + unemployed
        n = int(per_sector.sum())
        self.n = n
        self.sector = np.repeat(np.arange(n_sectors, dtype=np.int8), per_sector)
        status = np.empty(n, dtype=np.int8)
        start = 0
        for s in range(n_sectors):
            status[start:start + employed[s]] = Status.EMPLOYED
            status[start + employed[s]:start + per_sector[s]] = Status.UNEMPLOYED
            start += per_sector[s]
        self.status = status

        # Occupation drawn from the sector's mix: inverse-CDF per sector. Draws are made in
        # chunks so that no float64 temporary spans the whole population (a whole country is
        # ~50 million workers); a Generator fills chunks from the same stream in the same
        # order, so chunking does not change a single draw.
        cdf = np.cumsum(occ_mix, axis=1)
        cdf[:, -1] = 1.0
        occ = np.empty(n, dtype=np.int8)
        for a, b in _chunks(n):
            u = rng.random(b - a)
            bounds = np.searchsorted(self.sector[a:b], np.arange(n_sectors + 1))
            for s in range(n_sectors):
                lo, hi = bounds[s], bounds[s + 1]
                if hi > lo:
                    occ[a + lo:a + hi] = np.searchsorted(cdf[s], u[lo:hi], side="right")
        np.minimum(occ, occ_mix.shape[1] - 1, out=occ)
        self.occ = occ
        self.skill = occ_skill[self.occ].astype(np.int8)
        female = np.empty(n, dtype=bool)
        for a, b in _chunks(n):
            female[a:b] = rng.random(b - a) < female_share[self.sector[a:b]]
        self.female = female

        # Task exposure: Beta around the occupation's mean; sectors with a set mean are
        # reshaped to it by a power transform (keeps [0, 1] and the ranking of workers).
        # Drawn sector by sector (workers are created in sector order), so the float64
        # working copy spans one sector, not the population.
        mean_of_occ = np.clip(occ_exposure, 1e-3, 1 - 1e-3)
        self.exposure = np.empty(n, dtype=np.float32)
        starts = np.concatenate(([0], np.cumsum(per_sector))).astype(np.int64)
        for s in range(n_sectors):
            first, stop = starts[s], starts[s + 1]
            exposure = np.empty(stop - first)
            for a, b in _chunks(int(stop - first)):
                mean = mean_of_occ[self.occ[first + a:first + b]]
                exposure[a:b] = rng.beta(mean * exposure_concentration,
                                         (1 - mean) * exposure_concentration)
            if exposure.size and not np.isnan(sector_exposure_target[s]):
                exposure **= match_mean(exposure, float(sector_exposure_target[s]))
            self.exposure[first:stop] = exposure

        self.status_since = np.zeros(n, dtype=np.int16)
        self.jobless_since = np.zeros(n, dtype=np.int16)
        idle = np.flatnonzero(status == Status.UNEMPLOYED)
        spent = months_jobless(rng, idle.size).astype(np.int16)
        self.status_since[idle] = -spent
        self.jobless_since[idle] = -spent
        self.displaced_from = np.full(n, NO_SECTOR, dtype=np.int8)
        self.target = np.full(n, NO_SECTOR, dtype=np.int8)

        shape = (N_STATUS, n_sectors, N_SEX, N_SKILL)
        self._size = int(np.prod(shape))
        self._shape = shape
        self.stocks, self.displaced_stocks = self.recount()

    # -- ledger -----------------------------------------------------------------------------

    def _keys(self, idx: np.ndarray | slice, by: np.ndarray) -> np.ndarray:
        return (((self.status[idx].astype(np.int64) * self.n_sectors + by[idx]) * N_SEX
                 + self.female[idx]) * N_SKILL + self.skill[idx])

    def _count(self, idx: np.ndarray | slice, by: np.ndarray) -> np.ndarray:
        return np.bincount(self._keys(idx, by), minlength=self._size).reshape(self._shape)

    def recount(self) -> tuple[np.ndarray, np.ndarray]:
        """Stocks rebuilt from the arrays: [status, sector, sex, skill], total and displaced."""
        stocks = np.zeros(self._shape, dtype=np.int64)
        displaced_stocks = np.zeros(self._shape, dtype=np.int64)
        for a, b in _chunks(self.n):
            part = slice(a, b)
            stocks += self._count(part, self.sector)
            displaced = a + np.flatnonzero(self.displaced_from[part] >= 0)
            displaced_stocks += self._count(displaced, self.displaced_from)
        return stocks, displaced_stocks

    def move(
        self,
        idx: np.ndarray,
        status: Status,
        month: int,
        *,
        sector: np.ndarray | int | None = None,
        skill: np.ndarray | None = None,
        jobless: bool = False,
        displaced_from: np.ndarray | None = None,
    ) -> None:
        """Change the status (and optionally sector, skill, displacement) of workers ``idx``.

        ``jobless=True`` starts a jobless spell now (a job was lost); otherwise the spell's
        start is kept (training and programme jobs do not end or restart it).
        """
        if idx.size == 0:
            return
        # Ledger keys before and after, from one gather of each attribute (the population
        # arrays are large and idx is scattered, so gathers dominate the cost).
        sector_before = self.sector[idx]
        female = self.female[idx]
        skill_before = self.skill[idx]
        displaced_before = self.displaced_from[idx]
        status_before = self.status[idx]
        sector_after = sector_before if sector is None else np.broadcast_to(sector, idx.shape)
        skill_after = skill_before if skill is None else skill
        displaced_after = (displaced_before if displaced_from is None
                           else np.broadcast_to(displaced_from, idx.shape))
        self._shift(status_before, sector_before, female, skill_before, displaced_before, -1)
        self._shift(np.full(idx.shape, status, dtype=np.int8), sector_after, female,
                    skill_after, displaced_after, +1)
        self.status[idx] = status
        self.status_since[idx] = month
        if sector is not None:
            self.sector[idx] = sector
        if skill is not None:
            self.skill[idx] = skill
        if displaced_from is not None:
            self.displaced_from[idx] = displaced_from
        if jobless:
            self.jobless_since[idx] = month

    def _shift(self, status: np.ndarray, sector: np.ndarray, female: np.ndarray,
               skill: np.ndarray, displaced_from: np.ndarray, sign: int) -> None:
        """Add ``sign`` x the workers with these attributes (equal-length arrays) to the stocks."""
        person = female.astype(np.intp) * N_SKILL + skill
        status_key = status.astype(np.intp) * self.n_sectors
        keys = (status_key + sector) * (N_SEX * N_SKILL) + person
        self.stocks += sign * np.bincount(keys, minlength=self._size).reshape(self._shape)
        was = displaced_from >= 0
        if was.any():
            keys = (status_key[was] + displaced_from[was]) * (N_SEX * N_SKILL) + person[was]
            self.displaced_stocks += sign * np.bincount(
                keys, minlength=self._size).reshape(self._shape)

    # -- sampling helpers ---------------------------------------------------------------------

    def sample_employed(self, probability_bound: float) -> np.ndarray:
        """Employed workers each picked with probability ``probability_bound`` (thinning).

        Draws the number of picks from a binomial over the whole population and picks that
        many distinct workers uniformly, keeping the employed ones: the same as a Bernoulli
        draw per employed worker, at a cost proportional to the picks, not the population.
        """
        p = min(max(probability_bound, 0.0), 1.0)
        if p <= 0.0 or self.n == 0:
            return np.empty(0, dtype=np.int64)
        rng = self.model.rng
        if p > 0.05:
            picked = np.flatnonzero(rng.random(self.n) < p)
        else:
            k = rng.binomial(self.n, p)
            # np.unique, written out: numpy 2's hash-based unique is ~100x slower than a sort
            # here (0.2 s vs 2 ms for 700k picks), and this runs twice a month.
            picked = np.sort(rng.integers(0, self.n, size=k))
            if picked.size > 1:
                picked = picked[np.concatenate(([True], picked[1:] != picked[:-1]))]
        return picked[self.status[picked] == Status.EMPLOYED]

    def idle(self) -> np.ndarray:
        """Indices of workers not in a regular job (unemployed, training, programme job)."""
        return np.flatnonzero(self.status)  # EMPLOYED is 0: no bool temporary of size N

    def memory_bytes(self) -> int:
        """Bytes held by the per-worker arrays."""
        arrays = (self.sector, self.occ, self.skill, self.female, self.exposure, self.status,
                  self.status_since, self.jobless_since, self.displaced_from, self.target)
        return int(sum(a.nbytes for a in arrays))
