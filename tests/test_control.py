"""The A/A control (the baseline timed against itself in the claimed
metric's rounds) and the "no-op" verdict, through the engine: identical code
is never called different (issue 26)."""
from dataclasses import replace

from optbench import Claim, Claimed, Equivalence, Metric, Workload
from optbench.core import engine, verdict
from optbench.core.engine import CONTROL, stop_rule
from optbench.core.measure import QUICK_PRIMARY, SETTLED
from optbench.core.stats import ratio_interval


def _work(n):
    return sum(i * i for i in range(n))


def _same_twice(case):
    return case.data


IDENTICAL = Claim(
    id="test.identical", source="a test", component="test",
    title="the same function on both sides",
    claimed=Claimed.percent_less(10, text="10% faster"),
    variants={"baseline": _work, "optimized": _work},
    workload=Workload("a sum of squares", lambda n: n, sizes=(2000,), quick_sizes=(2000,)),
    setup=lambda case: case,
    primary=Metric("sum_time", "time", "s", lambda case: case.implementation(case.data)),
    output=lambda case: case.implementation(case.data),
    equivalence=Equivalence.exact("the same sum"),
)


def test_the_control_is_timed_recorded_and_kept_out_of_the_variants():
    entry = engine.measure_case(IDENTICAL, 2000, "cpu", engine.RunOptions(quick=True))
    control = entry.sampling["control"]
    assert control["ci_low"] <= control["ratio"] <= control["ci_high"]
    assert CONTROL in entry.sampling["inner_loops"]
    assert set(entry.variants) == {"baseline", "optimized"}
    assert set(entry.contrasts) == {"optimized"}
    reach = max(1 - control["ci_low"], control["ci_high"] - 1, 0.01)
    assert entry.noise["floor"] == float(verdict.noise_floor("time", (control["ci_low"],
                                                                      control["ci_high"])))
    assert abs(entry.noise["floor"] - reach) < 1e-12
    assert entry.verdict in (verdict.NO_EFFECT, verdict.INCONCLUSIVE)
    assert entry.reason is None


def test_a_no_op_reads_no_op_with_its_fact_in_the_entry_and_the_table():
    from optbench.terminal import verdict_lines
    claim = replace(IDENTICAL, no_op=lambda device: f"the same function on {device}")
    entry = engine.measure_case(claim, 2000, "cpu", engine.RunOptions(quick=True))
    assert entry.verdict == verdict.NO_OP
    assert entry.reason == "the same function on cpu"
    assert entry.ratio is not None       # measured all the same, shown beside it
    lines = [line.plain for line in verdict_lines([entry], width=100)]
    assert any("= no-op" in line for line in lines)
    assert any("no-op: the same function on cpu" in line for line in lines)


def test_a_no_op_fact_that_does_not_hold_here_leaves_the_rule_to_decide():
    claim = replace(IDENTICAL, no_op=lambda device: None)
    entry = engine.measure_case(claim, 2000, "cpu", engine.RunOptions(quick=True))
    assert entry.verdict != verdict.NO_OP and entry.reason is None


def test_a_changed_output_is_refuted_even_where_the_library_says_no_op():
    claim = replace(IDENTICAL, variants={"baseline": _work, "optimized": lambda n: _work(n) + 1},
                    no_op=lambda device: "said to be the same")
    entry = engine.measure_case(claim, 2000, "cpu", engine.RunOptions(quick=True))
    assert entry.verdict == verdict.REFUTED


def _rounds(ratios, control):
    return {"baseline": [1.0] * len(ratios), "optimized": list(ratios), CONTROL: list(control)}


def test_a_slowdown_identical_code_also_shows_reads_no_effect_not_refuted():
    """Every round 4% slower: refuted against a quiet control, but where the
    control read identical code as far as 6% off, the same rounds are
    within the run's noise; sampling goes on (more rounds narrow the
    control's interval, and with it the floor)."""
    slower = [1.04, 1.045, 1.035, 1.04, 1.042, 1.038, 1.04, 1.041, 1.039, 1.04]
    noisy_control = [0.94, 1.06, 0.95, 1.05, 0.96, 1.06, 0.94, 1.05, 0.95, 1.06]
    quiet_control = [1.0, 1.001, 0.999, 1.0, 1.001, 0.999, 1.0, 1.001, 0.999, 1.0]
    rule = stop_rule(QUICK_PRIMARY, 0.9, float(verdict.TIME_NOISE_FLOOR))
    estimate = ratio_interval([1.0] * 10, slower, paired=True)
    for control, expected, stop in ((quiet_control, verdict.REFUTED, SETTLED),
                                    (noisy_control, verdict.NO_EFFECT, None)):
        aa = ratio_interval([1.0] * 10, control, paired=True)
        floor = verdict.noise_floor("time", (aa.ci_low, aa.ci_high))
        assert verdict.position(0.9, estimate.ci_low, estimate.ci_high, floor) == expected
        assert rule(_rounds(slower, control)) == stop


def test_a_noisy_control_keeps_sampling_where_a_quiet_one_would_settle():
    """A 10% gain in every round: partial against a quiet control, but a
    control 12% off either side leaves it inside the noise's reach of 1 and
    of the claim (0.95): not settled."""
    gain = [0.90, 0.91, 0.89, 0.90, 0.905, 0.895, 0.90, 0.91, 0.89, 0.90]
    noisy = [0.88, 1.12, 0.89, 1.11, 0.88, 1.12, 0.89, 1.11, 0.88, 1.12]
    quiet = [1.0, 1.001, 0.999, 1.0, 1.001, 0.999, 1.0, 1.001, 0.999, 1.0]
    rule = stop_rule(QUICK_PRIMARY, 0.85, float(verdict.TIME_NOISE_FLOOR))
    assert rule(_rounds(gain, quiet)) == SETTLED
    assert rule(_rounds(gain, noisy)) is None
