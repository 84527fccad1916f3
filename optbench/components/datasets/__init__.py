"""Graph edge dataset of the Lab_Project PR summary §2 / Lab_Project optimizations doc §3:
dict of dicts vs indexed DataFrame."""
from optbench.core.claim import pick_variant

from .baseline import DictNodeEdgeDataset
from .best import ColumnArrayEdgeDataset
from .optimized import IndexedFrameEdgeDataset

VARIANTS = {"baseline": DictNodeEdgeDataset, "optimized": IndexedFrameEdgeDataset,
            "best": ColumnArrayEdgeDataset}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "datasets")
