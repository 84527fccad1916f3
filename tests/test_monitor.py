"""monitor.performance: Pharmagen's PerformanceMonitor as eb7183e6's class
behaves (cumulative phase times, no synchronize, GPU figures only with CUDA,
32 as the batch size without CUDA), around the codebase's step."""
import re

import pytest
import torch

from optbench.components.monitor import EventMonitor, NoMonitor, PerformanceMonitor
from optbench.components.monitor.performance_monitor import estimate_optimal_batch_size
from test_components import measure


def test_each_phase_figure_is_the_time_since_the_batch_started(monkeypatch):
    from optbench.components.monitor import performance_monitor as pm

    clock = iter([10.0, 10.5, 11.25, 12.0, 13.0])
    monkeypatch.setattr(pm.time, "perf_counter", lambda: next(clock))
    monitor = PerformanceMonitor()
    monitor.start_batch()            # 10.0
    monitor.record_data_loading()    # 10.5: 0.5 since the start
    monitor.record_forward()         # 11.25: 1.25 since the start, loading included
    monitor.record_backward()        # 12.0: 2.0
    monitor.record_batch_end()       # 13.0: 3.0
    assert {k: v for k, v in monitor.metrics.items() if v} == {
        "data_loading_time": [0.5], "forward_time": [1.25], "backward_time": [2.0],
        "batch_times": [3.0]}
    summary = monitor.get_summary()
    assert summary["forward_time_mean"] == summary["forward_time_max"] == 1.25
    assert set(summary) >= {"cpu_percent", "ram_percent"}
    assert ("gpu_memory_peak_gb" in summary) == torch.cuda.is_available()
    monitor.reset()
    assert not any(monitor.metrics.values())


def test_a_disabled_monitor_or_none_records_nothing():
    monitor = PerformanceMonitor(enabled=False)
    monitor.start_batch()
    monitor.record_batch_end()
    assert not any(monitor.metrics.values()) and monitor.get_summary() == {}
    NoMonitor().start_batch()   # the codebase's loop: nothing to call
    assert issubclass(EventMonitor, PerformanceMonitor)


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU answer")
def test_without_cuda_the_batch_size_estimate_is_32_whatever_the_model(claims):
    assert estimate_optimal_batch_size(torch.nn.Linear(3, 3), {"x": torch.zeros(1, 3)}) == 32
    assert measure(claims, "monitor.performance", "optimized", 64,
                   "batch_size_estimate").startswith("32 (without CUDA it returns 32")


def test_the_monitors_batch_time_is_read_beside_a_clock(claims):
    reading = measure(claims, "monitor.performance", "optimized", 64, "time_figures")
    said = float(re.search(r"\(([\d.]+)x it\)", reading).group(1))
    assert reading.startswith("mean batch time ") and "a clock around the loop" in reading
    # On the CPU the step runs inside the monitor's two clock reads: the two
    # agree to the loop's overhead, give or take a busy neighbour.
    if not torch.cuda.is_available():
        assert 0.8 < said <= 1.1, reading
    assert measure(claims, "monitor.performance", "baseline", 64,
                   "time_figures").startswith("no figures; a clock around the loop")


def test_without_cuda_the_monitor_has_no_memory_figure_but_the_machines_ram(claims):
    reading = measure(claims, "monitor.performance", "optimized", 64, "memory_figures")
    if not torch.cuda.is_available():
        assert reading.startswith("no GPU figure (no CUDA); RAM ")
        assert reading.endswith("% (the machine's, every process)")
    assert measure(claims, "monitor.performance", "baseline", 64, "memory_figures") == \
        "no figures"


def test_watching_changes_no_loss(claims):
    claim = claims["monitor.performance"]
    data = claim.workload.make(64)
    losses = [claim.output(claim.case(v, 64, data=data)) for v in ("baseline", "optimized",
                                                                   "best")]
    assert losses[0] == losses[1] == losses[2] and len(losses[0]) == 10
