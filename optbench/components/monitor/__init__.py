"""The pharmagen report's PerformanceMonitor (performance_monitor.py) and the
training loop's monitor per variant of monitor.performance (variants.py)."""
from optbench.core.claim import pick_variant

from .performance_monitor import PerformanceMonitor
from .variants import NoMonitor, SampledMonitor

# monitor.performance: each variant is a monitor class, monitor(device).
MONITOR_VARIANTS = {"baseline": NoMonitor, "optimized": PerformanceMonitor,
                    "best": SampledMonitor}


def get(variant: str):
    return pick_variant(MONITOR_VARIANTS, variant, "monitor")
