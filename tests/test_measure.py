"""The instruments: exact file-I/O counts, call counts, memory, interleaving."""
import gc

import numpy as np

from optbench.core.measure import (BUDGET, FEWEST_ROUNDS, MAX_ROUNDS, SETTLED, SamplingPlan,
                                   count_calls, count_file_io, measure_memory, time_interleaved)


def test_counts_raw_writes_not_python_writes(tmp_path):
    with count_file_io(tmp_path) as counts:
        with open(tmp_path / "a.txt", "w") as f:
            for _ in range(100):
                f.write("x\n")  # buffered: one raw write at close
        with open(tmp_path / "b.txt", "w", buffering=1) as f:
            for _ in range(3):
                f.write("line\n")  # line-buffered: one raw write each
        (tmp_path / "a.txt").read_text()
    assert counts.opens == 3
    assert counts.opens_for_write == 2
    assert counts.writes == 1 + 3
    assert counts.bytes_written == 200 + 15
    assert counts.bytes_read == 200


def test_files_outside_the_folder_are_not_counted(tmp_path):
    outside = tmp_path / "outside.txt"
    inside = tmp_path / "in"
    inside.mkdir()
    with count_file_io(inside) as counts:
        outside.write_text("not counted")
    assert counts.as_dict() == {"opens": 0, "opens_for_write": 0, "writes": 0,
                                "bytes_written": 0, "reads": 0, "bytes_read": 0}


def test_open_is_restored_after_counting(tmp_path):
    import builtins
    real = builtins.open
    with count_file_io(tmp_path):
        assert builtins.open is not real
    assert builtins.open is real


def test_count_calls_counts_and_restores():
    class Box:
        def ping(self):
            return "pong"

    with count_calls(Box, "ping") as calls:
        assert [Box().ping() for _ in range(4)] == ["pong"] * 4
    assert calls[0] == 4
    assert Box().ping() == "pong"


def test_memory_sees_native_allocations_and_what_is_kept():
    kept = measure_memory(lambda: np.ones(10_000_000 // 8))
    dropped = measure_memory(lambda: np.ones(10_000_000 // 8).sum())
    assert kept.retained_bytes >= 10_000_000
    assert dropped.peak_bytes >= 10_000_000
    assert dropped.retained_bytes < 1_000_000


FAST = SamplingPlan(min_rounds=6, max_rounds=12, budget_seconds=60, min_sample_seconds=0.0001)


def test_interleaved_timing_pairs_samples_and_stops_at_max_rounds():
    calls = []
    timed = time_interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                             FAST)
    assert len(timed.samples["a"]) == len(timed.samples["b"]) == timed.rounds == 12
    assert timed.stop == MAX_ROUNDS
    assert all(s > 0 for s in timed.samples["a"] + timed.samples["b"])


def test_each_round_runs_a_random_order_then_its_mirror():
    runs = []

    plan = SamplingPlan(min_rounds=6, max_rounds=30, budget_seconds=60, min_sample_seconds=0,
                        warmup=0, max_inner=1)
    time_interleaved({n: (lambda n=n: runs.append(n)) for n in "abc"}, plan, seed=7)
    names = runs
    # calibration runs a, b, c once each; then each round is 6 runs (mirrored)
    rounds = [names[i:i + 6] for i in range(3, len(names), 6)]
    assert all(r[:3] == r[3:][::-1] for r in rounds if len(r) == 6)
    firsts = {tuple(r[:3]) for r in rounds}
    assert len(firsts) > 2   # not only forward and reversed


def test_sampling_stops_when_the_rule_says_so():
    seen = []

    def rule(samples):
        seen.append(len(samples["a"]))
        return SETTLED if len(samples["a"]) >= 9 else None

    plan = SamplingPlan(min_rounds=6, max_rounds=100, budget_seconds=60,
                        min_sample_seconds=0.0001)
    timed = time_interleaved({"a": lambda: None, "b": lambda: None}, plan, rule)
    assert seen == [6, 9] and timed.stop == SETTLED and timed.rounds == 9


def test_budget_stops_sampling_but_never_below_the_fewest_rounds():
    plan = SamplingPlan(min_rounds=50, max_rounds=100, budget_seconds=0.0,
                        min_sample_seconds=0.0001)
    timed = time_interleaved({"a": lambda: None, "b": lambda: None}, plan)
    assert timed.stop == BUDGET and timed.rounds == FEWEST_ROUNDS


def test_the_garbage_collector_is_off_while_a_body_is_timed():
    states = []
    timed = time_interleaved({"a": lambda: states.append(gc.isenabled())}, FAST)
    timed_calls = timed.rounds * 2 * timed.inner_loops["a"]
    assert states[0] is True                  # the warm-up runs with the collector on
    assert not any(states[-timed_calls:])     # every timed call with it off
    assert gc.isenabled()


def test_the_callers_collector_state_is_kept():
    gc.disable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        time_interleaved({"a": lambda: None}, FAST)
        assert not gc.isenabled() and gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
        gc.enable()
