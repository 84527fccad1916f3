"""Training-loop pieces. Validation accumulation of the training-system report §1.1:
per-batch host copies vs one torch.cat at the end vs preallocated outputs."""
from optbench.core.claim import pick_variant

from . import val_baseline, val_best, val_optimized

VALIDATE_VARIANTS = {"baseline": val_baseline.validate, "optimized": val_optimized.validate,
                     "best": val_best.validate}


def get_validate(variant: str):
    return pick_variant(VALIDATE_VARIANTS, variant, "trainer validation")
