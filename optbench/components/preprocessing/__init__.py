"""String preprocessing of the pharmagen report CPU 2.

The codebase's own change (Aderfi/Pharmagen data.py, 4a1e100f -> 3cd3227b,
LOAD_DATA_VARIANTS): the switches of pharmagen/pipeline.py's load_data that
the commit turned on (regex=False on a replace that already defaulted to it,
and the guard on the multi-label clean-up). The report's text, read two ways
as what-ifs: its bullet names `regex=False`: regex=True -> regex=False
(REGEX_FLAG_VARIANTS); its heading says "Vectorized Operations": per-row
Series.apply(str.replace) -> .str.replace(regex=False) (PER_ROW_VARIANTS).
Both end at the same code. No best variant: for literal patterns
regex=False is what pandas offers.
"""
from optbench.core.claim import pick_variant

from . import baseline, optimized, per_row_baseline

LOAD_DATA_VARIANTS = {"baseline": frozenset(),
                      "optimized": frozenset({"literal_replace", "label_guard"})}
REGEX_FLAG_VARIANTS = {"baseline": baseline.normalize, "optimized": optimized.normalize}
PER_ROW_VARIANTS = {"baseline": per_row_baseline.normalize, "optimized": optimized.normalize}
VARIANTS = REGEX_FLAG_VARIANTS


def get(variant: str):
    return pick_variant(VARIANTS, variant, "preprocessing")
