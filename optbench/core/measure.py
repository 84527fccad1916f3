"""The three ways optbench measures: interleaved time, memory, exact counters.

Timing is interleaved in one process (README, "How it is measured"):
separate processes on this kind of machine disagree by up to 1.8x, while
rounds of every variant inside one process agree to 1%.
"""
from __future__ import annotations

import builtins
import contextlib
import functools
import gc
import io
import math
import os
import random
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

import memray


# The fewest rounds whose median interval reaches 95% (see stats.median_interval):
# no time budget stops sampling before this.
FEWEST_ROUNDS = 6


@dataclass(frozen=True)
class SamplingPlan:
    """How long a timed metric keeps adding interleaved rounds.

    Sampling looks at the data after `min_rounds`, then each time the round
    count has grown by `growth`, and stops at the first look where the
    engine's rule says the result is settled or precise, or when
    `budget_seconds` (calibration included) or `max_rounds` is reached.
    """

    min_rounds: int
    max_rounds: int
    budget_seconds: float
    # One timed run of one variant; each round runs every variant twice.
    min_sample_seconds: float
    growth: float = 1.5
    warmup: int = 1
    max_inner: int = 100_000

    def looks(self) -> list[int]:
        """Round counts at which the stop rule is asked."""
        looks, n = [], self.min_rounds
        while n < self.max_rounds:
            looks.append(n)
            n = max(n + 1, math.ceil(n * self.growth))
        return looks + [self.max_rounds]


# Budgets: the claimed (primary) metric gets the time to settle its verdict;
# a hidden cost only needs its order of magnitude. On the 2-core development
# machine the whole quick run took 45-55 s for the first 15 entries (README,
# "Calibration") and 86 s for the 25 entries (22 measured on the CPU) of the
# 14 claims after issue 8: within the 3-minute goal.
QUICK_PRIMARY = SamplingPlan(min_rounds=10, max_rounds=200, budget_seconds=6.0,
                             min_sample_seconds=0.0015)
QUICK_SECONDARY = SamplingPlan(min_rounds=8, max_rounds=60, budget_seconds=2.0,
                               min_sample_seconds=0.0015)
FULL_PRIMARY = SamplingPlan(min_rounds=20, max_rounds=500, budget_seconds=30.0,
                            min_sample_seconds=0.005)
FULL_SECONDARY = SamplingPlan(min_rounds=12, max_rounds=120, budget_seconds=8.0,
                              min_sample_seconds=0.005)

# Why sampling stopped.
SETTLED = "settled"          # the verdict cannot move with more rounds
PRECISE = "precise"          # the interval is as narrow as asked
BUDGET = "budget"            # the time budget is spent
MAX_ROUNDS = "max rounds"
INTERRUPTED = "interrupted"  # Ctrl-C: the rounds measured so far are kept
# Fewer rounds than this are not worth keeping when Ctrl-C stops sampling.
FEWEST_KEPT = 2


class _StopRequest:
    """Ctrl-C while rounds are being timed: the round under way finishes and
    sampling stops there, so a long case (a system's cells, round by round)
    keeps what it measured. A second Ctrl-C interrupts at once; outside
    sampling the first does. A forked case's parent asks with SIGUSR1 (its
    child ignores the terminal's SIGINT, which the parent handles)."""

    def __init__(self) -> None:
        self.requested = False
        self.sampling = False

    def ask(self, signum=None, frame=None) -> None:
        if not self.sampling or (self.requested and signum == signal.SIGINT):
            raise KeyboardInterrupt
        self.requested = True

    def reset(self) -> None:
        self.requested = False

    @contextlib.contextmanager
    def while_sampling(self) -> Iterator[None]:
        """Ctrl-C (SIGINT where the process takes it, SIGUSR1 always) asks
        for a stop after the round; nothing changes off the main thread."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGUSR1)}
        for sig, handler in previous.items():
            if handler is not signal.SIG_IGN or sig == signal.SIGUSR1:
                signal.signal(sig, self.ask)
        self.sampling = True
        try:
            yield
        finally:
            self.sampling = False
            for sig, handler in previous.items():
                signal.signal(sig, handler)


STOP_REQUEST = _StopRequest()


def stop_requested() -> bool:
    """Whether Ctrl-C stopped a sampling in this process (the engine then
    measures no further case)."""
    return STOP_REQUEST.requested


@dataclass(frozen=True)
class TimedSamples:
    """Seconds per call, one paired sample per round per variant, and how
    the sampling went (recorded in the results beside the figures)."""

    samples: dict[str, list[float]]
    rounds: int
    stop: str
    seconds: float
    inner_loops: dict[str, int]
    seed: int
    # An empty call timed the same way in every round (seconds per call).
    empty_call: list[float] = field(default_factory=list)

    def record(self) -> dict:
        out = {"rounds": self.rounds, "stop": self.stop, "seconds": round(self.seconds, 3),
               "inner_loops": self.inner_loops, "order_seed": self.seed}
        if self.empty_call:
            out["empty_call_seconds"] = sorted(self.empty_call)[len(self.empty_call) // 2]
        return out


def _nothing(_state) -> None:
    return None


# What a timed call costs when the function does nothing: the engine calls a
# metric as a partial over its state, so the reference is one too.
EMPTY_CALL = functools.partial(_nothing, None)
# Calls per round for that reference: ~0.1 ms here, next to rounds of >= 1.5 ms.
EMPTY_CALL_LOOPS = 1_000


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def synchronized(body: Callable[[], object]) -> Callable[[], object]:
    """A CUDA body timed to the end of its kernels, not to their launch."""
    import torch

    def run():
        result = body()
        torch.cuda.synchronize()
        return result

    return run


@dataclass(frozen=True)
class DeviceMemoryReading:
    peak_bytes: int    # the CUDA allocator's peak over the region
    start_bytes: int   # what was allocated when the region began


def measure_device_memory(region: Callable[[], object]) -> DeviceMemoryReading:
    """CUDA memory of one run of `region` (memray sees no GPU memory): the
    allocator's peak after a reset, the region's kernels finished."""
    import torch

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    start = torch.cuda.memory_allocated()
    region()
    torch.cuda.synchronize()
    return DeviceMemoryReading(int(torch.cuda.max_memory_allocated()), int(start))


def _time_empty_call(empty_call: Callable[[], object]) -> float:
    """Seconds per call of `empty_call` over one batch of EMPTY_CALL_LOOPS."""
    start = time.perf_counter()
    for _ in range(EMPTY_CALL_LOOPS):
        empty_call()
    return (time.perf_counter() - start) / EMPTY_CALL_LOOPS


def _calibrate(body: Callable[[], object], plan: SamplingPlan) -> int:
    """Inner loop count that puts one run well above timer resolution.

    Timed over a batch of calls (at least a tenth of a run), not one: a
    single call's jitter gave two identical variants 4 and 5 loops.
    """
    calls, spent = 0, 0.0
    while calls == 0 or (spent < plan.min_sample_seconds / 10 and calls < plan.max_inner):
        start = time.perf_counter()
        body()
        spent += time.perf_counter() - start
        calls += 1
    once = spent / calls
    if once <= 0:
        return plan.max_inner
    return max(1, min(plan.max_inner, math.ceil(plan.min_sample_seconds / once)))


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """Freeze the harness's own objects (torch, pandas, the workload) out of
    the collector's reach for the duration, so collecting between rounds
    scans only what the bodies made: a full collection of this heap takes
    ~180 ms and would otherwise land inside whichever run triggered it.
    The caller's collector state (enabled, objects it had frozen) is kept."""
    was_enabled, was_frozen = gc.isenabled(), gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        if not was_frozen:
            gc.unfreeze()
        if not was_enabled:
            gc.disable()


def time_interleaved(bodies: Mapping[str, Callable[[], object]], plan: SamplingPlan,
                     stop_when: Callable[[dict[str, list[float]]], str | None] = lambda _: None,
                     seed: int = 0, empty_call: Callable[[], object] = EMPTY_CALL
                     ) -> TimedSamples:
    """Time each body round by round until `stop_when` or the plan says stop.

    Each round runs the bodies in a fresh random order and then in its
    mirror (A C B B C A): a random order, as Google Benchmark's random
    interleaving, keeps any slot from always going to one variant, and the
    mirror gives every variant the same average position, so a slot effect
    (the first run after gc.collect(), a clock that drifts within the round)
    cancels inside the round instead of biasing its ratio. Sample i of every
    body comes from round i: the samples are paired. As in timeit, the cyclic
    garbage collector is off during the timed runs and runs between rounds:
    its pauses depend on the whole process's heap, not on the code timed.

    `stop_when(samples)` is asked at each of the plan's looks and returns a
    reason to stop (SETTLED, PRECISE) or None.

    Each round also times `empty_call` (EMPTY_CALL, synchronized on CUDA as
    the bodies are): what a call of nothing
    cost while these rounds ran, so core/sanity.py can tell a timing of
    nothing from real work even when the machine's speed moved between
    two cases.
    """
    started = time.perf_counter()
    names = list(bodies)
    for _ in range(plan.warmup):
        for name in names:
            bodies[name]()
    inner = {name: _calibrate(bodies[name], plan) for name in names}
    rng = random.Random(seed)
    looks = set(plan.looks())
    samples: dict[str, list[float]] = {name: [] for name in names}
    empty_call_seconds: list[float] = []
    stop = MAX_ROUNDS
    with _quiet_gc(), STOP_REQUEST.while_sampling():
        for round_number in range(1, plan.max_rounds + 1):
            order = names[:]
            rng.shuffle(order)
            spent = dict.fromkeys(names, 0.0)
            gc.collect()
            gc.disable()
            try:
                empty_call_seconds.append(_time_empty_call(empty_call))
                for name in order + order[::-1]:
                    body, loops = bodies[name], inner[name]
                    start = time.perf_counter()
                    for _ in range(loops):
                        body()
                    spent[name] += time.perf_counter() - start
            finally:
                gc.enable()
            for name in names:
                samples[name].append(spent[name] / (2 * inner[name]))
            if STOP_REQUEST.requested:
                if round_number < FEWEST_KEPT:
                    raise KeyboardInterrupt
                stop = INTERRUPTED
                break
            if round_number in looks:
                reason = stop_when(samples)
                if reason:
                    stop = reason
                    break
            if (round_number >= FEWEST_ROUNDS
                    and time.perf_counter() - started >= plan.budget_seconds):
                stop = BUDGET
                break
    return TimedSamples(samples, round_number, stop, time.perf_counter() - started, inner, seed,
                        empty_call_seconds)


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
    # The heap that exists before the region is frozen out of the collector's
    # reach: the collection below then frees only what the region made (its
    # cycles), in milliseconds, where a full one of a process with torch and
    # pandas imported took ~0.2 s here, twice per reading. Allocations made
    # before the tracker starts are not in its figures either way.
    # Where a caller froze the heap already, it is left as it is (a second
    # freeze could not be undone without unfreezing the caller's objects).
    was_frozen = gc.get_freeze_count()
    if not was_frozen:
        gc.freeze()
    try:
        with tempfile.TemporaryDirectory(prefix="optbench-mem-") as tmp:
            capture = Path(tmp) / "region.bin"
            with memray.Tracker(capture, file_format=memray.FileFormat.AGGREGATED_ALLOCATIONS,
                                trace_python_allocators=True):
                result = region()
                gc.collect()
            del result
            reader = memray.FileReader(capture)
            retained = sum(r.size for r in
                           reader.get_leaked_allocation_records(merge_threads=True))
            return MemoryReading(int(reader.metadata.peak_memory), int(retained))
    finally:
        if not was_frozen:
            gc.unfreeze()


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


# FileIO.readall's first chunk when the size is unknown (Modules/_io/fileio.c).
_SMALL_CHUNK = 8192
_REAL_OS_READ = os.read


class _CountingFileIO(io.FileIO):
    counts: FileIOCounts
    tracked: set

    def write(self, data) -> int:
        written = super().write(data)
        self.counts.add(writes=1, bytes_written=written or 0)
        return written

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        self.counts.add(reads=1, bytes_read=n or 0)
        return n

    def readall(self) -> bytes:
        """CPython's FileIO.readall, system call for system call: one read
        sized from fstat for the rest of the file, then reads until one
        returns nothing, the buffer growing as Modules/_io/fileio.c grows it."""
        fd = self.fileno()
        try:
            end, pos = os.fstat(fd).st_size, os.lseek(fd, 0, os.SEEK_CUR)
            size = end - pos + 1 if end > 0 and end >= pos >= 0 else _SMALL_CHUNK
        except OSError:
            size = _SMALL_CHUNK
        chunks, total = [], 0
        while True:
            if total >= size:
                size = total + max(_SMALL_CHUNK, total >> 3 if total > 65536 else total + 256)
            data = _REAL_OS_READ(fd, size - total)
            self.counts.add(reads=1, bytes_read=len(data))
            if not data:
                break
            chunks.append(data)
            total += len(data)
        return b"".join(chunks)

    def read(self, size=-1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        data = super().read(size)  # one read(2), not through readinto
        self.counts.add(reads=1, bytes_read=len(data or b""))
        return data

    def close(self) -> None:
        if not self.closed:
            self.tracked.pop(self.fileno(), None)
        super().close()


def _is_under(path, under: Path) -> bool:
    """Whether `path` lies in `under`, compared by path components: a folder
    /x/run-1 does not hold /x/run-10/metrics.json."""
    try:
        return Path(os.path.realpath(os.fsdecode(path))).is_relative_to(under)
    except (TypeError, ValueError):
        return False


def _identity(fd: int) -> tuple[int, int] | None:
    """(device, inode) of an open descriptor: a number the OS reused for
    another file must not be counted as the watched one."""
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _watched(tracked: dict, fd: int) -> bool:
    if fd not in tracked:
        return False
    if tracked[fd] != _identity(fd):
        del tracked[fd]  # closed behind our back (by C code) and the number reused
        return False
    return True


def _counting_open(counts: FileIOCounts, under: Path, real_open: Callable, tracked: dict):
    def counting_open(file, mode="r", buffering=-1, encoding=None, errors=None,
                      newline=None, closefd=True, opener=None):
        # A descriptor of a watched file (os.open, then open(fd) or os.fdopen)
        # is wrapped too; any other file is the real open()'s.
        by_descriptor = isinstance(file, int) and _watched(tracked, file)
        if not by_descriptor and (isinstance(file, int) or not _is_under(file, under)):
            return real_open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        binary = "b" in mode
        # The argument checks open() makes, with its messages.
        if binary and "t" in mode:
            raise ValueError("can't have text and binary mode at once")
        if binary and (encoding is not None or errors is not None or newline is not None):
            raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
        if buffering == 0 and not binary:
            raise ValueError("can't have unbuffered text I/O")
        # Build the same layers open() builds (Lib/_pyio.py open), over a raw
        # file that counts: the same buffer size (the file's block size), the
        # same line buffering, the same text encoding default.
        raw_mode = mode.replace("b", "").replace("t", "")
        writing = any(c in raw_mode for c in "wax+")
        raw = _CountingFileIO(file, raw_mode, closefd=closefd, opener=opener)
        raw.counts, raw.tracked = counts, tracked
        if not by_descriptor:  # open(fd) makes no open(2) of its own
            counts.add(opens=1, opens_for_write=int(writing))
        tracked[raw.fileno()] = _identity(raw.fileno())
        line_buffering = buffering == 1 or (buffering < 0 and raw.isatty())
        if buffering == 1 and binary:
            buffering = -1  # open() warns and ignores it
        if buffering == 1 or buffering < 0:
            buffering = raw._blksize if raw._blksize > 1 else io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            return raw
        if "+" in raw_mode:
            buffered = io.BufferedRandom(raw, buffering)
        elif writing:
            buffered = io.BufferedWriter(raw, buffering)
        else:
            buffered = io.BufferedReader(raw, buffering)
        if binary:
            return buffered
        text = io.TextIOWrapper(buffered, encoding, errors, newline, line_buffering)
        text.mode = mode
        return text

    return counting_open


def one_count(counts_of: Callable[[object], Mapping[str, int]], key: str
              ) -> Callable[[object], int]:
    """A counter metric's function: one figure from a run that counts several."""
    return lambda state: counts_of(state)[key]


@contextlib.contextmanager
def count_file_io(under: Path) -> Iterator[FileIOCounts]:
    """Count every open, read and write of files below `under`.

    The components keep calling the plain built-in open() (and os.open,
    os.write, os.read); only files in the case's work folder are counted,
    so imports and the harness are not. Reads and writes are counted where
    they reach the operating system, one system call each: a test checks the
    figures against strace. Not seen: copies the kernel makes itself
    (shutil.copyfile's sendfile/copy_file_range) and memory-mapped access.
    """
    counts = FileIOCounts()
    tracked: dict[int, tuple | None] = {}  # descriptor -> (device, inode), watched files
    real = {"open": builtins.open, "os.open": os.open, "os.write": os.write,
            "os.read": os.read, "os.close": os.close}
    under = Path(under).resolve()

    def os_open(path, flags, mode=0o777, *, dir_fd=None):
        fd = real["os.open"](path, flags, mode, dir_fd=dir_fd)
        if dir_fd is None and _is_under(path, under):
            writing = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT))
            counts.add(opens=1, opens_for_write=int(writing))
            tracked[fd] = _identity(fd)
        else:
            tracked.pop(fd, None)  # a number reused for a file elsewhere
        return fd

    def os_write(fd, data):
        written = real["os.write"](fd, data)
        if _watched(tracked, fd):
            counts.add(writes=1, bytes_written=written)
        return written

    def os_read(fd, n):
        data = real["os.read"](fd, n)
        if _watched(tracked, fd):
            counts.add(reads=1, bytes_read=len(data))
        return data

    def os_close(fd):
        tracked.pop(fd, None)
        return real["os.close"](fd)

    counting = _counting_open(counts, under, real["open"], tracked)
    builtins.open = io.open = counting
    os.open, os.write, os.read, os.close = os_open, os_write, os_read, os_close
    try:
        yield counts
    finally:
        builtins.open = io.open = real["open"]
        os.open, os.write, os.read, os.close = (real["os.open"], real["os.write"],
                                                real["os.read"], real["os.close"])


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


@dataclass
class VideoDecodeCounts:
    """Video decoding seen through cv2.VideoCapture, exactly.

    `full_decodes` counts captures that decoded from the first frame to the
    end of the stream without seeking: what "decoding the entire video just
    to count frames" costs. `frames` counts every frame decoded (read(), or
    grab()), `opens` every capture opened on a file, `failed_opens` those
    that did not open (a missing or unreadable file). Reading a property
    (CAP_PROP_FRAME_COUNT) decodes nothing and counts nothing.
    """

    opens: int = 0
    failed_opens: int = 0
    frames: int = 0
    full_decodes: int = 0
    full_decodes_per_file: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"opens": self.opens, "failed_opens": self.failed_opens, "frames": self.frames,
                "full_decodes": self.full_decodes}


@contextlib.contextmanager
def count_video_decodes() -> Iterator[VideoDecodeCounts]:
    """Count what every `cv2.VideoCapture(...)` made while inside decodes.

    Code must look the class up as `cv2.VideoCapture` when it opens a video
    (the components do); a name bound earlier with `from cv2 import
    VideoCapture` is not seen.
    """
    import cv2

    counts = VideoDecodeCounts()
    real = cv2.VideoCapture

    class CountingCapture:
        def __init__(self, *args, **kwargs):
            self._capture = real(*args, **kwargs)
            self._source = str(args[0]) if args else ""
            self._from_start, self._decoded = True, 0
            if args:
                if self._capture.isOpened():
                    counts.opens += 1
                else:
                    counts.failed_opens += 1

        def _advanced(self, ok: bool) -> None:
            if ok:
                self._decoded += 1
                counts.frames += 1
            elif self._from_start and self._decoded:  # reached the end from frame 0
                counts.full_decodes += 1
                per_file = counts.full_decodes_per_file
                per_file[self._source] = per_file.get(self._source, 0) + 1
                self._from_start = False  # one end, one full decode

        def read(self, *args, **kwargs):
            ok, frame = self._capture.read(*args, **kwargs)
            self._advanced(ok)
            return ok, frame

        def grab(self):
            ok = self._capture.grab()
            self._advanced(ok)
            return ok

        def set(self, prop, value):
            if prop == cv2.CAP_PROP_POS_FRAMES or prop == cv2.CAP_PROP_POS_MSEC:
                self._from_start = False  # a seek: what follows is not a full decode
            return self._capture.set(prop, value)

        def __getattr__(self, name):  # isOpened, get, retrieve, release, ...
            return getattr(self._capture, name)

    cv2.VideoCapture = CountingCapture
    try:
        yield counts
    finally:
        cv2.VideoCapture = real


@dataclass
class CollectionCounts:
    """The cyclic garbage collector's work, seen through gc.callbacks.

    Every collection counts, automatic or a gc.collect() call. `collected`
    is the number of unreachable objects the collector found: memory that
    reference counting alone would not have freed (objects in cycles).
    `seconds` is the wall time spent inside collections.
    """

    collections: int = 0
    full_collections: int = 0      # generation 2: the whole heap traversed
    collected: int = 0
    uncollectable: int = 0
    seconds: float = 0.0
    full_durations: list = field(default_factory=list)   # seconds, one per full collection


@contextlib.contextmanager
def count_garbage_collections() -> Iterator[CollectionCounts]:
    counts = CollectionCounts()
    started: list[float] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(time.perf_counter())
            return
        took = time.perf_counter() - started.pop() if started else 0.0
        counts.seconds += took
        counts.collections += 1
        if info["generation"] == 2:
            counts.full_collections += 1
            counts.full_durations.append(took)
        counts.collected += info["collected"]
        counts.uncollectable += info["uncollectable"]

    gc.callbacks.append(callback)
    try:
        yield counts
    finally:
        gc.callbacks.remove(callback)
