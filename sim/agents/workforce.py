"""The workforce: every simulated person of one country, held as a struct of arrays.

One Python object per worker is ~160x slower than arrays at the sizes ministries need (a whole
country person by person), so people live in numpy arrays owned by a single ``Workforce``
agent. Slot i holds one person: sector (of the current or last job), occupation (ISCO-08
sub-major group, or major group where a country has no 2-digit data), skill band, sex, task
exposure to automation, labour-force status with the month it began, whether the person is
time-related underemployed, three clocks (see below), the sector they first lost a job to
automation in, a retraining target, whether they entered the labour force during the run, the
month of their last programme enrolment and a personal earnings factor.

Storage, 20 bytes a person: sex, underemployment, entrant and idle-set membership are bits of
one ``flags`` byte (read and written through ``BitColumn``s named like the old arrays); the
earnings factor is an index into a table of the distinct factors (``TableColumn``: exact, a
few hundred values); the retraining target and the last assignment month are held only for the
people who have one (``SparseColumn``). All three index like numpy arrays; they live in
``sim.agents.columns``.

Statuses follow the ILO labour-force concepts (ICLS 19th resolution): formal and informal
employment, unemployment and outside the labour force; full-time trainees are outside the
labour force (ILO) but tracked as their own status, and participants in public employment
programmes are employed. A slot whose person has retired (or has not entered yet) is VACANT and
is reused by the next entrant.

Clocks (months, int16):
- ``jobless_since``: when the person last left a regular job (or entered the labour force).
  Programme eligibility ("months since last regular job") runs on it; training and programme
  jobs do not stop it.
- ``spell_start``: start of the current unemployment spell as a labour-force survey measures
  it. Months in training or in a programme job are not unemployment: the clock is paused
  (moved forward by the time spent) when the person returns to search.
- ``search_since``: start of the current job search, which sets search efficiency (long
  searches find work less often). Paused like ``spell_start``, except that a completed course
  starts a fresh search (graduates search afresh).

Every change of status goes through ``move``, which keeps ledgers of people, and of the sum of
personal earnings factors, by (status, underemployed, sector, sex, skill), and for people
displaced by automation by the sector they were displaced from. Stocks therefore change by
exactly their flows; ``recount`` rebuilds the same ledgers from the arrays so tests can check.
"""

from __future__ import annotations

from enum import IntEnum

import mesa
import numpy as np

from sim import jit, kernels
from sim.agents.columns import BitColumn, SparseColumn, TableColumn, chunks, thin

NO_SECTOR = -1
NEVER = np.iinfo(np.int16).min  # "never enrolled"


class Status(IntEnum):
    """A person's labour-force status (ILO concepts)."""

    FORMAL = 0          # formal employment (wage jobs in registered firms)
    INFORMAL = 1        # informal employment: own-account, contributing family, informal wage
    UNEMPLOYED = 2      # without work, searching and available (ILO unemployment)
    TRAINING = 3        # full-time trainee in a reskilling programme
    PROGRAMME_JOB = 4   # employed in a public job-creation programme
    INACTIVE = 5        # outside the labour force (stopped searching)
    VACANT = 6          # slot not in use: retired, or not yet entered


N_STATUS = 6            # ledger statuses (VACANT is not counted)
EMPLOYED_STATUSES = (Status.FORMAL, Status.INFORMAL, Status.PROGRAMME_JOB)
REGULAR_JOBS = (Status.FORMAL, Status.INFORMAL)
N_SEX = 2               # 0 = male, 1 = female
N_SKILL = 3             # 0 = low, 1 = medium, 2 = high (ISCO-08 skill levels of the occupation)
# People per block of the population's random draws: part of the seed scheme (a different
# block size draws different people), so it is not ``columns.CHUNK``, which may change freely.
DRAW_CHUNK = 1 << 22
FEMALE, UNDER, ENTRANT, IN_IDLE = (np.uint8(1 << b) for b in range(4))  # bits of ``flags``


def _allowed(statuses: tuple[Status, ...]) -> np.ndarray:
    """Which status codes (VACANT included) a pick may keep [8] bool."""
    allowed = np.zeros(len(Status) + 1, dtype=bool)
    allowed[list(statuses)] = True
    return allowed


class Workforce(mesa.Agent):
    """All simulated people of a country (struct of arrays) and their ledgers."""

    def __init__(self, model: mesa.Model, *, n_sectors: int, capacity: int) -> None:
        """Empty workforce with room for ``capacity`` people; fill it with ``add``.

        Args:
            model: the owning model.
            n_sectors: number of sectors S.
            capacity: slots to allocate (people at the start plus expected net entrants).
        """
        super().__init__(model)
        self.n_sectors = n_sectors
        self.n = 0                      # slots in use or used before (high-water mark)
        self.vacant = int(Status.VACANT)
        self.moves = 0                  # calls of ``move`` so far (a version for caches)
        self._allocate(capacity)
        self._shape = (N_STATUS, 2, n_sectors, N_SEX, N_SKILL)
        self._size = int(np.prod(self._shape))
        self.stocks = np.zeros(self._shape, dtype=np.int64)
        self.displaced_stocks = np.zeros(self._shape, dtype=np.int64)
        self.factor_sums = np.zeros(self._shape, dtype=np.float64)
        # moves this month: [from status, to status], VACANT included (entries and exits)
        self.transitions = np.zeros((len(Status), len(Status)), dtype=np.int64)
        # people who entered the labour force during the run, by (status, sector)
        self.entrant_stocks = np.zeros((N_STATUS, n_sectors), dtype=np.int64)
        self.free: list[np.ndarray] = []  # stacks of vacant slot indices, reused first
        self.idle = np.empty(0, dtype=np.int64)   # people not in a regular job (see refresh)
        self._new_idle: list[np.ndarray] = []

    # -- storage ------------------------------------------------------------------------------

    # Dense per-person arrays: 20 bytes a person. Four flags share one byte (``flags``); the
    # earnings factor is an index into a table of the distinct factors (a few hundred values:
    # 1, and the products of scars and training returns); a retraining target and the month
    # of the last programme assignment are held only for the few people who have one.
    _FIELDS = {
        "sector": (np.int8, NO_SECTOR), "occ": (np.int8, 0), "skill": (np.int8, 0),
        "exposure": (np.float32, 0.0), "status": (np.int8, Status.VACANT),
        "status_since": (np.int16, 0), "jobless_since": (np.int16, 0),
        "spell_start": (np.int16, 0), "search_since": (np.int16, 0),
        "displaced_from": (np.int8, NO_SECTOR), "flags": (np.uint8, 0),
        "factor_id": (np.uint16, 0),
    }
    _BITS = {"female": FEMALE, "under": UNDER, "entrant": ENTRANT, "in_idle": IN_IDLE}

    def _allocate(self, capacity: int) -> None:
        for name, (dtype, fill) in self._FIELDS.items():
            old = getattr(self, name, None)
            new = np.full(capacity, fill, dtype=old.dtype if old is not None else dtype)
            if old is not None:
                new[:old.size] = old
            setattr(self, name, new)
        if not hasattr(self, "factor"):
            for name, bit in self._BITS.items():
                setattr(self, name, BitColumn(self, bit))
            self.factor = TableColumn(self, 1.0)
            self.target = SparseColumn(np.int8, NO_SECTOR, self)
            self.last_enrol = SparseColumn(np.int16, NEVER, self)
        self.capacity = capacity

    def release(self) -> None:
        """Drop every per-person array (the run is over): their memory is freed now rather
        than when the garbage collector breaks the model's reference cycles."""
        for name, (dtype, _) in self._FIELDS.items():
            setattr(self, name, np.empty(0, dtype=dtype))
        self.target = SparseColumn(np.int8, NO_SECTOR, self)
        self.last_enrol = SparseColumn(np.int16, NEVER, self)
        self.idle = np.empty(0, dtype=np.int64)
        self._new_idle = []
        self.free = []
        self.n = self.capacity = 0

    def memory_bytes(self) -> int:
        """Bytes held by the per-person data (dense arrays, sparse columns, factor table)."""
        return int(sum(getattr(self, name).nbytes for name in self._FIELDS)
                   + self.factor.table.nbytes + self.target.nbytes + self.last_enrol.nbytes)

    # -- people in and out --------------------------------------------------------------------

    def slots(self, count: int) -> np.ndarray:
        """``count`` slots for new people: vacant ones first (lowest recent first), then new."""
        taken: list[np.ndarray] = []
        need = count
        while need and self.free:
            block = self.free[-1]
            use = block[:need]
            taken.append(use)
            rest = block[use.size:]
            if rest.size:
                self.free[-1] = rest
            else:
                self.free.pop()
            need -= use.size
        if need:
            if self.n + need > self.capacity:
                self._allocate(int((self.n + need) * 1.1) + 1024)
            taken.append(np.arange(self.n, self.n + need, dtype=np.int64))
            self.n += need
        return np.concatenate(taken) if taken else np.empty(0, dtype=np.int64)

    def add(self, idx: np.ndarray, *, status: np.ndarray | int, month: int, sector: np.ndarray,
            occ: np.ndarray, skill: np.ndarray, female: np.ndarray, exposure: np.ndarray,
            under: np.ndarray | bool = False, entrant: bool = False,
            jobless_since: np.ndarray | int | None = None) -> None:
        """Put new people into vacant slots ``idx`` (from ``slots``) and count them."""
        if idx.size == 0:
            return
        self.sector[idx] = sector
        self.occ[idx] = occ
        self.skill[idx] = skill
        self.female[idx] = female
        self.exposure[idx] = exposure
        self.entrant[idx] = entrant
        self.displaced_from[idx] = NO_SECTOR
        self.target[idx] = NO_SECTOR
        self.last_enrol[idx] = NEVER
        self.factor[idx] = 1.0
        since = month if jobless_since is None else jobless_since
        for clock in (self.status_since, self.jobless_since, self.spell_start,
                      self.search_since):
            clock[idx] = since
        self.status[idx] = Status.VACANT
        self.move(idx, np.broadcast_to(np.asarray(status, dtype=np.int8), idx.shape), month,
                  under=under)
        self.status_since[idx] = since

    def retire(self, idx: np.ndarray, month: int) -> None:
        """People leave the population for good (retirement, death); their slots are freed."""
        if idx.size == 0:
            return
        self.move(idx, Status.VACANT, month)
        self.free.append(idx[::-1].copy())

    # -- ledger -------------------------------------------------------------------------------

    def _keys(self, status: np.ndarray, under: np.ndarray, by: np.ndarray,
              female: np.ndarray, skill: np.ndarray) -> np.ndarray:
        key = status.astype(np.intp) * 2 + under
        key = key * self.n_sectors + by
        return (key * N_SEX + female) * N_SKILL + skill

    def _shift(self, status: np.ndarray, under: np.ndarray, sector: np.ndarray,
               female: np.ndarray, skill: np.ndarray, displaced_from: np.ndarray,
               factor: np.ndarray, sign: int) -> None:
        """Add ``sign`` x these people (equal-length arrays) to the ledgers; VACANT ignored."""
        live = status != Status.VACANT
        if not live.all():
            status, under, sector, female, skill, displaced_from, factor = (
                a[live] for a in (status, under, sector, female, skill, displaced_from, factor))
        if status.size == 0:
            return
        keys = self._keys(status, under, sector, female, skill)
        self.stocks += sign * np.bincount(keys, minlength=self._size).reshape(self._shape)
        self.factor_sums += sign * np.bincount(keys, weights=factor.astype(np.float64),
                                               minlength=self._size).reshape(self._shape)
        was = displaced_from >= 0
        if was.any():
            keys = self._keys(status[was], under[was], displaced_from[was], female[was],
                              skill[was])
            self.displaced_stocks += sign * np.bincount(
                keys, minlength=self._size).reshape(self._shape)

    def move(
        self,
        idx: np.ndarray,
        status: np.ndarray | int,
        month: int,
        *,
        sector: np.ndarray | int | None = None,
        skill: np.ndarray | None = None,
        under: np.ndarray | bool | None = None,
        displaced_from: np.ndarray | None = None,
        factor: np.ndarray | float | None = None,
    ) -> None:
        """Change the status (and optionally sector, skill, hours, displacement, earnings
        factor) of people ``idx``; ``status_since`` becomes ``month``.

        Only employed people can be underemployed: a move to any other status clears the flag
        unless ``under`` is given. Clocks other than ``status_since`` are the caller's.
        """
        self.moves += 1
        if idx.size == 0:
            return
        if jit.ENABLED:  # the same steps in one compiled pass
            joining = kernels.move_people(self, idx, status, month, sector, skill, under,
                                          displaced_from, factor)
            if joining.size:
                self._new_idle.append(joining)
            return
        flags = self.flags[idx]
        before = (self.status[idx], (flags & UNDER) != 0, self.sector[idx], (flags & FEMALE) != 0,
                  self.skill[idx], self.displaced_from[idx], self.factor[idx])
        new_status = np.broadcast_to(np.asarray(status, dtype=np.int8), idx.shape)
        employed = (new_status == Status.FORMAL) | (new_status == Status.INFORMAL)
        if under is None:
            new_under = before[1] & employed
        else:
            new_under = np.broadcast_to(np.asarray(under, dtype=bool), idx.shape) & employed
        new_sector = before[2] if sector is None else np.broadcast_to(
            np.asarray(sector, dtype=np.int8), idx.shape)
        new_skill = before[4] if skill is None else skill
        new_displaced = before[5] if displaced_from is None else np.broadcast_to(
            np.asarray(displaced_from, dtype=np.int8), idx.shape)
        new_factor = before[6] if factor is None else np.broadcast_to(
            np.asarray(factor, dtype=np.float32), idx.shape)
        entrant = (flags & ENTRANT) != 0
        after = (new_status, new_under, new_sector, before[3], new_skill, new_displaced,
                 new_factor)
        if not kernels.shift_ledgers(self, before, after, entrant):
            self._shift(*before, -1)
            self._shift(*after, +1)
            n_status = len(Status)
            self.transitions += np.bincount(
                before[0].astype(np.intp) * n_status + new_status,
                minlength=n_status ** 2).reshape(n_status, n_status)
            if entrant.any():
                self._count_entrants(before[0][entrant], before[2][entrant], -1)
                self._count_entrants(new_status[entrant], new_sector[entrant], +1)
        self.status[idx] = new_status
        self.status_since[idx] = month
        if sector is not None:
            self.sector[idx] = new_sector
        if skill is not None:
            self.skill[idx] = new_skill
        if displaced_from is not None:
            self.displaced_from[idx] = new_displaced
        if factor is not None:
            self.factor[idx] = new_factor
        # people leaving a regular job join the idle set (unless they are in it already)
        idle = ~employed & (new_status != Status.VACANT) & ((flags & IN_IDLE) == 0)
        flags = (flags & ~UNDER) | (new_under.astype(np.uint8) * UNDER) | (
            idle.astype(np.uint8) * IN_IDLE)
        self.flags[idx] = flags
        if idle.any():
            self._new_idle.append(idx[idle])

    def _count_entrants(self, status: np.ndarray, sector: np.ndarray, sign: int) -> None:
        live = status != Status.VACANT
        np.add.at(self.entrant_stocks, (status[live].astype(np.intp),
                                        sector[live].astype(np.intp)), sign)

    def set_under(self, idx: np.ndarray, under: bool) -> None:
        """Change the underemployment flag of employed people ``idx`` (status unchanged)."""
        if idx.size == 0 or kernels.set_under(self, idx, under):
            return
        before = (self.status[idx], self.under[idx], self.sector[idx], self.female[idx],
                  self.skill[idx], self.displaced_from[idx], self.factor[idx])
        self.under[idx] = under
        after = (before[0], self.under[idx], *before[2:])
        if not kernels.shift_ledgers(self, before, after, None):
            self._shift(*before, -1)
            self._shift(*after, +1)

    def set_factor(self, idx: np.ndarray, factor: np.ndarray) -> None:
        """Change personal earnings factors of people ``idx`` (status unchanged)."""
        if idx.size == 0:
            return
        before = (self.status[idx], self.under[idx], self.sector[idx], self.female[idx],
                  self.skill[idx], self.displaced_from[idx], self.factor[idx])
        self.factor[idx] = factor
        after = (*before[:6], self.factor[idx])
        if not kernels.shift_ledgers(self, before, after, None):
            self._shift(*before, -1)
            self._shift(*after, +1)

    def recount(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Ledgers rebuilt from the arrays: people, displaced people, earnings-factor sums and
        entrants by (status, sector)."""
        entrants = np.zeros_like(self.entrant_stocks)
        stocks = np.zeros(self._shape, dtype=np.int64)
        displaced = np.zeros(self._shape, dtype=np.int64)
        factors = np.zeros(self._shape, dtype=np.float64)
        for a, b in chunks(self.n):
            status = self.status[a:b]
            live = np.flatnonzero(status != Status.VACANT)
            keys = self._keys(status[live], self.under[a:b][live], self.sector[a:b][live],
                              self.female[a:b][live], self.skill[a:b][live])
            stocks += np.bincount(keys, minlength=self._size).reshape(self._shape)
            factors += np.bincount(keys, weights=self.factor[a:b][live].astype(np.float64),
                                   minlength=self._size).reshape(self._shape)
            was = live[self.displaced_from[a:b][live] >= 0]
            keys = self._keys(status[was], self.under[a:b][was], self.displaced_from[a:b][was],
                              self.female[a:b][was], self.skill[a:b][was])
            displaced += np.bincount(keys, minlength=self._size).reshape(self._shape)
            ent = live[self.entrant[a:b][live]]
            np.add.at(entrants, (status[ent].astype(np.intp),
                                 self.sector[a:b][ent].astype(np.intp)), 1)
        return stocks, displaced, factors, entrants

    # -- who is where -------------------------------------------------------------------------

    def refresh_idle(self) -> np.ndarray:
        """Indices of people not in a regular job and not vacant (unemployed, in training, in a
        programme job, inactive), sorted, kept up to date from the moves since the last call:
        the cost is proportional to that set and to the moves, not to the population.

        Slot order is part of the seed scheme (searchers take this month's draws in this
        order) and keeps every later pass over the set reading memory forwards: in the
        order people joined, the whole Philippines at k = 4 took 29.9 s instead of 23.3 s.
        Newcomers since the last call are merged in as they are (one who has found a job since
        leaves at the next call: readers select by status, ``with_status``). One compiled pass
        (``kernels.refresh_idle``) or numpy steps give the same set.
        """
        if self._new_idle:  # each move's newcomers: distinct, none in the set
            joining = np.sort(np.concatenate(self._new_idle), kind="stable")
        else:
            joining = np.empty(0, dtype=np.int64)
        compiled = kernels.refresh_idle(self, joining)
        if compiled is not None:
            self.idle, self._new_idle = compiled, []
            return compiled
        idle = self.idle
        if idle.size:
            status = self.status[idle]
            still = (status >= Status.UNEMPLOYED) & (status != Status.VACANT)
            self.in_idle[idle[~still]] = False
            idle = idle[still]
        if joining.size:
            idle = np.sort(np.concatenate([idle, joining]), kind="stable")
            self._new_idle = []
        self.idle = idle
        return idle

    def with_status(self, status: Status, among: np.ndarray | None = None) -> np.ndarray:
        """People with ``status`` among ``among`` (default: the idle set, for idle statuses)."""
        pool = self.idle if among is None else among
        return kernels.with_status(pool, self.status, status)

    def sample(self, rng: np.random.Generator, p: float, statuses: tuple[Status, ...],
               flag: np.uint8 | None = None) -> np.ndarray:
        """People in ``statuses`` (and with ``flag``, a bit of ``flags``, set, if given) each
        picked with probability ``p`` (see ``thin``) [picked], sorted. When the ledgers hold
        nobody in ``statuses`` (no informal workers in a BPO-only population), a pick with a
        draw per slot moves the stream on without drawing."""
        nobody = not self.stocks[list(statuses)].any()
        return thin(rng, self.n, p, (self.status, _allowed(statuses), self.flags, flag or 0),
                    nobody)

    def sample_keyed(self, key: int, month: int, p: float, statuses: tuple[Status, ...],
                     flag: np.uint8 | None = None) -> np.ndarray:
        """People in ``statuses`` (and with ``flag`` set, if given) each picked with
        probability ``p`` by a counter-based draw of (key, month, slot)
        (``sim.kernels.keyed_picks``) [picked], sorted, int64.

        For a process that concerns few of the slots (the underemployed, say): the cost is a
        byte or two read per slot and a draw per person concerned, where ``sample`` draws for
        every slot; the draws never depend on anyone else's state.
        """
        p = min(max(p, 0.0), 1.0)
        return kernels.keyed_picks(key, month, p, self.status[: self.n], _allowed(statuses),
                                   self.flags[: self.n], int(flag or 0))
