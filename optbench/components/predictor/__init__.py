"""Prediction formatting of the training-system report §1.4: range(len()) vs
enumerate(zip()) vs tolist()."""
from optbench.core.claim import pick_variant

from . import baseline, best, optimized

VARIANTS = {"baseline": baseline.format_predictions, "optimized": optimized.format_predictions,
            "best": best.format_predictions}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "predictor")
