"""The planted-effect suite: verdicts whose right answer is known in advance."""
import shutil

import pytest

from optbench.calibration import planted, selftest
from optbench.core import verdict
from optbench.core.engine import RunOptions
from optbench.core.schema import Contrast, Entry, VariantSummary


def test_expected_verdicts_are_read_off_the_rule_at_the_true_ratio():
    expected = {p.claim.id: selftest.expected_verdict(p) for p in planted.PLANTED}
    assert expected["planted.aa_python"] == verdict.NO_EFFECT
    assert expected["planted.gain_4x"] == verdict.CONFIRMED        # 0.25 against "2x"
    assert expected["planted.near_reached"] == verdict.CONFIRMED   # 0.45 against "2x"
    assert expected["planted.near_short"] == verdict.PARTIAL       # 0.55 against "2x"
    assert expected["planted.slower"] == verdict.REFUTED
    assert expected["planted.wrong_output"] == verdict.REFUTED     # fast, different answer
    assert expected["planted.exact_counter"] == verdict.CONFIRMED  # exactly on "80% fewer"


def _planted_entry(id, ci_low, ci_high):
    """A planted claim's entry with this interval and the engine's verdict for it."""
    found = verdict.decide(planted.BY_ID[id].claim.claimed_at(1), ci_low, ci_high, True,
                           verdict.TIME_NOISE_FLOOR)
    return Entry(id, found, {"size": 1, "device": "cpu"}, kind="time",
                 contrasts={"optimized": Contrast("optimized", "baseline",
                                                  (ci_low + ci_high) / 2, ci_low, ci_high)})


def test_grades_separate_right_no_call_and_wrong():
    entry = _planted_entry("planted.gain_4x", 0.24, 0.26)
    assert selftest.grade(entry) == {"true_ratio": 0.25, "expected": verdict.CONFIRMED,
                                     "covered": True, "outcome": selftest.RIGHT}
    assert selftest.grade(_planted_entry("planted.gain_4x", 0.27, 0.3))["covered"] is False
    honest = _planted_entry("planted.near_reached", 0.4, 0.52)
    assert honest.verdict == verdict.INCONCLUSIVE
    assert selftest.grade(honest)["outcome"] == selftest.NO_CALL
    false_call = _planted_entry("planted.aa_python", 0.95, 0.98)   # identical code, "a gain"
    assert false_call.verdict == verdict.PARTIAL
    assert selftest.grade(false_call)["outcome"] == selftest.WRONG


def test_planted_verdicts_that_cannot_flip():
    """A different answer is refuted however fast; exact counters and memory
    land exactly; a 4x planted gain against "2x" is never called wrong."""
    ids = ["planted.gain_4x", "planted.wrong_output", "planted.exact_counter",
           "planted.memory_half"]
    document = selftest.run(RunOptions(quick=True), 1, ids)
    got = {e["id"]: e["verdict"] for e in document["entries"]}
    # Exact readings cannot flip; the timed 4x may be left undecided on a
    # busy machine, never called wrongly.
    assert {k: v for k, v in got.items() if k != "planted.gain_4x"} == {
        "planted.wrong_output": verdict.REFUTED,
        "planted.exact_counter": verdict.CONFIRMED,
        "planted.memory_half": verdict.CONFIRMED}
    assert got["planted.gain_4x"] in (verdict.CONFIRMED, verdict.INCONCLUSIVE)
    timed = next(e for e in document["entries"] if e["id"] == "planted.gain_4x")
    assert timed["sampling"]["rounds"] >= 6 and timed["sampling"]["stop"]
    assert document["summary"]["false_calls"]["count"] == 0


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instruction_witness_sees_the_planted_work():
    from optbench.core import instructions

    counted = instructions.count(selftest.MODULE, "planted.gain_4x", "time", [1],
                                 ["baseline", "optimized"], repeats=1)[1]
    assert counted["optimized"] / counted["baseline"] == pytest.approx(0.25, rel=0.02)
    again = instructions.count(selftest.MODULE, "planted.gain_4x", "time", [1],
                               ["baseline"], repeats=1)[1]
    # the count repeats, whatever else the machine does
    assert again["baseline"] == pytest.approx(counted["baseline"], rel=0.001)


def test_witness_skips_sizes_past_its_budget():
    from optbench.core.engine import _affordable

    entries = [Entry("c", verdict.CONFIRMED, {"size": size, "device": "cpu"},
                     variants={"baseline": VariantSummary(seconds),
                               "optimized": VariantSummary(seconds / 2)})
               for size, seconds in ((1_000_000, 1.5), (10_000, 0.015))]
    kept, skipped = _affordable(entries, budget=120)
    assert [e.size for e in kept] == [10_000]
    assert list(skipped) == ["c @ 1000000 cpu"]
    assert "over the witness budget of 120 s" in skipped["c @ 1000000 cpu"]
    # what the smaller sizes spent is said: "56 s, over the budget of 120 s" read as a contradiction
    assert " s left after the smaller sizes)" in skipped["c @ 1000000 cpu"]


def test_the_witness_estimate_counts_setup_and_the_start_of_its_child():
    """A call of 10 ms is cheap to count, but a setup of 30 s (built again in
    the child, under valgrind) is not: the budget is spent before counting."""
    from optbench.core import instructions
    from optbench.core.engine import _affordable, witness_seconds

    def entry(size, setup):
        return Entry("c", verdict.CONFIRMED, {"size": size, "device": "cpu"},
                     variants={"baseline": VariantSummary(0.01),
                               "optimized": VariantSummary(0.005)},
                     sampling={"rounds": 10, "stop": "settled", "setup_seconds": setup})

    cheap, costly = entry(10, 0.1), entry(20, 30.0)
    assert witness_seconds(costly) == pytest.approx(
        instructions.UNCOUNTED_SLOWDOWN * (30.0 + 0.015)
        + instructions.CALLGRIND_SLOWDOWN * instructions.DEFAULT_REPEATS * 0.015)
    kept, skipped = _affordable([costly, cheap], budget=120)
    assert kept == [cheap]
    assert skipped["c @ 20 cpu"].startswith("witness skipped: would take about ")
    # the child's start alone can spend a budget
    kept, skipped = _affordable([cheap], budget=instructions.STARTUP_SECONDS)
    assert kept == [] and list(skipped) == ["c @ 10 cpu"]


def test_a_witness_past_its_budget_is_stopped_and_says_so(monkeypatch):
    import subprocess

    from optbench.core import engine, instructions

    def too_slow(*args, timeout, **kwargs):
        assert timeout == 90
        raise subprocess.TimeoutExpired("valgrind", timeout)

    monkeypatch.setattr(instructions, "count", too_slow)
    monkeypatch.setattr("optbench.core.registry.module_of", lambda claim: planted.__name__)
    claim = next(c for c in planted.CLAIMS if c.primary.kind == "time")
    entry = Entry(claim.id, verdict.CONFIRMED, {"size": 1, "device": "cpu"},
                  variants={"baseline": VariantSummary(0.01), "optimized": VariantSummary(0.01)})
    found = engine._count(claim, [entry], threads=1, budget=90)
    assert found[entry.key]["unavailable"].startswith(
        "witness stopped: it ran past the witness budget of 90 s")
