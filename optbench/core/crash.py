"""Run a workload in a real child process and kill it with SIGKILL mid-run.

What a buffer loses when the process dies cannot be measured in-process:
atexit handlers, finalizers and interpreter shutdown all run there. The child
calls `ready()` at the point the parent should kill it; SIGKILL then gives it
no chance to flush anything.
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time

_READY = b"R"


def class_path(cls) -> str:
    """"module:QualName": how a child process is told which class to build."""
    return f"{cls.__module__}:{cls.__qualname__}"


def load_class(path: str):
    """The class a class_path names (imported in the child)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def ready() -> None:
    """Called by the child's workload: kill me now (blocks until killed)."""
    os.write(sys.stdout.fileno(), _READY)
    while True:
        time.sleep(60)


def _child_main() -> None:
    spec = json.loads(sys.stdin.readline())
    module, _, function = spec["target"].partition(":")
    getattr(importlib.import_module(module), function)(*spec["args"])


def run_child(target: str, *args, kill: bool, timeout: float = 120.0) -> int:
    """Run `module:function(*args)` in a fresh interpreter.

    With kill=True, wait for the child's ready() and SIGKILL it; otherwise let
    it finish and exit normally. Returns the child's exit status.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", "from optbench.core.crash import _child_main; _child_main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write((json.dumps({"target": target, "args": list(args)}) + "\n").encode())
    proc.stdin.close()
    if kill:
        got = proc.stdout.read(1)
        if got != _READY:
            proc.kill()
            err = proc.stderr.read().decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"child {target} ended before it was ready to be killed: "
                               f"{err[-1] if err else 'no output'}")
        os.kill(proc.pid, signal.SIGKILL)
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise RuntimeError(f"child {target} did not finish in {timeout:.0f} s") from None
    if not kill and status != 0:
        err = proc.stderr.read().decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"child {target} failed: {err[-1] if err else status}")
    proc.stdout.close()
    proc.stderr.close()
    return status
