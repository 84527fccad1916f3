"""Lab_Project utils/util.py after the report (Lab_Project PR summary §1,
Lab_Project optimizations doc §2).

Messages are buffered in memory under a threading.Lock and appended to the
file every `buffer_size` (10) messages or on an explicit flush_log(). As in
the report, nothing flushes at exit: what is still buffered when the process
ends is lost, and that loss is measured, not fixed, here.
"""
from __future__ import annotations

import threading
from pathlib import Path

from .common import format_line


class BufferedLogger:
    def __init__(self, path: Path, buffer_size: int = 10):
        self.path = Path(path)
        self.buffer_size = buffer_size
        self._buffer: list[str] = []
        self._lock = threading.Lock()

    def log(self, message: str, fields: dict | None = None) -> None:
        if fields is not None:
            fields = {**fields, "level": fields.get("level", "INFO")}  # the report's fix
        line = format_line(message, fields)
        with self._lock:
            self._buffer.append(line)
            if len(self._buffer) >= self.buffer_size:
                self._flush_locked()

    def flush(self) -> None:
        """The report's flush_log()."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._buffer:
            return
        with open(self.path, "a", encoding="utf-8") as f:
            f.writelines(self._buffer)
        self._buffer.clear()
