"""The adaptive sampler's stop rule (engine.stop_rule), on synthetic samples:
it decides when sampling stops, and so the false-call rate. Each sample set
is written round by round (paired: round i of both variants)."""
import pytest

from optbench.core import stats, verdict
from optbench.core.engine import stop_rule
from optbench.core.measure import PRECISE, QUICK_PRIMARY, SETTLED, SamplingPlan

FLOOR = float(verdict.TIME_NOISE_FLOOR)


def _rounds(ratios, base=1.0):
    """Baseline `base` every round, the optimized variant base * ratio."""
    return {"baseline": [base] * len(ratios), "optimized": [base * r for r in ratios]}


def _stop(ratios, threshold=0.9, plan=QUICK_PRIMARY, floor=FLOOR):
    return stop_rule(plan, threshold, floor)(_rounds(ratios))


def test_it_settles_when_the_interval_is_clear_of_the_claim():
    # 0.5 +- 2% every round: far below the claimed 0.9
    ratios = [0.5, 0.51, 0.49, 0.5, 0.52, 0.48, 0.5, 0.51, 0.49, 0.5]
    assert _stop(ratios) == SETTLED


def test_it_settles_when_clear_of_the_claim_and_of_one_above_it():
    # a real gain that falls short of the claim (partial), every round
    ratios = [0.95, 0.96, 0.95, 0.94, 0.95, 0.96, 0.95, 0.94, 0.95, 0.95]
    estimate = stats.ratio_interval([1] * 10, ratios, paired=True)
    assert verdict.position(0.9, estimate.ci_low, estimate.ci_high, FLOOR) == verdict.PARTIAL
    assert _stop(ratios) == SETTLED


def test_it_settles_inside_the_noise_floor():
    ratios = [1.0, 1.001, 0.999, 1.0, 1.002, 0.998, 1.0, 1.001, 0.999, 1.0]
    assert _stop(ratios) == SETTLED


def test_an_interval_that_straddles_the_claim_stops_only_for_precision():
    # around the claimed 0.9 within +-1%: it can never clear it, but it is
    # as narrow as asked (half-width within 5% and within (1 - 0.9) / 2)
    ratios = [0.9, 0.905, 0.895, 0.9, 0.91, 0.89, 0.9, 0.905, 0.895, 0.9]
    assert _stop(ratios) == PRECISE


def test_precision_is_measured_against_the_distance_to_one():
    """For a "2% faster" claim the interval must be narrower than 1%, not 5%:
    a +-3% interval around 0.98 is not precise enough to separate 0.98 from 1."""
    ratios = [0.98, 1.0, 0.96, 0.98, 1.01, 0.95, 0.98, 1.0, 0.96, 0.98]
    assert _stop(ratios, threshold=0.98) is None
    # the same interval is precise for a claim of 0.5
    estimate = stats.ratio_interval([1] * 10, ratios, paired=True)
    assert estimate.relative_width <= stats.WIDE_INTERVAL


def test_a_wide_interval_that_includes_one_and_the_claim_goes_on():
    ratios = [0.7, 1.2, 0.8, 1.1, 0.9, 1.3, 0.75, 1.05, 0.85, 1.15]
    assert _stop(ratios) is None


def test_each_look_is_judged_on_a_stricter_interval():
    """With K looks the settle test uses 1 - 5%/K, not 95%: an interval clear
    of the claim at 95% but not at the stricter level does not settle (it
    may still stop for precision, read at 95%)."""
    ratios = [0.8, 0.5, 0.8, 0.8, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8]
    ordinary = stats.ratio_interval([1] * 10, ratios, paired=True)
    assert ordinary.ci_high <= 0.9                            # settled at 95%
    strict_confidence = 1 - (1 - stats.CONFIDENCE) / len(QUICK_PRIMARY.looks())
    strict = stats.ratio_interval([1] * 10, ratios, paired=True, confidence=strict_confidence)
    assert strict.ci_high > 0.9                               # not at the look's level
    assert _stop(ratios) == PRECISE


def test_one_look_only_uses_the_ordinary_interval():
    """A plan with a single look needs no correction: the same rounds settle."""
    one_look = SamplingPlan(min_rounds=10, max_rounds=10, budget_seconds=60,
                            min_sample_seconds=0)
    assert one_look.looks() == [10]
    ratios = [0.8, 0.5, 0.8, 0.8, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8]
    assert _stop(ratios, plan=one_look) == SETTLED


def test_the_looks_start_at_the_minimum_rounds_and_end_at_the_maximum():
    plan = SamplingPlan(min_rounds=10, max_rounds=200, budget_seconds=6,
                        min_sample_seconds=0.0015)
    looks = plan.looks()
    assert looks[0] == 10 and looks[-1] == 200
    assert looks == sorted(set(looks))
    assert all(b >= a * 1.5 or b == 200 for a, b in zip(looks, looks[1:]))


def test_drifting_rounds_widen_the_interval_and_delay_the_stop():
    """Rounds that drift together (positively autocorrelated) are worth
    fewer independent ones: the same values in a drifting order do not settle
    where shuffled ones do."""
    low, high = [0.86] * 5 + [0.87] * 5, [0.84] * 5 + [0.85] * 5
    alternating = [v for pair in zip(low, high) for v in pair]
    drifting = sorted(alternating)
    assert stats.lag1_autocorrelation(drifting) > 0.5
    wide = stats.ratio_interval([1] * 20, drifting, paired=True)
    narrow = stats.ratio_interval([1] * 20, alternating, paired=True)
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low


@pytest.mark.parametrize("threshold", [None, 1.05])
def test_a_hidden_cost_or_a_cost_bound_settles_once_clear(threshold):
    """No claimed figure (a hidden cost): settled when clear of 1. A bound on
    a cost ("at most 5% slower"): settled when clear of it, above."""
    slower = [1.2, 1.21, 1.19, 1.2, 1.22, 1.18, 1.2, 1.21, 1.19, 1.2]
    assert _stop(slower, threshold=threshold) == SETTLED
    around = [1.0, 1.06, 0.97, 1.04, 1.08, 0.95, 1.02, 1.07, 0.99, 1.03]
    assert _stop(around, threshold=threshold) != SETTLED


# --- measure_metric: how each kind of metric is read, and which plan a run uses -------

def test_the_run_options_pick_their_plan_and_design():
    from optbench.core.engine import RunOptions
    from optbench.core.measure import FULL_PRIMARY, FULL_SECONDARY, QUICK_SECONDARY

    quick, full = RunOptions(quick=True), RunOptions(quick=False)
    assert (quick.sampling(True), quick.sampling(False)) == (QUICK_PRIMARY, QUICK_SECONDARY)
    assert (full.sampling(True), full.sampling(False)) == (FULL_PRIMARY, FULL_SECONDARY)
    assert (quick.design_kind, full.design_kind) == ("screen", "full")
    assert RunOptions(quick=True, design="none").design_kind == "none"

    class Claim:
        quick_design = "none"
        full_design = None
    assert quick.design_for(Claim) == "none"                       # the claim's own, in quick mode
    assert RunOptions(quick=True, design="full").design_for(Claim) == "full"   # asked for wins
    assert full.design_for(Claim) == "full"                        # full mode: the full design
    Claim.full_design = "none"
    assert full.design_for(Claim) == "none"                        # unless the claim names one
    Claim.quick_design = None
    assert quick.design_for(Claim) == "screen"


def test_a_counter_is_read_once_per_variant_exactly():
    from optbench.core.claim import Metric
    from optbench.core.engine import RunOptions, measure_metric

    counter = Metric("n", "counter", "", lambda state: state * 3)
    assert measure_metric(counter, {"baseline": 10, "optimized": 2}, RunOptions(quick=True)) \
        == ({"baseline": 30, "optimized": 6}, None)


def test_memory_is_read_repeatedly_and_a_shared_region_captured_once():
    from optbench.core.claim import Metric
    from optbench.core.engine import RunOptions, measure_metric

    calls = []

    def region(megabytes):
        calls.append(megabytes)
        return bytearray(megabytes * 1_000_000)

    peak = Metric("peak", "memory", "bytes", region)
    kept = Metric("kept", "memory", "bytes", region, memory_stat="retained")
    options, shared = RunOptions(quick=True, memory_repeats=3), {}
    states = {"baseline": 8, "optimized": 2}
    peaks, record = measure_metric(peak, states, options, memory_readings=shared)
    assert record is None and calls == [8, 2] * 3                  # variants alternate
    assert all(len(v) == 3 for v in peaks.values())
    assert min(peaks["baseline"]) >= 8e6 > 3e6 > max(peaks["optimized"])
    retained, _ = measure_metric(kept, states, options, memory_readings=shared)
    assert calls == [8, 2] * 3                                     # the same captures, read again
    # what the region returns is what it keeps: the buffer, read from the same captures
    assert min(retained["baseline"]) >= 8e6 > 3e6 > max(retained["optimized"])


def test_a_timed_metric_is_sampled_in_paired_rounds_and_recorded():
    from optbench.core.claim import Metric
    from optbench.core.engine import RunOptions, measure_metric
    from optbench.core.measure import FEWEST_ROUNDS

    timed = Metric("t", "time", "s", lambda state: sum(range(state)))
    samples, record = measure_metric(timed, {"baseline": 2000, "optimized": 1000},
                                     RunOptions(quick=True), primary=True, threshold=0.5)
    assert len(samples["baseline"]) == len(samples["optimized"]) == record["rounds"]
    assert record["rounds"] >= FEWEST_ROUNDS and record["stop"]
    assert set(record["inner_loops"]) == {"baseline", "optimized", "baseline A/A"}
    assert set(samples) == {"baseline", "optimized"} and "control" in record
    # A system's cells were each run once already: no warm-up, a budget per pair of cells.
    cells = {f"c{i}": 500 for i in range(6)}
    cells["baseline"] = cells["optimized"] = 500
    _, warmed = measure_metric(timed, cells, RunOptions(quick=True), primary=True,
                               threshold=0.5, warmed=True)
    assert warmed["rounds"] >= FEWEST_ROUNDS


def test_precision_is_half_the_distance_to_one_read_on_paired_rounds():
    """t = 0.96: precise means a half-width within 2% (half of 1 - 0.96). The
    rounds straddle 0.96 with a 95% half-width of 1.5%, while the machine's
    speed jumps 0.7x-1.8x between rounds: only paired rounds see that width."""
    ratios = [0.96, 0.945, 0.96, 0.974, 0.96, 0.94, 0.96, 0.98, 0.96, 0.96]
    speeds = [1.0, 1.8, 0.7, 1.3, 0.9, 1.6, 0.75, 1.1, 1.5, 0.8]
    samples = {"baseline": speeds, "optimized": [s * r for s, r in zip(speeds, ratios)]}
    estimate = stats.ratio_interval(samples["baseline"], samples["optimized"], paired=True)
    assert 0.04 / 3 < estimate.relative_width <= 0.02
    assert stop_rule(QUICK_PRIMARY, 0.96, FLOOR)(samples) == PRECISE
