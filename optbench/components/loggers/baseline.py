"""Lab_Project utils/util.py before the report (Lab_Project PR summary §1,
Lab_Project optimizations doc §2).

Every call opens the log file, appends one line and closes it again. The
report also fixed a mutation of the caller's arguments: this version sets a
default level in the dict the caller passed in, as the old code did.
"""
from __future__ import annotations

from pathlib import Path

from .common import format_line


class AppendPerCallLogger:
    def __init__(self, path: Path):
        self.path = Path(path)

    def log(self, message: str, fields: dict | None = None) -> None:
        if fields is not None:
            fields.setdefault("level", "INFO")  # mutates the caller's dict
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(format_line(message, fields))

    def flush(self) -> None:
        """Nothing is buffered; present so every variant has one interface."""
