"""AURA's video pipeline (Horopter/AURA, 5332a68b -> 70877759) and the
claims read on it:

  pipeline.py, training.py   the five stages, each change of 70877759 a switch
  decoding.py                every decode and encode, through PyAV, counted
  frame_cache.py             lib/utils/video_cache.py, and what came before it

  video.metadata_cache   the frame-count cache alone (claims.py)
  video.chunked_frames   stage 3 in 250-frame chunks (claims_memory.py)
  video.aggressive_gc    the collections 70877759 added (claims_memory.py)
  system.video           the whole pipeline, every switch (system_claims.py)

A variant is the set of switches on: the before commit's code is none.
"""
from optbench.core.claim import pick_claim_variant

from . import pipeline

BEFORE = frozenset()
# video.metadata_cache, video.aggressive_gc: the switches on.
METADATA_CACHE_VARIANTS = {"baseline": BEFORE, "optimized": frozenset({pipeline.CACHE})}
AGGRESSIVE_GC_VARIANTS = {"baseline": BEFORE, "optimized": frozenset({pipeline.COLLECT})}
# video.chunked_frames: stage 3 as each commit runs it (after, its chunk
# loads count through the cache).
CHUNKED_FRAMES_VARIANTS = {"baseline": BEFORE,
                           "optimized": frozenset({pipeline.CHUNKED, pipeline.CACHE})}

_BY_CLAIM = {"metadata_cache": METADATA_CACHE_VARIANTS,
             "chunked_frames": CHUNKED_FRAMES_VARIANTS, "aggressive_gc": AGGRESSIVE_GC_VARIANTS}


def get(variant: str, claim: str = "metadata_cache"):
    return pick_claim_variant(_BY_CLAIM, claim, variant, "video")
