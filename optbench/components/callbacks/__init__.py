"""Metrics callback of seed 002 §1.3: save every epoch vs every 5 epochs vs append."""
from optbench.core.claim import pick_variant

from .baseline import EveryEpochMetricsLogger
from .best import AppendingMetricsLogger
from .optimized import IntervalMetricsLogger

VARIANTS = {"baseline": EveryEpochMetricsLogger, "optimized": IntervalMetricsLogger,
            "best": AppendingMetricsLogger}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "callbacks")
