"""Pharmagen's PerformanceMonitor as eb7183e6 added it (pgen_model/src/
performance_monitor.py), behaviour for behaviour; no file of the codebase
imports it (docs/sources/pharmagen.md).

- Everything is recorded by the caller, synchronously: start_batch() notes
  the clock; record_data_loading(), record_forward() and record_backward()
  each append the time since start_batch() (so each is cumulative: the
  "forward" figure includes the loading before it); record_batch_end()
  appends the batch's time and, where CUDA is available, the allocator's
  allocated and reserved memory in GB. No CUDA synchronize anywhere: on a
  GPU the times are those of the kernels' launch, not their run.
- get_summary(): mean, max and min of each list, psutil.cpu_percent() (since
  the previous call in the process; 0.0 on the first), the machine's RAM in
  use (psutil.virtual_memory().percent: every process's, not this one's),
  and the CUDA allocator's peak in GB.
- log_summary() logs the summary; reset() clears the lists and the peak.
- estimate_optimal_batch_size(model, sample_input, max_batch_size=512): 32
  without CUDA; on CUDA a binary search for the largest batch whose no-grad
  forward does not run out of memory, times 0.8.

The guide (OPTIMIZATION_GUIDE.md) shows its use: start_batch() at the top of
each batch, record_batch_end() at the bottom, log_summary() after the loop.
"""
from __future__ import annotations

import logging
import time

import psutil
import torch

log = logging.getLogger("pgen_model.performance")
GB = 1024 ** 3
METRICS = ("data_loading_time", "forward_time", "backward_time", "batch_times",
           "gpu_memory_allocated", "gpu_memory_reserved")


class PerformanceMonitor:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.metrics: dict[str, list[float]] = {name: [] for name in METRICS}
        self.batch_start_time: float | None = None

    def start_batch(self) -> None:
        if self.enabled:
            self.batch_start_time = time.perf_counter()

    def _since_start(self, name: str) -> None:
        if self.enabled and self.batch_start_time is not None:
            self.metrics[name].append(time.perf_counter() - self.batch_start_time)

    def record_data_loading(self) -> None:
        self._since_start("data_loading_time")

    def record_forward(self) -> None:
        self._since_start("forward_time")

    def record_backward(self) -> None:
        self._since_start("backward_time")

    def record_batch_end(self) -> None:
        if not self.enabled or self.batch_start_time is None:
            return
        self.metrics["batch_times"].append(time.perf_counter() - self.batch_start_time)
        if torch.cuda.is_available():
            self.metrics["gpu_memory_allocated"].append(torch.cuda.memory_allocated() / GB)
            self.metrics["gpu_memory_reserved"].append(torch.cuda.memory_reserved() / GB)

    def get_summary(self) -> dict[str, float]:
        if not self.enabled:
            return {}
        summary = {}
        for name, values in self.metrics.items():
            if values:
                summary[f"{name}_mean"] = sum(values) / len(values)
                summary[f"{name}_max"] = max(values)
                summary[f"{name}_min"] = min(values)
        summary["cpu_percent"] = psutil.cpu_percent()
        summary["ram_percent"] = psutil.virtual_memory().percent
        if torch.cuda.is_available():
            summary["gpu_memory_peak_gb"] = torch.cuda.max_memory_allocated() / GB
        return summary

    def log_summary(self) -> None:
        if not self.enabled:
            return
        summary = self.get_summary()
        if "batch_times_mean" in summary:
            log.info("Avg batch time: %.4fs", summary["batch_times_mean"])
            log.info("Throughput: %.2f batches/s", 1.0 / summary["batch_times_mean"])
        if "data_loading_time_mean" in summary:
            log.info("Avg data loading: %.4fs", summary["data_loading_time_mean"])
        if "gpu_memory_peak_gb" in summary:
            log.info("Peak GPU memory: %.2f GB", summary["gpu_memory_peak_gb"])
        log.info("CPU usage: %.1f%%", summary.get("cpu_percent", 0))
        log.info("RAM usage: %.1f%%", summary.get("ram_percent", 0))

    def reset(self) -> None:
        for name in self.metrics:
            self.metrics[name] = []
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()


def estimate_optimal_batch_size(model: torch.nn.Module, sample_input: dict,
                                max_batch_size: int = 512, device=None) -> int:
    """32 without CUDA; on CUDA the largest batch (1..max_batch_size) whose
    no-grad forward fits, by binary search on out-of-memory errors, x 0.8."""
    if not torch.cuda.is_available():
        return 32
    device = device or torch.device("cuda")
    model = model.to(device)
    low, high, best = 1, max_batch_size, 1
    while low <= high:
        middle = (low + high) // 2
        try:
            batch = {k: v[:1].repeat(middle, *([1] * (v.dim() - 1))).to(device)
                     for k, v in sample_input.items()}
            with torch.no_grad():
                model(**batch)
            best, low = middle, middle + 1
        except RuntimeError as exc:
            if "out of memory" not in str(exc):
                raise
            high = middle - 1
        finally:
            torch.cuda.empty_cache()
    return int(best * 0.8)
