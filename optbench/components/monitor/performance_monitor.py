"""The pharmagen report's PerformanceMonitor (pgen_model/src/performance_monitor.py,
"New Features"): "Track GPU memory usage", "Monitor data loading throughput",
"Measure training speed", "Estimate optimal batch size"; used as
`monitor = PerformanceMonitor()`, the training loop, `monitor.log_summary()`.

The report shows no code (209 lines). Most literal reading, with the
modules it says it added ("psutil for system monitoring"):
- timers around data loading and around each training step (a CUDA
  synchronize before a step's time is read);
- memory read at the end of every step: torch.cuda.memory_allocated and
  memory_reserved on CUDA, the process's RSS and the system's memory
  (psutil) always (every step is this reading's choice, and it is most of
  what the monitor costs a step);
- throughputs as samples over the summed times;
- the batch-size estimate: one forward and backward at a sample batch,
  the memory it took (the CUDA allocator's peak, or the growth of the
  process's RSS on the CPU) divided by its rows, the budget (90% of it)
  divided by that.
"""
from __future__ import annotations

import logging
import time

import psutil
import torch

log = logging.getLogger("pgen_model.performance")
MB = 2 ** 20


class PerformanceMonitor:
    def __init__(self, device: str | None = None):
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.process = psutil.Process()
        self.step_times: list[float] = []
        self.data_times: list[float] = []
        self.samples = 0
        self.loaded = 0
        self.memory: list[dict] = []
        self._step_started = self._data_started = 0.0

    # --- data loading ---
    def start_data_loading(self) -> None:
        self._data_started = time.perf_counter()

    def end_data_loading(self, batch_size: int) -> None:
        self.data_times.append(time.perf_counter() - self._data_started)
        self.loaded += batch_size

    # --- training speed and memory ---
    def start_step(self) -> None:
        self._step_started = time.perf_counter()

    def end_step(self, batch_size: int) -> None:
        if self.device == "cuda":
            torch.cuda.synchronize()
        self.step_times.append(time.perf_counter() - self._step_started)
        self.samples += batch_size
        self.memory.append(self.memory_usage())

    def memory_usage(self) -> dict:
        on_gpu = self.device == "cuda"
        return {"gpu_allocated_mb": torch.cuda.memory_allocated() / MB if on_gpu else 0.0,
                "gpu_reserved_mb": torch.cuda.memory_reserved() / MB if on_gpu else 0.0,
                "cpu_rss_mb": self.process.memory_info().rss / MB,
                "system_memory_percent": psutil.virtual_memory().percent}

    def training_throughput(self) -> float:
        """Samples per second of training steps."""
        return self.samples / sum(self.step_times) if self.step_times else 0.0

    def loading_throughput(self) -> float:
        return self.loaded / sum(self.data_times) if self.data_times else 0.0

    def estimate_optimal_batch_size(self, model: torch.nn.Module, loss_fn, sample_batch,
                                    memory_budget_mb: float, safety: float = 0.9) -> int:
        *inputs, targets = [t.to(self.device) for t in sample_batch]
        rows = len(targets)
        if self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
        else:
            before = self.process.memory_info().rss
        loss_fn(model(*inputs), targets).backward()
        model.zero_grad(set_to_none=True)
        if self.device == "cuda":
            torch.cuda.synchronize()
            used = torch.cuda.max_memory_allocated() - before
        else:
            used = self.process.memory_info().rss - before
        per_row = max(used, 1) / rows       # no growth seen: read as 1 byte for the batch
        return int(memory_budget_mb * MB * safety / per_row)

    def summary(self) -> dict:
        last = self.memory[-1] if self.memory else self.memory_usage()
        return {"steps": len(self.step_times),
                "training_samples_per_s": self.training_throughput(),
                "loading_samples_per_s": self.loading_throughput(), **last}

    def log_summary(self) -> None:
        for key, value in self.summary().items():
            log.info("%s: %s", key, value)
