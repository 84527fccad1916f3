"""Metrics callback of the training-system report §1.3: save every epoch vs
every 5 epochs (and the last) vs append.

VARIANTS follows the code: 6b13c54 against 29be98f (10 saves for 50
epochs). SNIPPET_VARIANTS and TEXT_VARIANTS are what-if readings of the
report: its snippet alone (10, the tail of a 52-epoch run lost) and its text's
guaranteed final save read as unconditional (11).
"""
from optbench.core.claim import pick_variant

from .baseline import EveryEpochMetricsLogger
from .best import AppendingMetricsLogger
from .optimized import (GuaranteedFinalSaveLogger, IntervalMetricsLogger,
                        SnippetIntervalMetricsLogger)

VARIANTS = {"baseline": EveryEpochMetricsLogger, "optimized": IntervalMetricsLogger,
            "best": AppendingMetricsLogger}
SNIPPET_VARIANTS = {"baseline": EveryEpochMetricsLogger,
                    "optimized": SnippetIntervalMetricsLogger}
TEXT_VARIANTS = {"baseline": EveryEpochMetricsLogger, "optimized": GuaranteedFinalSaveLogger}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "callbacks")
