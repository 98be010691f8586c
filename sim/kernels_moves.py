"""Ledger moves, compiled (``sim.jit``): the numpy path lives in ``Workforce`` itself.

- ``shift_ledgers``: a move's update of the people ledgers (stocks, displaced people,
  earnings-factor sums, transitions, entrants), in one pass;
- ``move_people``: ``Workforce.move`` whole (gathers, ledgers and writes) in one pass;
- ``set_under``: ``Workforce.set_under`` in one pass; ``starting_under``: which picked people
  start underemployment this month, in one pass;
- ``refresh_idle``: the idle set brought up to date (leavers out, newcomers merged in), in one
  pass; ``with_status``: the people of a set who have a status, in one pass.

Each returns or reports that it did nothing when numba is off, and the workforce then takes
its numpy steps, with the same results bit for bit. Imported through ``sim.kernels``.
"""

from __future__ import annotations

import numpy as np

from sim import jit

# -- results of a pass ------------------------------------------------------------------------

@jit.compiled
def _trimmed(out, m):  # pragma: no cover - compiled
    """The first ``m`` entries of ``out``: a view when they are at least half of it (a copy
    would hold both at once: at the whole Philippines the idle set is 15 MB), else a copy
    (the rest of a buffer mostly unused is let go)."""
    if 2 * m >= out.size:
        return out[:m]
    return out[:m].copy()


# -- the ledgers of a move -------------------------------------------------------------------------

@jit.compiled
def _add_factor_sums(factor_sums, minus, plus, any_old, any_new):  # pragma: no cover - compiled
    """Take the old cells' factors (``minus``) off ``factor_sums`` and add the new cells'
    (``plus``), all [cells], in the order of float additions the numpy path uses: every old
    cell's sum off, then the new ones on (each only if any person had such a cell)."""
    if any_old:
        for c in range(minus.size):
            factor_sums[c] += -minus[c]
    if any_new:
        for c in range(minus.size):
            factor_sums[c] += plus[c]


@jit.compiled
def _shift_ledgers(status_old, under_old, sector_old, female, skill_old, disp_old, factor_old,
                   status_new, under_new, sector_new, skill_new, disp_new, factor_new,
                   entrant, moves, n_sectors, stocks, displaced, factor_sums, transitions,
                   entrant_stocks, vacant):  # pragma: no cover - compiled
    size = stocks.size
    minus = np.zeros(size)
    plus = np.zeros(size)
    any_old = False
    any_new = False
    for i in range(status_old.size):
        s0, s1 = np.intp(status_old[i]), np.intp(status_new[i])
        sex = np.intp(female[i])
        if s0 != vacant:
            any_old = True
            head = s0 * 2 + np.intp(under_old[i])
            tail = sex * 3 + np.intp(skill_old[i])
            key = (head * n_sectors + np.intp(sector_old[i])) * 6 + tail
            stocks[key] -= 1
            minus[key] += np.float64(factor_old[i])
            if disp_old[i] >= 0:
                displaced[(head * n_sectors + np.intp(disp_old[i])) * 6 + tail] -= 1
        if s1 != vacant:
            any_new = True
            head = s1 * 2 + np.intp(under_new[i])
            tail = sex * 3 + np.intp(skill_new[i])
            key = (head * n_sectors + np.intp(sector_new[i])) * 6 + tail
            stocks[key] += 1
            plus[key] += np.float64(factor_new[i])
            if disp_new[i] >= 0:
                displaced[(head * n_sectors + np.intp(disp_new[i])) * 6 + tail] += 1
        if moves:
            transitions[s0, s1] += 1
            if entrant[i]:
                if s0 != vacant:
                    entrant_stocks[s0, sector_old[i]] -= 1
                if s1 != vacant:
                    entrant_stocks[s1, sector_new[i]] += 1
    _add_factor_sums(factor_sums, minus, plus, any_old, any_new)


_LEDGER_DTYPES = (np.int8, np.bool_, np.int8, np.bool_, np.int8, np.int8, np.float32)


def shift_ledgers(ledger, before: tuple, after: tuple, entrant: np.ndarray | None) -> bool:
    """Move people from their ``before`` cells to their ``after`` cells of ``ledger``'s
    ledgers (a ``Workforce``), compiled; returns False (nothing done) when numba is off.

    before, after: (status, under, sector, female, skill, displaced_from, factor), equal-length
    arrays (``after``'s female is ``before``'s); with ``entrant`` (the people's entrant
    flags) the move also counts transitions and entrants by (status, sector).
    """
    if not jit.ENABLED:
        return False
    old: list[np.ndarray] = [np.ascontiguousarray(a, dtype=t)
                             for a, t in zip(before, _LEDGER_DTYPES, strict=True)]
    new: list[np.ndarray] = [np.ascontiguousarray(a, dtype=t)
                             for a, t in zip(after, _LEDGER_DTYPES, strict=True)]
    moves = entrant is not None
    _shift_ledgers(*old, new[0], new[1], new[2], new[4], new[5], new[6],
                   entrant if moves else np.zeros(old[0].size, dtype=np.bool_), moves,
                   np.intp(ledger.n_sectors), ledger.stocks.reshape(-1),
                   ledger.displaced_stocks.reshape(-1), ledger.factor_sums.reshape(-1),
                   ledger.transitions, ledger.entrant_stocks, np.intp(ledger.vacant))
    return True


# -- a move: gathers, ledgers and writes in one pass ----------------------------------------------

@jit.compiled
def _move_people(idx, new_status, new_sector, has_sector, new_skill, has_skill, new_under,
                 has_under, new_displaced, has_displaced, new_fid, has_factor, month,
                 status, flags, sector, skill, displaced, factor_id, table, status_since,
                 stocks, displaced_stocks, factor_sums, transitions, entrant_stocks, n_sectors,
                 vacant, formal, informal, under_bit, entrant_bit, idle_bit):  # pragma: no cover
    size = stocks.size
    minus = np.zeros(size)
    plus = np.zeros(size)
    any_old = False
    any_new = False
    joining = np.empty(idx.size, dtype=np.int64)
    k = 0
    keep_under = ~under_bit
    for i in range(idx.size):
        j = idx[i]
        f = flags[j]
        s0 = np.intp(status[j])
        s1 = np.intp(new_status[i])
        sex = np.intp((f & 1) != 0)
        u0 = np.intp((f & under_bit) != 0)
        c0 = np.intp(sector[j])
        k0 = np.intp(skill[j])
        d0 = np.intp(displaced[j])
        f0 = table[factor_id[j]]
        employed = s1 == formal or s1 == informal  # noqa: SIM109 (compiled: no tuple)
        u1 = np.intp(new_under[i] if has_under else u0) if employed else 0
        c1 = np.intp(new_sector[i]) if has_sector else c0
        k1 = np.intp(new_skill[i]) if has_skill else k0
        d1 = np.intp(new_displaced[i]) if has_displaced else d0
        f1 = table[new_fid[i]] if has_factor else f0
        if s0 != vacant:
            any_old = True
            head = s0 * 2 + u0
            tail = sex * 3 + k0
            key = (head * n_sectors + c0) * 6 + tail
            stocks[key] -= 1
            minus[key] += np.float64(f0)
            if d0 >= 0:
                displaced_stocks[(head * n_sectors + d0) * 6 + tail] -= 1
        if s1 != vacant:
            any_new = True
            head = s1 * 2 + u1
            tail = sex * 3 + k1
            key = (head * n_sectors + c1) * 6 + tail
            stocks[key] += 1
            plus[key] += np.float64(f1)
            if d1 >= 0:
                displaced_stocks[(head * n_sectors + d1) * 6 + tail] += 1
        transitions[s0, s1] += 1
        if (f & entrant_bit) != 0:
            if s0 != vacant:
                entrant_stocks[s0, c0] -= 1
            if s1 != vacant:
                entrant_stocks[s1, c1] += 1
        status[j] = s1
        status_since[j] = month
        if has_sector:
            sector[j] = c1
        if has_skill:
            skill[j] = k1
        if has_displaced:
            displaced[j] = d1
        if has_factor:
            factor_id[j] = new_fid[i]
        f = (f & keep_under) | (under_bit if u1 else 0)
        if not employed and s1 != vacant and (f & idle_bit) == 0:
            f |= idle_bit
            joining[k] = j
            k += 1
        flags[j] = f
    _add_factor_sums(factor_sums, minus, plus, any_old, any_new)
    return joining[:k].copy()


def _full(value, n: int, dtype) -> np.ndarray:
    """``value`` (a scalar or an [n] array) as a contiguous [n] array of ``dtype``."""
    if not isinstance(value, np.ndarray):  # a scalar (a status, a month): no broadcast view
        return np.full(n, value, dtype=dtype)
    value = value.astype(dtype, copy=False)
    if value.shape == (n,) and value.flags.c_contiguous:  # (the kernels only read it)
        return value
    return np.ascontiguousarray(np.broadcast_to(value, (n,)))


def move_people(workforce, idx, status, month, sector, skill, under, displaced_from, factor):
    """``Workforce.move`` in one compiled pass: the ledgers, the person's fields and the idle
    set's newcomers (returned [joining], int64), with the numpy path's results bit for bit."""
    from sim.agents.workforce import ENTRANT, IN_IDLE, UNDER, Status

    n = idx.size
    dummy8 = np.zeros(1, dtype=np.int8)
    has_factor = factor is not None
    fid = (workforce.factor.ids_at(idx, factor) if has_factor
           else np.zeros(1, dtype=workforce.factor_id.dtype))
    return _move_people(
        idx.astype(np.int64, copy=False), _full(status, n, np.int8),
        dummy8 if sector is None else _full(sector, n, np.int8), sector is not None,
        dummy8 if skill is None else _full(skill, n, np.int8), skill is not None,
        np.zeros(1, dtype=np.bool_) if under is None else _full(under, n, np.bool_),
        under is not None,
        dummy8 if displaced_from is None else _full(displaced_from, n, np.int8),
        displaced_from is not None, fid, has_factor, np.int16(month),
        workforce.status, workforce.flags, workforce.sector, workforce.skill,
        workforce.displaced_from, workforce.factor_id, workforce.factor.table,
        workforce.status_since, workforce.stocks.reshape(-1),
        workforce.displaced_stocks.reshape(-1), workforce.factor_sums.reshape(-1),
        workforce.transitions, workforce.entrant_stocks, np.intp(workforce.n_sectors),
        np.intp(Status.VACANT), np.intp(Status.FORMAL), np.intp(Status.INFORMAL), UNDER,
        ENTRANT, IN_IDLE)


@jit.compiled
def _set_under(idx, under, status, flags, sector, skill, displaced, factor_id, table,
               stocks, displaced_stocks, factor_sums, n_sectors, vacant,
               under_bit):  # pragma: no cover - compiled
    size = stocks.size
    minus = np.zeros(size)
    plus = np.zeros(size)
    live = False
    for j in idx:
        f = flags[j]
        s0 = np.intp(status[j])
        u0 = np.intp((f & under_bit) != 0)
        if s0 != vacant:
            live = True
            sex = np.intp((f & 1) != 0)
            tail = sex * 3 + np.intp(skill[j])
            c, d = np.intp(sector[j]), np.intp(displaced[j])
            value = np.float64(table[factor_id[j]])
            for head, sign in ((s0 * 2 + u0, -1), (s0 * 2 + np.intp(under), 1)):
                key = (head * n_sectors + c) * 6 + tail
                stocks[key] += sign
                if sign < 0:
                    minus[key] += value
                else:
                    plus[key] += value
                if d >= 0:
                    displaced_stocks[(head * n_sectors + d) * 6 + tail] += sign
        flags[j] = (f & ~under_bit) | (under_bit if under else 0)
    _add_factor_sums(factor_sums, minus, plus, live, live)


def set_under(workforce, idx: np.ndarray, under: bool) -> bool:
    """``Workforce.set_under`` in one compiled pass; False (nothing done) when numba is off."""
    if not jit.ENABLED:
        return False
    from sim.agents.workforce import UNDER, Status

    _set_under(idx.astype(np.int64, copy=False), bool(under), workforce.status, workforce.flags,
               workforce.sector, workforce.skill, workforce.displaced_from,
               workforce.factor_id, workforce.factor.table, workforce.stocks.reshape(-1),
               workforce.displaced_stocks.reshape(-1), workforce.factor_sums.reshape(-1),
               np.intp(workforce.n_sectors), np.intp(Status.VACANT), UNDER)
    return True


def starting_under_numpy(picked: np.ndarray, u: np.ndarray, bound: float, status: np.ndarray,
                         under: np.ndarray, entry: np.ndarray, informal: int) -> np.ndarray:
    """The people of ``picked`` [m] (slots) who start time-related underemployment: not
    underemployed now (``under`` [m], theirs) and ``u`` x ``bound`` below the entry rate of
    their kind of job (``entry`` [2]: formal, informal; ``u`` [m] uniform draws) [starting]."""
    rate = entry[(status[picked] == informal).astype(int)]
    return picked[(u * bound < rate) & ~under]


@jit.compiled
def _starting_under(picked, u, bound, status, flags, entry, informal,
                    under_bit):  # pragma: no cover - compiled
    out = np.empty(picked.size, dtype=np.int64)
    m = 0
    for i in range(picked.size):
        j = picked[i]
        rate = entry[1] if status[j] == informal else entry[0]
        if u[i] * bound < rate and (flags[j] & under_bit) == 0:
            out[m] = j
            m += 1
    return out[:m].copy()


def starting_under(workforce, picked: np.ndarray, u: np.ndarray, bound: float,
                   entry: np.ndarray) -> np.ndarray:
    """``starting_under_numpy`` for ``workforce``'s people in one compiled pass [starting],
    int64, in ``picked``'s order (no gathered status, rates or masks: at the whole Philippines
    1.7 million picks a month, 40 MB of temporaries)."""
    from sim.agents.workforce import UNDER, Status

    if not jit.ENABLED or picked.dtype != np.int64:
        return starting_under_numpy(picked, u, bound, workforce.status, workforce.under[picked],
                                    entry, Status.INFORMAL)
    return _starting_under(picked, u, float(bound), workforce.status, workforce.flags,
                           np.ascontiguousarray(entry, dtype=np.float64),
                           np.int8(Status.INFORMAL), UNDER)


# -- the idle set: leavers out, newcomers merged in ----------------------------------------------

@jit.compiled
def _refresh_idle(idle, joining, status, flags, idle_bit, unemployed,
                  vacant):  # pragma: no cover - compiled
    out = np.empty(idle.size + joining.size, dtype=np.int64)
    keep = ~idle_bit
    j = m = 0
    for i in range(idle.size):
        v = idle[i]
        s = status[v]
        if s >= unemployed and s != vacant:
            while j < joining.size and joining[j] < v:
                out[m] = joining[j]
                m += 1
                j += 1
            out[m] = v
            m += 1
        else:
            flags[v] &= keep
    while j < joining.size:
        out[m] = joining[j]
        m += 1
        j += 1
    return _trimmed(out, m)


def refresh_idle(workforce, joining: np.ndarray) -> np.ndarray | None:
    """``Workforce.refresh_idle`` in one compiled pass: the people of the idle set still not
    in a regular job (the others leave it, their idle bit cleared) merged with ``joining``
    (the newcomers since the last call, sorted, none in the set) [idle], int64, sorted; None
    (nothing done) when numba is off."""
    if not jit.ENABLED:
        return None
    from sim.agents.workforce import IN_IDLE, Status

    return _refresh_idle(workforce.idle, joining.astype(np.int64, copy=False), workforce.status,
                         workforce.flags, IN_IDLE, np.int8(Status.UNEMPLOYED),
                         np.int8(Status.VACANT))


@jit.compiled
def _with_status(pool, status, code):  # pragma: no cover - compiled
    out = np.empty(pool.size, dtype=np.int64)
    m = 0
    for i in range(pool.size):  # branch-free: always write, advance on a match
        v = pool[i]
        out[m] = v
        m += status[v] == code
    return _trimmed(out, m)


def with_status(pool: np.ndarray, status: np.ndarray, code: int) -> np.ndarray:
    """``pool[status[pool] == code]`` [matches], int64, in one compiled pass (no gathered
    status and no mask the size of ``pool``); the numpy expression when numba is off."""
    if not jit.ENABLED or pool.dtype != np.int64:
        return pool[status[pool] == code]
    return _with_status(pool, status, np.int8(code))
