"""Each claim in its own child process: a claim that raises, hangs or dies
becomes "error" entries with the reason, and the run goes on.

The child is forked from the parent, which has imported optbench, torch and
the claims but measured nothing: forking costs milliseconds where a fresh
interpreter would pay the torch import (4 s) per claim, and nothing a claim
allocates, caches or patches survives into the next claim's process. The
child streams its progress and each finished entry back over a pipe, so what
was measured before a crash is kept.

It runs whatever work it is handed (the engine's `measure_claim`) and knows
nothing of how a claim is measured: the engine imports this module, never
the other way round.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import replace
from typing import Callable

from .claim import Claim
from .measure import STOP_REQUEST
from .schema import Entry

# A case (one claim at one size on one device) with no answer after this
# long is killed; the witness of a claim gets as long.
CASE_TIMEOUT_SECONDS = 900.0


class Interrupted(Exception):
    """Ctrl-C during a run: the entries measured so far travel with it."""

    def __init__(self, entries: list[Entry]):
        super().__init__("interrupted")
        self.entries = entries


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "its process did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:  # a real-time signal has no name
            name = f"signal {-code}"
        hint = " (the kernel's OOM killer sends this)" if -code == signal.SIGKILL else ""
        return f"its process was killed by {name}{hint}"
    return f"its process exited with status {code}"


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this child when the process that forked it
    dies, so a case never outlives a killed parent (a Ray worker cancelled
    with force, a parent killed by the OOM killer) to load the machine."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):   # not Linux: the parent's kill is all there is
        return
    if os.getppid() != parent:   # it died before the request was in place
        os._exit(1)


def _child(claim: Claim, options, work, conn, scratch: str, parent: int) -> None:
    status = 0
    try:
        _die_with_parent(parent)
        # Every temporary folder of this claim goes under one the parent
        # removes, so a case killed mid-way leaves nothing behind.
        tempfile.tempdir = scratch

        # Fresh stdio objects: a lock another parent thread (the progress bar)
        # held at the fork would otherwise stay locked here for good.
        sys.stdout = open(os.dup(1), "w", buffering=1)
        sys.stderr = open(os.dup(2), "w", buffering=1)
        # Ctrl-C is the parent's: it asks with SIGUSR1, which stops a sampling
        # after its round (the case is kept) and anything else at once.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, STOP_REQUEST.ask)
        def on_case(size, device):
            conn.send(("case", size, device))
            return lambda step: conn.send(("step", step))

        # Entries cross the pipe as JSON, the form they are written in.
        measured = work(claim, options, on_case,
                        lambda entry: conn.send(("entry", entry.to_json())),
                        lambda: conn.send(("witness",)))
        conn.send(("final", [e.to_json() for e in measured]))
    except BaseException as exc:  # noqa: BLE001 - sys.exit in a claim included
        status = 1
        try:  # say why, so the entry's reason is more than an exit status
            conn.send(("crash", f"{type(exc).__name__}: {exc}".strip()))
        except Exception:  # the pipe itself may be what failed
            pass
    finally:
        conn.close()
        os._exit(status)


def run_claim(claim: Claim, options, work: Callable[..., list[Entry]],
              error_entry: Callable[..., Entry],
              on_case: Callable[[int, str], Callable[[str], None]] = lambda s, d: (lambda _: None),
              on_done: Callable[[Entry], None] = lambda _: None,
              timeout: float = CASE_TIMEOUT_SECONDS) -> list[Entry]:
    """Every entry of `claim`, measured in a forked child by
    `work(claim, options, on_case, on_done, on_witness)`; a case the child
    never finished becomes `error_entry(claim, size, device, quick, why)`."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # Not a daemon: a daemon process may not start processes of its own, and
    # a claim may (a DataLoader's workers, a process pool). It is killed below
    # whenever this function leaves before it has finished.
    scratch = tempfile.mkdtemp(prefix=f"optbench-run-{claim.id}-")
    child = context.Process(target=_child,
                            args=(claim, options, work, send, scratch, os.getpid()))
    child.start()
    send.close()
    entries: dict[tuple, Entry] = {}
    current: tuple | None = None
    progress: Callable[[str], None] = lambda _: None
    step = None   # the case's last step, for a child that dies in it
    deadline = time.monotonic() + timeout
    final = None
    reason = None
    crashed = None
    try:
        while final is None:
            if time.monotonic() > deadline:
                reason = f"no result after {timeout:.0f} s (timeout per case): killed"
                _kill_tree(child)
                break
            if receive.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
                try:
                    message = receive.recv()
                except EOFError:
                    break
                kind = message[0]
                if kind == "case":
                    current, deadline = message[1:], time.monotonic() + timeout
                    progress, step = on_case(*current), None
                elif kind == "step":
                    step = message[1]
                    progress(step)
                elif kind == "entry":
                    entry = Entry.from_json(message[1])
                    entries[current] = entry
                    on_done(entry)
                    current = None
                elif kind == "witness":
                    current, deadline = ("witness",), time.monotonic() + timeout
                elif kind == "final":
                    final = [Entry.from_json(e) for e in message[1]]
                elif kind == "crash":
                    crashed = message[1]
            elif not child.is_alive() and not receive.poll():
                break
    except KeyboardInterrupt:
        _stop_after_round(child, receive, entries, current)
        raise Interrupted(list(entries.values())) from None
    finally:
        child.join(10)
        if child.is_alive():
            _kill_tree(child)
            child.join()
        shutil.rmtree(scratch, ignore_errors=True)
    if final is not None:
        return final
    reason = reason or (f"its process stopped: {crashed}" if crashed
                        else _describe_exit(child.exitcode))
    if current == ("witness",):  # the cases are measured; only the count is lost
        lost = {"unavailable": f"the instruction count failed: {reason}"}
        return [replace(e, instructions=lost) if e.ratio is not None else e
                for e in entries.values()]
    out = []
    for size in claim.sizes(options.quick):
        for device in claim.devices:
            key = (size, device)
            if key in entries:
                out.append(entries[key])
                continue
            during = f" (step: {step})" if step else ""
            why = (f"{reason} while measuring it{during}" if key == current
                   else f"not measured: {reason} on an earlier case of this claim")
            entry = error_entry(claim, size, device, options.quick, why)
            on_done(entry)
            out.append(entry)
    return out


def _stop_after_round(child, receive, entries: dict, current: tuple | None) -> None:
    """Ctrl-C: the child finishes the round it is timing and sends that case
    (`current`), or stops at once outside sampling; a second Ctrl-C stops
    waiting."""
    try:
        try:
            os.kill(child.pid, signal.SIGUSR1)
        except ProcessLookupError:   # it had already finished
            pass
        while child.is_alive() or receive.poll():
            if not receive.poll(0.2):
                continue
            try:
                message = receive.recv()
            except EOFError:
                break
            if message[0] == "case":
                current = message[1:]
            elif message[0] == "entry":
                entries[current] = Entry.from_json(message[1])
    except KeyboardInterrupt:
        pass
    finally:
        _kill_tree(child)
        child.join()


def _kill_tree(process) -> None:
    """Kill a case's process and every process it started (a reading's own
    process, DataLoader workers): killing the child alone would orphan them."""
    import psutil

    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    for descendant in descendants:
        try:
            descendant.kill()
        except psutil.Error:
            pass
    process.kill()


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def in_a_new_process(work: Callable[[], object]):
    """`work()` in a forked child; its result back, or its error raised here
    as a RuntimeError naming it. For readings that must not share a process
    with anything else (a warm cache found only on disk, a process tree)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child():
        try:
            send.send(("ok", work()))
        except Exception as exc:  # the work's failure, for the parent to raise
            send.send(("error", f"{type(exc).__name__}: {exc}"))

    process = context.Process(target=child)
    process.start()
    send.close()
    try:
        status, result = receive.recv()
    except EOFError:   # it died before sending
        process.join()
        status, result = "error", f"the child died ({_describe_exit(process.exitcode)})"
    process.join()
    if status == "error":
        raise RuntimeError(f"the run in a new process failed: {result}")
    return result
