"""Lab_Project utils/util.py's log() after the PR: 18601bf's buffer with the lock
55b2dd8 added, as the PR summary (9edbb71) describes and 8329e91 ships
(Lab_Project PR summary §1, Lab_Project optimizations doc §2).

The arguments are joined with spaces and printed to the console (a `flush`
argument is taken out first), then appended to an in-memory buffer under a
threading.Lock; the buffer goes to the file, one open for all its lines, when it
holds 10 messages, when a caller passes flush=True, or on flush_log(). Nothing
flushes at exit: what is still buffered when the process ends is lost.

18601bf itself (the optimizations doc's state) has no lock: a flush rebinds the
buffer while another thread may append to the old one, and two threads may
flush the same messages. LocklessBufferedLogger is that state.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

BUFFER_SIZE = 10


class BufferedLogger:
    def __init__(self, path: Path, stdout=None, buffer_size: int = BUFFER_SIZE):
        self.path = Path(path)
        self.stdout = stdout if stdout is not None else sys.stdout
        self.buffer_size = buffer_size
        self._buffer: list[str] = []
        self._lock = threading.Lock()

    def log(self, *args, **kwargs) -> None:
        message = " ".join(str(a) for a in args)
        flush = kwargs.get("flush", False)
        if "flush" in kwargs:   # a copy for the console's print, the caller's dict untouched
            kwargs = {k: v for k, v in kwargs.items() if k != "flush"}
        print(message, **kwargs, file=self.stdout)
        with self._lock:
            self._buffer.append(message)
            if flush or len(self._buffer) >= self.buffer_size:
                self._flush_unlocked()

    def flush_log(self) -> None:
        with self._lock:
            self._flush_unlocked()

    def _flush_unlocked(self) -> None:
        if self._buffer:
            with open(self.path, "a") as f:
                for message in self._buffer:
                    print(message, file=f)
            self._buffer = []


class LocklessBufferedLogger(BufferedLogger):
    """18601bf's log(): the same buffer and flushes without the lock; the
    caller's flush= reaches the console's print as well."""

    def log(self, *args, **kwargs) -> None:
        message = " ".join(str(a) for a in args)
        print(message, **kwargs, file=self.stdout)
        self._buffer.append(message)
        if kwargs.pop("flush", False) or len(self._buffer) >= self.buffer_size:
            self.flush_log()

    def flush_log(self) -> None:
        self._flush_unlocked()
