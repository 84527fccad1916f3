"""monitor.performance: the pharmagen report's PerformanceMonitor, its figures
against independent readings, and its batch-size estimate against the largest
batch that really fits."""
import re

from test_components import measure


def test_the_monitor_reads_the_processes_memory_as_psutil_does(claims):
    reading = measure(claims, "monitor.performance", "optimized", 64, "memory_figures")
    monitor, independent = (float(x) for x in re.findall(r"([\d.]+) MB", reading)[:2])
    assert abs(monitor - independent) / independent < 0.05, reading
    assert reading.endswith("GPU 0.0 MB (no CUDA)") or "torch.cuda's" in reading
    assert measure(claims, "monitor.performance", "baseline", 64, "memory_figures") == \
        "no figures"


def test_throughput_figures_are_read_beside_a_clock(claims):
    reading = measure(claims, "monitor.performance", "optimized", 64, "throughput_figures")
    assert reading.startswith("training ") and "a clock around the loop" in reading
    # The monitor times the steps alone; the clock around the loop adds data
    # loading, so its figure is not below the monitor's, give or take the
    # 10% two clocks read a second apart can differ by under a busy neighbour.
    assert float(reading.rsplit("figure ", 1)[1].split("x")[0]) >= 0.9


def test_the_batch_size_estimates_against_the_largest_batch_that_fits(claims):
    def numbers(variant):
        reading = measure(claims, "monitor.performance", variant, 64, "batch_size_estimate")
        estimate, fits = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) rows", reading)]
        assert f"({estimate / fits:.3g}x)" in reading      # the ratio shown is these numbers'
        return estimate, fits

    estimate, fits = numbers("best")
    assert fits >= 64 and fits & (fits - 1) == 0           # a power of two that was measured
    assert fits / 8 < estimate <= 2 * fits                 # counted bytes: the right scale
    report_estimate, same_fits = numbers("optimized")
    assert same_fits == fits
    # The report's reads the process's RSS growth over one step: whatever the
    # allocator did before (a fresh process and this one differ), so its figure
    # is recorded, not asserted; only that it is a count of rows.
    assert report_estimate >= 1
