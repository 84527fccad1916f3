"""Loggers of the Lab_Project PR summary §1 / Lab_Project optimizations doc §2:
append-per-call, buffered, best."""
from optbench.core.claim import pick_variant

from .baseline import AppendPerCallLogger
from .best import KeepOpenBufferedLogger
from .optimized import BufferedLogger, LocklessBufferedLogger

VARIANTS = {"baseline": AppendPerCallLogger, "optimized": BufferedLogger,
            "best": KeepOpenBufferedLogger}
# 18601bf, the commit the optimizations doc describes: the buffer without the lock.
AT_18601BF = {"baseline": AppendPerCallLogger, "optimized": LocklessBufferedLogger}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "loggers")
