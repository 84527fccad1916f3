"""The video-pipeline report's four stages (augmentation io and pipeline,
scaling, features) and where they get a video's frame count: by decoding
(before), from the report's persistent JSON cache (after), from the read
the pipeline makes anyway, cached by content (best)."""
from optbench.core.claim import pick_variant

from . import baseline, best, optimized

# video.metadata_cache: each variant is pipeline(paths, cache_file).
METADATA_CACHE_VARIANTS = {"baseline": baseline.pipeline, "optimized": optimized.pipeline,
                           "best": best.pipeline}


def get(variant: str):
    return pick_variant(METADATA_CACHE_VARIANTS, variant, "video")
