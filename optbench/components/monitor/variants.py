"""The training loop's monitor, per variant of monitor.performance:

  NoMonitor             the codebase: nothing is watched (no file of it
                        imports the monitor)
  PerformanceMonitor    eb7183e6's class, used as its guide shows:
                        start_batch() and record_batch_end() around each
                        step (performance_monitor.py)
  EventMonitor          best: the same figures, but on CUDA each step is
                        timed by CUDA events (read once, when the figures
                        are asked for) so the times are the kernels' run,
                        not their launch, without a synchronize per step
"""
from __future__ import annotations

import torch

from .performance_monitor import PerformanceMonitor


class NoMonitor:
    def __init__(self, enabled: bool = True): ...
    def start_batch(self) -> None: ...
    def record_batch_end(self) -> None: ...
    def log_summary(self) -> None: ...


class EventMonitor(PerformanceMonitor):
    def __init__(self, enabled: bool = True):
        super().__init__(enabled)
        self._events: list = []

    def start_batch(self) -> None:
        if torch.cuda.is_available():
            self._started = torch.cuda.Event(enable_timing=True)
            self._started.record()
        else:
            super().start_batch()

    def record_batch_end(self) -> None:
        if not torch.cuda.is_available():
            return super().record_batch_end()
        ended = torch.cuda.Event(enable_timing=True)
        ended.record()
        self._events.append((self._started, ended))
        if len(self._events) >= 100:   # read them now and then, not one list forever
            self._read_events()

    def _read_events(self) -> None:
        self._events[-1][1].synchronize()
        self.metrics["batch_times"] += [a.elapsed_time(b) / 1000 for a, b in self._events]
        self._events = []

    def get_summary(self) -> dict[str, float]:
        if self._events:
            self._read_events()
        return super().get_summary()
