"""Random picks, compiled (``sim.jit``), each with a numpy twin giving the same bits.

- ``uniform_below``: ``rng.random(n) < p`` drawn in chunks (no n-long float array);
- ``dense_picks``: slots 0..n-1 each kept when a uniform draw is below p (draws in slot order,
  exactly the numbers ``rng.random(n)`` would give), without n-long float and bool arrays;
- ``skip_draws``: the generator moved on past n such draws without making them (for a pick
  that can find nobody);
- ``keyed_picks``: the same kind of pick with a counter-based uniform per (key, month, slot)
  (``keyed_uniform_numpy``), computed only for the people a process concerns (no draw at all
  for everyone else);
- ``sorted_unique``: sorted distinct values of random slot numbers, by a radix sort that costs
  in proportion to the values (numpy's sort costs ~60-100 ns a value on this machine).

- ``distinct_uniform``: a uniformly random set of k distinct slots (``sorted_unique``, then
  the duplicates' shortfall drawn again and merged in by ``merge_unique``; for dense picks,
  marked in a bitmap of the slots and read back in order); ``distinct_kept``, the same set
  restricted by ``among`` as it is read back.

Every pick can be restricted by ``among`` = (status, allowed, flags, bit): see ``keep_numpy``
(``keep`` is its compiled twin).
Imported through ``sim.kernels``.
"""

from __future__ import annotations

import numpy as np

from sim import jit

try:  # the trailing-zero count of a word, an LLVM intrinsic numba exposes
    from numba.cpython.unsafe.numbers import trailing_zeros
except ImportError:  # pragma: no cover - without numba the bitmap path is never taken
    trailing_zeros = None  # type: ignore[assignment]

DENSE_CHUNK = 1 << 20  # draws per chunk on the numpy path (bounds the temporaries)


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


def skip_draws(rng: np.random.Generator, n: int) -> bool:
    """Move ``rng`` on as if ``rng.random(n)`` had been drawn, without drawing; False (and
    ``rng`` untouched) where that cannot be done exactly.

    ``rng.random`` takes one 64-bit output of the bit generator per double, so advancing a
    PCG64 (numpy's default, the streams' generator) by n outputs lands on the same state.
    ``advance`` also drops the buffered 32-bit half-output (``integers`` below 2^32 draws in
    halves), which a draw of doubles would have kept: it is put back.
    """
    bits = rng.bit_generator
    if not isinstance(bits, np.random.PCG64):
        return False
    before = bits.state
    bits.advance(n)
    after = bits.state
    after["has_uint32"], after["uinteger"] = before["has_uint32"], before["uinteger"]
    bits.state = after
    return True


def dense_picks_numpy(rng: np.random.Generator, n: int, p: float,
                      among: tuple | None = None) -> np.ndarray:
    """Slots i in 0..n-1 with u_i < p, u = rng.random(n), drawn in chunks, kept if ``among``
    allows them (see ``keep_numpy``) [picks], int64."""
    parts = [keep_numpy(np.flatnonzero(rng.random(b - a) < p) + a, among)
             for a, b in ((a, min(a + DENSE_CHUNK, n)) for a in range(0, n, DENSE_CHUNK))]
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


@jit.compiled
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
    if not jit.ENABLED:
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


# -- counter-based draws: a uniform per (key, month, slot), computed only where needed -------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53
KEYED_CHUNK = 1 << 20  # slots per chunk on the numpy path


def _mix(z):
    """SplitMix64's output function of ``z`` (uint64, a scalar or an array; wraps mod 2^64)."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _unit(z):
    """The double in [0, 1) made of the top 53 bits of ``z`` (uint64, a scalar or an array)."""
    return (z >> np.uint64(11)) * _UNIT  # exact: below 2^53, times a power of two


# the same two functions for the compiled loop (the numpy twin calls the plain ones)
_mix_compiled = jit.compiled(_mix)
_unit_compiled = jit.compiled(_unit)


def keyed_uniform_numpy(key: int, month: int, slots: np.ndarray) -> np.ndarray:
    """The uniform in [0, 1) of each slot [k] at ``month`` for a 64-bit ``key`` [k], float64.

    SplitMix64's output function (Steele, Lea and Flood 2014) applied to the counter
    key + month x 2^40 + slot: a bijection of the counter, so every (month, slot) pair has its
    own draw, independent of every other person and of who is in which state; the top 53 bits
    make the double. Slots must be below 2^40 and months below 2^24.
    """
    z = slots.astype(np.uint64)  # array arithmetic wraps modulo 2^64, as the compiled loop's
    z += np.uint64(month) << np.uint64(40)
    z += np.uint64(key)
    z += _GOLDEN
    return _unit(_mix(z))


def keyed_picks_numpy(key: int, month: int, p: float, status: np.ndarray, allowed: np.ndarray,
                      flags: np.ndarray, bit: int) -> np.ndarray:
    """Slots whose status is allowed (and, if ``bit``, whose flag ``bit`` is set) and whose
    keyed uniform at ``month`` is below p [picks], int64, sorted (see ``keyed_uniform_numpy``)."""
    parts = []
    for a in range(0, status.size, KEYED_CHUNK):
        b = min(a + KEYED_CHUNK, status.size)
        keep = allowed[status[a:b]]
        if bit:
            keep &= (flags[a:b] & np.uint8(bit)) != 0
        slots = np.flatnonzero(keep) + a
        parts.append(slots[keyed_uniform_numpy(key, month, slots) < p])
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


@jit.compiled
def _status_bits(allowed):  # pragma: no cover - compiled
    """The allowed status codes [8] bool as the bits of a uint32: a shift, not a look-up."""
    codes = np.uint32(0)
    for c in range(allowed.size):
        if allowed[c]:
            codes |= np.uint32(1) << np.uint32(c)
    return codes


@jit.compiled
def _keyed_picks(key, month, p, status, allowed, out):  # pragma: no cover - compiled
    """Fill ``out`` with the picked slots among those whose status is allowed (no flag: see
    ``_keyed_flagged``); -1 if it has too little room (grow and retry).

    Block by block, branch-free: first the slots the process concerns, then a draw for each
    of them; a branch per slot would be mispredicted for every few people.
    """
    base = key + (np.uint64(month) << np.uint64(40)) + _GOLDEN
    codes = _status_bits(allowed)
    block = 1 << 16
    candidates = np.empty(block, dtype=np.int64)
    k = 0
    for a in range(0, status.size, block):
        b = min(a + block, status.size)
        m = 0
        for j in range(a, b):
            candidates[m] = j
            m += (codes >> np.uint32(status[j])) & np.uint32(1)
        if out.size - k < m:
            return -1
        for i in range(m):
            j = candidates[i]
            out[k] = j
            k += _unit_compiled(_mix_compiled(base + np.uint64(j))) < p
    return k


@jit.compiled
def _keyed_flagged(key, month, p, status, allowed, flags, words, bit, out):  # pragma: no cover
    """``_keyed_picks`` for a flag ``bit`` (not 0), reading the flags eight at a time:
    ``words`` is ``flags[:8 * words.size]`` as uint64, so a word with none of its eight
    people flagged costs one test, and each flagged person is found by a trailing-zero count
    (slots come out in order, as in ``_keyed_picks``). Then their status, then their draw."""
    base = key + (np.uint64(month) << np.uint64(40)) + _GOLDEN
    codes = _status_bits(allowed)
    mask = np.uint64(bit) * np.uint64(0x0101010101010101)  # the bit in each of the 8 bytes
    k = 0
    for i in range(words.size):
        w = words[i] & mask
        while w:
            if k >= out.size:
                return -1
            j = 8 * i + (trailing_zeros(w) >> 3)
            w &= w - np.uint64(1)
            out[k] = j
            ok = (codes >> np.uint32(status[j])) & np.uint32(1)
            k += ok & (_unit_compiled(_mix_compiled(base + np.uint64(j))) < p)
    for j in range(8 * words.size, status.size):  # the last few slots, one by one
        if (flags[j] & bit) != 0 and (codes >> np.uint32(status[j])) & np.uint32(1):
            if k >= out.size:
                return -1
            out[k] = j
            k += _unit_compiled(_mix_compiled(base + np.uint64(j))) < p
    return k


def keyed_picks(key: int, month: int, p: float, status: np.ndarray, allowed: np.ndarray,
                flags: np.ndarray, bit: int) -> np.ndarray:
    """See ``keyed_picks_numpy``: the same slots, in one compiled pass over the slots that
    computes a draw only for the people allowed (a flag byte and a status byte read per slot;
    with a flag ``bit``, the flags read eight at a time and the status only of the flagged)."""
    if not jit.ENABLED:
        return keyed_picks_numpy(key, month, p, status, allowed, flags, bit)
    mean = status.size * p
    out = np.empty(int(mean + 6.0 * np.sqrt(mean + 1.0)) + 64, dtype=np.int64)
    args = (np.uint64(key), np.int64(month), float(p), status, allowed)
    if bit:
        flags = np.ascontiguousarray(flags[:status.size])
        words = flags[:flags.size - flags.size % 8].view(np.uint64)

        def run(out):
            return _keyed_flagged(*args, flags, words, np.uint8(bit), out)
    else:
        def run(out):
            return _keyed_picks(*args, out)
    k = run(out)
    if k < 0:  # more picks than six standard deviations above the mean: room for every slot
        out = np.empty(status.size, dtype=np.int64)
        k = run(out)
    return out[:k].copy()


def sorted_unique_numpy(values: np.ndarray, n: int) -> np.ndarray:
    """Sorted distinct values of ``values`` (ints in [0, n)) [distinct], int64."""
    picked = np.sort(values).astype(np.int64, copy=False)
    if picked.size > 1:
        picked = picked[np.concatenate(([True], picked[1:] != picked[:-1]))]
    return picked


@jit.compiled
def _sorted_unique(values, n):  # pragma: no cover - compiled
    k = values.size
    # LSD radix sort on digits of at most 13 bits (two passes for n up to 2^26, three up to
    # 2^39): each pass reads the values in order and writes to at most 8192 running positions,
    # so memory is touched in streams, not at random (a sort of random picks otherwise waits
    # on cache misses)
    width = 1
    while (np.int64(1) << width) < n:
        width += 1
    passes = (width + 12) // 13
    digit = (width + passes - 1) // passes
    mask = (np.int64(1) << digit) - 1
    src = values.copy()
    dst = np.empty(k, dtype=np.int64)
    counts = np.empty(mask + 2, dtype=np.int64)
    for d in range(passes):
        shift = digit * d
        counts[:] = 0
        for v in src:
            counts[((v >> shift) & mask) + 1] += 1
        for b in range(mask + 1):
            counts[b + 1] += counts[b]
        for v in src:
            b = (v >> shift) & mask
            dst[counts[b]] = v
            counts[b] += 1
        src, dst = dst, src
    m = 0
    last = -1
    for i in range(k):
        v = src[i]
        if v != last:
            last = v
            src[m] = v
            m += 1
    return src[:m].copy()


def sorted_unique(values: np.ndarray, n: int) -> np.ndarray:
    """Sorted distinct values of ``values`` (ints in [0, n)) [distinct], int64 (restrict them
    to the people a process concerns with ``keep``).

    Compiled: a radix sort in O(len(values) x log2(n) / 13)."""
    if not jit.ENABLED or values.size == 0:
        return sorted_unique_numpy(values, n)
    return _sorted_unique(values.astype(np.int64, copy=False), np.int64(n))


# -- distinct picks: the shortfall a uniform draw with replacement leaves, drawn again -----------

def merge_unique_numpy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct values of two sorted int arrays [distinct], int64."""
    return np.union1d(a, b).astype(np.int64, copy=False)


@jit.compiled
def _merge_unique(a, b):  # pragma: no cover - compiled
    out = np.empty(a.size + b.size, dtype=np.int64)
    i = j = m = 0
    last = -1
    while i < a.size or j < b.size:
        if j >= b.size or (i < a.size and a[i] <= b[j]):
            v = a[i]
            i += 1
        else:
            v = b[j]
            j += 1
        if v != last:
            out[m] = v
            m += 1
            last = v
    return out[:m].copy()


def merge_unique(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct values of two sorted int arrays (each already distinct) [distinct],
    int64: one merge pass, compiled."""
    if not jit.ENABLED:
        return merge_unique_numpy(a, b)
    return _merge_unique(a.astype(np.int64, copy=False), b.astype(np.int64, copy=False))


@jit.compiled
def _mark(bitmap, values):  # pragma: no cover - compiled
    """Set the bits of ``values`` in ``bitmap`` (uint64 words); return how many were new."""
    new = 0
    for v in values:
        word = v >> 6
        bit = np.uint64(1) << np.uint64(v & 63)
        old = bitmap[word]
        new += (old & bit) == 0
        bitmap[word] = old | bit
    return new


@jit.compiled
def _marked(bitmap, k):  # pragma: no cover - compiled
    """The ``k`` set bits of ``bitmap``, in order (one pass over the words; a set bit's place
    is its word's trailing-zero count, then that bit is cleared)."""
    out = np.empty(k, dtype=np.int64)
    m = 0
    for word in range(bitmap.size):
        bits = bitmap[word]
        while bits != 0:
            out[m] = (np.int64(word) << 6) + np.int64(trailing_zeros(bits))
            m += 1
            bits &= bits - np.uint64(1)
    return out


#: At or above one pick per 64 slots ``distinct_uniform`` marks the picks in a bitmap of the
#: slots (n / 8 bytes: 6 MB for the whole Philippines, in cache) and reads them back in order;
#: below it, sorting the picks costs less than reading the bitmap. Both give the same slots.
BITMAP_DENSITY = 1 / 64


def distinct_uniform(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``k`` distinct slots of 0..n-1, a uniformly random k-subset, sorted [k], int64.

    Draws k slots with replacement, then draws the shortfall the duplicates left, until k are
    distinct (two or three rounds: the first leaves about k^2 / 2n duplicates). Drawing with
    replacement and dropping duplicates alone would pick each slot with probability about
    p (1 - p / 2) for p = k / n: 2.5% too few at p = 0.05.

    The distinct slots so far are kept sorted (``sorted_unique``, ``merge_unique``) or, for
    dense picks with numba on, as bits of a bitmap (``BITMAP_DENSITY``): the same draws, the
    same slots (tested), 3.5x faster for a million picks among 48 million slots (40 ms to 11).
    """
    return distinct_kept(rng, n, k, None)


def distinct_kept(rng: np.random.Generator, n: int, k: int, among: tuple | None) -> np.ndarray:
    """``keep(distinct_uniform(rng, n, k), among)``: the same draws and the same slots [kept],
    int64, sorted. On the bitmap path the picks are filtered as they are read back, so the k
    picks are never held as an array (for the whole Philippines person by person, 2.6 million
    picks a month, 21 MB, for on-the-job search)."""
    k = min(k, n)
    if jit.ENABLED and k >= n * BITMAP_DENSITY and k > 0:
        bitmap = np.zeros((n + 63) >> 6, dtype=np.uint64)
        count = _mark(bitmap, rng.integers(0, n, size=k))
        while count < k:
            count += _mark(bitmap, rng.integers(0, n, size=k - count))
        if among is None:
            return _marked(bitmap, np.int64(k))
        status, allowed, flags, bit = among
        return _marked_kept(bitmap, np.int64(k), status, allowed, flags, np.uint8(bit))
    picked = sorted_unique(rng.integers(0, n, size=k), n)
    while picked.size < k:
        extra = sorted_unique(rng.integers(0, n, size=k - picked.size), n)
        picked = merge_unique(picked, extra)
    return keep(picked, among)


@jit.compiled
def _allowed_at(v, status, allowed, flags, bit):  # pragma: no cover - compiled
    """Whether slot ``v``'s status is allowed and, if ``bit`` is not 0, its flag ``bit`` set."""
    return allowed[status[v]] and (bit == 0 or (flags[v] & bit) != 0)


@jit.compiled
def _marked_kept(bitmap, k, status, allowed, flags, bit):  # pragma: no cover - compiled
    """``_marked`` and ``_keep`` in one pass: the set bits of ``bitmap`` (``k`` of them), in
    order, whose slot ``_allowed_at``."""
    out = np.empty(k, dtype=np.int64)  # pages past the kept ones are never touched
    m = 0
    for word in range(bitmap.size):
        bits = bitmap[word]
        while bits != 0:
            v = (np.int64(word) << 6) + np.int64(trailing_zeros(bits))
            bits &= bits - np.uint64(1)
            if _allowed_at(v, status, allowed, flags, bit):
                out[m] = v
                m += 1
    return out[:m].copy()


@jit.compiled
def _keep(picked, status, allowed, flags, bit):  # pragma: no cover - compiled
    out = np.empty(picked.size, dtype=np.int64)
    m = 0
    for v in picked:
        if _allowed_at(v, status, allowed, flags, bit):
            out[m] = v
            m += 1
    return out[:m].copy()


def keep(picked: np.ndarray, among: tuple | None) -> np.ndarray:
    """``keep_numpy`` in one compiled pass (the same slots, in order)."""
    if among is None or not jit.ENABLED:
        return keep_numpy(picked, among)
    status, allowed, flags, bit = among
    return _keep(picked.astype(np.int64, copy=False), status, allowed, flags, np.uint8(bit))
