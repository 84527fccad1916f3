"""Image validation of the training-system report §1.2: the image adapter's
sample validation, before (every image, everything kept), after (stop after
more than 5 errors, keep 10 warnings) and best (every image, everything
kept, PNGs checked by CRC instead of decoded)."""
from optbench.core.claim import pick_variant

from . import baseline, best, optimized

VARIANTS = {"baseline": baseline.ImageAdapter, "optimized": optimized.ImageAdapter,
            "best": best.ImageAdapter}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "image_validation")
