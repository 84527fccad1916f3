"""The instruments: exact file-I/O counts, call counts, memory, interleaving."""
import numpy as np

from optbench.core.measure import (TimingPlan, count_calls, count_file_io, measure_memory,
                                   time_interleaved)


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


def test_interleaved_timing_pairs_samples():
    calls = []
    samples = time_interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                               TimingPlan(rounds=5, min_sample_seconds=0.0001))
    assert len(samples["a"]) == len(samples["b"]) == 5
    assert all(s > 0 for s in samples["a"] + samples["b"])
    assert set(calls) == {"a", "b"}
