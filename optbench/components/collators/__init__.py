"""The Lab_Project multimodal collator (loader/multimodal_collator.py) and its
image loader: before the reports, with only the import fix, with the
reports' LRU cache, and best.

Two claims read it: collator.path_import (before -> after: does the first
image load work?) and collator.image_lru* (import fix -> cache: image opens
per access pattern).
"""
from optbench.core.claim import pick_claim_variant

from . import baseline, best, import_fixed, optimized

# collator.path_import: the literal before and after code.
PATH_IMPORT_VARIANTS = {"baseline": baseline.MultimodalCollator,
                        "optimized": optimized.MultimodalCollator}
# collator.image_lru*: the cache's own effect, the import fix on both sides.
IMAGE_LRU_VARIANTS = {"baseline": import_fixed.MultimodalCollator,
                      "optimized": optimized.MultimodalCollator,
                      "best": best.MultimodalCollator}


_BY_CLAIM = {"path_import": PATH_IMPORT_VARIANTS, "image_lru": IMAGE_LRU_VARIANTS}


def get(variant: str, claim: str = "image_lru"):
    return pick_claim_variant(_BY_CLAIM, claim, variant, "collators")
