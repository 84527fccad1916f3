"""The DataLoader factory of the pharmagen report (pipeline.py, optuna_train.py)
and the video-pipeline report (§3, lib/training/pipeline.py), before and after.

The reports show their settings, not their code:
  pharmagen   "num_workers = min(cpu_count(), 8)" ("Dynamic Worker Allocation"),
              "Pin Memory", "Persistent Workers"
  video       "persistent_workers=True (when num_workers > 0)",
              "prefetch_factor=2 (batch prefetching)", "pin_memory=True"
Before them, most literally, the DataLoader with none of those arguments:
PyTorch's defaults (no workers, no pinning, workers not kept, the default
prefetch). `LoaderSettings` holds one variant's arguments; `make_loader`
builds the DataLoader from them, passing only what a variant sets, as the
reports' code would (an argument left out is PyTorch's own default).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

REPORT_FORMULA = "min(cpu_count(), 8)"
WORKER_CAP = 8


@dataclass(frozen=True)
class LoaderSettings:
    # An int, or "report" (min(os.cpu_count(), 8)) or "usable" (best: the CPUs
    # this process may really use, capped alike). None: the argument left out.
    num_workers: int | str | None = None
    pin_memory: bool | None = None
    persistent_workers: bool | None = None
    prefetch_factor: int | None = None


def report_workers() -> int:
    """The pharmagen report's formula, as written: `min(cpu_count(), 8)`
    (multiprocessing.cpu_count is os.cpu_count: the machine's CPUs)."""
    return min(os.cpu_count() or 1, WORKER_CAP)


def cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs the cgroup (v2 cpu.max, v1 cfs quota/period) allows; None for no limit."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def affinity_cpus() -> int:
    """CPUs in this process's affinity mask (os.cpu_count() where the OS has
    no such mask): what PyTorch's too-many-workers check reads."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity, lowered to the cgroup's
    quota (rounded down, at least 1)."""
    cpus = affinity_cpus()
    quota = cgroup_cpu_quota()
    return max(1, min(cpus, int(quota)) if quota is not None else cpus)


def best_workers() -> int:
    return min(usable_cpus(), WORKER_CAP)


def workers_of(settings: LoaderSettings) -> int:
    n = settings.num_workers
    return {"report": report_workers, "usable": best_workers}[n]() if isinstance(n, str) \
        else (n or 0)


def make_loader(dataset, batch_size: int, settings: LoaderSettings,
                **extra) -> torch.utils.data.DataLoader:
    arguments = dict(batch_size=batch_size, **extra)
    if settings.num_workers is not None:
        arguments["num_workers"] = workers_of(settings)
    workers = arguments.get("num_workers", 0)
    if settings.pin_memory is not None:
        arguments["pin_memory"] = settings.pin_memory
    # The video report's "(when num_workers > 0)": DataLoader refuses both
    # arguments without workers.
    if settings.persistent_workers is not None and workers > 0:
        arguments["persistent_workers"] = settings.persistent_workers
    if settings.prefetch_factor is not None and workers > 0:
        arguments["prefetch_factor"] = settings.prefetch_factor
    return torch.utils.data.DataLoader(dataset, **arguments)
