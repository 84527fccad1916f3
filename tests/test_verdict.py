"""The verdict rule, the claimed ranges and the ratio interval."""
import numpy as np
import pytest

from optbench.core.claim import Claimed
from optbench.core.stats import ratio_interval
from optbench.core.verdict import (CONFIRMED, NO_EFFECT, PARTIAL, REFUTED, decide)

TEN_X = Claimed.times_fewer(10, approx=True, text="~10x fewer")
THIRTY_FIFTY = Claimed.percent_less(30, 50, text="30-50% less")


def test_claimed_ranges():
    assert TEN_X.ratio_high == pytest.approx(0.125)
    assert (THIRTY_FIFTY.ratio_low, THIRTY_FIFTY.ratio_high) == pytest.approx((0.5, 0.7))
    fast = Claimed.times_fewer(1.5, 3, text="1.5-3x faster")
    assert (fast.ratio_low, fast.ratio_high) == pytest.approx((1 / 3, 1 / 1.5))
    assert Claimed.eliminated(text="none").ratio_high == 0


@pytest.mark.parametrize("low, high, equivalent, expected", [
    (0.09, 0.11, True, CONFIRMED),     # whole interval reaches the claim
    (0.10, 0.20, True, PARTIAL),       # real gain, interval not all at the claim
    (0.50, 0.90, True, PARTIAL),
    (0.95, 1.05, True, NO_EFFECT),     # interval includes no change
    (1.02, 1.30, True, REFUTED),       # reliably worse
    (0.01, 0.02, False, REFUTED),      # fast but computes something else
    (0.01, 0.02, "declared change: x", CONFIRMED),
])
def test_decide(low, high, equivalent, expected):
    assert decide(TEN_X, low, high, equivalent) == expected


def test_percent_claim_reached_by_a_larger_gain():
    assert decide(THIRTY_FIFTY, 0.12, 0.15, True) == CONFIRMED
    assert decide(THIRTY_FIFTY, 0.65, 0.75, True) == PARTIAL


def test_ratio_interval_covers_the_true_ratio():
    rng = np.random.default_rng(1)
    drift = 1 + rng.random(30)  # the machine's speed changes round to round
    base, opt = 2.0 * drift, 1.0 * drift * (1 + rng.normal(0, 0.01, 30))
    est = ratio_interval(list(base), list(opt), paired=True)
    assert est.ci_low <= 0.5 <= est.ci_high
    assert est.relative_width < 0.05


def test_exact_samples_give_a_zero_width_interval():
    est = ratio_interval([4.0] * 5, [1.0] * 5, paired=False)
    assert (est.ratio, est.ci_low, est.ci_high) == (0.25, 0.25, 0.25)


def test_two_readings_give_their_range_not_a_point():
    est = ratio_interval([100.0, 102.0], [10.0, 10.0], paired=False)
    assert est.ci_low == pytest.approx(10 / 102) and est.ci_high == pytest.approx(10 / 100)
