"""logger.buffered: "~10x fewer file I/O operations" (Lab_Project PR summary §1,
Lab_Project optimizations doc §2)."""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.crash import ready, run_child
from optbench.core.measure import count_file_io, one_count
from optbench.workloads.text import log_messages

from . import VARIANTS

THREADS = 8
TIMED_CALLS = 100
# Killed this many messages before the end: mid-buffer, as a real crash is.
KILL_BEFORE_END = 5


@dataclass
class LoggerState:
    case: Case
    timed_logger: object
    fresh_names: itertools.count

    def fresh_path(self, stem: str) -> Path:
        return self.case.workdir / f"{stem}-{next(self.fresh_names)}.log"

    def new_logger(self, stem: str):
        return self.case.implementation(self.fresh_path(stem))


def _setup(case: Case) -> LoggerState:
    state = LoggerState(case, None, itertools.count())
    state.timed_logger = state.new_logger("timed")
    return state


def _log_all(logger, messages) -> None:
    for message, fields in messages:
        logger.log(message, dict(fields))
    logger.flush()


def _file_io(state: LoggerState) -> dict[str, int]:
    logger = state.new_logger("counted")
    with count_file_io(state.case.workdir) as counts:
        _log_all(logger, state.case.data)
    return counts.as_dict()


def _timed_calls(state: LoggerState) -> None:
    log = state.timed_logger.log
    for message, fields in state.case.data[:TIMED_CALLS]:
        log(message, dict(fields))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def crash_child(variant: str, path: str, count: int, kill: bool) -> None:
    """Runs in the child process: log `count` messages, then die or exit."""
    logger = VARIANTS[variant](Path(path))
    for message, fields in log_messages(count):
        logger.log(message, dict(fields))
    if kill:
        ready()


def _lost_in_child(state: LoggerState, kill: bool) -> int:
    path = state.fresh_path("crash" if kill else "exit")
    count = max(len(state.case.data) - KILL_BEFORE_END, 1)
    run_child(f"{__name__}:crash_child", state.case.variant, str(path), count, kill,
              kill=kill)
    return count - len(_lines(path))


def _threads_lost_or_interleaved(state: LoggerState) -> int:
    logger = state.new_logger("threads")
    per_thread = max(len(state.case.data) // THREADS, 1)

    def writer(t: int) -> None:
        for i in range(per_thread):
            logger.log(f"thread {t} message {i}", {"seq": i})

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    logger.flush()
    expected = {f"thread {t} message {i} seq={i} level=INFO"
                for t in range(THREADS) for i in range(per_thread)}
    found = _lines(logger.path)
    interleaved = sum(1 for line in found if line not in expected)
    return len(expected - set(found)) + interleaved


def _caller_fields_mutated(state: LoggerState) -> bool:
    fields = {"lr": 0.1}
    state.new_logger("mutation").log("probe", fields)
    return fields != {"lr": 0.1}


def _output(case: Case) -> list[str]:
    path = case.workdir / "equivalence.log"
    _log_all(case.implementation(path), case.data)
    return _lines(path)



CLAIM = Claim(
    id="logger.buffered",
    source="Lab_Project PR summary §1; Lab_Project optimizations doc §2",
    component="loggers",
    title="Buffered logging instead of open/append/close per call",
    # Lab_Project PR summary §1: "~10x reduction in file I/O operations";
    # Lab_Project optimizations doc's table: "~10x fewer file operations".
    claimed=Claimed.times_fewer(10, approx=True, text="~10x fewer file I/O operations"),
    variants=VARIANTS,
    workload=Workload("training-loop log messages", log_messages,
                      sizes=(1000, 10000), quick_sizes=(1000,), size_unit="messages"),
    setup=_setup,
    primary=Metric("write_syscalls", "counter", "write(2) calls", one_count(_file_io, "writes"),
                   "raw write calls to the log file for the whole workload, "
                   "final flush included"),
    secondary=(
        Metric("file_opens", "counter", "opens", one_count(_file_io, "opens"),
               "times the log file was opened for the whole workload"),
        Metric("time_per_100_calls", "time", "s", _timed_calls,
               f"{TIMED_CALLS} log() calls on a warm logger"),
        Metric("lost_on_sigkill", "counter", "messages", lambda s: _lost_in_child(s, True),
               f"messages missing from the file when a child process that logged "
               f"size-{KILL_BEFORE_END} of them is killed with SIGKILL"),
        Metric("lost_at_exit_without_flush", "counter", "messages",
               lambda s: _lost_in_child(s, False),
               "messages missing when the child exits normally without calling flush"),
        Metric("threads_lost_or_interleaved", "counter", "lines", _threads_lost_or_interleaved,
               f"lines lost or garbled when {THREADS} threads log at once"),
        Metric("caller_fields_mutated", "value", "", _caller_fields_mutated,
               "whether log() changed the dict its caller passed in"),
    ),
    output=_output,
    equivalence=Equivalence.exact("the log file holds the same lines in the same order"),
    headline_size=1000,
    notes="Counts are exact: every raw write(2) and open of the log file is counted by "
          "optbench's counting open(). The primary metric is write calls; opens are "
          "reported beside it.",
)

CLAIMS = [CLAIM]
