"""The video-pipeline report's four stages, in the most literal form its
text allows (the report shows no code): augmentation io reads a video's
frames, the augmentation pipeline makes AUGMENTATIONS flipped copies of
them, the scaling pipeline and the features pipeline each read the video
again (separate stages of a pipeline that hands files, not frames, along).

What the variants change is only where a stage gets a video's frame count
from: `frame_count(path)`, given to each stage. Frames are read in chunks of
CHUNK, as the report says every stage does.
"""
from __future__ import annotations

import json
from typing import Callable

import cv2
import numpy as np

from optbench.workloads.video import decoded_frame_count

CHUNK = 250
AUGMENTATIONS = 2          # flipped copies per video: the "7-9" spread (see claims.py)
SCALED_SIDE = 64


def read_frames(path: str, chunk: int = CHUNK):
    """Frames of a video, a chunk (list of arrays) at a time: one full decode."""
    capture = cv2.VideoCapture(path)
    try:
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
            if len(frames) == chunk:
                yield frames
                frames = []
        if frames:
            yield frames
    finally:
        capture.release()


def count_by_decoding(path: str) -> int:
    """Every stage's frame count before the report: decode it all (the
    workload's own full-decode count, read() until it returns False)."""
    return decoded_frame_count(path)


def load_cache_file(cache_file) -> dict:
    """A JSON cache file's entries; an empty cache when it is missing or not
    valid JSON (the report's "Cache fallback mechanisms")."""
    try:
        with open(cache_file) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


FrameCount = Callable[[str], int]


def augmentation_io(path: str, frame_count: FrameCount) -> np.ndarray:
    """lib/augmentation/io.py: the frames, into an array sized by the count."""
    frames = None
    at = 0
    for chunk in read_frames(path):
        if frames is None:
            frames = np.empty((frame_count(path), *chunk[0].shape), dtype=np.uint8)
        for frame in chunk:
            if at < len(frames):   # a count that is short of the stream drops frames
                frames[at] = frame
            at += 1
    if frames is None:
        raise ValueError(f"{path}: no frame could be decoded")
    return frames[:min(at, len(frames))]


def augmentation_pipeline(path: str, frames: np.ndarray, frame_count: FrameCount) -> list:
    """lib/augmentation/pipeline.py: AUGMENTATIONS copies, each checked against
    the video's frame count (counted per copy before the report)."""
    copies = []
    for k in range(AUGMENTATIONS):
        expected = frame_count(path)
        copies.append(frames[: expected][:, :, ::-1] if k % 2 == 0 else frames[: expected].copy())
    return copies


def scaling_pipeline(path: str, frame_count: FrameCount) -> np.ndarray:
    """lib/scaling/pipeline.py: every frame scaled to SCALED_SIDE square."""
    total = frame_count(path)
    scaled = np.empty((total, SCALED_SIDE, SCALED_SIDE, 3), dtype=np.uint8)
    at = 0
    for chunk in read_frames(path):
        for frame in chunk:
            if at < total:
                scaled[at] = cv2.resize(frame, (SCALED_SIDE, SCALED_SIDE))
            at += 1
    return scaled[:min(at, total)]


def features_pipeline(path: str, frame_count: FrameCount) -> np.ndarray:
    """lib/features/pipeline.py: per-video features, the mean and standard
    deviation of each colour channel over frames (chunked, so memory stays
    one chunk), with the frame count as the normaliser."""
    total = frame_count(path)
    sums = np.zeros(3)
    squares = np.zeros(3)
    for chunk in read_frames(path):
        block = np.stack(chunk).astype(np.float64)
        sums += block.sum(axis=(0, 1, 2)) / (block.shape[1] * block.shape[2])
        squares += (block ** 2).sum(axis=(0, 1, 2)) / (block.shape[1] * block.shape[2])
    mean = sums / total
    return np.concatenate([mean, np.sqrt(np.maximum(squares / total - mean ** 2, 0))])


def run_pipeline(paths: list[str], frame_count: FrameCount,
                 io_stage: Callable[[str], np.ndarray] | None = None) -> dict[str, dict]:
    """The four stages over every video; what each produces, per video.
    `io_stage(path)` replaces augmentation io's read where a variant reads
    differently (best counts while it reads)."""
    out = {}
    for path in paths:
        frames = io_stage(path) if io_stage else augmentation_io(path, frame_count)
        copies = augmentation_pipeline(path, frames, frame_count)
        out[path] = {"frames": len(frames), "augmented": [len(c) for c in copies],
                     "scaled": scaling_pipeline(path, frame_count).shape,
                     "features": np.round(features_pipeline(path, frame_count), 6).tolist()}
    return out
