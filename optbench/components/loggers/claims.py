"""logger.buffered: "~10x fewer file I/O operations" (Lab_Project PR summary §1,
Lab_Project optimizations doc §2), on the codebase's own logging: what
pretrain_end_to_end.py logs and when it flushes (docs/sources/lab-project-code.md).

The script logs outside its step loop only: three lines while it sets up, two
an epoch ("Epoch N Complete", then "Saved checkpoint") with a flush_log()
between them at the after commits, one at the end and a last flush. Over its
20 epochs that is 44 calls: 44 opens before, 21 flushes after.
"""
from __future__ import annotations

import builtins
import itertools
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.crash import class_path, load_class, ready, run_child
from optbench.core.measure import count_file_io, one_count
from optbench.workloads.text import log_messages

from . import AT_18601BF, VARIANTS

THREADS = 8
TIMED_CALLS = 100
EPOCHS = 20          # config.py's EPOCHS
LOG, FLUSH = "log", "flush"


@dataclass(frozen=True)
class LogSchedule:
    """What a run logs, in order: ("log", text) and ("flush", "") events (a
    flush only where the after code calls flush_log(); the before code's
    flush_log is a no-op). `sigkill_after` and `crash_after` count the events
    run before the process is killed or fails; `exit_run` is a whole run that
    ends normally with nothing flushing its last lines."""

    events: tuple[tuple[str, str], ...]
    sigkill_after: int
    crash_after: int
    exit_run: tuple[tuple[str, str], ...]
    what: str = field(default="")

    def logs(self, events=None) -> int:
        return sum(kind == LOG for kind, _ in (self.events if events is None else events))


def pretrain_schedule(epochs: int) -> LogSchedule:
    """pretrain_end_to_end.py's calls, its messages' shape, seeded losses."""
    import numpy as np

    losses = np.random.default_rng(epochs).random((epochs, 2)) * 3
    setup = ((LOG, "Starting end-to-end training on cuda"),
             (LOG, f"Params: batch 64, epochs {epochs}, lr 5e-05, temperature 0.07"),
             (LOG, "Initialized GraphEdgeDataset with 12842 nodes and 89197 valid edges"))
    events = list(setup)
    for n, (mm, graph) in enumerate(losses, 1):
        events += [(LOG, f"Epoch {n} Complete | Avg Loss: {mm + graph:.4f} | "
                         f"MM Loss: {mm:.4f} | Graph Loss: {graph:.4f}"),
                   (FLUSH, ""),
                   (LOG, f"Saved checkpoint to checkpoints/multimodal_encoder_epoch_{n}.pt")]
    events += [(LOG, "Training complete. Final model saved to "
                     "checkpoints/multimodal_encoder_final.pt"), (FLUSH, "")]
    return LogSchedule(
        tuple(events),
        # killed while epoch 2 trains: after epoch 1's "Saved checkpoint"
        sigkill_after=len(setup) + 3,
        # the before code's first batch fails (collator.path_import): setup only
        crash_after=len(setup),
        # __main__ finds the final model and says so: one line, no flush
        exit_run=((LOG, "Model already trained: checkpoints/multimodal_encoder_final.pt"),),
        what=f"{epochs} epochs")


def message_stream(count: int) -> LogSchedule:
    """The what-if: `count` messages logged back to back, one flush at the end."""
    events = tuple((LOG, f"{message} lr={fields['lr']}") for message, fields
                   in log_messages(count)) + ((FLUSH, ""),)
    return LogSchedule(events, sigkill_after=max(count - 5, 1), crash_after=max(count - 5, 1),
                       exit_run=events[:-1], what=f"{count} messages")


def replay(logger, events) -> None:
    for kind, text in events:
        if kind == LOG:
            logger.log(text)
        else:
            logger.flush_log()


@dataclass
class LoggerState:
    case: Case
    console: object
    fresh_names: itertools.count
    timed_logger: object = None

    def fresh_path(self, stem: str) -> Path:
        return self.case.workdir / f"{stem}-{next(self.fresh_names)}.log"

    def new_logger(self, stem: str):
        return self.case.implementation(self.fresh_path(stem), stdout=self.console)


def _setup(case: Case) -> LoggerState:
    # The console print every variant makes goes to /dev/null (closed with
    # the state): a terminal here would time the terminal.
    console = open(os.devnull, "w")
    state = LoggerState(case, console, itertools.count())
    state.timed_logger = state.new_logger("timed")
    return state


def _file_io(state: LoggerState) -> dict[str, int]:
    logger = state.new_logger("counted")
    with count_file_io(state.case.workdir) as counts:
        replay(logger, state.case.data.events)
    return counts.as_dict()


def _timed_calls(state: LoggerState) -> None:
    log = state.timed_logger.log
    for _, text in itertools.islice(((k, t) for k, t in state.case.data.events if k == LOG),
                                    TIMED_CALLS):
        log(text)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def crash_child(logger_class: str, path: str, events: list, end: str) -> None:
    """Runs in a fresh interpreter: replay `events`, then end as `end` says:
    "sigkill" (killed), "crash" (an exception that ends the script, as the
    before code's NameError in the first batch does) or "exit" (returns)."""
    logger = load_class(logger_class)(Path(path), stdout=open(os.devnull, "w"))
    replay(logger, events)
    if end == "sigkill":
        ready()
    elif end == "crash":
        # The traceback is printed and the interpreter exits, running its
        # exit handlers, as after an uncaught exception; status 0 so the
        # harness tells this apart from a broken child.
        import traceback
        try:
            raise RuntimeError("the first batch failed")
        except RuntimeError:
            traceback.print_exc(file=open(os.devnull, "w"))
        sys.exit(0)


def _lost(end: str):
    def lost(state: LoggerState) -> int:
        schedule = state.case.data
        events = {"sigkill": schedule.events[:schedule.sigkill_after],
                  "crash": schedule.events[:schedule.crash_after],
                  "exit": schedule.exit_run}[end]
        path = state.fresh_path(end)
        run_child(f"{__name__}:crash_child", class_path(state.case.implementation), str(path),
                  list(events), end,
                  kill=end == "sigkill")
        return schedule.logs(events) - len(_lines(path))
    return lost


def _threads_lost_or_interleaved(state: LoggerState) -> int:
    logger = state.new_logger("threads")
    per_thread = max(state.case.data.logs() // THREADS, 1)

    def writer(t: int) -> None:
        for i in range(per_thread):
            logger.log(f"thread {t} message {i}")

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    logger.flush_log()
    expected = {f"thread {t} message {i}" for t in range(THREADS) for i in range(per_thread)}
    found = _lines(logger.path)
    interleaved = sum(1 for line in found if line not in expected)
    duplicated = len(found) - len(set(found)) - max(interleaved - len(set(found) - expected), 0)
    return len(expected - set(found)) + interleaved + duplicated


class _CloseHook:
    """A file that calls `hook` once it is closed (the rest passes through)."""

    def __init__(self, file, hook):
        self._file, self._hook = file, hook

    def write(self, text):
        return self._file.write(text)

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._file.close()
        self._hook()


# Long enough for a thread that is not blocked to log one line on a busy machine.
RACE_WAIT_SECONDS = 1.0


def _flush_race_lines_wrong(state: LoggerState) -> int:
    """One interleaving of two threads, forced: the first fills the buffer;
    as its flush closes the log file (the lines written, the buffer not yet
    emptied) a second thread logs a message. The lines then lost or written
    twice. A lock makes the second wait for the flush; without one it
    appends to the buffer the flush is about to empty (and, finding it full,
    may flush it again itself). A logger that closes no file while it runs
    has no such moment: 0."""
    logger = state.new_logger("race")
    path = Path(logger.path).resolve()
    real_open, raced = builtins.open, []
    late = "logged during a flush"

    def log_from_another_thread():
        if not raced:
            raced.append(threading.Thread(target=logger.log, args=(late,)))
            raced[0].start()
            raced[0].join(RACE_WAIT_SECONDS)    # a lock keeps it waiting: then go on

    def hooked_open(file, *args, **kwargs):
        opened = real_open(file, *args, **kwargs)
        if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == path:
            return _CloseHook(opened, log_from_another_thread)
        return opened

    messages = [f"message {i}" for i in range(getattr(logger, "buffer_size", 1))]
    builtins.open = hooked_open
    try:
        for message in messages:
            logger.log(message)
    finally:
        builtins.open = real_open
    for thread in raced:
        thread.join()
    if not raced:
        return 0
    logger.flush_log()
    found, expected = _lines(path), messages + [late]
    return sum(abs(found.count(line) - 1) for line in expected) + \
        sum(line not in expected for line in found)


def _caller_kwargs_mutated(state: LoggerState) -> bool:
    """The PR summary's "Fixed kwargs mutation": a caller's dict passed as
    **kwargs, with and without flush, compared after the call."""
    logger = state.new_logger("mutation")
    passed = [{"end": "\n"}, {"end": "\n", "flush": True}]
    before = [dict(d) for d in passed]
    for d in passed:
        logger.log("probe", **d)
    return passed != before


def _output(case: Case) -> list[str]:
    path = case.workdir / "equivalence.log"
    with open(os.devnull, "w") as console:
        replay(case.implementation(path, stdout=console), case.data.events)
    return _lines(path)


def _claim(claim_id: str, title: str, workload: Workload, headline: int, notes: str,
           variants=VARIANTS, source: str = "Lab_Project PR summary §1; Lab_Project "
                                             "optimizations doc §2",
           follows: str = "55b2dd8..8329e91 (the joined message printed, buffered under a "
                          "lock, written every 10 messages, on flush=True or flush_log())",
           revision: int = 2, racy: bool = False) -> Claim:
    """racy: a logger whose losses under free-running threads vary from run
    to run (no lock) is read only on the forced interleaving, a counter must
    be exact."""
    return Claim(
        id=claim_id,
        source=source,
        component="loggers",
        title=title,
        # Lab_Project PR summary §1: "~10x reduction in file I/O operations";
        # Lab_Project optimizations doc's table: "~10x fewer file operations".
        claimed=Claimed.times_fewer(10, approx=True, text="~10x fewer file I/O operations"),
        variants=variants,
        workload=workload,
        setup=_setup,
        primary=Metric("write_syscalls", "counter", "write(2) calls",
                       one_count(_file_io, "writes"),
                       "raw write calls to the log file over the whole schedule, its flushes "
                       "included"),
        secondary=(
            Metric("file_opens", "counter", "opens", one_count(_file_io, "opens"),
                   "times the log file was opened over the whole schedule"),
            Metric("time_per_100_calls", "time", "s", _timed_calls,
                   f"up to {TIMED_CALLS} log() calls on a warm logger, console print "
                   f"(to /dev/null) included"),
            Metric("lost_on_sigkill", "counter", "messages", _lost("sigkill"),
                   "messages missing from the file when a child process replaying the "
                   "schedule is killed with SIGKILL partway"),
            Metric("lost_on_crash", "counter", "messages", _lost("crash"),
                   "messages missing when the script fails partway with an exception"),
            Metric("lost_at_exit_without_flush", "counter", "messages", _lost("exit"),
                   "messages missing when a run ends normally with nothing flushing its "
                   "last lines"),
            *([] if racy else [Metric(
                "threads_lost_or_interleaved", "counter", "lines", _threads_lost_or_interleaved,
                f"lines lost, duplicated or garbled when {THREADS} threads log at once (the "
                f"script logs from one thread; the PR summary claims thread safety)")]),
            Metric("flush_race_lines_wrong", "counter", "lines", _flush_race_lines_wrong,
                   "lines lost or written twice when another thread logs while a flush "
                   "closes the file (one interleaving, forced)"),
            Metric("caller_kwargs_mutated", "value", "", _caller_kwargs_mutated,
                   "whether log(**kwargs) changed the caller's dict (the PR summary's "
                   "'Fixed kwargs mutation')"),
        ),
        output=_output,
        equivalence=Equivalence.exact("the log file holds the same lines in the same order"),
        headline_size=headline,
        revision=revision,
        notes=f"Follows utils/util.py at b05ebe4 (print, then open/print/close per call) and "
              f"{follows}. Counts are exact: every "
              "raw write(2) and open of the log file is counted by optbench's counting "
              "open(). No commit mutates a caller's kwargs (Python builds **kwargs afresh), "
              "so the PR summary's kwargs fix changes nothing observable. " + notes,
    )


CLAIM = _claim(
    "logger.buffered",
    "Buffered logging instead of open/append/close per call, on pretrain_end_to_end.py's "
    "own calls",
    Workload("pretrain_end_to_end.py's logging: 3 setup lines; per epoch 'Epoch N Complete', "
             "flush_log() (after only), 'Saved checkpoint'; 'Training complete' and a last "
             "flush; a kill while epoch 2 trains, a crash in epoch 1's first batch, and the "
             "'Model already trained' run", pretrain_schedule, sizes=(EPOCHS,),
             quick_sizes=(EPOCHS,), size_unit="epochs"),
    EPOCHS,
    "The script flushes after every epoch, so the buffer never fills: 44 -> 21 opens and "
    "writes for its 20 epochs, whatever the epoch count (3 + 2n + 1 -> n + 1). The "
    "checkpoint each epoch writes (~0.68 GB at full scale) dwarfs the log.")

AT_18601BF_CLAIM = _claim(
    "logger.buffered_18601bf",
    "Buffered logging at 18601bf, the commit the optimizations doc describes: the same "
    "buffer without the lock 55b2dd8 added",
    CLAIM.workload,
    EPOCHS,
    "The optimizations doc describes 18601bf and claims no thread safety (the PR summary, at "
    "9edbb71, does, for the lock): its opens and writes are those of logger.buffered, 44 -> "
    "21. Without the lock, a thread that logs while another's flush closes the file finds "
    "the buffer not yet emptied: lines are written twice or lost (flush_race_lines_wrong "
    "forces that interleaving); the free-running threads reading is left out, its losses "
    "vary from run to run.",
    variants=AT_18601BF, source="Lab_Project optimizations doc §2; DvirSela/Lab_Project "
                                "utils/util.py b05ebe4 -> 18601bf",
    follows="18601bf (the joined message printed with the caller's flush=, buffered without "
            "a lock, written every 10 messages, on flush=True or flush_log())",
    revision=1, racy=True)

STREAM_WHATIF = _claim(
    "logger.buffered_stream_whatif",
    "what-if: the same loggers on messages logged back to back with one flush at the end, "
    "which the script never does",
    Workload("what-if: training-loop messages back to back, one flush_log() at the end; the "
             "script logs 44 lines a run and flushes each epoch", message_stream,
             sizes=(1000, 10000), quick_sizes=(1000,), size_unit="messages"),
    1000,
    "Revision 1 of logger.buffered read the report this way: with 10 messages a flush, "
    "~10x fewer writes by construction.")

CLAIMS = [CLAIM, AT_18601BF_CLAIM, STREAM_WHATIF]
