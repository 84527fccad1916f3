"""The video-pipeline report's four stages, in the most literal form its
text allows (the report shows no code): augmentation io reads a video's
frames, the augmentation pipeline makes AUGMENTATIONS flipped copies of
them, the scaling pipeline and the features pipeline each read the video
again (separate stages of a pipeline that hands files, not frames, along).

The variants of the three claims on this pipeline turn one knob each of a
`Pipeline`:
  frame_count   where a stage gets a video's frame count (video.metadata_cache:
                a decode, the report's JSON cache, best's content-keyed cache);
  chunk         frames held at once while a stage reads (video.chunked_frames:
                all of them, or the report's CHUNK);
  after_step    called after every chunk a stage reads and after every stage
                (video.aggressive_gc: nothing, or gc.collect()).
"""
from __future__ import annotations

import contextlib
import json
from typing import Callable, Iterator

import cv2
import numpy as np

from optbench.workloads.video import decoded_frame_count

CHUNK = 250                # "Chunked processing in all stages (250 frames)"
ALL_FRAMES = None          # chunk=ALL_FRAMES: a stage holds the whole video at once
AUGMENTATIONS = 2          # flipped copies per video: the "7-9" spread (see claims.py)
SCALED_SIDE = 64
STAGES = ("augmentation_io", "augmentation_pipeline", "scaling_pipeline", "features_pipeline")

FrameCount = Callable[[str], int]


def read_frames(path: str, chunk: int | None = CHUNK) -> Iterator[list[np.ndarray]]:
    """Frames of a video, a chunk (list of arrays) at a time, all of them in
    one list when chunk is ALL_FRAMES: one full decode."""
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
    """A JSON cache file's entries; an empty cache when it is missing, not
    valid JSON, or valid JSON that is not an object of entries (the report's
    "Cache fallback mechanisms")."""
    try:
        with open(cache_file) as f:
            entries = json.load(f)
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def channel_features(sums: np.ndarray, squares: np.ndarray, frames: int) -> np.ndarray:
    """The features pipeline's per-video features from per-frame sums of each
    channel's mean and mean square: each channel's mean and standard deviation
    over frames, `frames` the normaliser."""
    mean = sums / frames
    return np.concatenate([mean, np.sqrt(np.maximum(squares / frames - mean ** 2, 0))])


# Who is told when a stage starts and ends (a measurement: decodes per stage).
_STAGE_OBSERVERS: list[Callable[[str, str], contextlib.AbstractContextManager]] = []


@contextlib.contextmanager
def observing_stages(observer: Callable[[str, str], contextlib.AbstractContextManager]):
    """Run every stage of every Pipeline inside `observer(stage, path)` while in."""
    _STAGE_OBSERVERS.append(observer)
    try:
        yield
    finally:
        _STAGE_OBSERVERS.remove(observer)


class Pipeline:
    def __init__(self, frame_count: FrameCount, *, chunk: int | None = CHUNK,
                 after_step: Callable[[], object] | None = None):
        self.frame_count = frame_count
        self.chunk = chunk
        self.after_step = after_step

    def frames(self, path: str) -> Iterator[list[np.ndarray]]:
        for chunk in read_frames(path, self.chunk):
            yield chunk
            del chunk
            if self.after_step:
                self.after_step()

    def augmentation_io(self, path: str) -> np.ndarray:
        """lib/augmentation/io.py: the frames, into an array sized by the count."""
        frames = None
        at = 0
        for chunk in self.frames(path):
            if frames is None:
                frames = np.empty((self.frame_count(path), *chunk[0].shape), dtype=np.uint8)
            for frame in chunk:
                if at < len(frames):   # a count that is short of the stream drops frames
                    frames[at] = frame
                at += 1
        if frames is None:
            raise ValueError(f"{path}: no frame could be decoded")
        return frames[:min(at, len(frames))]

    def augmentation_pipeline(self, path: str, frames: np.ndarray) -> list:
        """lib/augmentation/pipeline.py: AUGMENTATIONS copies, each checked
        against the video's frame count (counted per copy before the report)."""
        copies = []
        for k in range(AUGMENTATIONS):
            expected = self.frame_count(path)
            copies.append(frames[:expected][:, :, ::-1] if k % 2 == 0 else
                          frames[:expected].copy())
        return copies

    def scaling_pipeline(self, path: str) -> np.ndarray:
        """lib/scaling/pipeline.py: every frame scaled to SCALED_SIDE square."""
        total = self.frame_count(path)
        scaled = np.empty((total, SCALED_SIDE, SCALED_SIDE, 3), dtype=np.uint8)
        at = 0
        for chunk in self.frames(path):
            for frame in chunk:
                if at < total:
                    scaled[at] = cv2.resize(frame, (SCALED_SIDE, SCALED_SIDE))
                at += 1
        return scaled[:min(at, total)]

    def features_pipeline(self, path: str) -> np.ndarray:
        """lib/features/pipeline.py: per-video features (`channel_features`),
        a chunk of frames converted to float64 at a time, the frame count as
        the normaliser."""
        total = self.frame_count(path)
        sums = np.zeros(3)
        squares = np.zeros(3)
        read = 0
        for chunk in self.frames(path):
            block = np.stack(chunk).astype(np.float64)
            pixels = block.shape[1] * block.shape[2]
            sums += block.sum(axis=(0, 1, 2)) / pixels
            squares += (block ** 2).sum(axis=(0, 1, 2)) / pixels
            read += len(block)
            del block
        if not read:
            raise ValueError(f"{path}: no frame could be decoded")
        return channel_features(sums, squares, total)

    def _stage(self, name: str, path: str, *args):
        with contextlib.ExitStack() as stack:
            for observer in list(_STAGE_OBSERVERS):
                stack.enter_context(observer(name, path))
            result = getattr(self, name)(path, *args)
        if self.after_step:
            self.after_step()
        return result

    def run(self, paths: list[str]) -> dict[str, dict]:
        """The four stages over every video; what each produces, per video."""
        out = {}
        for path in paths:
            frames = self._stage("augmentation_io", path)
            copies = self._stage("augmentation_pipeline", path, frames)
            scaled = self._stage("scaling_pipeline", path)
            features = self._stage("features_pipeline", path)
            out[path] = {"frames": len(frames), "augmented": [len(c) for c in copies],
                         "scaled": scaled.shape, "features": np.round(features, 6).tolist()}
            del frames, copies, scaled   # not held while the next video is read
        return out
