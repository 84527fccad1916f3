"""String preprocessing of the pharmagen report CPU 2, read two ways.

The report's bullet names `regex=False`: regex=True -> regex=False
(REGEX_FLAG_VARIANTS). Its heading says "Vectorized Operations": per-row
Series.apply(str.replace) -> .str.replace(regex=False) (PER_ROW_VARIANTS).
Both end at the same code. No best variant: for literal patterns
regex=False is what pandas offers.
"""
from optbench.core.claim import pick_variant

from . import baseline, optimized, per_row_baseline

REGEX_FLAG_VARIANTS = {"baseline": baseline.normalize, "optimized": optimized.normalize}
PER_ROW_VARIANTS = {"baseline": per_row_baseline.normalize, "optimized": optimized.normalize}
VARIANTS = REGEX_FLAG_VARIANTS


def get(variant: str):
    return pick_variant(VARIANTS, variant, "preprocessing")
