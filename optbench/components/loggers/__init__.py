"""Loggers of the Lab_Project PR summary §1 / Lab_Project optimizations doc §2:
append-per-call, buffered, best."""
from optbench.core.claim import pick_variant

from .baseline import AppendPerCallLogger
from .best import KeepOpenBufferedLogger
from .optimized import BufferedLogger

VARIANTS = {"baseline": AppendPerCallLogger, "optimized": BufferedLogger,
            "best": KeepOpenBufferedLogger}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "loggers")
