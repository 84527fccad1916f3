"""A buffered logger that keeps the report's write savings and loses less.

Better than the report's design in three measured ways:
- the file is opened once, not once per flush (opens per 1000 messages: 1);
- lines at ERROR level or above are written at once, so the message that
  explains a crash is on disk before the crash;
- what is buffered is written when the logger is collected or the
  interpreter exits normally (weakref.finalize), so a script that forgets
  flush_log() loses nothing.
A SIGKILL still loses what is buffered: no in-process design avoids that
without a write per message.
"""
from __future__ import annotations

import threading
import weakref
from pathlib import Path

from .common import format_line

_URGENT = {"ERROR", "CRITICAL"}


class _Sink:
    """The buffer and the open file, apart from the logger so a finalizer
    can flush them after the logger itself is gone."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] = []
        self.lock = threading.Lock()
        self.file = None

    def flush(self) -> None:
        with self.lock:
            self.flush_locked()

    def flush_locked(self) -> None:
        if not self.lines:
            return
        if self.file is None:
            # A buffer larger than one flush, so each flush is one write call.
            self.file = open(self.path, "a", encoding="utf-8", buffering=1 << 20)
        self.file.writelines(self.lines)
        self.file.flush()
        self.lines.clear()


class KeepOpenBufferedLogger:
    def __init__(self, path: Path, buffer_size: int = 10):
        self.path = Path(path)
        self.buffer_size = buffer_size
        self._sink = _Sink(self.path)
        weakref.finalize(self, self._sink.flush)

    def log(self, message: str, fields: dict | None = None) -> None:
        level = (fields or {}).get("level", "INFO")
        if fields is not None:
            fields = {**fields, "level": level}
        line = format_line(message, fields)
        sink = self._sink
        with sink.lock:
            sink.lines.append(line)
            if len(sink.lines) >= self.buffer_size or level in _URGENT:
                sink.flush_locked()

    def flush(self) -> None:
        self._sink.flush()
