"""monitor.performance: Pharmagen's new PerformanceMonitor (the report's "New
Features": "Track GPU memory usage", "Monitor data loading throughput",
"Measure training speed", "Estimate optimal batch size"), as eb7183e6's class
behaves, used as its guide shows, around the codebase's own training step.

A feature, not a speed-up: measured are what it costs a step and whether
its figures are right, each against an independent reading (a clock around
the loop, torch.cuda read by optbench). No file of the codebase imports it:
these are the readings a user following the guide would get.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import torch

from optbench.components.pharmagen import steps
from optbench.components.trainer.steps import steps_per_sample
from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.units import quantity

from . import MONITOR_VARIANTS
from .performance_monitor import GB, estimate_optimal_batch_size

FIGURE_STEPS = 20           # steps the time and memory figures are read over


@dataclass
class Monitored:
    case: Case
    stepping: steps.Stepping
    monitor: object

    def step(self):
        """One iteration as the guide writes it: the batch, start_batch(),
        the training step, record_batch_end()."""
        batch = self.stepping.next_batch()
        self.monitor.start_batch()
        loss = self.stepping.step(batch)
        self.monitor.record_batch_end()
        return loss

    def sample(self):
        """One timed sample: one iteration on the CPU, CUDA_STEPS_PER_SAMPLE on
        CUDA (the engine synchronizes after each sample)."""
        return steps_per_sample(self.step, self.case.device)


def _setup(case: Case) -> Monitored:
    monitor = case.implementation()
    if hasattr(monitor, "device"):   # best times CUDA runs by events
        monitor.device = case.device
    return Monitored(case, steps.stepping(case.data, case.device), monitor)


def _time_figures(state: Monitored) -> str:
    """The monitor's mean batch time over FIGURE_STEPS steps against a clock
    around the same steps (synchronized at the end on CUDA)."""
    fresh = _setup(state.case)
    started = time.perf_counter()
    for _ in range(FIGURE_STEPS):
        fresh.step()
    if state.case.device == "cuda":
        torch.cuda.synchronize()
    clock = (time.perf_counter() - started) / FIGURE_STEPS
    if not hasattr(fresh.monitor, "get_summary"):
        return f"no figures; a clock around the loop: {quantity(clock, 's')} a step"
    said = fresh.monitor.get_summary()["batch_times_mean"]
    return (f"mean batch time {quantity(said, 's')} (monitor) against "
            f"{quantity(clock, 's')} a step by a clock around the loop "
            f"({said / clock:.2f}x it)")


def _memory_figures(state: Monitored) -> str:
    fresh = _setup(state.case)
    for _ in range(3):
        fresh.step()
    if not hasattr(fresh.monitor, "get_summary"):
        return "no figures"
    summary = fresh.monitor.get_summary()
    ram = f"RAM {summary['ram_percent']:.0f}% (the machine's, every process)"
    if "gpu_memory_peak_gb" not in summary:
        return f"no GPU figure (no CUDA); {ram}"
    return (f"GPU allocated {fresh.monitor.metrics['gpu_memory_allocated'][-1]:.3f} GB "
            f"against torch.cuda's {torch.cuda.memory_allocated() / GB:.3f} GB, peak "
            f"{summary['gpu_memory_peak_gb']:.3f} GB; {ram}")


def _batch_size_estimate(state: Monitored) -> str:
    import copy

    model = copy.deepcopy(state.stepping.model)   # the estimate moves its model to CUDA
    sample = {k: v for k, v in state.stepping.batches[0].items()
              if k in ("drug", "genalle", "gene", "allele")}
    estimate = estimate_optimal_batch_size(model, sample)
    if state.case.device != "cuda":
        return (f"{estimate} (without CUDA it returns 32 whatever the model; the codebase "
                f"trains in batches of 64)")
    return f"{estimate} rows (a no-grad forward's fit x 0.8; training also holds gradients)"


def _losses(case: Case) -> list[float]:
    state = _setup(case)
    return [round(float(state.step()), 6) for _ in range(10)]


# Pharmagen report, New Features: "Performance Monitor (`performance_monitor.py`) -
# Track GPU memory usage - Monitor data loading throughput - Measure training speed -
# Estimate optimal batch size". No cost is stated: read as steps at most 5% slower.
AT_MOST_FIVE_PERCENT = Claimed("a monitor of memory, throughput and batch size (no cost "
                               "stated; read as: steps at most 5% slower)",
                               Fraction(0), Fraction(105, 100))

CLAIMS = [Claim(
    id="monitor.performance",
    source="pharmagen report, New Features; pgen_model/src/performance_monitor.py, "
           "Aderfi/Pharmagen eb7183e6",
    component="monitor",
    title="PerformanceMonitor around every training step, as its guide uses it",
    claimed=AT_MOST_FIVE_PERCENT,
    variants=MONITOR_VARIANTS,
    workload=Workload("Pharmagen's training step (the DeepFM model at the codebase's widths, "
                      "AdamW, its three losses) on batches of its train split, this many "
                      "rows a batch", steps.step_batches, sizes=(64, 512), quick_sizes=(64,),
                      size_unit="rows a batch"),
    setup=_setup,
    primary=Metric("step_time", "time", "s", lambda s: s.sample(),
                   "one loop iteration: start_batch(), a training step, record_batch_end()"),
    secondary=(
        Metric("time_figures", "value", "", _time_figures,
               f"the monitor's mean batch time over {FIGURE_STEPS} steps against a clock "
               f"around the loop"),
        Metric("memory_figures", "value", "", _memory_figures,
               "the monitor's memory figures against torch.cuda read by optbench"),
        Metric("batch_size_estimate", "value", "", _batch_size_estimate,
               "estimate_optimal_batch_size for the model and a batch"),
    ),
    output=_losses,
    equivalence=Equivalence.exact("the same losses over 10 steps: watching changes nothing"),
    devices=("cpu", "cuda"),
    revision=2,
    notes="Follows performance_monitor.py and OPTIMIZATION_GUIDE.md at eb7183e6. No file of "
          "the codebase imports the monitor at eb7183e6 or 2d5c8c34: its training runs "
          "without it. Its calls are a clock read each (and, with CUDA, two allocator "
          "queries); it never synchronizes itself: around the codebase's step, whose two "
          "loss.item() synchronize, its CUDA batch times are the steps' (time_figures), "
          "around a step without a read they would be launch times (best times CUDA steps "
          "with events either way). Its data-loading, "
          "forward and backward figures are times since start_batch(), not per phase; the "
          "guide's loop calls none of them. Revision 2: was a reconstruction from the "
          "report's text (a synchronize and psutil memory every step, an RSS-based "
          "estimate) on optbench's pharmagen-like model.",
)]
