"""Compiled loops for the model's hot spots, each with a pure-numpy twin giving the same bits.

A month touches a few per cent of the people (leavers, searchers, hires), but in numpy every
step over them allocates a temporary and reads it again: twenty passes over the same few
hundred thousand people cost more than the work. Here the hottest steps are single loops
compiled with numba:

- ``dense_picks``: slots 0..n-1 each kept when a uniform draw is below p (draws in slot order,
  exactly the numbers ``rng.random(n)`` would give), without n-long float and bool arrays;
- ``sorted_unique``: sorted distinct values of random slot numbers, by a radix sort that costs
  in proportion to the values (numpy's sort costs ~60-100 ns a value on this machine);
- ``target_sectors``: the inverse-CDF draw of each searcher's target sector;
- ``shift_ledgers``: a move's update of the people ledgers (stocks, displaced people,
  earnings-factor sums, transitions, entrants), in one pass.

Each function has a numpy twin (``*_numpy``) with the same result bit for bit, the same
random draws consumed, and the same order of floating-point additions; ``tests/test_kernels.py``
checks every pair, and the golden results (``tests/golden``) hold on either path. numba is a
dependency; the numpy path runs where numba is missing, or when ``SIM_NUMBA=0`` is set (the
environment is read when this module is first imported).
"""

from __future__ import annotations

import os

import numpy as np

try:  # numba is a dependency; the numpy twins keep the model running without it
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None  # type: ignore[assignment]

ENABLED = numba is not None and os.environ.get("SIM_NUMBA", "1") != "0"
DENSE_CHUNK = 1 << 20  # draws per chunk on the numpy path (bounds the temporaries)


def _jit(func):
    """Compile with numba (cached on disk) when enabled; otherwise leave the Python function."""
    if not ENABLED:
        return func
    return numba.njit(cache=True, nogil=True)(func)


# -- thinning: which slots a Bernoulli(p) draw per slot picks -----------------------------------

def uniform_below(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """``rng.random(n) < p`` [n] bool, drawn in chunks (the same draws, no n-long floats)."""
    out = np.empty(n, dtype=bool)
    for a in range(0, n, DENSE_CHUNK):
        b = min(a + DENSE_CHUNK, n)
        out[a:b] = rng.random(b - a) < p
    return out


def keep_numpy(picked: np.ndarray, among: tuple | None) -> np.ndarray:
    """``picked`` [k] restricted to ``among`` = (status [slots], allowed [status codes] bool,
    flags [slots] uint8, bit): slots whose status is allowed and, if ``bit``, whose flag
    ``bit`` is set (order kept)."""
    if among is None:
        return picked
    status, allowed, flags, bit = among
    keep = allowed[status[picked]]
    if bit:
        keep &= (flags[picked] & bit) != 0
    return picked[keep]


def dense_picks_numpy(rng: np.random.Generator, n: int, p: float,
                      among: tuple | None = None) -> np.ndarray:
    """Slots i in 0..n-1 with u_i < p, u = rng.random(n), drawn in chunks, kept if ``among``
    allows them (see ``keep_numpy``) [picks], int64."""
    parts = [keep_numpy(np.flatnonzero(rng.random(b - a) < p) + a, among)
             for a, b in ((a, min(a + DENSE_CHUNK, n)) for a in range(0, n, DENSE_CHUNK))]
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


@_jit
def _below(u, p, offset, out, k, status, allowed, flags, bit):  # pragma: no cover - compiled
    """Append offset + i for every u[i] < p whose slot is allowed (status, flag bit) to ``out``
    from position k; returns the new k (-1 if ``out`` has too little room: grow and retry)."""
    if out.size - k < u.size:
        return -1
    any_flag = bit == 0
    for i in range(u.size):  # branch-free: always write, advance only on a kept pick
        j = offset + i
        out[k] = j
        k += (u[i] < p) & allowed[status[j]] & (any_flag | ((flags[j] & bit) != 0))
    return k


def dense_picks(rng: np.random.Generator, n: int, p: float,
                among: tuple | None = None) -> np.ndarray:
    """Slots i in 0..n-1 with u_i < p, where u = rng.random(n) in slot order, kept if
    ``among`` allows them (see ``keep_numpy``) [picks], int64.

    Consumes exactly the n doubles ``rng.random(n)`` would (drawn in chunks into one buffer:
    numpy's own fill is the fastest way to draw them), so the generator ends in the same state
    on either path; the compiled loop only collects the slots.
    """
    if not ENABLED:
        return dense_picks_numpy(rng, n, p, among)
    if among is None:
        among = (np.zeros(n, dtype=np.int8), np.ones(1, dtype=np.bool_),
                 np.zeros(1, dtype=np.uint8), 0)
    status, allowed, flags, bit = among
    buffer = np.empty(min(n, DENSE_CHUNK))
    mean = n * p
    out = np.empty(int(mean + 6.0 * np.sqrt(mean + 1.0)) + buffer.size, dtype=np.int64)
    k = 0
    for a in range(0, n, DENSE_CHUNK):
        u = buffer[:min(DENSE_CHUNK, n - a)]
        rng.random(out=u)
        done = _below(u, p, a, out, k, status, allowed, flags, np.uint8(bit))
        if done < 0:  # more picks than six standard deviations above the mean: grow
            out = np.concatenate([out[:k], np.empty(out.size + u.size, dtype=np.int64)])
            done = _below(u, p, a, out, k, status, allowed, flags, np.uint8(bit))
        k = done
    return out[:k].copy()


def sorted_unique_numpy(values: np.ndarray, n: int, among: tuple | None = None) -> np.ndarray:
    """Sorted distinct values of ``values`` (ints in [0, n)), kept if ``among`` allows them
    (see ``keep_numpy``) [distinct], int64."""
    picked = np.sort(values)
    if picked.size > 1:
        picked = picked[np.concatenate(([True], picked[1:] != picked[:-1]))]
    return keep_numpy(picked, among)


@_jit
def _sorted_unique(values, n, status, allowed, flags, bit, filtered):  # pragma: no cover
    k = values.size
    # LSD radix sort on 11-bit digits (two or three passes for n up to 2^33): each pass reads
    # the values in order and writes to 2048 running positions, so memory is touched in
    # streams, not at random (a sort of random picks otherwise waits on cache misses)
    passes = 1
    while (np.int64(1) << (11 * passes)) < n:
        passes += 1
    src = values.copy()
    dst = np.empty(k, dtype=np.int64)
    counts = np.empty(2049, dtype=np.int64)
    for d in range(passes):
        shift = 11 * d
        counts[:] = 0
        for v in src:
            counts[((v >> shift) & 2047) + 1] += 1
        for b in range(2048):
            counts[b + 1] += counts[b]
        for v in src:
            b = (v >> shift) & 2047
            dst[counts[b]] = v
            counts[b] += 1
        src, dst = dst, src
    m = 0
    last = -1
    for i in range(k):
        v = src[i]
        if v != last:
            last = v
            if not filtered or (allowed[status[v]] and (bit == 0 or (flags[v] & bit) != 0)):
                src[m] = v
                m += 1
    return src[:m].copy()


def sorted_unique(values: np.ndarray, n: int, among: tuple | None = None) -> np.ndarray:
    """Sorted distinct values of ``values`` (ints in [0, n)), kept if ``among`` allows them
    (see ``keep_numpy``) [distinct], int64.

    Compiled: a radix sort in O(len(values) x log2(n) / 11)."""
    if not ENABLED or values.size == 0:
        return sorted_unique_numpy(values, n, among)
    values = values.astype(np.int64, copy=False)
    if among is None:
        return _sorted_unique(values, np.int64(n), np.zeros(1, dtype=np.int8),
                              np.ones(1, dtype=np.bool_), np.zeros(1, dtype=np.uint8),
                              np.uint8(0), False)
    status, allowed, flags, bit = among
    return _sorted_unique(values, np.int64(n), status, allowed, flags, np.uint8(bit), True)


# -- the target sector of each searcher ------------------------------------------------------------

def target_sectors_numpy(columns: np.ndarray, origin: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Number of CDF entries of each origin's row below ``u`` (at most S - 1) [searchers]."""
    target = np.zeros(u.size, dtype=np.intp)
    for column in columns:
        target += u > column[origin]
    return np.minimum(target, columns.shape[0] - 1, out=target)


@_jit
def _target_sectors(columns, origin, u):  # pragma: no cover - compiled
    s = columns.shape[0]
    out = np.empty(u.size, dtype=np.intp)
    for i in range(u.size):
        o = origin[i]
        count = 0
        for j in range(s):
            if u[i] > columns[j, o]:
                count += 1
        out[i] = min(count, s - 1)
    return out


def target_sectors(columns: np.ndarray, origin: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The sector each searcher looks in [searchers], intp (see ``sim.matching``)."""
    if not ENABLED:
        return target_sectors_numpy(columns, origin, u)
    return _target_sectors(columns, origin.astype(np.intp, copy=False), u)


# -- the ledgers of a move -------------------------------------------------------------------------

@_jit
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
    # the order of float additions numpy uses: every old cell's sum off, then the new ones on
    if any_old:
        for c in range(size):
            factor_sums[c] += -minus[c]
    if any_new:
        for c in range(size):
            factor_sums[c] += plus[c]


_LEDGER_DTYPES = (np.int8, np.bool_, np.int8, np.bool_, np.int8, np.int8, np.float32)


def shift_ledgers(ledger, before: tuple, after: tuple, entrant: np.ndarray | None) -> bool:
    """Move people from their ``before`` cells to their ``after`` cells of ``ledger``'s
    ledgers (a ``Workforce``), compiled; returns False (nothing done) when numba is off.

    before, after: (status, under, sector, female, skill, displaced_from, factor), equal-length
    arrays (``after``'s female is ``before``'s); with ``entrant`` (the people's entrant
    flags) the move also counts transitions and entrants by (status, sector).
    """
    if not ENABLED:
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


# -- job search: who searches, where, with what effort, and which pool each searcher meets -------

def searchers_numpy(idle: np.ndarray, status: np.ndarray, status_since: np.ndarray, month: int,
                    intensity_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(searchers, their intensity): people of ``idle`` whose status has a positive search
    intensity (``intensity_of`` [status codes]) and who did not enter it this month."""
    state = status[idle]
    started = status_since[idle] < month
    intensity = np.zeros(idle.size)
    for code in np.flatnonzero(intensity_of):
        intensity[state == code] = intensity_of[code]
    keep = started & (intensity > 0)
    return idle[keep], intensity[keep]


@_jit
def _searchers(idle, status, status_since, month, intensity_of):  # pragma: no cover
    people = np.empty(idle.size, dtype=np.int64)
    intensity = np.empty(idle.size)
    k = 0
    for j in idle:
        value = intensity_of[status[j]]
        if status_since[j] < month and value > 0:
            people[k] = j
            intensity[k] = value
            k += 1
    return people[:k].copy(), intensity[:k].copy()


def searchers(idle: np.ndarray, status: np.ndarray, status_since: np.ndarray, month: int,
              intensity_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(searchers [m] int64, their search intensity [m]) among ``idle`` (see the numpy twin)."""
    if not ENABLED:
        return searchers_numpy(idle, status, status_since, month, intensity_of)
    return _searchers(idle.astype(np.int64, copy=False), status, status_since, np.int64(month),
                      intensity_of)


def search_effort_numpy(people: np.ndarray, intensity: np.ndarray, u: np.ndarray, month: int,
                        decay: float, search_since: np.ndarray, sector: np.ndarray,
                        skill: np.ndarray, status: np.ndarray, min_skill: int,
                        unemployed_code: int, columns: np.ndarray, n_sectors: int,
                        exp_table: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each searcher's target sector, search efficiency (decay with months searched, times
    intensity), whether qualified for AI-era vacancies (skill and a search in their own
    sector) and unemployed; and search effort by target sector [S], all and qualified only.

    ``exp_table`` is the compiled twin's (exp(-decay x months) by months); unused here.
    """
    months = month - search_since[people] - 1
    efficiency = np.exp(-decay * np.maximum(months, 0)) * intensity
    origin = sector[people].astype(np.intp)
    target = target_sectors(columns, origin, u)
    qualified = (skill[people] >= min_skill) & (origin == target)
    unemployed = status[people] == unemployed_code
    effort = np.bincount(target, weights=efficiency, minlength=n_sectors)
    effort_qualified = np.bincount(target, weights=efficiency * qualified, minlength=n_sectors)
    return target, efficiency, qualified, unemployed, effort, effort_qualified


@_jit
def _search_effort(people, intensity, u, month, search_since, sector, skill, status, min_skill,
                   unemployed_code, columns, n_sectors, exp_table):  # pragma: no cover
    m = people.size
    target = np.empty(m, dtype=np.intp)
    efficiency = np.empty(m)
    qualified = np.empty(m, dtype=np.bool_)
    unemployed = np.empty(m, dtype=np.bool_)
    effort = np.zeros(n_sectors)
    effort_qualified = np.zeros(n_sectors)
    for i in range(m):
        j = people[i]
        months = max(month - search_since[j] - 1, 0)
        e = exp_table[months] * intensity[i]
        o = sector[j]
        count = 0
        for c in range(n_sectors):
            if u[i] > columns[c, o]:
                count += 1
        t = min(count, n_sectors - 1)
        q = skill[j] >= min_skill and o == t
        target[i] = t
        efficiency[i] = e
        qualified[i] = q
        unemployed[i] = status[j] == unemployed_code
        effort[t] += e
        effort_qualified[t] += e * q
    return target, efficiency, qualified, unemployed, effort, effort_qualified


def decay_table(decay: float, months: int) -> np.ndarray:
    """exp(-decay x m) for m = 0..months - 1, by numpy's exp (the same bits as the numpy twin's
    element-by-element exp of the same products)."""
    return np.exp(-decay * np.arange(months))


def search_effort(people, intensity, u, month, decay, search_since, sector, skill, status,
                  min_skill, unemployed_code, columns, n_sectors, exp_table):
    """See ``search_effort_numpy`` (the same values bit for bit; ``exp_table`` from
    ``decay_table`` must cover every month count searched)."""
    if not ENABLED:
        return search_effort_numpy(people, intensity, u, month, decay, search_since, sector,
                                   skill, status, min_skill, unemployed_code, columns,
                                   n_sectors, exp_table)
    return _search_effort(people, intensity, u, np.int64(month), search_since, sector, skill,
                          status, np.int64(min_skill), np.int8(unemployed_code), columns,
                          np.int64(n_sectors), exp_table)


def choose_pool_numpy(efficiency: np.ndarray, target: np.ndarray, qualified: np.ndarray,
                      unemployed: np.ndarray, rate_open: np.ndarray, rate_skilled: np.ndarray,
                      rate_informal: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Which pool each searcher meets [m], intp: 1 = an AI-era vacancy, 0 = an open vacancy,
    2 = informal work, -1 = none; the chances are efficiency x the target's rate per unit of
    effort (AI-era: qualified only; informal: unemployed only), one uniform ``draw`` each."""
    p_skilled = efficiency * rate_skilled[target] * qualified
    p_open = efficiency * rate_open[target]
    p_informal = efficiency * rate_informal[target] * unemployed
    cum_open = p_skilled + p_open
    pool = np.full(efficiency.size, -1, dtype=np.intp)
    pool[draw < np.minimum(cum_open + p_informal, 1.0)] = 2
    pool[draw < np.minimum(cum_open, 1.0)] = 0
    pool[draw < p_skilled] = 1
    return pool


@_jit
def _choose_pool(efficiency, target, qualified, unemployed, rate_open, rate_skilled,
                 rate_informal, draw):  # pragma: no cover - compiled
    pool = np.empty(efficiency.size, dtype=np.intp)
    for i in range(efficiency.size):
        t = target[i]
        p_skilled = efficiency[i] * rate_skilled[t] * np.float64(qualified[i])
        p_open = efficiency[i] * rate_open[t]
        p_informal = efficiency[i] * rate_informal[t] * np.float64(unemployed[i])
        cum_open = p_skilled + p_open
        d = draw[i]
        if d < p_skilled:
            pool[i] = 1
        elif d < min(cum_open, 1.0):
            pool[i] = 0
        elif d < min(cum_open + p_informal, 1.0):
            pool[i] = 2
        else:
            pool[i] = -1
    return pool


def choose_pool(efficiency, target, qualified, unemployed, rate_open, rate_skilled,
                rate_informal, draw) -> np.ndarray:
    """See ``choose_pool_numpy``."""
    if not ENABLED:
        return choose_pool_numpy(efficiency, target, qualified, unemployed, rate_open,
                                 rate_skilled, rate_informal, draw)
    return _choose_pool(efficiency, target, qualified, unemployed, rate_open, rate_skilled,
                        rate_informal, draw)


# -- occupations of new people -------------------------------------------------------------------

def occupations_numpy(sector: np.ndarray, female: np.ndarray, u: np.ndarray, v: np.ndarray,
                      by_sex_cdf: np.ndarray, codes_of: list, cdf_of: list) -> np.ndarray:
    """Occupation code of each person [n], int8: the ISCO major group from ``u`` and the CDF of
    the sector's mix for that sex (``by_sex_cdf`` [S, 2, 9]); the 2-digit code within it from
    ``v`` and the CDF of codes (``codes_of[sex][group]``, ``cdf_of[sex][group]``)."""
    major = np.empty(u.size, dtype=np.intp)
    for s in range(2):
        for j in np.unique(sector):
            rows = np.flatnonzero((sector == j) & (female == bool(s)))
            major[rows] = np.searchsorted(by_sex_cdf[j, s], u[rows], side="right")
    major = np.minimum(major, 8)
    code = np.empty(u.size, dtype=np.int8)
    for s in range(2):
        for g in range(9):
            rows = np.flatnonzero((major == g) & (female == bool(s)))
            codes = codes_of[s][g]
            pick = np.minimum(np.searchsorted(cdf_of[s][g], v[rows], side="right"),
                              codes.size - 1)
            code[rows] = codes[pick]
    return code


@_jit
def _occupations(sector, female, u, v, by_sex_cdf, codes, cdfs, sizes):  # pragma: no cover
    code = np.empty(u.size, dtype=np.int8)
    for i in range(u.size):
        s = np.intp(female[i])
        row = by_sex_cdf[sector[i], s]
        g = 0
        for c in range(row.size):  # searchsorted(side="right"): entries <= u
            g += row[c] <= u[i]
        g = min(g, 8)
        size = sizes[s, g]
        if size == 0:
            return code, False
        pick = 0
        for c in range(size):
            pick += cdfs[s, g, c] <= v[i]
        code[i] = codes[s, g, min(pick, size - 1)]
    return code, True


def occupations(sector, female, u, v, by_sex_cdf, codes_of, cdf_of) -> np.ndarray:
    """See ``occupations_numpy`` (one compiled pass instead of a pass per sector, sex and
    major group)."""
    if not ENABLED:
        return occupations_numpy(sector, female, u, v, by_sex_cdf, codes_of, cdf_of)
    width = max(max(c.size for c in row) for row in codes_of)
    codes = np.zeros((2, 9, max(width, 1)), dtype=np.int8)
    cdfs = np.full((2, 9, max(width, 1)), np.inf)
    sizes = np.zeros((2, 9), dtype=np.int64)
    for s in range(2):
        for g in range(9):
            size = codes_of[s][g].size
            sizes[s, g] = size
            codes[s, g, :size] = codes_of[s][g]
            cdfs[s, g, :size] = cdf_of[s][g]
    code, ok = _occupations(sector.astype(np.intp, copy=False), female, u, v,
                            np.ascontiguousarray(by_sex_cdf), codes, cdfs, sizes)
    if not ok:  # a sex and major group with no occupation: the numpy path says where
        return occupations_numpy(sector, female, u, v, by_sex_cdf, codes_of, cdf_of)
    return code


# -- a move: gathers, ledgers and writes in one pass ----------------------------------------------

@_jit
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
    if any_old:
        for c in range(size):
            factor_sums[c] += -minus[c]
    if any_new:
        for c in range(size):
            factor_sums[c] += plus[c]
    return joining[:k].copy()


def _full(value, n: int, dtype) -> np.ndarray:
    """``value`` (a scalar or an [n] array) as a contiguous [n] array of ``dtype``."""
    return np.ascontiguousarray(np.broadcast_to(np.asarray(value, dtype=dtype), (n,)))


def move_people(workforce, idx, status, month, sector, skill, under, displaced_from, factor):
    """``Workforce.move`` in one compiled pass: the ledgers, the person's fields and the idle
    set's newcomers (returned [joining], int64), with the numpy path's results bit for bit."""
    from sim.agents.workforce import ENTRANT, IN_IDLE, UNDER, Status

    n = idx.size
    dummy8 = np.zeros(1, dtype=np.int8)
    has_factor = factor is not None
    fid = (_full(workforce.factor.ids_of(_full(factor, n, np.float32)), n,
                 workforce.factor_id.dtype) if has_factor
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


@_jit
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
    if live:  # the numpy path's order of float additions: all old cells off, then the new
        for c in range(size):
            factor_sums[c] += -minus[c]
        for c in range(size):
            factor_sums[c] += plus[c]


def set_under(workforce, idx: np.ndarray, under: bool) -> bool:
    """``Workforce.set_under`` in one compiled pass; False (nothing done) when numba is off."""
    if not ENABLED:
        return False
    from sim.agents.workforce import UNDER, Status

    _set_under(idx.astype(np.int64, copy=False), bool(under), workforce.status, workforce.flags,
               workforce.sector, workforce.skill, workforce.displaced_from,
               workforce.factor_id, workforce.factor.table, workforce.stocks.reshape(-1),
               workforce.displaced_stocks.reshape(-1), workforce.factor_sums.reshape(-1),
               np.intp(workforce.n_sectors), np.intp(Status.VACANT), UNDER)
    return True
