"""The verdict rule, the exact claimed ranges and the ratio interval."""
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as scipy_stats

from optbench.core.claim import Claimed, ratio
from optbench.core.stats import median_interval, ratio_interval
from optbench.core.verdict import (CONFIRMED, INCONCLUSIVE, NO_EFFECT, NO_OP, PARTIAL, REFUTED,
                                   TIME_NOISE_FLOOR, decide, noise_floor, settled)

TEN_X = Claimed.times_fewer(10, approx=True, text="~10x fewer")
THIRTY_FIFTY = Claimed.percent_less(30, 50, text="30-50% less")
SEVENTY = Claimed.percent_less(30, text="30% faster")  # claimed ratio 0.7
FLOOR = TIME_NOISE_FLOOR


def test_claimed_ranges_are_exact_fractions():
    assert TEN_X.ratio_high == Fraction(1, 8)
    assert (THIRTY_FIFTY.ratio_low, THIRTY_FIFTY.ratio_high) == (Fraction(1, 2), Fraction(7, 10))
    fast = Claimed.times_fewer(1.5, 3, text="1.5-3x faster")
    assert (fast.ratio_low, fast.ratio_high) == (Fraction(1, 3), Fraction(2, 3))
    assert Claimed.percent_less(80, text="80%").ratio_high == Fraction(1, 5)
    assert Claimed.percent_less(2.5, text="2.5%").ratio_high == Fraction(39, 40)
    assert Claimed.eliminated(text="none").ratio_high == 0


def test_a_claim_stated_several_ways_spans_every_statement():
    """"30% faster" and the report's own "2.1 s -> 1.5 s" (0.714): a measured
    0.714 is the report's figure and must confirm the claim."""
    table = Claimed.before_after(2.1, 1.5, text="2.1 s -> 1.5 s")
    assert table.ratio_high == Fraction(5, 7)
    both = Claimed.spanning(SEVENTY, table, text="30% faster (2.1 s -> 1.5 s)")
    assert (both.ratio_low, both.ratio_high) == (Fraction(7, 10), Fraction(5, 7))
    assert decide(both, 0.714, 0.714, True) == CONFIRMED
    assert decide(SEVENTY, 0.714, 0.714, True) == PARTIAL


def test_a_claimed_range_for_a_device_the_claim_never_runs_on_is_refused():
    from optbench.components.trainer.claims import CLAIM
    from dataclasses import replace
    with pytest.raises(ValueError, match="devices it is not measured on: \\['tpu'\\]"):
        replace(CLAIM, claimed_on={"tpu": SEVENTY})


def test_an_exact_counter_on_the_reports_figure_reaches_it():
    """50 -> 10 writes is exactly "80% fewer" (float arithmetic made it partial)."""
    eighty = Claimed.percent_less(80, text="80% fewer (50 -> 10)")
    r = ratio(10, 50)
    assert r == Fraction(1, 5)
    assert decide(eighty, r, r, True) == CONFIRMED
    assert decide(eighty, ratio(11, 50), ratio(11, 50), True) == PARTIAL


# One row per interval position of the README's table (claimed ratio t = 0.7,
# noise floor 1% for timings).
@pytest.mark.parametrize("low, high, equivalent, expected", [
    (0.40, 0.69, True, CONFIRMED),             # all at or below t
    (0.40, 0.70, True, CONFIRMED),             # touching t still reaches it
    (0.995, 1.008, True, NO_EFFECT),           # all inside the noise floor, either side of 1
    (0.991, 0.998, True, NO_EFFECT),           # below 1 but inside the floor: not a gain
    (1.02, 1.30, True, REFUTED),               # reliably worse
    (1.011, 1.03, True, REFUTED),              # above 1 beyond the floor
    (1.005, 1.03, True, NO_EFFECT),            # above 1, but within the floor of 1
    (0.95, 0.995, True, NO_EFFECT),            # below 1, but within the floor of 1
    (0.75, 0.95, True, PARTIAL),               # a real gain, all short of t
    (0.09, 0.999, True, INCONCLUSIVE),         # straddles t
    (0.50, 1.20, True, INCONCLUSIVE),          # straddles t and 1
    (0.80, 1.05, True, NO_EFFECT),             # includes 1, excludes t
    (0.01, 0.02, False, REFUTED),              # fast but computes something else
    (0.01, 0.02, "declared change: x", CONFIRMED),
])
def test_each_row_of_the_rule(low, high, equivalent, expected):
    assert decide(SEVENTY, low, high, equivalent, FLOOR) == expected


def test_exact_counters_have_no_floor():
    r = ratio(995, 1000)
    assert decide(SEVENTY, r, r, True) == PARTIAL
    assert decide(SEVENTY, 1, 1, True) == NO_EFFECT
    assert decide(SEVENTY, ratio(1001, 1000), ratio(1001, 1000), True) == REFUTED


@pytest.mark.parametrize("low, high, is_settled", [
    (0.3, 0.6, True),       # clear of t (below) and of 1
    (0.75, 0.9, True),      # clear of t (above) and of 1
    (1.1, 1.2, True),       # clear of 1 above
    (0.995, 1.005, True),   # inside the floor
    (0.6, 0.8, False),      # straddles t
    (0.9, 1.1, False),      # straddles 1: more rounds could show a gain
])
def test_settled(low, high, is_settled):
    assert settled(Fraction(7, 10), low, high, FLOOR) == is_settled


@pytest.mark.parametrize("threshold, low, high, is_settled", [
    (Fraction(7, 10), 0.5, 0.7, True),     # reaches t exactly: confirmed whatever comes
    (Fraction(7, 10), 0.7, 0.8, False),    # touches t from above: not clear of it
    (None, 0.8, 1.0, False),               # a hidden cost touching 1: not clear of it
    (None, 1.0, 1.2, False),               # ...from above either
    (None, 0.8, 0.99, True),
    (Fraction(7, 10), 0.999, 1.001, False),  # no floor given: none applies
])
def test_settled_at_the_boundaries(threshold, low, high, is_settled):
    assert settled(threshold, low, high) == is_settled


def test_median_interval_has_its_stated_coverage():
    """Order statistics: for any distribution, P(median inside) >= 95%."""
    rng = np.random.default_rng(3)
    for n in (6, 10, 25, 60):
        lo, hi = median_interval(np.arange(n), 0.95)
        k = int(lo)
        assert hi == n - 1 - k
        # [x_(k+1), x_(n-k)] misses the median when k+1 or fewer fall on one side
        coverage = 1 - 2 * scipy_stats.binom.cdf(k, n, 0.5)
        assert coverage >= 0.95
        # one step narrower would fall below 95%
        assert 1 - 2 * scipy_stats.binom.cdf(k + 1, n, 0.5) < 0.95
    hits = 0
    for _ in range(400):
        x = rng.lognormal(0, 0.3, 15)           # skewed readings, true median 1
        lo, hi = median_interval(x)
        hits += lo <= 1 <= hi
    assert hits / 400 > 0.93


def test_paired_ratio_interval_covers_the_true_ratio():
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


def test_rounds_that_drift_together_get_a_wider_interval():
    """Identical variants whose rounds drifted together (real samples from an A/A
    run here): the independent-rounds interval missed 1, the widened one holds it."""
    drifting = [0.876, 0.913, 0.912, 1.111, 1.015, 1.061, 1.052, 1.018, 1.158, 1.188, 1.077,
                1.091, 1.083, 1.083, 1.056]
    narrow = median_interval(drifting)
    wide = median_interval(drifting, autocorrelated=True)
    assert narrow[0] > 1 and wide[0] <= 1 <= wide[1]
    # alternating readings (negative autocorrelation) are not narrowed below the exact interval
    alternating = [1.0 + (-1) ** i * 0.01 * (i % 3 + 1) for i in range(15)]
    assert median_interval(alternating, autocorrelated=True) == median_interval(alternating)


def test_float_ends_on_a_boundary_fall_on_the_documented_side():
    assert decide(SEVENTY, 1.005, 1.01, True, FLOOR) == NO_EFFECT     # row 4, hi on 1 + floor
    assert decide(SEVENTY, 0.99, 0.995, True, FLOOR) == NO_EFFECT     # row 4, lo on 1 - floor
    eighty = Claimed.percent_less(80, text="80% less memory")
    assert decide(eighty, 1000 / 5000, 1000 / 5000, True) == CONFIRMED  # 0.2 as a float


def test_memory_within_a_tenth_of_a_percent_is_no_effect_beyond_it_a_change():
    """248 bytes more of 843 MB (an explicit gc.collect() in the same stages)
    is no effect; 0.2% more is reliably worse; counters keep no floor."""
    floor = noise_floor("memory")
    tenth_less = Claimed.percent_less(10, text="a peak at least 10% lower")
    assert decide(tenth_less, 1.0000003, 1.0000004, True, floor) == NO_EFFECT
    assert decide(tenth_less, 1.002, 1.003, True, floor) == REFUTED
    assert decide(tenth_less, 0.997, 0.998, True, floor) == PARTIAL
    assert decide(tenth_less, 0.998, 0.999, True, floor) == NO_EFFECT   # 0.1% less: the floor
    assert noise_floor("counter") == 0


def test_a_secondary_reading_inside_the_noise_floor_is_no_hidden_cost():
    from optbench.core import text
    from optbench.core.schema import Entry

    def entry(kind, low, high):
        return Entry.from_json({
            "id": "c", "verdict": "confirmed", "workload": {"size": 1, "device": "cpu"},
            "secondary": {"m": {"kind": kind, "unit": "", "values": {"baseline": 1.0,
                                                                  "optimized": high},
                                "ratio": (low + high) / 2, "ci_low": low, "ci_high": high}}})

    assert text.hidden_costs([entry("memory", 1.0000003, 1.0000004)]) == []
    assert text.hidden_costs([entry("time", 1.004, 1.008)]) == []
    assert [c.metric for c in text.hidden_costs([entry("memory", 1.002, 1.003)])] == ["m"]
    assert [c.metric for c in text.hidden_costs([entry("time", 1.02, 1.05)])] == ["m"]


def test_a_claim_that_bounds_a_cost_is_judged_against_its_bound():
    """"At most 5% slower": 1.03 [1.01, 1.04] keeps the bound, [1.06, 1.08]
    breaks it, [1.01, 1.07] cannot say."""
    from optbench.core.verdict import position

    bound = Fraction(105, 100)
    assert position(bound, 1.01, 1.04) == CONFIRMED
    assert position(bound, 0.98, 1.01, TIME_NOISE_FLOOR) == CONFIRMED
    assert position(bound, 1.06, 1.08) == REFUTED
    assert position(bound, 1.01, 1.07) == INCONCLUSIVE
    assert settled(bound, 1.06, 1.08) and settled(bound, 1.01, 1.04)
    assert not settled(bound, 1.01, 1.07)


def test_a_marginal_ratio_cancels_what_both_sizes_pay_once():
    """A run of 1 s setup plus 1 s a unit (baseline) or 0.5 s a unit
    (optimized) whose optimized setup is 0.2 s: the whole-run ratio moves
    with size, the cost of a unit is 0.5 at any two sizes."""
    from optbench.core.stats import marginal_ratio

    def run(units, setup, per_unit, noise):
        return [setup + per_unit * units * (1 + e) for e in noise]

    noise = [0.0, 0.01, -0.01, 0.005, -0.005, 0.002]
    small = (run(2, 1.0, 1.0, noise), run(2, 0.2, 0.5, noise))
    large = (run(8, 1.0, 1.0, noise), run(8, 0.2, 0.5, noise))
    found = marginal_ratio(small, large)
    assert found.ci_low <= 0.5 <= found.ci_high and found.ratio == pytest.approx(0.5, rel=0.02)
    assert found.ci_high - found.ci_low < 0.1
    flat = marginal_ratio((noise, noise), (noise, noise))
    assert math.isnan(flat.ratio)


def test_iqr_over_median_exactly():
    from optbench.core.stats import iqr_over_median

    assert iqr_over_median([1, 2, 3, 4, 5]) == pytest.approx(2 / 3)   # (4 - 2) / 3
    assert iqr_over_median([0, 0, 0]) == 0.0
    assert iqr_over_median([2.0] * 4) == 0.0


@pytest.mark.parametrize("values", [[1, 3, 1, 3, 1, 3], [1, 1, 1, 3, 3, 3, 3], [1.0, 3.0]])
def test_mean_interval_exactly(values):
    """The t-interval of the mean, widened by sqrt((1 + r) / (1 - r)) for the
    lag-1 autocorrelation r clipped to [0, 0.8]."""
    from optbench.core.stats import lag1_autocorrelation, mean_interval

    x = np.asarray(values, dtype=float)
    r = min(max(lag1_autocorrelation(x), 0.0), 0.8)
    half = (scipy_stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
            * math.sqrt((1 + r) / (1 - r)))
    point, low, high = mean_interval(values)
    assert point == pytest.approx(x.mean())
    assert (low, high) == (pytest.approx(x.mean() - half), pytest.approx(x.mean() + half))
    assert mean_interval([2.5]) == (2.5, 2.5, 2.5)
    assert mean_interval([2.5, 2.5, 2.5]) == (2.5, 2.5, 2.5)


def test_an_unpaired_ratio_interval_is_a_bootstrap_of_the_ratio_of_medians():
    rng = np.random.default_rng(3)
    baseline = list(1 + rng.normal(0, 0.05, 40))
    other = list(2 * (1 + rng.normal(0, 0.05, 40)))
    found = ratio_interval(baseline, other, paired=False)
    assert found.ratio == pytest.approx(np.median(other) / np.median(baseline))
    assert found.ci_low < 2 < found.ci_high
    assert 0.01 < found.ci_high - found.ci_low < 0.2      # resampled, not a point
    assert ratio_interval(baseline, other, paired=False) == found   # seeded


def test_a_marginal_ratio_without_noise_is_exact_and_its_interval_a_point():
    from optbench.core.stats import marginal_ratio

    small = ([3.0] * 5, [1.5] * 5)        # setup 1 + 2 units of 1 s; optimized 0.5 s each
    large = ([9.0] * 5, [4.5] * 5)        # ... 8 units
    found = marginal_ratio(small, large)
    assert (found.ratio, found.ci_low, found.ci_high) == (0.5, 0.5, 0.5)
    narrow = marginal_ratio(([3.0, 3.1, 2.9, 3.0], [1.5, 1.6, 1.4, 1.5]),
                            ([9.0, 9.2, 8.8, 9.0], [4.5, 4.6, 4.4, 4.5]), confidence=0.5)
    wide = marginal_ratio(([3.0, 3.1, 2.9, 3.0], [1.5, 1.6, 1.4, 1.5]),
                          ([9.0, 9.2, 8.8, 9.0], [4.5, 4.6, 4.4, 4.5]))
    assert wide.ci_low <= narrow.ci_low <= 0.5 <= narrow.ci_high <= wide.ci_high
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low


# --- the rule's boundaries, each on the side its table says (mutation survivors) ---

@pytest.mark.parametrize("threshold, lo, hi, floor, expected", [
    (Fraction(1), 0.99, 1.01, 0.05, INCONCLUSIVE),     # a cost bound has no noise floor
    (Fraction(21, 20), 1.05, 1.2, 0, INCONCLUSIVE),    # on the bound is not beyond it
    (Fraction(21, 20), 1.06, 1.2, 0, REFUTED),
    (Fraction(1, 2), 1.0, 1.2, 0, NO_EFFECT),          # from exactly 1 up: not slower
    (Fraction(1, 2), 0.5, 0.8, 0, INCONCLUSIVE),       # reaches the claim at its low end
    (Fraction(1, 2), 0.7, 1.0, 0, NO_EFFECT),          # up to exactly 1: not clear of it
    (Fraction(1, 2), 0.5, 1.1, 0, INCONCLUSIVE),
    (Fraction(1, 2), 0.3, math.inf, 0, INCONCLUSIVE),  # an unbounded end
    (Fraction(1, 2), 1.5, math.inf, 0, REFUTED),
])
def test_each_boundary_falls_on_its_documented_side(threshold, lo, hi, floor, expected):
    from optbench.core.verdict import position

    assert position(threshold, lo, hi, floor) == expected


def test_rank_orders_the_verdicts_and_knows_no_others():
    from optbench.core.verdict import ORDER, rank

    assert [rank(v) for v in ORDER] == [0, 1, 2, 3, 4]
    assert rank("not measurable here") is None and rank("made up") is None


# With the run's A/A control the floor is how far identical code read from 1.
@pytest.mark.parametrize("low, high, floor, expected", [
    (1.02, 1.08, 0.05, NO_EFFECT),     # worse, but not beyond what A/A reached
    (1.06, 1.10, 0.05, REFUTED),       # beyond it
    (0.90, 0.96, 0.05, NO_EFFECT),     # a "gain" identical code could show
    (0.80, 0.94, 0.05, PARTIAL),       # a gain clear of it, short of t
    (0.40, 0.69, 0.05, CONFIRMED),
])
def test_the_measured_floor_is_cleared_on_both_sides(low, high, floor, expected):
    assert decide(SEVENTY, low, high, True, floor) == expected


def test_a_claimed_gain_inside_the_noise_is_not_confirmed():
    """"2-3% faster" (t = 0.98): an interval at 0.975 reaches t, but the A/A
    control read 3% either side of 1, so identical code could give it."""
    small = Claimed.percent_less(2, 3, text="2-3% faster")
    assert decide(small, 0.972, 0.975, True, 0.03) == NO_EFFECT
    assert decide(small, 0.955, 0.965, True, 0.03) == CONFIRMED
    assert decide(small, 0.972, 0.975, True, FLOOR) == CONFIRMED
    assert not settled(small.ratio_high, 0.95, 0.975, 0.03)
    assert settled(small.ratio_high, 0.95, 0.965, 0.03)


def test_a_cost_bound_is_refuted_only_beyond_the_floor():
    bound = Claimed("at most 5% slower", Fraction(1), Fraction(21, 20))
    assert decide(bound, 1.06, 1.08, True, 0.02) == INCONCLUSIVE
    assert decide(bound, 1.071, 1.08, True, 0.02) == REFUTED
    assert decide(bound, 0.9, 1.05, True, 0.02) == CONFIRMED
    assert settled(bound.ratio_high, 1.071, 1.08, 0.02)
    assert not settled(bound.ratio_high, 1.06, 1.08, 0.02)


def test_the_floor_grows_with_the_a_a_control_and_never_shrinks():
    assert noise_floor("time", (0.97, 1.02)) == Fraction(3, 100)
    assert noise_floor("time", (0.995, 1.04)) == Fraction(4, 100)
    assert noise_floor("time", (0.999, 1.001)) == TIME_NOISE_FLOOR
    assert noise_floor("time", (math.nan, 1.5)) == TIME_NOISE_FLOOR
    assert noise_floor("time", None) == TIME_NOISE_FLOOR
    assert noise_floor("counter") == 0


def test_a_no_op_is_said_whatever_the_interval_but_never_hides_a_changed_output():
    fact = "prefetch_factor=2 is the default"
    assert decide(SEVENTY, 1.02, 1.11, True, FLOOR, fact) == NO_OP
    assert decide(SEVENTY, 0.40, 0.69, True, FLOOR, fact) == NO_OP
    assert decide(SEVENTY, 0.99, 1.0, False, FLOOR, fact) == REFUTED
    assert decide(SEVENTY, 1.02, 1.11, True, FLOOR, None) == REFUTED
