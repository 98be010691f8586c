"""The compiled loops (sim.kernels) give the numpy path's results bit for bit, draw for draw.

Each kernel is compared with its numpy twin on the same inputs and the same generator state;
then whole runs with numba on and off are compared table by table (the golden results in
tests/golden hold on either path as well).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import jit, kernels, kernels_draws
from sim.agents.columns import SparseColumn, isin, thin
from sim.runner import run_scenario

needs_numba = pytest.mark.skipif(not jit.ENABLED, reason="numba is off or missing")


@pytest.fixture
def numpy_path(monkeypatch):
    """Switch the compiled loops off for the duration of a test."""
    monkeypatch.setattr(jit, "ENABLED", False)


@needs_numba
@pytest.mark.parametrize("n, p", [(1, 0.5), (1000, 0.06), (3_000_001, 1 / 6), (10, 0.99)])
def test_dense_picks_are_the_draws_below_p_and_leave_the_generator_where_numpy_does(n, p):
    compiled, chunked, plain = (np.random.default_rng(11) for _ in range(3))
    got = kernels.dense_picks(compiled, n, p)
    assert np.array_equal(got, kernels.dense_picks_numpy(chunked, n, p))
    assert np.array_equal(got, np.flatnonzero(plain.random(n) < p))
    assert got.dtype == np.int64
    # every generator consumed exactly n doubles
    assert compiled.random() == chunked.random() == plain.random()


@needs_numba
@pytest.mark.parametrize("n, k", [(10, 0), (10, 1), (7, 50), (5_000_000, 250_000),
                                  (2**40, 1000)])
def test_sorted_unique_matches_numpys_sort(n, k):
    values = np.random.default_rng(k).integers(0, n, size=k)
    got = kernels.sorted_unique(values, n)
    assert np.array_equal(got, np.unique(values))
    assert np.array_equal(got, kernels.sorted_unique_numpy(values, n))


@needs_numba
@pytest.mark.parametrize("p", [0.0, 1e-4, 0.02, 0.05, 0.15, 0.1500001, 0.3, 1.0])
@pytest.mark.parametrize("bit", [None, 0, 2])
def test_thinning_picks_the_same_people_on_both_paths(p, bit, monkeypatch):
    """Slots picked, then kept by status (and a flag bit): the same on both paths, and the
    same as filtering the plain picks afterwards."""
    n = 200_000
    people = np.random.default_rng(9)
    status = people.integers(0, 7, size=n).astype(np.int8)
    flags = people.integers(0, 16, size=n).astype(np.uint8)
    allowed = np.array([True, True, False, False, True, False, False, False])
    among = None if bit is None else (status, allowed, flags, bit)
    compiled = thin(np.random.default_rng(3), n, p, among)
    plain = thin(np.random.default_rng(3), n, p)
    monkeypatch.setattr(jit, "ENABLED", False)
    assert np.array_equal(compiled, thin(np.random.default_rng(3), n, p, among))
    if among is not None:
        keep = allowed[status[plain]] & (((flags[plain] & bit) != 0) if bit else True)
        plain = plain[keep]
    assert np.array_equal(compiled, plain)


@pytest.mark.parametrize("p", [0.02, 0.05, 0.1, 0.15])
def test_thinning_picks_each_slot_with_probability_p(p):
    """Sparse thinning (a binomial count, then that many distinct slots): the share picked is
    p, not the p (1 - p / 2) that dropping the duplicates of a draw with replacement gives
    (2.5% too few at p = 0.05, 5% at 0.1). 20 draws of a million slots: the mean share has a
    standard error below 0.1% of p; the tolerance is 0.5%."""
    n, draws = 1_000_000, 20
    rng = np.random.default_rng(11)
    picks = [thin(rng, n, p) for _ in range(draws)]
    assert all(np.unique(x).size == x.size for x in picks)
    share = np.mean([x.size for x in picks]) / n
    assert abs(share / p - 1) < 0.005, share
    halves = sum(int((x < n // 2).sum()) for x in picks) / sum(x.size for x in picks)
    assert abs(halves - 0.5) < 0.005


@needs_numba
@pytest.mark.parametrize("sizes", [(0, 0), (0, 5), (5, 0), (1000, 300), (100_000, 7_000)])
def test_merge_unique_matches_numpys_union(sizes, monkeypatch):
    rng = np.random.default_rng(sum(sizes))
    a = np.unique(rng.integers(0, 50_000, size=sizes[0]))
    b = np.unique(rng.integers(0, 50_000, size=sizes[1]))
    got = kernels.merge_unique(a, b)
    assert np.array_equal(got, np.union1d(a, b)) and got.dtype == np.int64
    monkeypatch.setattr(jit, "ENABLED", False)
    assert np.array_equal(got, kernels.merge_unique(a, b))


@needs_numba
@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 5_000), share=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_distinct_picks_are_the_same_from_the_bitmap_and_the_sort(n, share, seed):
    """``distinct_uniform`` keeps dense picks in a bitmap and sparse ones sorted: whichever it
    uses, the same draws give the same k distinct sorted slots and leave the generator in the
    same state (the numpy path, numba off, as well)."""
    k = int(round(share * n))
    answers = []
    for density, enabled in ((0.0, True), (2.0, True), (0.0, False)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(kernels_draws, "BITMAP_DENSITY", density)
            patch.setattr(jit, "ENABLED", enabled)
            rng = np.random.default_rng(seed)
            answers.append((kernels.distinct_uniform(rng, n, k), rng.random()))
    bitmap, ((sort, after), (plain, after_plain)) = answers[0], answers[1:]
    assert bitmap[0].size == k and np.unique(bitmap[0]).size == k
    assert np.all(np.diff(bitmap[0]) > 0) and (k == 0 or 0 <= bitmap[0][0] <= bitmap[0][-1] < n)
    assert np.array_equal(bitmap[0], sort) and np.array_equal(sort, plain)
    assert bitmap[1] == after == after_plain


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 20_000), halves=st.integers(0, 3), seed=st.integers(0, 2**16))
def test_skipping_draws_leaves_the_generator_where_drawing_them_does(n, halves, seed):
    """``skip_draws`` advances the generator past n doubles without drawing them: the next
    draws (doubles, and integers that use a buffered 32-bit half) are the same as after
    ``rng.random(n)``."""
    drawn, skipped = np.random.default_rng(seed), np.random.default_rng(seed)
    for rng in (drawn, skipped):
        rng.integers(0, 1000, size=halves)  # an odd count leaves a 32-bit half buffered
    drawn.random(n)
    assert kernels.skip_draws(skipped, n)
    assert drawn.bit_generator.state == skipped.bit_generator.state
    assert np.array_equal(drawn.integers(0, 1000, 3), skipped.integers(0, 1000, 3))
    assert drawn.random() == skipped.random()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_pick_among_nobody_skips_its_draws_and_moves_the_stream_on(enabled):
    """``thin(..., nobody=True)`` with a draw per slot returns nobody and leaves the stream
    where drawing would have: the next picks are the same."""
    n = 50_000
    status = np.zeros(n, dtype=np.int8)  # everybody in status 0, which is not allowed
    among = (status, np.array([False, True] + [False] * 6), np.zeros(n, dtype=np.uint8), 0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jit, "ENABLED", enabled and jit.ENABLED)
        drawn, skipped = np.random.default_rng(3), np.random.default_rng(3)
        assert thin(drawn, n, 0.4, among).size == 0
        assert thin(skipped, n, 0.4, among, nobody=True).size == 0
        assert drawn.bit_generator.state == skipped.bit_generator.state
        assert np.array_equal(thin(drawn, n, 0.3), thin(skipped, n, 0.3))


def test_a_bpo_only_population_runs_the_same_with_its_skipped_draws(monkeypatch):
    """The Philippine BPO workforce alone has no informal workers: their on-the-job search
    skips its draw per slot. The run is the same, table by table, as with every draw made."""
    calls = []
    skip = kernels_draws.skip_draws

    def counted(rng, n):
        calls.append(n)
        return skip(rng, n)

    def run():
        return run_scenario("phl_bpo", replications=1, seed=7, scale=40, horizon_months=36,
                            overrides={"population.sectors": ["bpo_business_services"]})

    monkeypatch.setattr(kernels, "skip_draws", counted)
    skipped = run()
    assert calls, "the shortcut was not taken: the test no longer covers it"
    monkeypatch.setattr(kernels, "skip_draws", lambda rng, n: False)
    drawn = run()
    for table in ("sector_cube", "country_cube", "losses", "displaced"):
        assert np.array_equal(getattr(skipped, table), getattr(drawn, table)), table


def _people(n: int, seed: int = 9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    people = np.random.default_rng(seed)
    status = people.integers(0, 7, size=n).astype(np.int8)
    flags = people.integers(0, 16, size=n).astype(np.uint8)
    allowed = np.array([True, True, False, False, True, False, False, False])
    return status, flags, allowed


@needs_numba
@pytest.mark.parametrize("p", [0.0, 1e-4, 1 / 6, 0.5, 1.0])
@pytest.mark.parametrize("bit", [0, 2])
def test_keyed_picks_are_the_same_on_both_paths(p, bit):
    status, flags, allowed = _people(300_001)  # more than one block and one numpy chunk
    key = 0xFFFF_FFFF_FFFF_FFF0  # near 2^64: the counter wraps the same way on both paths
    got = kernels.keyed_picks(key, 37, p, status, allowed, flags, bit)
    assert got.dtype == np.int64
    assert np.array_equal(got, kernels.keyed_picks_numpy(key, 37, p, status, allowed, flags,
                                                         bit))
    concerned = allowed[status] & (((flags & bit) != 0) if bit else True)
    assert concerned[got].all()  # only the people the process concerns
    assert np.array_equal(got, np.flatnonzero(
        concerned & (kernels.keyed_uniform_numpy(key, 37, np.arange(status.size)) < p)))


@needs_numba
@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 3_000), share=st.floats(0.0, 1.0), bit=st.sampled_from([1, 4, 128]),
       p=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_keyed_picks_of_a_flag_read_eight_flags_at_a_time_are_the_numpy_picks(n, share, bit,
                                                                               p, seed):
    """With a flag bit the compiled path reads eight flags a word: any size (a tail of
    fewer than eight), any share of people flagged, any bit, the same slots as numpy."""
    people = np.random.default_rng(seed)
    status = people.integers(0, 7, size=n).astype(np.int8)
    flags = (people.integers(0, 256, size=n) & ~bit).astype(np.uint8)
    flags[people.random(n) < share] |= np.uint8(bit)
    allowed = np.array([True, True, False, True, False, True, False, False])
    got = kernels.keyed_picks(seed, 5, p, status, allowed, flags, bit)
    assert np.array_equal(got, kernels.keyed_picks_numpy(seed, 5, p, status, allowed, flags,
                                                         bit))


def test_keyed_draws_are_uniform_and_independent_across_months_slots_and_keys():
    """A Bernoulli(p) per person: the share picked is p, and the picks of two months (or two
    keys) overlap as independent draws would, p^2 (tolerances: 5 standard errors)."""
    n, p = 1_000_000, 1 / 6
    slots = np.arange(n)
    u = {(key, month): kernels.keyed_uniform_numpy(key, month, slots) < p
         for key in (1, 2) for month in (0, 1)}
    se = np.sqrt(p * (1 - p) / n)
    for picked in u.values():
        assert abs(picked.mean() - p) < 5 * se
    se2 = np.sqrt(p * p * (1 - p * p) / n)
    assert abs((u[1, 0] & u[1, 1]).mean() - p * p) < 5 * se2  # month to month
    assert abs((u[1, 0] & u[2, 0]).mean() - p * p) < 5 * se2  # key to key
    assert abs((u[1, 0][1:] & u[1, 0][:-1]).mean() - p * p) < 5 * se2  # neighbouring slots
    draws = kernels.keyed_uniform_numpy(1, 0, slots)
    assert draws.min() >= 0.0 and draws.max() < 1.0
    # deciles each hold a tenth of the draws
    counts = np.bincount((draws * 10).astype(int), minlength=10)
    assert np.abs(counts / n - 0.1).max() < 5 * np.sqrt(0.09 / n)


def test_a_keyed_draw_depends_on_nobody_elses_state():
    """The twins of a replication pick the same person whenever both have them concerned,
    whatever anyone else is doing (common random numbers, person by person)."""
    status, flags, allowed = _people(50_000)
    other = status.copy()
    other[::3] = 2  # a third of the people in another state (not allowed)
    one = kernels.keyed_picks(99, 5, 0.3, status, allowed, flags, 0)
    two = kernels.keyed_picks(99, 5, 0.3, other, allowed, flags, 0)
    both = allowed[status] & allowed[other]
    assert np.array_equal(one[both[one]], two[both[two]])


@needs_numba
def test_target_sectors_match_the_numpy_comparisons():
    rng = np.random.default_rng(2)
    mobility = rng.random((19, 19))
    mobility /= mobility.sum(axis=1, keepdims=True)
    columns = np.ascontiguousarray(np.cumsum(mobility, axis=1).T)
    origin = rng.integers(0, 19, size=100_000).astype(np.int8)
    u = rng.random(100_000)
    u[:5] = [0.0, 1.0, columns[3, origin[2]], np.nextafter(1.0, 0.0), 0.5]
    got = kernels.target_sectors(columns, origin, u)
    assert np.array_equal(got, kernels.target_sectors_numpy(columns, origin.astype(np.intp), u))
    assert np.array_equal(got, np.minimum(
        (u[:, None] > np.cumsum(mobility, axis=1)[origin]).sum(axis=1), 18))


def _tables(scenario: str) -> dict[str, pd.DataFrame]:
    results = run_scenario(scenario, countries=["BRN"], replications=1, seed=7,
                           horizon_months=30, scale=40, counterfactual=True)
    return {"frame": results.frame, "breakdown": results.breakdown(),
            "counterfactual": results.counterfactual.frame}


@needs_numba
@pytest.mark.parametrize("scenario", ["combined", "fast_genai"])
def test_whole_runs_are_bit_identical_with_numba_on_and_off(scenario, monkeypatch):
    """Programmes (training, programme jobs, scars) and layoffs move people through every
    ledger path; each table must be equal to the last bit."""
    compiled = _tables(scenario)
    monkeypatch.setattr(jit, "ENABLED", False)
    plain = _tables(scenario)
    for name, table in compiled.items():
        pd.testing.assert_frame_equal(table, plain[name], check_exact=True, obj=name)
    assert compiled["frame"]["value"].abs().sum() > 0


@needs_numba
def test_the_idle_set_is_the_same_kept_compiled_or_with_numpy_month_by_month(tables):
    """Each month, the compiled refresh of the idle set and the numpy one, from the same
    state, give the same set and the same idle bits; the set holds everyone not in a regular
    job (and each person once), and only people whose idle bit is set."""
    import copy

    from conftest import build_model

    from sim.agents.columns import BitColumn
    from sim.agents.workforce import IN_IDLE, REGULAR_JOBS, Status

    model = build_model(tables, "BRN", "combined", {"run.scale": 20}, seed=3)
    for _ in range(18):
        model.step()
        workforce = model.workforce
        twin = copy.copy(workforce)  # the same arrays, but its own idle set and bits
        twin.flags, twin.idle = workforce.flags.copy(), workforce.idle.copy()
        twin._new_idle = list(workforce._new_idle)
        twin.in_idle = BitColumn(twin, IN_IDLE)  # writes to the twin's own bits
        compiled = workforce.refresh_idle()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jit, "ENABLED", False)
            plain = twin.refresh_idle()
        assert np.array_equal(compiled, plain)
        assert np.array_equal(workforce.flags, twin.flags)
        status = workforce.status[:workforce.n]
        out_of_work = np.flatnonzero(~np.isin(status, REGULAR_JOBS) & (status != Status.VACANT))
        assert np.all(np.diff(compiled) > 0) and np.isin(out_of_work, compiled).all()
        assert (workforce.flags[compiled] & IN_IDLE).all()


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_who_starts_underemployment_is_the_numpy_selection(tables, seed):
    """From a model's people (formal and informal, some underemployed already), the compiled
    pass keeps the same people as the numpy twin, in the same order: not underemployed, and a
    draw below their kind of job's entry rate."""
    from conftest import build_model

    from sim.agents.workforce import REGULAR_JOBS, Status

    model = build_model(tables, "PHL", "baseline", {"run.scale": 2000}, seed=seed)
    for _ in range(3):
        model.step()
    workforce, rng = model.workforce, np.random.default_rng(seed)
    status = workforce.status[:workforce.n]
    picked = np.flatnonzero(np.isin(status, REGULAR_JOBS) & (rng.random(status.size) < 0.5))
    u = rng.random(picked.size)
    entry = np.array([0.2, 0.45])
    got = kernels.starting_under(workforce, picked, u, 0.45, entry)
    want = kernels.starting_under_numpy(picked, u, 0.45, workforce.status,
                                        workforce.under[picked], entry, Status.INFORMAL)
    assert got.dtype == np.int64 and np.array_equal(got, want)
    informal = workforce.status[got] == Status.INFORMAL
    assert 0 < informal.sum() < got.size and not workforce.under[got].any()


@settings(max_examples=60, deadline=None)
@given(pool=st.lists(st.integers(0, 499), max_size=300, unique=True),
       codes=st.lists(st.integers(0, 6), min_size=500, max_size=500), code=st.integers(0, 6))
def test_people_with_a_status_are_numpys_selection(pool, codes, code):
    status = np.array(codes, dtype=np.int8)
    among = np.sort(np.array(pool, dtype=np.int64))
    got = kernels.with_status(among, status, code)
    assert got.dtype == np.int64
    assert np.array_equal(got, among[status[among] == code])


def test_the_keys_of_counter_based_processes_come_from_the_seed_alone():
    from sim.streams import Streams

    one, two = Streams.from_seed(5), Streams.from_seed(5)
    two.keys.random(10)  # using the stream does not change the keys
    assert one.key("underemployment_exit") == two.key("underemployment_exit")
    assert one.key("underemployment_exit") != Streams.from_seed(6).key("underemployment_exit")
    with pytest.raises(ValueError, match="unknown counter-based process"):
        one.key("separations")


slots = st.lists(st.integers(0, 60), max_size=40).map(lambda v: np.array(v, dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(values=slots, others=slots)
def test_membership_of_slots_is_numpys(values, others):
    """``isin`` (binary search, sorting ``others`` when unsorted) answers as np.isin does,
    repeats, empty arrays and unsorted input included."""
    assert np.array_equal(isin(values, others), np.isin(values, others))


@settings(max_examples=200, deadline=None)
@given(writes=st.lists(st.tuples(slots, st.integers(-1, 3)), max_size=6))
def test_a_sparse_column_reads_back_what_was_written(writes):
    """A sparse column (held only for people whose value is not the fill) reads like a dense
    array given the same writes: a person written twice keeps the last value; writing the
    fill forgets them."""

    class Owner:
        capacity = 61

    column, dense = SparseColumn(np.int8, -1, Owner()), np.full(61, -1, dtype=np.int8)
    for idx, value in writes:
        idx = np.unique(idx)  # index arrays without repeats, as the model writes them
        column[idx[::-1]] = value  # an unsorted index
        dense[idx] = value
    assert np.array_equal(column[np.arange(61)], dense)
    assert np.all(np.diff(column.keys) > 0) and not np.any(column.values == -1)


@needs_numba
@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 5_000), share=st.floats(0.0, 1.0), seed=st.integers(0, 2**16),
       bit=st.sampled_from([0, 2]))
def test_distinct_picks_filtered_as_read_are_the_picks_then_filtered(n, share, seed, bit):
    """``distinct_kept`` filters the bitmap's picks as it reads them back: the same slots, in
    the same order, as ``keep(distinct_uniform(...))``, on either path, and the generator
    left in the same state."""
    k = int(round(share * n))
    pick = np.random.default_rng(seed + 1)
    among = (pick.integers(0, 7, n).astype(np.int8), np.array([1, 0, 1, 1, 0, 0, 1, 0], bool),
             pick.integers(0, 256, n).astype(np.uint8), bit)
    answers = []
    for density in (0.0, 2.0):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(kernels_draws, "BITMAP_DENSITY", density)
            for fused in (True, False):
                rng = np.random.default_rng(seed)
                got = (kernels.distinct_kept(rng, n, k, among) if fused
                       else kernels.keep(kernels.distinct_uniform(rng, n, k), among))
                answers.append((got, rng.random()))
    first = answers[0]
    assert np.all(np.diff(first[0]) > 0) and first[0].dtype == np.int64
    status, allowed, flags, _ = among
    assert np.all(allowed[status[first[0]]]) and (bit == 0 or np.all(flags[first[0]] & bit))
    for got, after in answers[1:]:
        assert np.array_equal(got, first[0]) and after == first[1]


def test_fixed_order_products_are_the_matrix_products():
    """``sim.products`` computes ``@`` (to rounding) with its own fixed order of additions."""
    from sim.products import mat_mat, mat_vec, vec_mat

    rng = np.random.default_rng(3)
    a, b, v = rng.random((9, 12)), rng.random((12, 7)), rng.random(12)
    np.testing.assert_allclose(mat_mat(a, b), a @ b, rtol=1e-13)
    np.testing.assert_allclose(mat_vec(a, v), a @ v, rtol=1e-13)
    np.testing.assert_allclose(vec_mat(v, b), v @ b, rtol=1e-13)
    assert mat_mat(a, b).shape == (9, 7) and mat_vec(a, v).shape == (9,)
    # integers add exactly in any order: the same numbers as @
    ints = rng.integers(0, 1000, (12, 12)).astype(float)
    assert (vec_mat(ints[0], ints) == ints[0] @ ints).all()
