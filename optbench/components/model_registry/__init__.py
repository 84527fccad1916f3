"""Model registry of the training-system report §2.2: linear scan (6b13c54), the PR's
dict index built at load and extended on register (2bb072b), and that index
kept right after sorts and deletes too (best)."""
from optbench.core.claim import pick_variant

from .baseline import LinearScanRegistry
from .best import MaintainedIndexRegistry
from .optimized import IndexedRegistry

VARIANTS = {"baseline": LinearScanRegistry, "optimized": IndexedRegistry,
            "best": MaintainedIndexRegistry}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "model_registry")
