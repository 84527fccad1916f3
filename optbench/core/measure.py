"""The three ways optbench measures: interleaved time, memory, exact counters.

Timing is interleaved in one process (see TOOLCHAIN.md, "Timing noise"):
separate processes on this kind of machine disagree by up to 1.8x, while
A B A B rounds inside one process agree to 1%.
"""
from __future__ import annotations

import builtins
import contextlib
import gc
import io
import math
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

import memray


@dataclass(frozen=True)
class TimingPlan:
    rounds: int
    warmup: int = 1
    min_sample_seconds: float = 0.01
    max_inner: int = 100_000


# Many short rounds beat few long ones here: the machine's speed jumps
# between rounds, and each round's ratio is one more independent reading.
QUICK_TIMING = TimingPlan(rounds=15, min_sample_seconds=0.003)
FULL_TIMING = TimingPlan(rounds=41, min_sample_seconds=0.01)


def _calibrate(body: Callable[[], object], plan: TimingPlan) -> int:
    """Inner loop count that puts one sample well above timer resolution."""
    start = time.perf_counter()
    body()
    once = time.perf_counter() - start
    if once <= 0:
        return plan.max_inner
    return max(1, min(plan.max_inner, math.ceil(plan.min_sample_seconds / once)))


def time_interleaved(bodies: Mapping[str, Callable[[], object]], plan: TimingPlan
                     ) -> dict[str, list[float]]:
    """Seconds per call of each body, sampled round by round, alternating order.

    Returns one sample per round per body; sample i of every body was taken
    in the same round, so the samples are paired.
    """
    names = list(bodies)
    for _ in range(plan.warmup):
        for name in names:
            bodies[name]()
    inner = {name: _calibrate(bodies[name], plan) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(plan.rounds):
        # Alternate the order so no variant always runs right after another.
        order = names if round_index % 2 == 0 else names[::-1]
        gc.collect()
        for name in order:
            body, loops = bodies[name], inner[name]
            start = time.perf_counter()
            for _ in range(loops):
                body()
            samples[name].append((time.perf_counter() - start) / loops)
    return samples


@dataclass(frozen=True)
class MemoryReading:
    peak_bytes: int
    retained_bytes: int


def measure_memory(region: Callable[[], object]) -> MemoryReading:
    """Peak and retained heap bytes of `region`, native allocations included.

    memray sees what tracemalloc cannot (torch's CPU tensors, C extensions).
    Python's own allocator is traced object by object: otherwise memray sees
    pymalloc's 256 KiB arenas, whose reuse between repeats made the same
    dict-of-dicts read 4.5, 5.5 and 6.6 MB. Traced, repeats agree to 0.01%.
    Retained bytes are those still allocated when the region returns, while
    its return value is alive: the footprint of what it built.
    """
    with tempfile.TemporaryDirectory(prefix="optbench-mem-") as tmp:
        capture = Path(tmp) / "region.bin"
        gc.collect()
        with memray.Tracker(capture, file_format=memray.FileFormat.AGGREGATED_ALLOCATIONS,
                            trace_python_allocators=True):
            result = region()
            gc.collect()
        del result
        reader = memray.FileReader(capture)
        retained = sum(r.size for r in reader.get_leaked_allocation_records(merge_threads=True))
        return MemoryReading(int(reader.metadata.peak_memory), int(retained))


@dataclass
class FileIOCounts:
    """Exact file operations, counted at the raw (unbuffered) layer.

    `writes` and `reads` count calls of the raw file object's write/read, one
    system call each: what reaches the operating system, not Python-level
    f.write() calls that a buffer may merge.
    """

    opens: int = 0
    opens_for_write: int = 0
    writes: int = 0
    bytes_written: int = 0
    reads: int = 0
    bytes_read: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **deltas: int) -> None:
        with self._lock:
            for key, delta in deltas.items():
                setattr(self, key, getattr(self, key) + delta)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class _CountingFileIO(io.FileIO):
    counts: FileIOCounts

    def write(self, data) -> int:
        written = super().write(data)
        self.counts.add(writes=1, bytes_written=written or 0)
        return written

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        self.counts.add(reads=1, bytes_read=n or 0)
        return n

    def readall(self) -> bytes:
        data = super().readall()
        self.counts.add(reads=1, bytes_read=len(data))
        return data


def _counting_open(counts: FileIOCounts, under: Path, real_open: Callable):
    under_str = os.fspath(under)

    def counting_open(file, mode="r", buffering=-1, encoding=None, errors=None,
                      newline=None, closefd=True, opener=None):
        if isinstance(file, int) or not os.path.realpath(os.fspath(file)).startswith(under_str):
            return real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        # Build the same layers open() builds, over a raw file that counts.
        raw_mode = mode.replace("b", "").replace("t", "")
        writing = any(c in raw_mode for c in "wax+")
        counts.add(opens=1, opens_for_write=int(writing))
        raw = _CountingFileIO(file, raw_mode, closefd=closefd, opener=opener)
        raw.counts = counts
        if buffering == 0:
            return raw
        size = io.DEFAULT_BUFFER_SIZE if buffering in (-1, 1) else buffering
        if "+" in raw_mode:
            buffered = io.BufferedRandom(raw, size)
        elif writing:
            buffered = io.BufferedWriter(raw, size)
        else:
            buffered = io.BufferedReader(raw, size)
        if "b" in mode:
            return buffered
        return io.TextIOWrapper(buffered, encoding=encoding or "utf-8", errors=errors,
                                newline=newline, line_buffering=buffering == 1)

    return counting_open


def one_count(counts_of: Callable[[object], Mapping[str, int]], key: str
              ) -> Callable[[object], int]:
    """A counter metric's function: one figure from a run that counts several."""
    return lambda state: counts_of(state)[key]


@contextlib.contextmanager
def count_file_io(under: Path) -> Iterator[FileIOCounts]:
    """Count every open/read/write of files below `under` made with open().

    The components keep calling the plain built-in open(); only files in the
    case's work folder are counted, so imports and the harness are not.
    """
    counts = FileIOCounts()
    real_open = builtins.open
    counting = _counting_open(counts, Path(under).resolve(), real_open)
    builtins.open = counting
    io.open = counting
    try:
        yield counts
    finally:
        builtins.open = real_open
        io.open = real_open


@contextlib.contextmanager
def count_calls(owner: object, attribute: str) -> Iterator[list[int]]:
    """Count calls of `owner.attribute` (a method or function) while inside.

    For counters no file wrapper can see: device-to-host copies
    (torch.Tensor.cpu), video decodes, image loads. Yields a one-item list
    holding the running count.
    """
    original = getattr(owner, attribute)
    count = [0]

    def counted(*args, **kwargs):
        count[0] += 1
        return original(*args, **kwargs)

    setattr(owner, attribute, counted)
    try:
        yield count
    finally:
        setattr(owner, attribute, original)
