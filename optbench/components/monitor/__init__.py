"""Pharmagen's PerformanceMonitor (performance_monitor.py, eb7183e6) and the
training loop's monitor per variant of monitor.performance (variants.py)."""
from optbench.core.claim import pick_variant

from .performance_monitor import PerformanceMonitor
from .variants import EventMonitor, NoMonitor

# monitor.performance: each variant is a monitor class, monitor().
MONITOR_VARIANTS = {"baseline": NoMonitor, "optimized": PerformanceMonitor,
                    "best": EventMonitor}


def get(variant: str):
    return pick_variant(MONITOR_VARIANTS, variant, "monitor")
