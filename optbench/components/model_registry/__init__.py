"""Model registry of seed 002 §2.2: linear scan vs dict index.

No best variant: the report's index is already O(1); nothing measured here
would make a different design better.
"""
from optbench.core.claim import pick_variant

from .baseline import LinearScanRegistry
from .optimized import IndexedRegistry

VARIANTS = {"baseline": LinearScanRegistry, "optimized": IndexedRegistry}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "model_registry")
