"""The statistics' edges, read exactly: where each rule switches, and what
the bootstrap intervals agree with (written from the mutation survivors of
core/stats.py; the laws are in test_properties.py)."""
import math
import warnings

import numpy as np
import pytest

from optbench.core import stats


def test_lag1_autocorrelation_from_four_readings_on():
    assert stats.lag1_autocorrelation([1, 2, 3, 4]) == 0.25     # four: read
    assert stats.lag1_autocorrelation([1, 3, 2]) == 0.0         # three: too few
    assert stats.lag1_autocorrelation([0, 1, 0, 1, 0, 1]) == pytest.approx(-5 / 6)
    assert stats.lag1_autocorrelation([7, 7, 7, 7, 7]) == 0.0   # constant
    # Deviations whose squares underflow to zero: nothing to read, not 0/0.
    assert stats.lag1_autocorrelation([0, 1e-300, 0, 1e-300, 0]) == 0.0


def test_a_median_interval_accepts_a_coverage_exactly_the_confidence():
    """[x_(k+1), x_(n-k)] covers with 1 - 2 P(Bin(n, 1/2) <= k): for n = 4,
    k = 1 gives exactly 1 - 2 * 5/16 = 0.375, which is enough for 0.375."""
    assert stats.median_interval([0, 1, 2, 3], confidence=0.375) == (1.0, 2.0)
    assert stats.median_interval([0, 1, 2, 3], confidence=0.376) == (0.0, 3.0)


def test_the_binomial_rank_at_a_size_where_rounding_would_move_it():
    """n = 162 at 95%: k = 68 (P(Bin <= 68) = 0.0249); one rank either way
    would under- or over-cover."""
    assert stats.median_interval(np.arange(162)) == (68.0, 93.0)


def test_drifting_rounds_widen_a_median_interval_at_most_threefold():
    """A ramp's lag-1 autocorrelation (0.97) is clipped to 0.8: the distance
    from the middle rank (49.5 - 39 = 10.5 ranks at n = 100) grows by
    sqrt(1.8 / 0.2) = 3, to the ranks 17 and 82."""
    ramp = np.arange(100.0)
    assert stats.median_interval(ramp) == (39.0, 60.0)
    assert stats.median_interval(ramp, autocorrelated=True) == (17.0, 82.0)


def test_a_mean_interval_edges():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice" on the way
        point, low, high = stats.mean_interval([])
    assert math.isnan(point) and math.isnan(low) and math.isnan(high)
    assert stats.mean_interval([3.0]) == (3.0, 3.0, 3.0)
    point, low, high = stats.mean_interval([0.0, 1.0, 0.0, 1.0])  # a spread of exactly 1
    assert point == 0.5 and low < 0 and high > 1
    # A ramp: r clipped to 0.8, the t half-width grows exactly threefold.
    ramp = np.arange(30.0)
    t = __import__("scipy").stats.t.ppf(0.975, 29) * ramp.std(ddof=1) / math.sqrt(30)
    point, low, high = stats.mean_interval(ramp)
    assert (high - point) == pytest.approx(3 * t)


@pytest.mark.parametrize("baseline, other", [
    ([5, 5, 5, 5, 5], [1, 2, 3, 4, 5]),   # only the optimized readings vary
    ([1, 2, 3, 4, 5], [5, 5, 5, 5, 5]),   # only the baseline's
    ([3, 3, 3, 3, 3], [1, 1.25, 1.5, 1.75, 2]),   # spread exactly 1
    ([1, 1.25, 1.5, 1.75, 2], [3, 3, 3, 3, 3]),
])
def test_an_unpaired_interval_reflects_the_side_that_varies(baseline, other):
    est = stats.ratio_interval(baseline, other, paired=False)
    assert est.ci_low < est.ratio < est.ci_high
    assert est.ratio == np.median(other) / np.median(baseline)


def test_two_readings_on_one_side_give_the_range_of_every_pairing():
    est = stats.ratio_interval([1, 2], list(range(1, 11)), paired=False)
    assert (est.ci_low, est.ci_high) == (0.5, 10.0)


def test_an_unpaired_interval_narrows_with_the_confidence_asked():
    rng = np.random.default_rng(7)
    a, b = rng.normal(10, 1, 12), rng.normal(6, 1, 12)
    wide = stats.ratio_interval(a, b, paired=False)
    narrow = stats.ratio_interval(a, b, paired=False, confidence=0.5)
    assert wide.ci_low < narrow.ci_low < narrow.ratio < narrow.ci_high < wide.ci_high
    assert stats.ratio_interval(a, b, paired=False) == wide  # seeded: the same every time


def _reference_marginal(small, large, resamples=20000, seed=123):
    """A plain percentile bootstrap of the marginal ratio, written apart from
    optbench's, with ten times the resamples."""
    rng = np.random.default_rng(seed)
    (bs, os_), (bl, ol) = (tuple(np.asarray(x) for x in pair) for pair in (small, large))
    draws = []
    for _ in range(resamples):
        i, j = rng.integers(0, len(bs), len(bs)), rng.integers(0, len(bl), len(bl))
        grown = np.median(bl[j]) - np.median(bs[i])
        if grown > 0:
            draws.append((np.median(ol[j]) - np.median(os_[i])) / grown)
    return np.percentile(draws, [2.5, 97.5])


@pytest.mark.parametrize("spread", [5e-5, 3e-4])  # a narrow and a wide interval
def test_the_marginal_ratio_agrees_with_a_plain_bootstrap(spread):
    """Times in milliseconds: a growth far below one second still counts."""
    rng = np.random.default_rng(11)
    small = (rng.normal(1.0e-3, spread, 10), rng.normal(0.8e-3, spread, 10))
    large = (rng.normal(2.0e-3, spread, 10), rng.normal(1.3e-3, spread, 10))
    est = stats.marginal_ratio(small, large)
    point = ((np.median(large[1]) - np.median(small[1]))
             / (np.median(large[0]) - np.median(small[0])))
    assert est.ratio == pytest.approx(point)
    low, high = _reference_marginal(small, large)
    half = (high - low) / 2
    assert est.ci_low == pytest.approx(low, abs=0.15 * half)
    assert est.ci_high == pytest.approx(high, abs=0.15 * half)
    assert stats.marginal_ratio(small, large) == est  # seeded: the same every time


def test_resamples_in_which_the_run_did_not_grow_are_left_out():
    """The baseline grows by 1 unless a resample of the small size draws its
    slow reading twice (then it "shrinks" by 3): those draws have no
    marginal cost and must not drag the interval below the only real one."""
    est = stats.marginal_ratio(([1, 1, 5], [0, 0, 0]), ([2, 2, 2], [1, 1, 1]))
    assert (est.ratio, est.ci_low, est.ci_high) == (1.0, 1.0, 1.0)


def test_a_run_that_does_not_grow_has_no_marginal_ratio():
    same = ([1.0, 1.1, 0.9], [0.5, 0.6, 0.4])
    est = stats.marginal_ratio(same, same)
    assert all(math.isnan(x) for x in (est.ratio, est.ci_low, est.ci_high))
