"""The planted-effect suite: verdicts whose right answer is known in advance."""
import shutil

import pytest

from optbench.calibration import planted, selftest
from optbench.core import verdict
from optbench.core.engine import RunOptions


def test_expected_verdicts_are_read_off_the_rule_at_the_true_ratio():
    expected = {p.claim.id: selftest.expected_verdict(p) for p in planted.PLANTED}
    assert expected["planted.aa_python"] == verdict.NO_EFFECT
    assert expected["planted.gain_4x"] == verdict.CONFIRMED        # 0.25 against "2x"
    assert expected["planted.near_reached"] == verdict.CONFIRMED   # 0.45 against "2x"
    assert expected["planted.near_short"] == verdict.PARTIAL       # 0.55 against "2x"
    assert expected["planted.slower"] == verdict.REFUTED
    assert expected["planted.wrong_output"] == verdict.REFUTED     # fast, different answer
    assert expected["planted.exact_counter"] == verdict.CONFIRMED  # exactly on "80% fewer"


def test_grades_separate_right_no_call_and_wrong():
    entry = {"id": "planted.gain_4x", "kind": "time", "ci_low": 0.24, "ci_high": 0.26,
             "verdict": verdict.CONFIRMED}
    assert selftest.grade(entry) == {"true_ratio": 0.25, "expected": verdict.CONFIRMED,
                                     "covered": True, "outcome": selftest.RIGHT}
    missed = {**entry, "ci_low": 0.27, "ci_high": 0.3}
    assert selftest.grade(missed)["covered"] is False
    honest = {**entry, "id": "planted.near_reached", "ci_low": 0.4, "ci_high": 0.52,
              "verdict": verdict.INCONCLUSIVE}
    assert selftest.grade(honest)["outcome"] == selftest.NO_CALL
    false_call = {**entry, "id": "planted.aa_python", "ci_low": 0.95, "ci_high": 0.98,
                  "verdict": verdict.PARTIAL}
    assert selftest.grade(false_call)["outcome"] == selftest.WRONG


def test_planted_verdicts_that_cannot_flip():
    """A 4x planted gain against "2x" is confirmed; a different answer is
    refuted however fast; exact counters and memory land exactly."""
    ids = ["planted.gain_4x", "planted.wrong_output", "planted.exact_counter",
           "planted.memory_half"]
    document = selftest.run(RunOptions(quick=True), 1, ids)
    got = {e["id"]: e["verdict"] for e in document["entries"]}
    assert got == {"planted.gain_4x": verdict.CONFIRMED,
                   "planted.wrong_output": verdict.REFUTED,
                   "planted.exact_counter": verdict.CONFIRMED,
                   "planted.memory_half": verdict.CONFIRMED}
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

    entries = [{"workload": {"size": size}, "baseline": {"median": seconds},
                "optimized": {"median": seconds / 2}}
               for size, seconds in ((1_000_000, 1.5), (10_000, 0.015))]
    kept = _affordable(entries, budget=120)
    assert [e["workload"]["size"] for e in kept] == [10_000]
    assert "over the witness budget of 120 s" in entries[0]["instructions"]["unavailable"]
