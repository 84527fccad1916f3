"""Laws of the core, checked on generated inputs (hypothesis): where a rule
must hold for every input, not only for the hand-picked ones of the unit
tests. Each law is stated in its test's docstring."""
import copy
import json
import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from optbench.core import gate, results, stats, verdict
from optbench.core.claim import Claimed, ratio
from optbench.core.schema import Results

# The laws are cheap: enough examples to find an edge, few enough for CI;
# under mutation testing (mutmut sets MUTANT_UNDER_TEST), asked once per
# mutant, fewer.
LAWS = settings(max_examples=40 if os.environ.get("MUTANT_UNDER_TEST") else 200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

positive = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False, allow_infinity=False)
samples = st.lists(positive, min_size=1, max_size=60)
ratios = st.floats(min_value=0.01, max_value=3.0, allow_nan=False)
# A claimed gain (t < 1), or a bound on a cost ("at most 5% slower": t >= 1).
gains = st.floats(min_value=0.05, max_value=0.999)
thresholds = gains | st.floats(min_value=1.0, max_value=1.5)
floors = st.sampled_from([0.0, float(verdict.TIME_NOISE_FLOOR),
                          float(verdict.MEMORY_NOISE_FLOOR)])
DECISIVE = (verdict.CONFIRMED, verdict.PARTIAL, verdict.NO_EFFECT, verdict.REFUTED)


# --- intervals -------------------------------------------------------------------

@LAWS
@given(samples)
def test_a_median_interval_holds_the_median(values):
    """[low, high] of median_interval contains the sample median, and its
    ends are readings of the sample, whatever the sample."""
    low, high = stats.median_interval(values)
    assert low <= float(np.median(values)) <= high
    assert low in values and high in values


@LAWS
@given(samples)
def test_the_autocorrelation_correction_only_widens(values):
    low, high = stats.median_interval(values)
    wide_low, wide_high = stats.median_interval(values, autocorrelated=True)
    assert wide_low <= low and high <= wide_high


@LAWS
@given(st.lists(st.tuples(positive, positive), min_size=1, max_size=60), st.booleans())
def test_a_ratio_interval_holds_its_estimate(pairs, paired):
    """ci_low <= ratio <= ci_high, paired (per-round ratios) or not (ratio of
    medians, bootstrapped)."""
    baseline, other = [p[0] for p in pairs], [p[1] for p in pairs]
    estimate = stats.ratio_interval(baseline, other, paired=paired)
    assert estimate.ci_low <= estimate.ratio <= estimate.ci_high
    if paired:
        assert estimate.ratio == pytest.approx(float(np.median(np.array(other)
                                                               / np.array(baseline))))


@LAWS
@given(st.lists(positive, min_size=2, max_size=60), st.floats(min_value=0.1, max_value=10))
def test_scaling_one_side_scales_the_paired_ratio_and_its_interval(baseline, factor):
    """A variant exactly `factor` times the baseline in every round reads
    exactly `factor`, with a zero-width interval: no noise, no width."""
    estimate = stats.ratio_interval(baseline, [b * factor for b in baseline], paired=True)
    assert estimate.ratio == pytest.approx(factor)
    assert estimate.ci_low == pytest.approx(factor) and estimate.ci_high == pytest.approx(factor)


@LAWS
@given(st.lists(st.floats(min_value=-5, max_value=5, allow_nan=False), min_size=1, max_size=60))
@example(values=[0.0, 0.0, 0.0, 4.384937110616307e-272])   # found here: deviations underflow
def test_a_mean_interval_holds_the_mean(values):
    point, low, high = stats.mean_interval(values)
    assert low <= point <= high
    assert point == pytest.approx(float(np.mean(values)))


# --- the verdict rule ------------------------------------------------------------

def _interval(lo, width):
    return lo, lo + width


@LAWS
@given(thresholds, ratios, st.floats(min_value=0, max_value=0.5), floors,
       st.floats(min_value=0.0001, max_value=1.0))
def test_a_worse_ratio_never_improves_a_decisive_verdict(t, lo, width, floor, shift):
    """Moving the whole interval up (the optimized variant slower or
    bigger) never turns a decisive verdict into a better one:
    confirmed > partial > no effect > refuted. (Inconclusive is no rank: it
    says the data cannot decide, and a move can make it decidable either way.)"""
    before = verdict.position(t, *_interval(lo, width), floor)
    after = verdict.position(t, *_interval(lo + shift, width), floor)
    if before in DECISIVE and after in DECISIVE:
        assert DECISIVE.index(after) >= DECISIVE.index(before), (before, after)


@LAWS
@given(thresholds, st.lists(ratios, min_size=2, max_size=20))
def test_an_exact_readings_verdict_only_worsens_as_its_ratio_grows(t, points):
    """A zero-width interval with an exact counter's floor (none) is never
    inconclusive, and its verdict's rank rises with the ratio."""
    floor = verdict.noise_floor("count")
    ranks = []
    for r in sorted(points):
        v = verdict.position(t, r, r, floor)
        assert v in DECISIVE
        ranks.append(DECISIVE.index(v))
    assert ranks == sorted(ranks)


@LAWS
@given(gains, st.lists(ratios, min_size=2, max_size=20), floors)
def test_a_point_reading_of_a_gain_is_decisive_under_any_floor(t, points, floor):
    """Against a claimed gain (t < 1) even a floor leaves a point reading
    decisive, ranked by its ratio. (Against a cost bound a floor opens a
    band above t that noise could explain: there a point reads
    inconclusive, which is why counters carry no floor.)"""
    ranks = []
    for r in sorted(points):
        v = verdict.position(t, r, r, floor)
        assert v in DECISIVE
        ranks.append(DECISIVE.index(v))
    assert ranks == sorted(ranks)


@LAWS
@given(thresholds, ratios, st.floats(min_value=0, max_value=0.5), floors)
def test_settled_intervals_read_decisively_or_confirmed(t, lo, width, floor):
    """The stop rule's 'settled' means more rounds could not change the
    verdict's meaning: a settled interval is never inconclusive."""
    hi = lo + width
    if verdict.settled(t, lo, hi, floor):
        assert verdict.position(t, lo, hi, floor) != verdict.INCONCLUSIVE


@LAWS
@given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=0, max_value=10_000),
       st.sampled_from([2, 4, 5, 10, 100]))
@example(baseline=100, optimized=10, k=10)
@example(baseline=100, optimized=11, k=10)
@example(baseline=50, optimized=10, k=5)
def test_exact_counters_land_on_the_claimed_boundary_exactly(baseline, optimized, k):
    """'kx fewer' is reached exactly when optimized * k <= baseline: a
    count that lands on the boundary (100 -> 10 against 10x) is confirmed,
    one past it is not, with no float rounding in between."""
    claimed = Claimed.times_fewer(k, text=f"{k}x fewer")
    r = ratio(optimized, baseline)
    assert isinstance(r, Fraction)
    got = verdict.decide(claimed, r, r, equivalent=True)
    assert (got == verdict.CONFIRMED) == (optimized * k <= baseline)


@LAWS
@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=10_000),
       st.integers(min_value=0, max_value=10_000))
def test_percent_claims_are_exact_too(percent, baseline, optimized):
    """'p% fewer' is reached exactly when optimized <= baseline * (1 - p/100)."""
    claimed = Claimed.percent_less(percent, text=f"{percent}% fewer")
    r = ratio(optimized, baseline)
    got = verdict.decide(claimed, r, r, equivalent=True)
    assert (got == verdict.CONFIRMED) == (100 * optimized <= baseline * (100 - percent))


@LAWS
@given(thresholds, ratios, st.floats(min_value=0, max_value=0.5), floors)
def test_a_changed_output_is_refuted_wherever_the_interval_lies(t, lo, width, floor):
    claimed = Claimed(text="t", ratio_low=Fraction(0), ratio_high=Fraction(str(t)))
    assert verdict.decide(claimed, lo, lo + width, equivalent=False, floor=floor) == \
        verdict.REFUTED


# --- the gate and the results file -----------------------------------------------

CLAIMED = Claimed(text="half the cost", ratio_low=Fraction(0), ratio_high=Fraction(1, 2))


def _decided(kind, lo, hi, equivalent):
    """The verdict the engine gives these figures (never one written by hand)."""
    return verdict.decide(CLAIMED, lo, hi, equivalent, float(verdict.noise_floor(kind)))


@st.composite
def entries(draw, index, kinds=("time", "counter", "memory")):
    kind = draw(st.sampled_from(kinds))
    base = draw(st.integers(min_value=1, max_value=10_000))
    opt = draw(st.integers(min_value=0, max_value=10_000))
    r = opt / base
    lo, hi = (r, r) if kind != "time" else (r * draw(st.floats(0.8, 1.0)),
                                           r * draw(st.floats(1.0, 1.2)))
    equivalent = draw(st.sampled_from([True, False, "declared change: x"]))
    secondary = {"opens": {"kind": "counter", "unit": "opens",
                           "values": {"baseline": draw(st.integers(0, 100)),
                                      "optimized": draw(st.integers(0, 100))}},
                 "what": {"kind": "value", "values": {"baseline": draw(st.text(max_size=8)),
                                                      "optimized": draw(st.booleans())}}}
    return {"id": f"claim.{index}", "revision": draw(st.integers(1, 3)), "kind": kind,
            "metric": "m", "verdict": _decided(kind, lo, hi, equivalent),
            "claimed": {**CLAIMED.as_dict(), "text": CLAIMED.text},
            "workload": {"name": "w", "size": draw(st.integers(1, 10**6)),
                         "size_unit": "items", "device": draw(st.sampled_from(["cpu", "cuda"]))},
            "variants": {"baseline": {"median": base, "n": 1, "samples": [base]},
                         "optimized": {"median": opt, "n": 1, "samples": [opt]}},
            "contrasts": {"optimized": {"of": "optimized", "against": "baseline",
                                        "ratio": r, "ci_low": lo, "ci_high": hi}},
            "equivalent": equivalent,
            "secondary": secondary,
            "notes": draw(st.text(max_size=30))}


@st.composite
def documents(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    claims = [draw(entries(i)) for i in range(count)]
    return {"schema_version": 4, "tool": {"name": "optbench", "version": "0"},
            "environment": {"cpu_model": draw(st.text(max_size=10)), "cores": 2},
            "run": {"quick": draw(st.booleans())}, "claims": claims}


@LAWS
@given(documents())
def test_the_gate_never_fails_a_run_identical_to_its_previous_one(doc):
    outcome = gate.judge(Results.from_json(doc), Results.from_json(copy.deepcopy(doc)))
    assert outcome.passed and outcome.regressions == []
    assert outcome.within_noise == [] and outcome.warnings == []


@LAWS
@given(documents(), st.data())
def test_the_gate_always_fails_a_counter_that_grew(doc, data):
    """Any variant's exact counter, primary or secondary, grown: a regression
    whatever else the entry says."""
    current = copy.deepcopy(doc)
    entry = data.draw(st.sampled_from(current["claims"]))
    variant = data.draw(st.sampled_from(["baseline", "optimized"]))
    if data.draw(st.booleans()) and entry["kind"] == "counter":
        entry["variants"][variant]["median"] += data.draw(st.integers(1, 50))
        grown = "m"
    else:
        entry["secondary"]["opens"]["values"][variant] += data.draw(st.integers(1, 50))
        grown = "opens"
    outcome = gate.judge(Results.from_json(doc), Results.from_json(current))
    key = f"{entry['id']} @ {entry['workload']['size']} {entry['workload']['device']}"
    assert not outcome.passed
    assert any(r.key == key and r.what.startswith(f"{grown} ({variant}) grew")
               for r in outcome.regressions), outcome.regressions


@settings(LAWS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(documents(), entries(99, kinds=("time",)), st.data())
def test_a_better_timed_verdict_never_fails_the_gate(doc, timed, data):
    """A timing whose interval moved down (faster), the verdict the engine
    gives the new interval better than before, nothing else changed: passes."""
    doc["claims"].append(timed)
    current = copy.deepcopy(doc)
    entry = current["claims"][-1]
    k = data.draw(st.floats(min_value=0.001, max_value=0.99))
    contrast = entry["contrasts"]["optimized"]
    contrast.update(ratio=contrast["ratio"] * k, ci_low=contrast["ci_low"] * k,
                    ci_high=contrast["ci_high"] * k)
    before = entry["verdict"]
    entry["verdict"] = _decided("time", contrast["ci_low"], contrast["ci_high"],
                                entry["equivalent"])
    assume(gate.rank(entry["verdict"]) < gate.rank(before))
    outcome = gate.judge(Results.from_json(doc), Results.from_json(current))
    assert outcome.passed, outcome.regressions


@LAWS
@given(documents(), st.data())
def test_a_worse_exact_verdict_always_fails_the_gate(doc, data):
    """A counter whose optimized figure grew, or a memory reading that grew
    beyond the gate's tolerance, its verdict the engine's for the new
    figure: fails, on the verdict too when it moved."""
    current = copy.deepcopy(doc)
    exact_entries = [e for e in current["claims"] if e["kind"] != "time"]
    assume(exact_entries)
    entry = data.draw(st.sampled_from(exact_entries))
    base, opt = entry["variants"]["baseline"]["median"], entry["variants"]["optimized"]["median"]
    # memory within its tolerance (2%) is no change; beyond it, is
    least = 1 if entry["kind"] == "counter" else int(opt * 1.03) - opt + 1
    opt += data.draw(st.integers(least, least + 10_000))
    r = opt / base
    entry["variants"]["optimized"]["median"] = opt
    entry["contrasts"]["optimized"].update(ratio=r, ci_low=r, ci_high=r)
    before, entry["verdict"] = entry["verdict"], _decided(entry["kind"], r, r,
                                                          entry["equivalent"])
    outcome = gate.judge(Results.from_json(doc), Results.from_json(current))
    assert not outcome.passed
    if gate.rank(entry["verdict"]) > gate.rank(before):
        assert any(f.what.startswith(f"verdict {before} -> {entry['verdict']}")
                   for f in outcome.regressions)


@LAWS
@given(doc=documents())
def test_a_results_file_survives_a_round_trip(tmp_path_factory, doc):
    """Results -> JSON -> file -> Results gives the same objects, and the
    JSON it writes back is the JSON it read."""
    path = tmp_path_factory.mktemp("round") / "results.json"
    first = Results.from_json(doc)
    results.save(first, path)
    again = results.load(path)
    assert again == first
    assert again.to_json() == first.to_json()
    assert json.loads(path.read_text()) == first.to_json()
