"""Metrics callback of the training-system report §1.3: save every epoch vs
every 5 epochs vs append.

VARIANTS reads the report's change with the final save its text guarantees;
SNIPPET_VARIANTS reads its code snippet alone (no final save).
"""
from optbench.core.claim import pick_variant

from .baseline import EveryEpochMetricsLogger
from .best import AppendingMetricsLogger
from .optimized import IntervalMetricsLogger, SnippetIntervalMetricsLogger

VARIANTS = {"baseline": EveryEpochMetricsLogger, "optimized": IntervalMetricsLogger,
            "best": AppendingMetricsLogger}
SNIPPET_VARIANTS = {"baseline": EveryEpochMetricsLogger,
                    "optimized": SnippetIntervalMetricsLogger}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "callbacks")
