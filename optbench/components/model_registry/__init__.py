"""Model registry of the training-system report §2.2: linear scan, the report's dict index
(built at load only), and that index kept up to date (best)."""
from optbench.core.claim import pick_variant

from .baseline import LinearScanRegistry
from .best import MaintainedIndexRegistry
from .optimized import IndexedRegistry

VARIANTS = {"baseline": LinearScanRegistry, "optimized": IndexedRegistry,
            "best": MaintainedIndexRegistry}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "model_registry")
