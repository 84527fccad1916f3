"""The instruments: exact file-I/O counts, call counts, memory, interleaving."""
import gc
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

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
    timed = time_interleaved({n: (lambda n=n: runs.append(n)) for n in "abc"}, plan, seed=7)
    names = runs
    # calibration runs a, b, c once each; then each round is 6 runs (mirrored)
    assert len(names) == 3 + 6 * timed.rounds
    rounds = [names[i:i + 6] for i in range(3, len(names), 6)]
    assert all(r[:3] == r[3:][::-1] and sorted(r[:3]) == ["a", "b", "c"] for r in rounds)
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
        # A few frozen objects may die meanwhile; an unfreeze would leave none frozen.
        assert not gc.isenabled() and gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
        gc.enable()


STRACE = shutil.which("strace")
_SYSCALL = re.compile(r'^(?:\d+\s+)?(openat|write|read|close)\((.*)\)\s+=\s+(-?\d+)')


def _strace_counts(trace: str, folder: Path) -> dict:
    """What strace saw done to files under `folder`: opens, writes, reads."""
    counts = dict.fromkeys(("opens", "opens_for_write", "writes", "bytes_written", "reads",
                            "bytes_read"), 0)
    watched: set[int] = set()
    for line in trace.splitlines():
        match = _SYSCALL.match(line)
        if not match:
            continue
        call, args, result = match.group(1), match.group(2), int(match.group(3))
        if call == "openat":
            path = args.split('"')[1]
            if result >= 0 and Path(path).is_relative_to(folder):
                watched.add(result)
                counts["opens"] += 1
                counts["opens_for_write"] += any(
                    flag in args for flag in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND"))
            continue
        fd = int(args.split(",")[0])
        if call == "close":
            watched.discard(fd)
        elif fd in watched and call == "write":
            counts["writes"] += 1
            counts["bytes_written"] += max(result, 0)
        elif fd in watched and call == "read":
            counts["reads"] += 1
            counts["bytes_read"] += max(result, 0)
    return counts


@pytest.mark.skipif(STRACE is None, reason="needs strace (apt-get install strace; .ci/run does)")
def test_file_counters_match_the_system_calls_strace_sees(tmp_path):
    """A text writer, binary writers of several buffer sizes, unbuffered and
    buffered readers, append mode and os.write/os.read, done with the real
    open() in one folder and counted in another: the counts must be the
    system calls strace saw in the first."""
    script = Path(__file__).parent / "fixtures" / "io_workload.py"
    trace = tmp_path / "trace"
    done = subprocess.run([STRACE, "-f", "-e", "trace=openat,write,read,close", "-o", str(trace),
                           sys.executable, str(script), str(tmp_path / "plain"),
                           str(tmp_path / "run-1")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    counted = json.loads(done.stdout)
    seen = _strace_counts(trace.read_text(), (tmp_path / "plain").resolve())
    assert seen["writes"] > 200 and seen["reads"] > 10   # the workload did real I/O
    assert counted == seen


def test_video_decodes_are_counted_exactly(tmp_path):
    """Full decodes (frame 0 to the end, no seek), frames, opens and failed
    opens through cv2.VideoCapture; reading CAP_PROP_FRAME_COUNT decodes nothing."""
    cv2 = pytest.importorskip("cv2")
    from optbench.core.measure import count_video_decodes
    from optbench.workloads import video

    path = str(video.write_video(tmp_path / "clip.mp4", 30, 160, 96))
    bad = video.write_bad_videos(tmp_path)
    with count_video_decodes() as counts:
        capture = cv2.VideoCapture(path)
        assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 30
        while capture.read()[0]:
            pass
        capture.release()
        partial = cv2.VideoCapture(path)              # ten frames: not a full decode
        for _ in range(10):
            partial.grab()
        seeked = cv2.VideoCapture(path)               # a seek, then to the end: not one either
        seeked.set(cv2.CAP_PROP_POS_FRAMES, 20)
        while seeked.read()[0]:
            pass
        truncated = cv2.VideoCapture(str(bad["truncated"]))
        while truncated.read()[0]:
            pass
        cv2.VideoCapture(str(bad["missing"])).read()
    assert counts.as_dict() == {"opens": 4, "failed_opens": 1, "frames": 30 + 10 + 10 + 150,
                                "full_decodes": 2}
    assert counts.full_decodes_per_file == {path: 1, str(bad["truncated"]): 1}
    assert cv2.VideoCapture.__name__ == "VideoCapture"  # restored on leaving


def test_garbage_collections_are_counted_with_what_only_the_collector_frees():
    """Objects in a cycle are freed only by the collector and are counted;
    objects reference counting frees are not; gc.collect() is a full one."""
    import gc

    from optbench.core.measure import count_garbage_collections

    class Node:
        pass

    callbacks_before = list(gc.callbacks)
    gc.collect()
    with count_garbage_collections() as plain:
        for _ in range(100):
            Node()                      # freed at once by reference counting
        gc.collect()
    with count_garbage_collections() as cycles:
        for _ in range(100):
            a, b = Node(), Node()
            a.other, b.other = b, a     # a cycle: unreachable, not freed
        del a, b
        gc.collect()
        gc.collect()
    assert plain.full_collections >= 1 and plain.collected == 0
    assert cycles.full_collections >= 2
    assert cycles.collected >= 200      # both nodes of each pair (and their __dict__s)
    assert gc.callbacks == callbacks_before   # the callback is removed afterwards


def test_ctrl_c_in_a_run_without_a_child_keeps_the_rounds_measured(monkeypatch):
    """In one process (no fork): SIGINT during sampling ends it after the
    round, the case is kept, the claims after it are not measured."""
    import sys
    from pathlib import Path

    from optbench.core import engine

    sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
    try:
        import failing_claims
    finally:
        sys.path.pop(0)
    import signal

    monkeypatch.setenv("OPTBENCH_TEST_SIGINT", "1")
    # A background job inherits SIGINT ignored, and Python keeps it so: a terminal's.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(engine.RunInterrupted) as stopped:
            engine.run(failing_claims.INTERRUPTED, engine.RunOptions(quick=True, isolate=False))
    finally:
        signal.signal(signal.SIGINT, previous)
    document = stopped.value.document
    assert document.incomplete
    assert [e.id for e in document.claims] == ["fail.fine_before", "fail.timed"]
    timed = document.claims[1]
    assert timed.sampling["stop"] == "interrupted" and timed.sampling["rounds"] >= 2
    assert timed.ci_low <= timed.ratio <= timed.ci_high
    assert timed.warnings == (
        f"Ctrl-C stopped the sampling after {timed.sampling['rounds']} rounds: the interval "
        f"is from those rounds alone; hidden costs not read: calls_counted",)
    # A later run starts afresh: the request does not outlive its run.
    monkeypatch.delenv("OPTBENCH_TEST_SIGINT")
    again = engine.run(failing_claims.INTERRUPTED[:1], engine.RunOptions(quick=True,
                                                                        isolate=False))
    assert not again.incomplete
