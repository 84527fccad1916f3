"""Train/val/test splitting of the training-system report §2.1/§2.3: copied
function vs shared helper."""
from optbench.core.claim import pick_variant

from . import baseline, best, optimized

VARIANTS = {"baseline": baseline.split_data, "optimized": optimized.train_val_test_split,
            "best": best.train_val_test_split}
MODULES = {"baseline": baseline, "optimized": optimized, "best": best}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "splits")
