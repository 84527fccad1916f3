"""The training loop's monitor, per variant of monitor.performance:

  NoMonitor             before the report: nothing is watched
  PerformanceMonitor    the report's (performance_monitor.py): a synchronize
                        and a memory reading every step
  SampledMonitor        best: CUDA events instead of a synchronize per step
                        (read once, when a throughput is asked for), memory
                        read every SAMPLE_EVERY steps, and a batch-size
                        estimate that counts tensor bytes instead of reading
                        a process-wide figure (RSS barely moves when a step
                        reuses freed memory)
"""
from __future__ import annotations

import time

import torch

from .performance_monitor import PerformanceMonitor

SAMPLE_EVERY = 10


class NoMonitor:
    def __init__(self, device: str | None = None): ...
    def start_data_loading(self) -> None: ...
    def end_data_loading(self, batch_size: int) -> None: ...
    def start_step(self) -> None: ...
    def end_step(self, batch_size: int) -> None: ...


class SampledMonitor(PerformanceMonitor):
    def __init__(self, device: str | None = None):
        super().__init__(device)
        self._events: list = []
        self._steps = 0

    def start_step(self) -> None:
        if self.device == "cuda":
            self._started_event = torch.cuda.Event(enable_timing=True)
            self._started_event.record()
        else:
            self._step_started = time.perf_counter()

    def end_step(self, batch_size: int) -> None:
        if self.device == "cuda":
            ended = torch.cuda.Event(enable_timing=True)
            ended.record()
            self._events.append((self._started_event, ended))
            if len(self._events) >= 100:   # read them now and then, not one list forever
                self._read_events()
        else:
            self.step_times.append(time.perf_counter() - self._step_started)
        self.samples += batch_size
        self._steps += 1
        if self._steps % SAMPLE_EVERY == 1:
            self.memory.append(self.memory_usage())

    def _read_events(self) -> None:
        self._events[-1][1].synchronize()
        self.step_times += [start.elapsed_time(end) / 1000 for start, end in self._events]
        self._events = []

    def training_throughput(self) -> float:
        if self._events:
            self._read_events()
        return super().training_throughput()

    def estimate_optimal_batch_size(self, model: torch.nn.Module, loss_fn, sample_batch,
                                    memory_budget_mb: float, safety: float = 0.9) -> int:
        """Bytes a step holds, counted: per row, every module's output kept
        for backward and its gradient (2x the outputs' bytes, seen by forward
        hooks on one sample batch); fixed, the weights, their gradients and
        Adam's two moments (4x the parameters' bytes)."""
        *inputs, targets = [t.to(self.device) for t in sample_batch]
        outputs = []

        def keep(_module, _inputs, output):
            for tensor in output.values() if isinstance(output, dict) else [output]:
                if isinstance(tensor, torch.Tensor):
                    outputs.append(tensor.numel() * tensor.element_size())

        # Leaf modules only: a container's output is its last child's, counted once.
        hooks = [m.register_forward_hook(keep) for m in model.modules()
                 if not any(True for _ in m.children())]
        try:
            with torch.no_grad():
                model(*inputs)
        finally:
            for hook in hooks:
                hook.remove()
        per_row = 2 * sum(outputs) / len(targets)
        fixed = 4 * sum(p.numel() * p.element_size() for p in model.parameters())
        budget = memory_budget_mb * 2 ** 20 * safety - fixed
        return max(0, int(budget / per_row))
