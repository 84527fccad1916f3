"""monitor.performance: the pharmagen report's new PerformanceMonitor ("Track
GPU memory usage", "Monitor data loading throughput", "Measure training
speed", "Estimate optimal batch size"; "Adjust batch size if needed - Use
performance_monitor to find optimal size").

A feature, not a speed-up: measured are what it costs a training step and
whether its figures are right, each against an independent reading (a
clock around the loop, psutil and torch.cuda read by optbench, and the
largest batch that really fits a memory budget, found by measuring steps).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import psutil
import torch

from optbench.components.models import pharmagen
from optbench.components.trainer.steps import Settings, StepTrainer, steps_per_sample
from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.measure import measure_device_memory, measure_memory
from optbench.core.units import quantity

from . import MONITOR_VARIANTS

FIGURE_STEPS = 30           # steps the throughput and memory figures are read over
BUDGET_BYTES = 32 * 10**6   # the memory budget the batch-size estimate is asked for
SAMPLE_ROWS = 64            # the batch the estimate measures
MB = 2 ** 20


@dataclass
class MonitorData:
    rows: int
    loader: torch.utils.data.DataLoader
    fits: dict = field(default_factory=dict)   # device -> the largest batch under the budget


def _data(rows: int) -> MonitorData:
    ids, targets = zip(*pharmagen.pharmagen_batches(8, rows))
    dataset = torch.utils.data.TensorDataset(torch.cat(ids), torch.cat(targets))
    return MonitorData(rows, torch.utils.data.DataLoader(dataset, batch_size=rows))


@dataclass
class Monitored:
    case: Case
    trainer: StepTrainer
    monitor: object
    batches: object = None

    def next_batch(self):
        if self.batches is None:
            self.batches = iter(self.case.data.loader)
        try:
            return next(self.batches)
        except StopIteration:
            self.batches = iter(self.case.data.loader)
            return next(self.batches)

    def step(self):
        """One iteration of the monitored loop: load, step, as the report's usage."""
        rows, monitor = self.case.data.rows, self.monitor
        monitor.start_data_loading()
        batch = self.next_batch()
        monitor.end_data_loading(rows)
        monitor.start_step()
        loss = self.trainer.step(batch)
        monitor.end_step(rows)
        return loss

    def sample(self):
        """One timed sample: one iteration on the CPU, CUDA_STEPS_PER_SAMPLE on
        CUDA (the engine's synchronize after a sample would otherwise hide
        what the report's synchronize per step costs)."""
        return steps_per_sample(self.step, self.case.device)


def _setup(case: Case) -> Monitored:
    torch.manual_seed(0)
    trainer = StepTrainer(pharmagen.PharmagenModel(), pharmagen.pharmagen_loss, Settings(),
                          case.device)
    return Monitored(case, trainer, case.implementation(case.device))


def _throughput(state: Monitored) -> str:
    import time

    fresh = _setup(state.case)
    started = time.perf_counter()
    for _ in range(FIGURE_STEPS):
        fresh.step()
    if state.case.device == "cuda":
        torch.cuda.synchronize()
    clock = FIGURE_STEPS * state.case.data.rows / (time.perf_counter() - started)
    if not hasattr(fresh.monitor, "training_throughput"):
        return f"no figures; a clock around the loop: {quantity(clock, '')} samples/s"
    training = fresh.monitor.training_throughput()
    return (f"training {quantity(training, '')} samples/s, loading "
            f"{quantity(fresh.monitor.loading_throughput(), '')} samples/s (monitor); "
            f"a clock around the loop, loading included: {quantity(clock, '')} samples/s "
            f"(monitor's training figure {training / clock:.2f}x it)")


def _memory(state: Monitored) -> str:
    fresh = _setup(state.case)
    for _ in range(3):
        fresh.step()
    if not hasattr(fresh.monitor, "memory"):
        return "no figures"
    seen = fresh.monitor.memory[-1]
    rss = psutil.Process().memory_info().rss / MB
    gpu = (f"; GPU allocated {seen['gpu_allocated_mb']:.1f} MB against torch.cuda's "
           f"{torch.cuda.memory_allocated() / MB:.1f} MB" if state.case.device == "cuda" else
           f"; GPU {seen['gpu_allocated_mb']:.1f} MB (no CUDA)")
    return f"RSS {seen['cpu_rss_mb']:.1f} MB against psutil's {rss:.1f} MB just after{gpu}"


def _step_peak(case: Case, rows: int) -> int:
    """Peak bytes of one training step of a fresh model at `rows` rows: heap
    (memray) on the CPU, the allocator's peak on CUDA."""
    torch.manual_seed(0)
    trainer = StepTrainer(pharmagen.PharmagenModel(), pharmagen.pharmagen_loss, Settings(),
                          case.device)
    batch = pharmagen.pharmagen_batches(1, rows)[0]
    if case.device == "cuda":
        reading = measure_device_memory(lambda: trainer.step(batch))
        return reading.peak_bytes - reading.start_bytes
    return measure_memory(lambda: trainer.step(batch)).peak_bytes


def _largest_that_fits(case: Case) -> int:
    """The largest power-of-two batch whose step peak stays within the budget."""
    device = case.device
    if device not in case.data.fits:
        low, high = 6, 17                # 64 .. 65,536 rows (high is the first known not to)
        if _step_peak(case, 2 ** low) > BUDGET_BYTES:
            case.data.fits[device] = 0
        else:
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _step_peak(case, 2 ** middle) <= BUDGET_BYTES \
                    else (low, middle)
            case.data.fits[device] = 2 ** low
    return case.data.fits[device]


def _batch_size_estimate(state: Monitored) -> str:
    monitor = state.monitor
    truth = _largest_that_fits(state.case)
    if not hasattr(monitor, "estimate_optimal_batch_size"):
        return f"no estimate; the largest batch that fits: {truth:,} rows"
    torch.manual_seed(0)
    model = pharmagen.PharmagenModel().to(state.case.device)
    estimate = monitor.estimate_optimal_batch_size(
        model, pharmagen.pharmagen_loss, pharmagen.pharmagen_batches(1, SAMPLE_ROWS)[0],
        BUDGET_BYTES / MB)
    return (f"estimate {estimate:,} rows for {quantity(BUDGET_BYTES, 'bytes')}; the largest "
            f"power-of-two batch whose step fits: {truth:,} rows ({estimate / truth:.3g}x)"
            if truth else f"estimate {estimate:,} rows; no batch of 64 or more fits")


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
    source="pharmagen report, New Features",
    component="monitor",
    title="PerformanceMonitor around every training step",
    claimed=AT_MOST_FIVE_PERCENT,
    variants=MONITOR_VARIANTS,
    workload=Workload("the pharmagen-like model's training loop over an in-memory "
                      "DataLoader, batches of this many rows", _data, sizes=(64, 512),
                      quick_sizes=(64,), size_unit="rows"),
    setup=_setup,
    primary=Metric("step_time", "time", "s", lambda s: s.sample(),
                   "one loop iteration: load a batch, a training step, the monitor's calls "
                   "around both"),
    secondary=(
        Metric("throughput_figures", "value", "", _throughput,
               f"the monitor's throughputs over {FIGURE_STEPS} steps against a clock around "
               f"the loop"),
        Metric("memory_figures", "value", "", _memory,
               "the monitor's last memory reading against psutil and torch.cuda read by "
               "optbench"),
        Metric("batch_size_estimate", "value", "", _batch_size_estimate,
               f"estimate_optimal_batch_size for a {quantity(BUDGET_BYTES, 'bytes')} budget "
               f"(measured at {SAMPLE_ROWS} rows) against the largest power-of-two batch whose "
               f"step's peak fits it (memray on the CPU, torch.cuda on CUDA)"),
    ),
    output=_losses,
    equivalence=Equivalence.exact("the same losses over 10 steps: watching changes nothing"),
    devices=("cpu", "cuda"),
    notes="On the CPU the monitor's GPU figures are 0 and its batch-size estimate reads the "
          "process's RSS, which a step's freed-and-reused memory hardly moves.",
)]
