"""Lab_Project utils/util.py's log() at b05ebe4, before the PR (Lab_Project PR summary
§1, Lab_Project optimizations doc §2).

Every call prints its arguments to the console, then opens the log file, prints
the same arguments into it and closes it: one open and one write a call, and
nothing held back. The caller's keyword arguments are passed on, never changed.
"""
from __future__ import annotations

import sys
from pathlib import Path


class AppendPerCallLogger:
    def __init__(self, path: Path, stdout=None):
        self.path = Path(path)
        self.stdout = stdout if stdout is not None else sys.stdout

    def log(self, *args, **kwargs) -> None:
        print(*args, **kwargs, file=self.stdout)
        with open(self.path, "a") as f:
            print(*args, **kwargs, file=f)

    def flush_log(self) -> None:
        """b05ebe4 has none (nothing is held back); every variant has one interface."""
