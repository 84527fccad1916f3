"""Every video the AURA pipeline reads goes through here (PyAV, as the
codebase decodes), so what it decodes is counted exactly, per stage.

The codebase opens videos with PyAV in stages 1-4 and its frame-count cache
(demux, decode, `to_ndarray(format="rgb24")`), encodes with libx264 in
yuv420p, and in stage 5 decodes whole scaled videos (torchcodec or
torchvision's read_video there; PyAV here, one decoder for all). A *pass*
is one open that decodes frames from frame 0 (the codebase never seeks);
it is *full* when it reaches the last frame. A *counting* pass decodes
every frame only to count them. `converted` counts frames turned into
arrays, the costly part of a read.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from optbench.workloads import video

# FFmpeg's own log lines (x264's settings, one block per encoder) between
# optbench's progress lines: AV_LOG_ERROR only.
os.environ.setdefault("PYAV_LOGGING", "off")


@dataclass
class StageDecodes:
    passes: int = 0
    full_passes: int = 0
    counting_passes: int = 0
    frames: int = 0
    converted: int = 0
    encoded: int = 0

    def add(self, other: "StageDecodes") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class DecodeTally:
    """What was decoded and encoded while counting, in all and per stage."""

    by_stage: dict[str, StageDecodes] = field(default_factory=dict)

    def stage(self, name: str) -> StageDecodes:
        return self.by_stage.setdefault(name, StageDecodes())

    @property
    def total(self) -> StageDecodes:
        out = StageDecodes()
        for counts in self.by_stage.values():
            out.add(counts)
        return out

    def merge(self, other: "DecodeTally") -> None:
        for name, counts in other.by_stage.items():
            self.stage(name).add(counts)


_TALLIES: list[DecodeTally] = []
_STAGE = ["outside a stage"]


@contextlib.contextmanager
def counting() -> Iterator[DecodeTally]:
    tally = DecodeTally()
    _TALLIES.append(tally)
    try:
        yield tally
    finally:
        _TALLIES.remove(tally)


@contextlib.contextmanager
def in_stage(name: str):
    previous, _STAGE[0] = _STAGE[0], name
    try:
        yield
    finally:
        _STAGE[0] = previous


def _count(**added: int) -> None:
    for tally in _TALLIES:
        counts = tally.stage(_STAGE[0])
        for name, n in added.items():
            setattr(counts, name, getattr(counts, name) + n)


def _open(path):
    import av

    try:
        return av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise ValueError(f"video {path}: cannot be opened ({type(exc).__name__}: {exc})") from None


def stream_info(path) -> dict:
    """What the container says without decoding: frame count from the
    stream header (`stream.frames`, 0 when absent), fps, size."""
    container = _open(path)
    try:
        stream = container.streams.video[0]
        return {"frames": int(stream.frames or 0),
                "fps": float(stream.average_rate) if stream.average_rate else 30.0,
                "width": stream.width or 0, "height": stream.height or 0}
    finally:
        container.close()


def frames(path, *, stop: int | None = None, keep=None, counting_only: bool = False
           ) -> Iterator[tuple[int, np.ndarray | None]]:
    """Decode `path` from frame 0: (index, rgb24 array or None) per frame,
    up to `stop` frames (None: to the end); a frame is converted only where
    `keep(index)` (None: every frame). One pass, counted when it ends."""
    import av

    container = _open(path)
    decoded = converted = 0
    ended = False
    try:
        if not container.streams.video:
            raise ValueError(f"video {path}: no video stream")
        stream = container.streams.video[0]
        header = int(stream.frames or 0)
        for packet in container.demux(stream):
            for frame in packet.decode():
                if stop is not None and decoded >= stop:
                    break
                index, decoded = decoded, decoded + 1
                if counting_only or (keep is not None and not keep(index)):
                    yield index, None
                else:
                    converted += 1
                    yield index, frame.to_ndarray(format="rgb24")
            if stop is not None and decoded >= stop:
                break
        else:
            ended = True
    except av.FFmpegError as exc:
        raise ValueError(f"video {path}: decoding failed after {decoded} frames "
                         f"({type(exc).__name__}: {exc})") from None
    finally:
        container.close()
        if decoded:
            full = ended or (header > 0 and decoded >= header)
            _count(passes=1, full_passes=int(full), counting_passes=int(counting_only and full),
                   frames=decoded, converted=converted)


def count_by_decoding(path) -> int:
    """The codebase's "count frames manually for reliability": a full decode."""
    n = 0
    for n, _ in enumerate(frames(path, counting_only=True), start=1):
        pass
    return n


def _rate(fps: float) -> Fraction:
    return Fraction(int(fps * 1000), 1000)   # as the codebase passes it


def write(path, images, fps: float = 30.0) -> bool:
    """save_frames: libx264, yuv420p; False when there is nothing to write."""
    written = video.encode_h264(path, images, _rate(fps))
    _count(encoded=written)
    return written > 0


def concatenate(paths, output, fps: float = 30.0) -> bool:
    """concatenate_videos: decode every file fully and re-encode its frames
    into one libx264 stream, a frame at a time."""
    paths = [p for p in paths if Path(p).exists()]
    if not paths:
        return False
    stream_info(paths[0])   # the codebase probes the first file's size first
    written = video.encode_h264(output, (image for p in paths for _, image in frames(p)),
                                _rate(fps))
    _count(encoded=written)
    return written > 0
