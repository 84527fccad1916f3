"""Train/val/test splitting of the training-system report §2.1/§2.3: the adapters'
copied split (model_train 6b13c54) vs the shared helper (2bb072b, 05f89d6)."""
from optbench.core.claim import pick_variant

from . import baseline, best, optimized

# The CSV adapter's split at each commit: what `train.py --model-type tabular` calls.
VARIANTS = {"baseline": baseline.split_data, "optimized": optimized.split_data,
            "best": best.split_data}
MODULES = {"baseline": baseline, "optimized": optimized, "best": best}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "splits")
