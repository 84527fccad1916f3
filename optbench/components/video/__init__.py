"""The video-pipeline report's four stages (augmentation io and pipeline,
scaling, features; stages.py) and the three claims read on them, each with
its variants in a file of its own:

  video.metadata_cache   cache_baseline / cache_optimized / cache_best: where a
                         stage gets a video's frame count (a decode, the report's
                         JSON cache, the read it makes anyway cached by content)
  video.chunked_frames   chunked.py: the features stage holding a whole video,
                         250 frames, or one frame
  video.aggressive_gc    collection.py: no explicit collection, or gc.collect()
                         after every chunk and every stage
"""
from optbench.core.claim import pick_claim_variant

from . import cache_baseline, cache_best, cache_optimized, chunked, collection

# video.metadata_cache: each variant is pipeline(paths, cache_file).
METADATA_CACHE_VARIANTS = {"baseline": cache_baseline.pipeline,
                           "optimized": cache_optimized.pipeline, "best": cache_best.pipeline}
# video.chunked_frames: each is features(path, frame_count).
CHUNKED_FRAMES_VARIANTS = {"baseline": chunked.all_frames, "optimized": chunked.chunks_of_250,
                           "best": chunked.one_frame_at_a_time}
# video.aggressive_gc: each is pipeline(paths, frame_count).
AGGRESSIVE_GC_VARIANTS = {"baseline": collection.no_explicit_collection,
                          "optimized": collection.collect_throughout}

_BY_CLAIM = {"metadata_cache": METADATA_CACHE_VARIANTS,
             "chunked_frames": CHUNKED_FRAMES_VARIANTS, "aggressive_gc": AGGRESSIVE_GC_VARIANTS}


def get(variant: str, claim: str = "metadata_cache"):
    return pick_claim_variant(_BY_CLAIM, claim, variant, "video")
