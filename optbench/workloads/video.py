"""Video files, seeded, for claims about a video pipeline.

For claims about a persistent JSON frame-count cache, chunked frame
processing and a variable aspect-ratio model:

* `write_video` writes one seeded video (mp4v in .mp4 or MJPG in .avi);
  `write_videos` writes a set of them, by default `VIDEO_SPECS` (30 / 300
  frames, landscape, portrait, square; `LONG_VIDEO_SPECS` adds 3,000-frame
  ones).
* `write_h264_video` writes one seeded H.264 .mp4 through PyAV (the AURA
  pipeline's videos), `encode_h264` any frames the same way (its own writes).
* `write_bad_videos` writes the broken files a loader must survive.
* `decoded_frame_count` (a full decode) and `container_frame_count`
  (CAP_PROP_FRAME_COUNT, what a cache would store cheaply) let a claim compare
  the two; `frame_pixels` is the exact array written as a frame.

Content. Each frame is a seeded diagonal gradient, a flat rectangle in a
seeded colour bouncing around at a seeded velocity, and per-frame noise of
0..15 levels, from integer numpy arithmetic only. Consecutive frames always
differ (the noise is drawn per frame). Frame i depends only on (seed, size,
i): the first k frames of a longer video are those of a shorter one of the
same size and seed.

Observed with OpenCV 5.0.0 (opencv-python-headless, FFmpeg backend with
avformat 62.12.101 / avcodec 62.28.101) and numpy 2.4.6 on the 2-core
development VM:

* Determinism: same seed, same encoded bytes, run after run and across
  processes, for both codecs (so the same decoded frames). Not promised across
  OpenCV/FFmpeg builds: compare decoded frames, or better `frame_pixels`,
  there. Both codecs are lossy, so decoded frames are close to, not equal to,
  `frame_pixels` (mean absolute error ~4-4.5 levels, mostly the 0..15 noise).
* Frame counts: for every valid file written here (1 to 3,000 frames,
  fps 7 to 30, all three aspect ratios, both codecs) CAP_PROP_FRAME_COUNT
  equalled the decoded count. They disagree on the truncated file (below).
* Sizes: odd widths or heights are silently rounded down to even by the
  writer (321x181 came back 320x180), so `write_video` refuses them. A
  0-frame mp4v file does not open, so `write_video` refuses frames < 1.
* Timing, 320x180, two runs (`write_video` then `decoded_frame_count`):
    frames   mp4v write / decode (size)     MJPG write / decode (size)
    30          36-51 ms /    7 ms (57 kB)     39-47 ms /   11-19 ms (120 kB)
    300       237-324 ms /  77-91 ms (555 kB) 348-361 ms / 101-128 ms (1.2 MB)
    3,000    2.6-2.8 s  / 0.75-1.15 s (5.5 MB) 3.2-3.3 s / 1.0-1.2 s (11 MB)
  Generating a 320x180 frame takes ~0.5 ms of that; the rest is the codec.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

SEED = 20261123

# FFmpeg prints to stderr for each broken file the claims open on purpose
# ("moov atom not found", "[mjpeg] overread 8"), between optbench's progress
# lines; what each file does is recorded in the results instead. OpenCV
# reads this at its first capture; a level the user set is kept.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")   # AV_LOG_QUIET

# Codecs verified to write and read back with the installed OpenCV, and the
# container each goes in. XVID and FFV1 in .avi also wrote fine but are not
# offered: XVID is FFmpeg's mpeg4 encoder again (same bytes as mp4v in .avi),
# FFV1 is lossless and ~20x larger (a 301-frame 240x240 file: 30 MB).
CODEC_EXTENSIONS = {"mp4v": ".mp4", "MJPG": ".avi"}

# Salts keep the streams apart for the same seed.
_SCENE, _FRAME, _BAD, _INDEX = range(4)
_NOISE_MASK = 15  # a random byte & 15 is 0..15
_TOP = 255 - _NOISE_MASK  # background and shape stay <= 240, so uint8 + noise never wraps


class _Scene:
    """What does not change from frame to frame: background, shape, its motion."""

    def __init__(self, width: int, height: int, seed: int):
        rng = np.random.default_rng([seed, _SCENE, width, height])
        self.width, self.height = width, height
        x = np.arange(width, dtype=np.int32)
        y = np.arange(height, dtype=np.int32)
        # Gradient between two seeded colours, 16-bit fixed point (as images.py).
        dx, dy = (int(v) for v in rng.integers(1, 5, size=2))
        t = dx * x[None, :, None] + dy * y[:, None, None]  # (h, w, 1)
        start, end = rng.integers(0, _TOP + 1, size=(2, 1, 1, 3)).astype(np.int32)
        step = ((end - start) << 16) // max(int(t.max()), 1)
        self.background = (start + ((t * step) >> 16)).astype(np.uint8)  # (h, w, 3) BGR
        self.colour = rng.integers(0, _TOP + 1, size=3).astype(np.uint8)
        self.half = max(1, min(width, height) // 6)  # half the side of the square
        self.start = [int(rng.integers(0, width)), int(rng.integers(0, height))]
        self.velocity = [int(v) * (1 if s else -1) for v, s in zip(
            rng.integers(1, 6, size=2), rng.integers(0, 2, size=2))]

    def frame(self, index: int, seed: int) -> np.ndarray:
        img = self.background.copy()
        cx = _bounce(self.start[0], self.velocity[0], self.width, index)
        cy = _bounce(self.start[1], self.velocity[1], self.height, index)
        h = self.half
        img[max(0, cy - h):cy + h, max(0, cx - h):cx + h] = self.colour
        noise = np.frombuffer(np.random.default_rng([seed, _FRAME, index]).bytes(img.size),
                              dtype=np.uint8).reshape(img.shape)
        img += noise & _NOISE_MASK
        return img


def _bounce(start: int, velocity: int, size: int, index: int) -> int:
    """Position in 0..size-1 after `index` steps, reflecting at both ends."""
    span = size - 1
    if span <= 0:
        return 0
    q = (start + velocity * index) % (2 * span)
    return q if q <= span else 2 * span - q


def frame_pixels(index: int, width: int, height: int, seed: int = SEED) -> np.ndarray:
    """The uint8 BGR array (height, width, 3) that `write_video` encodes as frame `index`."""
    return _Scene(width, height, seed).frame(index, seed)


def _check_codec(codec: str) -> str:
    if codec not in CODEC_EXTENSIONS:
        raise ValueError(f"codec {codec!r} not verified here; use one of {sorted(CODEC_EXTENSIONS)}")
    return CODEC_EXTENSIONS[codec]


def write_video(path: Path, frames: int, width: int, height: int, codec: str = "mp4v",
                fps: int = 30, seed: int = SEED) -> Path:
    """Write `frames` seeded frames of width x height to `path`; the path written.

    codec "mp4v" goes in .mp4, "MJPG" in .avi; `path` gets that suffix (it is
    replaced if different) and the returned path is the one written. Any
    other codec raises ValueError naming it. Width and height must be even
    and frames >= 1 (see the module docstring for why).

    Same seed, numpy and OpenCV build: the same encoded bytes run after run
    (observed, OpenCV 5.0.0 / FFmpeg avformat 62.12), so the same decoded frames.
    """
    import cv2  # here, so the rest needs no OpenCV

    suffix = _check_codec(codec)
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    if width < 2 or height < 2 or width % 2 or height % 2:
        raise ValueError(f"width and height must be even and >= 2, got {width}x{height}")
    path = Path(path).with_suffix(suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter could not open {path} for {codec}")
    try:
        scene = _Scene(width, height, seed)
        for index in range(frames):
            writer.write(scene.frame(index, seed))
    finally:
        writer.release()
    return path


class VideoSpec(NamedTuple):
    name: str
    frames: int
    width: int
    height: int
    codec: str = "mp4v"
    fps: int = 30


_SHAPES = {"landscape": (320, 180), "portrait": (180, 320), "square": (240, 240)}


def _specs(lengths: Sequence[int], codecs: Sequence[str]) -> tuple[VideoSpec, ...]:
    return tuple(VideoSpec(f"{shape}_{width}x{height}_{frames}f_{codec}", frames, width, height, codec)
                 for codec in codecs for frames in lengths
                 for shape, (width, height) in _SHAPES.items())


# Names like "landscape_320x180_30f_mp4v". The default set (12 files, 6 MB in
# all) writes in 1.5-2 s on the 2-core VM; LONG_VIDEO_SPECS adds the six
# 3,000-frame ones (~17 s more, ~50 MB).
VIDEO_SPECS = _specs((30, 300), ("mp4v", "MJPG"))
LONG_VIDEO_SPECS = VIDEO_SPECS + _specs((3000,), ("mp4v", "MJPG"))


def write_videos(folder: Path, specs: Iterable[VideoSpec] = VIDEO_SPECS,
                 seed: int = SEED) -> dict[str, Path]:
    """Write each spec to folder/<name>.<ext>; {name: path}, in spec order."""
    folder = Path(folder)
    paths = {}
    for spec in specs:
        spec = VideoSpec(*spec)
        if spec.name in paths:
            raise ValueError(f"two specs named {spec.name!r}")
        paths[spec.name] = write_video(folder / spec.name, spec.frames, spec.width, spec.height,
                                       spec.codec, spec.fps, seed)
    return paths


# --- Bad files ----------------------------------------------------------------

BAD_VIDEO_KINDS = ("empty", "truncated", "not_a_video", "missing")
EXTRA_BAD_VIDEO_KINDS = ("truncated_mp4",)

# cv2.VideoCapture on each, observed with OpenCV 5.0.0 (FFmpeg backend):
#   kind           isOpened  CAP_PROP_FRAME_COUNT  frames read() returns before False
#   empty          False     -1.0                  0
#   not_a_video    False     -1.0                  0   (FFmpeg logs "moov atom not found")
#   missing        False     -1.0                  0   (no exception, no log)
#   truncated      True      300.0 (header's)      150 (FFmpeg logs "[mjpeg] overread 8")
#   truncated_mp4  False     -1.0                  0   (FFmpeg logs "moov atom not found")
# Nothing raises: a loader only finds out from isOpened() or read(). The
# truncated MJPG .avi keeps its header, which states all 300 frames, while the
# data of the last 150 is gone: the container and decoded counts disagree,
# which a frame-count cache filled from CAP_PROP_FRAME_COUNT gets wrong.
# OpenCV's mp4 muxer writes the index (moov atom) at the end, so an mp4 cut
# anywhere (50%, 90%, even 99.9% of its bytes) does not open at all.
BAD_VIDEO_BEHAVIOUR = {
    "empty": {"opened": False, "container_frames": -1, "decoded_frames": 0},
    "not_a_video": {"opened": False, "container_frames": -1, "decoded_frames": 0},
    "missing": {"opened": False, "container_frames": -1, "decoded_frames": 0},
    "truncated": {"opened": True, "container_frames": 300, "decoded_frames": 150},
    "truncated_mp4": {"opened": False, "container_frames": -1, "decoded_frames": 0},
}
_BAD_SOURCE = {"truncated": "MJPG", "truncated_mp4": "mp4v"}
_BAD_FRAMES, _BAD_SIZE = 300, (160, 96)

_NOT_A_VIDEO = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
                b"<body><h1>Not Found</h1><p>The requested video was not found.</p>"
                b"</body></html>\n")


def write_bad_videos(folder: Path, kinds: Sequence[str] = BAD_VIDEO_KINDS,
                     seed: int = SEED) -> dict[str, Path]:
    """Write the broken files named in `kinds`; {kind: path}, named bad_<kind>.<ext>.

    empty          zero bytes, .mp4.
    truncated      a seeded 300-frame 160x96 MJPG .avi cut to the first half
                   of its bytes: opens, CAP_PROP_FRAME_COUNT says 300, read()
                   gives 150 frames then False.
    not_a_video    an HTML 404 page saved as .mp4.
    missing        a path in `folder` that does not exist (removed if it did), .mp4.
    truncated_mp4  (not in the default kinds) a seeded 300-frame 160x96 mp4v
                   .mp4 cut in half: its index is lost, so it does not open.

    What cv2.VideoCapture does on each is in BAD_VIDEO_BEHAVIOUR and the
    comment above it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind in kinds:
        if kind in _BAD_SOURCE:
            codec = _BAD_SOURCE[kind]
            path = folder / f"bad_{kind}{CODEC_EXTENSIONS[codec]}"
            write_video(path, _BAD_FRAMES, *_BAD_SIZE, codec=codec,
                        seed=int(np.random.default_rng([seed, _BAD]).integers(2**31)))
            data = path.read_bytes()
            path.write_bytes(data[:len(data) // 2])
        elif kind in BAD_VIDEO_KINDS:
            path = folder / f"bad_{kind}.mp4"
            if kind == "empty":
                path.write_bytes(b"")
            elif kind == "not_a_video":
                path.write_bytes(_NOT_A_VIDEO)
            else:  # missing
                path.unlink(missing_ok=True)
        else:
            raise ValueError(f"kind {kind!r} not one of {BAD_VIDEO_KINDS + EXTRA_BAD_VIDEO_KINDS}")
        paths[kind] = path
    return paths


# --- Frame counts -------------------------------------------------------------

def decoded_frame_count(path: Path) -> int:
    """Frames a full decode gives: read() calls returning True until the first
    False. 0 for a file that does not open (no exception)."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        count = 0
        while capture.read()[0]:
            count += 1
        return count
    finally:
        capture.release()


def container_frame_count(path: Path) -> int:
    """int(CAP_PROP_FRAME_COUNT): what the container header says, without
    decoding; -1 for a file that does not open. Agrees with
    `decoded_frame_count` on every valid file written here, not on the
    truncated one (300 against 150)."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()


# --- The rest of a training process's heap ----------------------------------

def video_index_records(count: int, seed: int = SEED) -> list[dict]:
    """`count` records of a video dataset's index, as a training process
    keeps them in memory (the heap a full garbage collection must traverse):
    each a dict with a path, label, frame count, a list of tags and a dict
    of metadata. The collector tracks two containers per record, the record
    and its tags (CPython leaves a dict of plain numbers untracked). Seeded."""
    rng = np.random.default_rng([seed, _INDEX])
    labels = rng.integers(0, 2, size=count).tolist()
    frames = rng.integers(30, 3001, size=count).tolist()
    shapes = list(_SHAPES.items())
    records = []
    for i in range(count):
        shape, (width, height) = shapes[i % len(shapes)]
        records.append({"path": f"videos/{i // 1000:04d}/{i:08d}.mp4", "label": labels[i],
                        "frames": frames[i], "tags": [shape, "train" if i % 5 else "val"],
                        "meta": {"width": width, "height": height, "fps": 30}})
    return records


# --- Training clips -------------------------------------------------------------

def aspect_ratio_clips(folder: Path, clips_per_shape: int = 4, frames: int = 4,
                       downscale: int = 4, seed: int = SEED) -> dict[str, tuple]:
    """Labelled clips of three aspect ratios for a video model, decoded from
    seeded videos written to `folder` (one 30-frame mp4v per shape of
    VIDEO_SPECS): {shape: (clips, labels)}, clips uint8 (n, frames, height,
    width, 3) at 1/`downscale` of the video's sides, labels 0/1 float32.
    Label 1 is a clip with its colours inverted (255 - pixels), so the task
    is learnable in a few steps; clips start at different frames."""
    import cv2

    specs = [s for s in VIDEO_SPECS if s.frames == 30 and s.codec == "mp4v"]
    written = write_videos(folder, specs, seed=seed)
    out = {}
    for spec in specs:
        capture = cv2.VideoCapture(str(written[spec.name]))
        decoded = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            decoded.append(cv2.resize(frame, (spec.width // downscale,
                                              spec.height // downscale)))
        capture.release()
        if len(decoded) < frames:
            raise ValueError(f"{written[spec.name]}: {len(decoded)} frames decoded, "
                             f"a clip needs {frames}")
        clips, labels = [], []
        for k in range(clips_per_shape):
            start = (k * frames) % (len(decoded) - frames + 1)
            clip = np.stack(decoded[start:start + frames])
            inverted = k % 2 == 1
            clips.append(255 - clip if inverted else clip)
            labels.append(float(inverted))
        shape = spec.name.split("_")[0]
        out[shape] = (np.stack(clips), np.array(labels, dtype=np.float32))
    return out


def encode_h264(path: Path, images: Iterable[np.ndarray], fps=30) -> int:
    """Encode RGB uint8 frames (height, width, 3) with libx264 in yuv420p
    through PyAV, the size from the first: frames written (0 writes no file).
    Frames are encoded as they come, so an iterator is never held whole.
    `fps` an int or a Fraction."""
    import av

    written = 0
    container = None
    try:
        for image in images:
            if container is None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                container = av.open(str(path), mode="w")
                stream = container.add_stream("libx264", rate=fps)
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = "yuv420p"
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
            written += 1
        if container is not None:
            for packet in stream.encode():
                container.mux(packet)
    finally:
        if container is not None:
            container.close()
    return written


def write_h264_video(path: Path, frames: int, width: int, height: int, fps: int = 30,
                     seed: int = SEED) -> Path:
    """`frames` seeded frames (`frame_pixels`, as RGB) encoded with libx264
    in yuv420p through PyAV, in an .mp4: what the AURA pipeline's videos are
    and how it writes its own. Same seed, same frames; the encoded bytes
    depend on the bundled FFmpeg and x264."""
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    if width < 2 or height < 2 or width % 2 or height % 2:
        raise ValueError(f"width and height must be even and >= 2, got {width}x{height}")
    path = Path(path).with_suffix(".mp4")
    scene = _Scene(width, height, seed)
    encode_h264(path, (np.ascontiguousarray(scene.frame(i, seed)[:, :, ::-1])
                       for i in range(frames)), fps)
    return path
