"""The training loop's monitor, per variant of monitor.performance:

  NoMonitor             the codebase: nothing is watched (no file of it
                        imports the monitor)
  PerformanceMonitor    eb7183e6's class, used as its guide shows:
                        start_batch() and record_batch_end() around each
                        step (performance_monitor.py)
  EventMonitor          best: the same figures, but on a CUDA run each step
                        is timed by CUDA events (read once, when the figures
                        are asked for): the kernels' run, not their launch,
                        whether or not the step itself synchronizes
"""
from __future__ import annotations

import torch

from .performance_monitor import GB, PerformanceMonitor


class NoMonitor:
    def __init__(self, enabled: bool = True): ...
    def start_batch(self) -> None: ...
    def record_batch_end(self) -> None: ...
    def log_summary(self) -> None: ...


class EventMonitor(PerformanceMonitor):
    def __init__(self, enabled: bool = True):
        super().__init__(enabled)
        self._events: list = []
        # The run's device (the claim sets it): events time only CUDA work.
        self.device = "cuda" if torch.cuda.is_available() else "cpu"

    def start_batch(self) -> None:
        if self.device == "cuda":
            self._started = torch.cuda.Event(enable_timing=True)
            self._started.record()
        else:
            super().start_batch()

    def record_batch_end(self) -> None:
        if self.device != "cuda":
            return super().record_batch_end()
        ended = torch.cuda.Event(enable_timing=True)
        ended.record()
        self._events.append((self._started, ended))
        self.metrics["gpu_memory_allocated"].append(torch.cuda.memory_allocated() / GB)
        self.metrics["gpu_memory_reserved"].append(torch.cuda.memory_reserved() / GB)
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
