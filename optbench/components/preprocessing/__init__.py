"""String preprocessing of seed 003 CPU 2: str.replace regex=True vs regex=False.

No best variant: for literal patterns regex=False is what pandas offers.
"""
from optbench.core.claim import pick_variant

from . import baseline, optimized

VARIANTS = {"baseline": baseline.normalize, "optimized": optimized.normalize}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "preprocessing")
