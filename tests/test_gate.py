"""The regression gate, one hand-made PREVIOUS per kind of regression."""
import copy
from dataclasses import replace

import pytest

from fractions import Fraction

from optbench.core import gate, verdict
from optbench.core.schema import Results


# The fixtures' claimed ratios (their "exact" ranges' tops); every verdict
# below is the engine's for its figures, never one written by hand.
TIMED_CLAIM, COUNTER_CLAIM, MEMORY_CLAIM = Fraction(49, 50), Fraction(1, 8), Fraction(7, 10)


def _timed_verdict(lo, hi):
    return verdict.position(TIMED_CLAIM, lo, hi, verdict.TIME_NOISE_FLOOR)


def _timed(ratio=0.5, lo=0.48, hi=0.52):
    return {"id": "predictor.enumerate_zip", "revision": 1, "kind": "time",
            "metric": "format_time", "verdict": _timed_verdict(lo, hi),
            "claimed": {"exact": "0 .. 49/50"},
            "workload": {"size": 1000, "device": "cpu"},
            "baseline": {"median": 1.0}, "optimized": {"median": ratio}, "best": {"median": 0.4},
            "ratio": ratio, "ci_low": lo, "ci_high": hi,
            "best_ratio": 0.4, "best_ci_low": 0.39, "best_ci_high": 0.41,
            "equivalent": True, "equivalence": {"per_variant": {"optimized": True, "best": True}},
            "secondary": {}}


def _counter():
    return {"id": "logger.buffered", "revision": 1, "kind": "counter",
            "metric": "write_syscalls", "verdict": verdict.position(COUNTER_CLAIM, 0.1, 0.1),
            "claimed": {"exact": "1/10 .. 1/8"},
            "workload": {"size": 1000, "device": "cpu"},
            "baseline": {"median": 1000}, "optimized": {"median": 100}, "best": {"median": 1},
            "ratio": 0.1, "ci_low": 0.1, "ci_high": 0.1,
            "equivalent": True, "equivalence": {"per_variant": {"optimized": True, "best": True}},
            "secondary": {
                "file_opens": {"kind": "counter", "values": {"baseline": 1000, "optimized": 100,
                                                             "best": 2}},
                "caller_dict_mutated": {"kind": "value", "values": {"baseline": True,
                                                                    "optimized": False}},
                "peak_bytes": {"kind": "memory", "values": {"baseline": 1e6, "optimized": 2e6}},
            }}


def _memory():
    return {"id": "dataset.indexed_frame", "revision": 1, "kind": "memory",
            "metric": "node_store_bytes",
            "verdict": verdict.position(MEMORY_CLAIM, 0.2, 0.2, verdict.MEMORY_NOISE_FLOOR),
            "claimed": {"exact": "1/2 .. 7/10"},
            "workload": {"size": 10000, "device": "cpu"},
            "baseline": {"median": 5e6}, "optimized": {"median": 1e6},
            "ratio": 0.2, "ci_low": 0.2, "ci_high": 0.2,
            "equivalent": True, "equivalence": {"per_variant": {"optimized": True}},
            "secondary": {}}


def _doc(*entries, quick=True):
    return {"schema_version": 1, "run": {"quick": quick},
            "environment": {"cpu_model": "AMD EPYC", "torch": "2.15.0"},
            "claims": [copy.deepcopy(e) for e in entries]}


PREVIOUS = _doc(_timed(), _counter(), _memory())


def _judge(previous, current, remeasure=None, allow=()):
    return gate.judge(Results.from_json(previous), Results.from_json(current), remeasure, allow)


def _worse(current, remeasure=None, allow=()):
    outcome = _judge(PREVIOUS, current, remeasure, allow)
    assert all(r.worse for r in outcome.regressions)  # what fails is marked worse
    return [f"{r.key}: {r.what}" for r in outcome.regressions], outcome


def _current(**changes):
    """PREVIOUS with one entry edited: changes maps entry index -> edit function."""
    doc = copy.deepcopy(PREVIOUS)
    for index, edit in changes.items():
        edit(doc["claims"][int(index[1:])])
    return doc


def test_identical_runs_pass():
    failed, outcome = _worse(copy.deepcopy(PREVIOUS))
    assert failed == [] and outcome.within_noise == [] and outcome.warnings == []


def test_no_entry_in_common_fails():
    other = _doc({**_counter(), "id": "something.else"})
    failed, _ = _worse(other, allow=("missing",))
    assert failed == ["(all): no entry in common with PREVIOUS: nothing was compared"]


def test_a_missing_entry_fails_unless_allowed():
    current = _doc(_timed(), _counter())
    failed, _ = _worse(current)
    assert failed == ["dataset.indexed_frame @ 10000 cpu: missing from this run (present in "
                      "PREVIOUS)"]
    assert _worse(current, allow=("missing",))[0] == []


def test_an_exact_verdict_that_got_worse_fails():
    """200 writes where there were 100, against "~8-10x fewer": the engine's
    verdict for 0.2 is partial, and both the verdict and the counter fail."""
    def worse(e):
        e["optimized"] = {"median": 200}
        e.update(ratio=0.2, ci_low=0.2, ci_high=0.2,
                 verdict=verdict.position(Fraction(1, 8), 0.2, 0.2))
    failed, _ = _worse(_current(e1=worse))
    assert failed == ["logger.buffered @ 1000 cpu: verdict confirmed -> partial",
                      "logger.buffered @ 1000 cpu: write_syscalls (optimized) grew: 100 -> 200"]


def test_an_exact_verdict_that_got_better_is_no_regression_its_moved_counter_is():
    """partial -> confirmed is not a failure; a counter that moved at all is
    (README: it means the workload or the code changed), and only that is named."""
    def better(e):
        e["optimized"] = {"median": 100}
        e["baseline"] = {"median": 1000}
        e.update(verdict=verdict.position(Fraction(1, 8), 0.1, 0.1))
    previous = _current(e1=lambda e: e.update(verdict=verdict.position(Fraction(1, 8), 0.2,
                                                                      0.2), ratio=0.2,
                                              ci_low=0.2, ci_high=0.2,
                                              optimized={"median": 200}))
    outcome = _judge(previous, _current(e1=better))
    assert [r.what for r in outcome.regressions] == [
        "write_syscalls (optimized) changed: 200 -> 100"]


@pytest.mark.parametrize("verdict, reason", [("not measurable here", "needs CUDA"),
                                             ("error", "ValueError: boom [claims.py:12]")])
def test_a_case_that_no_longer_ran_fails_without_a_remeasure(verdict, reason):
    def remeasure(_):
        raise AssertionError("nothing to re-measure")

    failed, _ = _worse(_current(e0=lambda e: e.update(verdict=verdict, reason=reason)), remeasure)
    assert failed == [f"predictor.enumerate_zip @ 1000 cpu: verdict confirmed -> {verdict} "
                      f"({reason})"]


def test_a_timed_verdict_flip_with_overlapping_intervals_is_noise():
    """The val_accumulate case: confirmed -> inconclusive on unchanged code."""
    flip = _current(e0=lambda e: e.update(verdict=_timed_verdict(0.47, 1.2), ratio=0.51,
                                          ci_low=0.47, ci_high=1.2))
    failed, outcome = _worse(flip)
    assert failed == []
    assert outcome.within_noise == [
        "predictor.enumerate_zip @ 1000 cpu: verdict confirmed -> inconclusive, but the ratio "
        "did not move beyond the old interval by more than 10% ([0.48, 0.52] -> [0.47, 1.2])"]


def test_a_ratio_nine_times_worse_with_the_same_verdict_fails_when_it_reproduces():
    slower = _current(e0=lambda e: e.update(ratio=0.9, ci_low=0.89, ci_high=0.91,
                                            verdict=_timed_verdict(0.89, 0.91)))
    asked = []

    def remeasure(entry):
        asked.append(entry.key)
        return entry.with_contrast("optimized", ci_low=0.88, ci_high=0.93)

    failed, _ = _worse(slower, remeasure)
    assert asked == ["predictor.enumerate_zip @ 1000 cpu"]
    assert failed == ["predictor.enumerate_zip @ 1000 cpu: optimized ratio significantly worse: "
                      "[0.48, 0.52] -> [0.89, 0.91]; reproduced on a re-measure: [0.88, 0.93]"]


def test_a_shift_within_the_between_process_tolerance_is_not_even_re_measured():
    """[0.48, 0.52] -> [0.55, 0.57]: disjoint, but by less than 10% of the
    old top, the process-to-process variation the A/A runs showed."""
    def remeasure(_):
        raise AssertionError("not a candidate")
    failed, outcome = _worse(_current(e0=lambda e: e.update(ratio=0.56, ci_low=0.55,
                                                            ci_high=0.57)), remeasure)
    assert failed == [] and outcome.within_noise == []


def test_a_slower_run_that_a_remeasure_does_not_reproduce_passes_with_a_note():
    slower = _current(e0=lambda e: e.update(ratio=0.63, ci_low=0.6, ci_high=0.66))
    failed, outcome = _worse(slower, lambda entry: entry.with_contrast("optimized", ci_low=0.49, ci_high=0.53))
    assert failed == []
    assert outcome.within_noise == [
        "predictor.enumerate_zip @ 1000 cpu: optimized ratio significantly worse: [0.48, 0.52] "
        "-> [0.6, 0.66], not reproduced (re-measured [0.49, 0.53])"]


def test_memory_tripled_but_still_confirmed_fails():
    failed, _ = _worse(_current(e2=lambda e: e.update(ratio=0.6, ci_low=0.6, ci_high=0.6,
                                                      optimized={"median": 3e6})))
    assert failed == ["dataset.indexed_frame @ 10000 cpu: optimized memory ratio 0.2 -> 0.6",
                      "dataset.indexed_frame @ 10000 cpu: node_store_bytes (optimized) grew: "
                      "1,000,000 -> 3,000,000 bytes"]


def test_a_secondary_memory_reading_that_grew_fails():
    def grow(e):
        e["secondary"]["peak_bytes"]["values"]["optimized"] = 6e6
    failed, _ = _worse(_current(e1=grow))
    assert failed == ["logger.buffered @ 1000 cpu: peak_bytes (optimized) grew: "
                      "2,000,000 -> 6,000,000 bytes"]


def test_a_value_metric_that_flipped_fails():
    def mutate(e):
        e["secondary"]["caller_dict_mutated"]["values"]["optimized"] = True
    failed, _ = _worse(_current(e1=mutate))
    assert failed == ["logger.buffered @ 1000 cpu: caller_dict_mutated (optimized) changed: "
                      "False -> True"]


def test_the_best_variants_counter_counts_too():
    def more_opens(e):
        e["secondary"]["file_opens"]["values"]["best"] = 50
    failed, _ = _worse(_current(e1=more_opens))
    assert failed == ["logger.buffered @ 1000 cpu: file_opens (best) grew: 2 -> 50"]


def test_a_counter_that_changed_for_the_better_still_fails():
    """An exact counter that moves at all means the workload or the code
    changed: the previous file is no longer the baseline to trust."""
    failed, _ = _worse(_current(e1=lambda e: e.update(baseline={"median": 900})))
    assert failed == ["logger.buffered @ 1000 cpu: write_syscalls (baseline) changed: "
                      "1000 -> 900"]


def test_an_equivalence_that_flipped_fails():
    def differ(e):
        e["equivalence"]["per_variant"]["best"] = False
    failed, _ = _worse(_current(e0=differ))
    assert failed == ["predictor.enumerate_zip @ 1000 cpu: equivalence (best) True -> False"]


def test_runs_of_different_modes_are_not_compared_unless_allowed():
    full = copy.deepcopy(PREVIOUS)
    full["run"]["quick"] = False
    with pytest.raises(gate.NotComparable, match="PREVIOUS is a quick run, this one full"):
        _judge(PREVIOUS, full)
    assert _judge(PREVIOUS, full, allow=("mode",)).passed


@pytest.mark.parametrize("edit, allow, message", [
    (lambda e: e.update(revision=2), "revision", "claim revision 1 -> 2"),
    (lambda e: e.update(claimed={"exact": "0 .. 1/2"}), "claimed",
     "claimed range 0 .. 49/50 -> 0 .. 1/2"),
])
def test_a_changed_claim_definition_is_not_compared_unless_allowed(edit, allow, message):
    current = _current(e0=edit)
    with pytest.raises(gate.NotComparable, match=message):
        _judge(PREVIOUS, current)
    assert _judge(PREVIOUS, current, allow=(allow,)).passed


def test_environment_differences_are_warnings():
    current = copy.deepcopy(PREVIOUS)
    current["environment"]["torch"] = "2.16.0"
    outcome = _judge(PREVIOUS, current)
    assert outcome.passed
    assert outcome.warnings == ["environment differs: torch: 2.15.0 -> 2.16.0"]


def test_the_re_measure_must_reproduce_the_same_ratio_that_got_worse():
    """best got slower; a re-measure where only best is still slow fails the
    gate and quotes best's interval, one where it is not passes."""
    slower_best = _current(e0=lambda e: e.update(best_ci_low=0.6, best_ci_high=0.64))
    failed, _ = _worse(slower_best, lambda e: e.with_contrast("best", ci_low=0.61, ci_high=0.66))
    assert failed == ["predictor.enumerate_zip @ 1000 cpu: best ratio significantly worse: "
                      "[0.39, 0.41] -> [0.6, 0.64]; reproduced on a re-measure: [0.61, 0.66]"]
    # The re-measure shows the optimized slower instead: not the same regression.
    failed, outcome = _worse(slower_best, lambda e: e.with_contrast(
        "optimized", ci_low=0.9, ci_high=0.95).with_contrast("best", ci_low=0.38, ci_high=0.42))
    assert failed == []
    assert outcome.within_noise == [
        "predictor.enumerate_zip @ 1000 cpu: best ratio significantly worse: [0.39, 0.41] -> "
        "[0.6, 0.64], not reproduced (re-measured [0.38, 0.42])"]


def test_a_re_measure_runs_one_case_in_a_process_of_its_own(tmp_path):
    """The case's setup runs in a child, never in the gate's process, and
    only at the one size asked for; the entry's verdict is the engine's."""
    import os
    from fractions import Fraction

    from optbench import Claim, Claimed, Equivalence, Metric, Workload
    from optbench.core import engine, verdict

    pids = tmp_path / "pids"

    def setup(case):
        with open(pids, "a") as f:
            f.write(f"{os.getpid()} {case.size}\n")
        return 10 if case.variant == "baseline" else 2

    claim = Claim(id="remeasured.count", source="tests", component="tests", title="a count",
                  claimed=Claimed.percent_less(50, text="50% fewer"),
                  variants={"baseline": 1, "optimized": 2},
                  workload=Workload("nothing", lambda size: None, sizes=(1, 5),
                                    quick_sizes=(1, 5)),
                  setup=setup, primary=Metric("count", "counter", "", lambda state: state),
                  output=lambda case: 0, equivalence=Equivalence.exact("same"))
    entry = engine.remeasure(claim, 5, "cpu", engine.RunOptions(quick=True))
    seen = [line.split() for line in pids.read_text().splitlines()]
    assert seen and all(int(pid) != os.getpid() and size == "5" for pid, size in seen)
    assert (entry.id, entry.size, entry.ratio) == ("remeasured.count", 5, 0.2)
    assert entry.verdict == verdict.position(Fraction(1, 2), entry.ci_low, entry.ci_high) == \
        verdict.CONFIRMED


def test_a_re_measure_that_fails_does_not_let_the_regression_pass():
    slower = _current(e0=lambda e: e.update(ratio=0.9, ci_low=0.89, ci_high=0.91))
    failed, _ = _worse(slower, lambda e: replace(e, verdict="error", reason="killed by SIGKILL",
                                                 contrasts={}))
    assert failed == ["predictor.enumerate_zip @ 1000 cpu: optimized ratio significantly worse: "
                      "[0.48, 0.52] -> [0.89, 0.91]; the re-measure failed: killed by SIGKILL"]


def test_an_empty_or_incomplete_previous_is_said():
    empty = _doc()
    outcome = _judge(empty, PREVIOUS)
    assert [r.what for r in outcome.regressions] == [
        "no entry in common with PREVIOUS: nothing was compared"]
    stopped = copy.deepcopy(PREVIOUS)
    stopped["run"]["incomplete"] = True
    assert "PREVIOUS is an incomplete run" in _judge(stopped, PREVIOUS).warnings[0]


def test_an_unchanged_nan_value_is_not_a_change():
    def nan(e):
        e["secondary"]["caller_dict_mutated"]["values"]["optimized"] = float("nan")
    assert _judge(_current(e1=nan), _current(e1=nan)).passed


def test_a_claimed_range_per_size_must_cover_every_size(claims):
    from dataclasses import replace as dc_replace
    claim = claims["trainer.val_accumulate"]
    with pytest.raises(ValueError, match="no claimed range for sizes \\[22, 10000, 100000\\]"):
        dc_replace(claim, claimed={1000: claim.claimed_at(1000)})


@pytest.mark.parametrize("grown, fails", [(1.01, False), (1.02, False), (1.03, True)])
def test_memory_within_its_tolerance_passes_beyond_it_fails(grown, fails):
    """A memory reading of a variant may move by MEMORY_TOLERANCE (2%: library
    upgrades move it a little); beyond that it is a regression."""
    def more(e):
        e["secondary"]["peak_bytes"]["values"]["optimized"] *= grown
    failed, _ = _worse(_current(e1=more))
    assert bool(failed) == fails
    if fails:
        assert failed == ["logger.buffered @ 1000 cpu: peak_bytes (optimized) grew: "
                          f"2,000,000 -> {2e6 * grown:,.0f} bytes"]


def test_memory_that_shrank_is_no_regression():
    def less(e):
        e["secondary"]["peak_bytes"]["values"]["optimized"] *= 0.5
    assert _worse(_current(e1=less))[0] == []


def test_a_verdict_move_without_an_interval_says_so():
    """An entry whose contrast has no interval (a file written before
    intervals, or a case that measured none) is quoted as n/a, not dropped."""
    def no_interval(e):
        e.update(ci_low=None, ci_high=None)
    previous = _current(e0=no_interval)
    flipped = _current(e0=lambda e: e.update(verdict=_timed_verdict(0.47, 1.2), ratio=0.51,
                                             ci_low=0.47, ci_high=1.2))
    outcome = _judge(previous, flipped)
    assert outcome.passed
    assert outcome.within_noise == [
        "predictor.enumerate_zip @ 1000 cpu: verdict confirmed -> inconclusive, but the ratio "
        "did not move beyond the old interval by more than 10% (n/a -> [0.47, 1.2])"]


# --- from the mutation survivors: each rule's edges, both directions ---

OTHER_TIMED = {**_timed(), "id": "predictor.zip_other"}
KEY, OTHER_KEY = "predictor.enumerate_zip @ 1000 cpu", "predictor.zip_other @ 1000 cpu"
F = gate.Finding


def _slower(e, lo=1.0, hi=1.1):
    e.update(ratio=(lo + hi) / 2, ci_low=lo, ci_high=hi, verdict=_timed_verdict(lo, hi))


def test_a_reproduced_regression_fails_with_its_verdict_move_both_marked():
    """A timed entry whose ratio reproducibly got worse fails with the ratio
    finding (timed, naming its contrast) and then its verdict move."""
    current = _current(e0=_slower)
    moved = f"verdict confirmed -> {_timed_verdict(1.0, 1.1)}"
    outcome = _judge(PREVIOUS, current, lambda e: e.with_contrast("optimized", ci_low=0.99,
                                                                  ci_high=1.12))
    assert outcome.regressions == [
        F(KEY, "optimized ratio significantly worse: [0.48, 0.52] -> [1, 1.1]; reproduced on "
               "a re-measure: [0.99, 1.12]", True, timed=True, ratio_of="optimized"),
        F(KEY, moved, True)]
    # Not reproduced: neither the ratio nor the verdict move fails.
    outcome = _judge(PREVIOUS, current, lambda e: e.with_contrast("optimized", ci_low=0.47,
                                                                  ci_high=0.53))
    assert outcome.regressions == [] and len(outcome.within_noise) == 1


def test_without_a_re_measure_a_timed_regression_is_only_noted():
    outcome = _judge(PREVIOUS, _current(e0=_slower), remeasure=None)
    assert outcome.regressions == []
    assert outcome.within_noise == [
        f"{KEY}: optimized ratio significantly worse: [0.48, 0.52] -> [1, 1.1], not reproduced "
        "(no re-measure possible)"]


def test_every_timed_entry_is_judged_not_only_the_first():
    """Two timed entries flip within noise, then two regress: the first's
    note or failure does not hide the second's."""
    previous = _doc(_timed(), OTHER_TIMED, _counter())
    flip = lambda e: e.update(verdict=_timed_verdict(0.47, 1.2), ratio=0.51, ci_low=0.47,
                              ci_high=1.2)
    both_flip = _doc(*(dict(copy.deepcopy(e)) for e in (_timed(), OTHER_TIMED, _counter())))
    for e in both_flip["claims"][:2]:
        flip(e)
    outcome = _judge(previous, both_flip)
    assert [n.split(":")[0] for n in outcome.within_noise] == [KEY, OTHER_KEY]
    # The first's re-measure fails, the second reproduces; a counter also moved.
    regress = copy.deepcopy(previous)
    _slower(regress["claims"][0])
    _slower(regress["claims"][1])
    regress["claims"][2]["baseline"] = {"median": 999}

    def remeasure(entry):
        if entry.id == "predictor.enumerate_zip":
            return replace(entry, verdict="error", reason="killed", contrasts={})
        return entry
    outcome = _judge(previous, regress, remeasure)
    assert [(r.key, r.what.split(";")[-1].strip()[:20]) for r in outcome.regressions] == [
        ("logger.buffered @ 1000 cpu", "write_syscalls (base"),
        (KEY, "the re-measure faile"),
        (OTHER_KEY, "reproduced on a re-m"),
        (OTHER_KEY, f"verdict confirmed ->")]
    assert all(r.worse for r in outcome.regressions)


def test_an_incomplete_previous_is_warned_in_these_words():
    stopped = copy.deepcopy(PREVIOUS)
    stopped["run"]["incomplete"] = True
    assert _judge(stopped, PREVIOUS).warnings == [
        "PREVIOUS is an incomplete run (stopped by Ctrl-C): entries it never measured count "
        "as missing"]


def test_a_library_that_moved_is_named_with_both_versions():
    previous, current = copy.deepcopy(PREVIOUS), copy.deepcopy(PREVIOUS)
    previous["environment"]["libraries"] = {"numpy": "2.1", "pandas": "2.3.3", "scipy": "1.0"}
    current["environment"]["libraries"] = {"numpy": "2.1", "pandas": "3.1.1", "pyarrow": "21.0"}
    assert _judge(previous, current).warnings == [
        "environment differs: libraries: pandas 2.3.3 -> 3.1.1, pyarrow None -> 21.0, "
        "scipy 1.0 -> None"]


@pytest.mark.parametrize("old, new, worse", [
    (True, "declared: rounds differently", True),   # true > a declared change > false
    ("declared: rounds differently", False, True),
    (True, False, True),
    (False, "declared: rounds differently", False),
    ("declared: rounds differently", True, False),
    (False, True, False),
    ("declared: one change", "declared: another", False),
])
def test_each_equivalence_step_down_is_worse_and_each_step_up_is_not(old, new, worse):
    previous, current = _doc(_counter()), _doc(_counter())
    previous["claims"][0]["equivalence"]["per_variant"]["optimized"] = old
    current["claims"][0]["equivalence"]["per_variant"]["optimized"] = new
    found = gate.compare(Results.from_json(previous), Results.from_json(current))
    assert found == [F("logger.buffered @ 1000 cpu", f"equivalence (optimized) {old!r} -> "
                                                     f"{new!r}", worse)]


def test_an_equivalence_variant_no_longer_checked_is_not_a_finding():
    current = _doc(_counter())
    del current["claims"][0]["equivalence"]["per_variant"]["best"]
    assert gate.compare(Results.from_json(_doc(_counter())), Results.from_json(current)) == []


def test_counters_are_named_baseline_optimized_best_then_cells():
    """The order a reader expects: the known variants first, then a system's
    cells by name; a variant on one side only is not a change."""
    def grow(e):
        values = e["secondary"]["file_opens"]["values"]
        values.update(baseline=1001, optimized=101, best=3, cell_b=2, cell_a=2, new_cell=7)
    previous = _doc(_counter())
    previous["claims"][0]["secondary"]["file_opens"]["values"].update(cell_b=1, cell_a=1)
    current = _doc(_counter())
    grow(current["claims"][0])
    found = gate.compare(Results.from_json(previous), Results.from_json(current))
    assert [f.what.split(" grew")[0] for f in found] == [
        "file_opens (baseline)", "file_opens (optimized)", "file_opens (best)",
        "file_opens (cell_a)", "file_opens (cell_b)"]


def test_a_value_that_was_nan_and_now_is_not_has_changed():
    def nan(e):
        e["secondary"]["caller_dict_mutated"]["values"]["optimized"] = float("nan")
    found = gate.compare(Results.from_json(_current(e1=nan)), Results.from_json(_current()))
    assert [f.what for f in found] == ["caller_dict_mutated (optimized) changed: nan -> False"]


def test_a_secondary_new_in_this_run_or_of_another_kind_is_not_compared():
    previous, current = _doc(_counter()), _doc(_counter())
    previous["claims"][0]["secondary"]["peak_bytes"]["kind"] = "counter"
    current["claims"][0]["secondary"]["peak_bytes"]["values"]["optimized"] = 9e6
    current["claims"][0]["secondary"]["extra_opens"] = {"kind": "counter",
                                                        "values": {"optimized": 1}}
    assert gate.compare(Results.from_json(previous), Results.from_json(current)) == []


@pytest.mark.parametrize("ratio, fails", [(0.255, False), (0.26, True), (0.375, True)])
def test_a_memory_ratio_fails_beyond_its_tolerance_naming_its_contrast(ratio, fails):
    """0.25 -> 0.255 is exactly the 2% tolerance: not worse; beyond it, worse."""
    previous = _doc({**_memory(), "ratio": 0.25, "ci_low": 0.25, "ci_high": 0.25})
    current = _doc({**_memory(), "ratio": ratio, "ci_low": ratio, "ci_high": ratio})
    found = gate.compare(Results.from_json(previous), Results.from_json(current))
    assert found == ([F("dataset.indexed_frame @ 10000 cpu",
                        f"optimized memory ratio 0.25 -> {ratio:.4g}", True,
                        ratio_of="optimized")] if fails else [])


def test_a_contrast_without_a_previous_interval_does_not_hide_the_next_one():
    """The optimized contrast had no interval (or none at all) before; best's
    regression is still found."""
    for drop in ("interval", "contrast"):
        previous = Results.from_json(PREVIOUS)
        old = previous.claims[0]
        contrasts = dict(old.contrasts)
        if drop == "interval":
            contrasts["optimized"] = replace(contrasts["optimized"], ci_low=None, ci_high=None)
        else:
            del contrasts["optimized"]
        previous = replace(previous, claims=(replace(old, contrasts=contrasts),
                                             *previous.claims[1:]))
        current = Results.from_json(_current(e0=lambda e: e.update(best_ci_low=0.6,
                                                                   best_ci_high=0.64)))
        found = gate.compare(previous, current)
        assert [(f.what.split(":")[0], f.ratio_of, f.timed) for f in found] == [
            ("best ratio significantly worse", "best", True)], drop


def test_a_case_that_comes_back_or_stops_compares_only_its_verdict():
    """error -> confirmed is not worse and the stale figures of the run that
    failed are not compared; confirmed -> error fails on the verdict alone."""
    failed_run = _doc({**_counter(), "verdict": "error", "reason": "boom",
                       "optimized": {"median": 7}})
    found = gate.compare(Results.from_json(failed_run), Results.from_json(_doc(_counter())))
    assert found == [F("logger.buffered @ 1000 cpu", "verdict error -> confirmed", False)]
    found = gate.compare(Results.from_json(_doc(_counter())), Results.from_json(failed_run))
    assert found == [F("logger.buffered @ 1000 cpu", "verdict confirmed -> error (boom)", True)]


def test_a_verdict_this_optbench_does_not_know_has_no_rank():
    assert gate.rank("no such verdict") is None
    assert [gate.rank(v) for v in gate.GATE_ORDER] == list(range(len(gate.GATE_ORDER)))
    found = gate.compare(Results.from_json(_doc({**_counter(), "verdict": "legacy label"})),
                         Results.from_json(_doc(_counter())))
    assert found == [F("logger.buffered @ 1000 cpu", "verdict legacy label -> confirmed", False)]


def test_a_full_previous_against_a_quick_run_and_every_problem_named():
    full = copy.deepcopy(PREVIOUS)
    full["run"]["quick"] = False
    with pytest.raises(gate.NotComparable) as info:
        _judge(full, PREVIOUS)
    assert str(info.value) == ("PREVIOUS is a full run, this one quick (--gate-allow mode to "
                               "compare anyway)")
    # An entry new in this run does not stop the check of the ones after it.
    current = _doc({**_counter(), "id": "brand.new"}, {**_timed(), "revision": 2},
                   {**_memory(), "claimed": {"exact": "0 .. 1/2"}})
    with pytest.raises(gate.NotComparable) as info:
        _judge(PREVIOUS, current)
    assert str(info.value) == (
        "predictor.enumerate_zip @ 1000 cpu: claim revision 1 -> 2 (--gate-allow revision); "
        "dataset.indexed_frame @ 10000 cpu: claimed range 1/2 .. 7/10 -> 0 .. 1/2 "
        "(--gate-allow claimed)")


# --- machines ----------------------------------------------------------------

from optbench.core import fingerprint  # noqa: E402

EPYC = {"cpu_model": "AMD EPYC", "cpu_flags": ["avx2"], "usable_cores": 2,
        "memory_bytes": 24 * 2**30, "gpu": None, "gpu_driver": None, "torch": "2.14.1",
        "cuda": None, "threads": 1, "host": "a"}


def _on(facts):
    return {**facts, "fingerprint": fingerprint.fingerprint(facts)}


def _machines(old_facts, new_facts, edit=lambda e: None):
    previous, current = copy.deepcopy(PREVIOUS), copy.deepcopy(PREVIOUS)
    for e in previous["claims"]:
        e["machine"] = _on(old_facts)
    for e in current["claims"]:
        e["machine"] = _on(new_facts)
        edit(e)
    return previous, current


def test_the_host_name_is_not_part_of_the_fingerprint():
    assert fingerprint.fingerprint(EPYC) == fingerprint.fingerprint({**EPYC, "host": "b"})
    assert fingerprint.fingerprint(EPYC) != fingerprint.fingerprint({**EPYC, "threads": 2})


def test_a_timing_on_another_machine_is_shown_beside_not_compared():
    """Nine times slower on a 2-thread run: no regression, no re-measure; both
    readings are said. The exact counter on the same entries is still judged."""
    def slower_and_one_more_write(e):
        if e["kind"] == "time":
            e.update(ratio=0.9, ci_low=0.89, ci_high=0.91, verdict=_timed_verdict(0.89, 0.91))
        if e["kind"] == "counter":
            e["secondary"]["file_opens"]["values"]["optimized"] = 101

    previous, current = _machines(EPYC, {**EPYC, "threads": 2}, slower_and_one_more_write)
    asked = []
    outcome = _judge(previous, current, lambda entry: asked.append(entry) or entry)
    assert asked == []
    assert [r.key for r in outcome.regressions] == ["logger.buffered @ 1000 cpu"]
    (line,) = outcome.not_compared
    assert line.startswith("predictor.enumerate_zip @ 1000 cpu: timed, measured on another "
                           "machine (threads 1 -> 2)")
    assert "[0.48, 0.52]" in line and "[0.89, 0.91]" in line and "not compared" in line


def test_the_same_machine_is_compared_as_before():
    slower = lambda e: e.update(ratio=0.9, ci_low=0.89, ci_high=0.91,  # noqa: E731
                                verdict=_timed_verdict(0.89, 0.91)) if e["kind"] == "time" else None
    previous, current = _machines(EPYC, {**EPYC, "host": "another runner"}, slower)
    outcome = _judge(previous, current,
                     lambda entry: entry.with_contrast("optimized", ci_low=0.88, ci_high=0.93))
    assert outcome.not_compared == []
    assert any("significantly worse" in r.what for r in outcome.regressions)


def test_a_file_without_machines_is_compared_as_before():
    previous, current = _machines(EPYC, EPYC)
    for e in previous["claims"]:
        del e["machine"]
    assert _judge(previous, current).not_compared == []
