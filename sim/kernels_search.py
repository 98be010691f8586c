"""Job-search kernels, compiled (``sim.jit``), each with a numpy twin giving the same bits.

- ``target_sectors``: the inverse-CDF draw of each searcher's target sector;
- ``searchers``: who searches this month, and how hard;
- ``search_effort``: each searcher's target, efficiency and qualification, and the effort by
  target sector (``decay_table`` gives the compiled loop its exp(-decay x months));
- ``choose_pool``: which pool (AI-era vacancy, open vacancy, informal work, none) each
  searcher meets;
- ``occupations``: the occupation codes of new people.

Imported through ``sim.kernels``.
"""

from __future__ import annotations

import numpy as np

from sim import jit

# -- the target sector of each searcher ------------------------------------------------------------

def target_sectors_numpy(columns: np.ndarray, origin: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Number of CDF entries of each origin's row below ``u`` (at most S - 1) [searchers],
    int8 (a sector number: at the whole Philippines two million of them a month, 7 bytes each
    fewer than intp)."""
    target = np.zeros(u.size, dtype=np.int8)
    for column in columns:
        target += u > column[origin]
    return np.minimum(target, columns.shape[0] - 1, out=target)


@jit.compiled
def _target_sectors(columns, origin, u):  # pragma: no cover - compiled
    s = columns.shape[0]
    out = np.empty(u.size, dtype=np.int8)
    for i in range(u.size):
        o = origin[i]
        count = 0
        for j in range(s):
            if u[i] > columns[j, o]:
                count += 1
        out[i] = min(count, s - 1)
    return out


def target_sectors(columns: np.ndarray, origin: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The sector each searcher looks in [searchers], int8 (see ``sim.matching``); ``origin``
    of any integer dtype (the people's int8 sectors as they are: no widened copy)."""
    if not jit.ENABLED:
        return target_sectors_numpy(columns, origin, u)
    return _target_sectors(columns, np.ascontiguousarray(origin), u)


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


@jit.compiled
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
    if not jit.ENABLED:
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


@jit.compiled
def _search_effort(people, intensity, u, month, search_since, sector, skill, status, min_skill,
                   unemployed_code, columns, n_sectors, exp_table):  # pragma: no cover
    m = people.size
    target = np.empty(m, dtype=np.int8)
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
    if not jit.ENABLED:
        return search_effort_numpy(people, intensity, u, month, decay, search_since, sector,
                                   skill, status, min_skill, unemployed_code, columns,
                                   n_sectors, exp_table)
    return _search_effort(people, intensity, u, np.int64(month), search_since, sector, skill,
                          status, np.int64(min_skill), np.int8(unemployed_code), columns,
                          np.int64(n_sectors), exp_table)


def choose_pool_numpy(efficiency: np.ndarray, target: np.ndarray, qualified: np.ndarray,
                      unemployed: np.ndarray, rate_open: np.ndarray, rate_skilled: np.ndarray,
                      rate_informal: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Which pool each searcher meets [m], int8: 1 = an AI-era vacancy, 0 = an open vacancy,
    2 = informal work, -1 = none; the chances are efficiency x the target's rate per unit of
    effort (AI-era: qualified only; informal: unemployed only), one uniform ``draw`` each."""
    p_skilled = efficiency * rate_skilled[target] * qualified
    p_open = efficiency * rate_open[target]
    p_informal = efficiency * rate_informal[target] * unemployed
    cum_open = p_skilled + p_open
    pool = np.full(efficiency.size, -1, dtype=np.int8)
    pool[draw < np.minimum(cum_open + p_informal, 1.0)] = 2
    pool[draw < np.minimum(cum_open, 1.0)] = 0
    pool[draw < p_skilled] = 1
    return pool


@jit.compiled
def _choose_pool(efficiency, target, qualified, unemployed, rate_open, rate_skilled,
                 rate_informal, draw):  # pragma: no cover - compiled
    pool = np.empty(efficiency.size, dtype=np.int8)
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
    if not jit.ENABLED:
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


@jit.compiled
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


def pack_occupations(codes_of: list, cdf_of: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2-digit codes and their CDFs by sex and major group (``codes_of``, ``cdf_of``:
    [2][9] arrays) as the compiled pass reads them: padded arrays ([2, 9, width] int8 and
    float, padding +inf) and the number in each [2, 9]. ``sim.population.occupation_tables``
    makes them once per country (entrants are drawn every month)."""
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
    return codes, cdfs, sizes


def occupations(sector, female, u, v, by_sex_cdf, codes_of, cdf_of,
                packed: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """See ``occupations_numpy`` (one compiled pass instead of a pass per sector, sex and
    major group); ``packed``: ``pack_occupations(codes_of, cdf_of)``, made here if not given."""
    if not jit.ENABLED:
        return occupations_numpy(sector, female, u, v, by_sex_cdf, codes_of, cdf_of)
    codes, cdfs, sizes = packed if packed is not None else pack_occupations(codes_of, cdf_of)
    code, ok = _occupations(sector.astype(np.intp, copy=False), female, u, v,
                            np.ascontiguousarray(by_sex_cdf), codes, cdfs, sizes)
    if not ok:  # a sex and major group with no occupation: the numpy path says where
        return occupations_numpy(sector, female, u, v, by_sex_cdf, codes_of, cdf_of)
    return code
