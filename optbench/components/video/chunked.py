"""video.chunked_frames: the features pipeline reading a whole video at once
(before) or "in chunks (250 frames)" (after, video-pipeline report §4), and
best, which holds one frame.

The report shows no code. Most literal reading: the same features stage,
only the number of frames it holds at a time changes (`Pipeline.chunk`);
each chunk is stacked and converted to float64 for its sums, as the stage
does (stages.Pipeline.features_pipeline).
"""
from __future__ import annotations

import numpy as np

from .stages import ALL_FRAMES, CHUNK, Pipeline


def all_frames(path: str, frame_count: int) -> np.ndarray:
    return Pipeline(lambda _: frame_count, chunk=ALL_FRAMES).features_pipeline(path)


def chunks_of_250(path: str, frame_count: int) -> np.ndarray:
    return Pipeline(lambda _: frame_count, chunk=CHUNK).features_pipeline(path)


def one_frame_at_a_time(path: str, frame_count: int) -> np.ndarray:
    """The same sums, one frame converted to float64 at a time: memory is
    one frame whatever the video's length."""
    return Pipeline(lambda _: frame_count, chunk=1).features_pipeline(path)
