"""video.aggressive_gc: the four stages with no explicit collection (before)
and with "Aggressive GC throughout" (after, video-pipeline report §4).

The report shows no code and no place. Most literal reading of
"throughout": `gc.collect()` after every chunk every stage reads and after
every stage, for every video (`Pipeline.after_step`). Everything else is
the baseline pipeline with frame counts from a cache already filled.
"""
from __future__ import annotations

import gc

from .stages import Pipeline


def no_explicit_collection(paths, frame_count):
    return Pipeline(frame_count).run(paths)


def collect_throughout(paths, frame_count, collect=gc.collect):
    return Pipeline(frame_count, after_step=collect).run(paths)
