"""AURA's five-stage video pipeline (Horopter/AURA), at 5332a68b (before) and
70877759 (after), each change of the report's commit on its path a switch.

What the stages do, in the codebase's order (docs/sources/video-pipeline-code.md):

  1 augment   copy each video as <id>_original.mp4; count its frames; for
              each 250-frame chunk, load it (augmentation io's load_frames:
              count, then decode from frame 0 to the chunk's end), make the
              A augmentations of it frame by frame and save each as a chunk
              file; stitch each augmentation's chunk files (decode, re-encode)
  2 features  for each of the A + 1 files: its frame count, then a decode
              from frame 0 to the last of 6 evenly spaced frames (the last
              frame: a full pass), handcrafted features of those 6
  3 scale     for each file: letterbox every frame to a square
              before: load_frames(max_frames=1000), all of it in memory, one
              encode; after: 250-frame chunks, each loaded from frame 0,
              scaled, saved as a chunk file, then the chunk files stitched
  4 scaled features  stage 2 on the scaled files (header frame count at both)
  5 train     VariableARVideoModel on the scaled files (VideoDataset decodes
              a whole file per item and samples 6 frames), k folds

Launched as one process (src/run_new_pipeline.py) or one process per stage
(src/scripts/run_stage*.py under SLURM): `run(..., layout=)`. The
frame-count cache is a per-process dict, so the layout decides what it
finds.

The switches (SWITCHES): the frame-count cache, stage 3's chunking, the
collections the commit added and removed, the DataLoader settings, the
non_blocking copies in evaluate, the training schedule and the model's
initialisation. What neither commit can run, and the smallest fix applied
on both sides (FIXES): listed in the system claim's notes.

Scale (`Settings`): REAL is the codebase's; the claims run SCALED, the same
structure on small frames (see system_claims.py).
"""
from __future__ import annotations

import csv
import gc
import hashlib
import math
import random
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from . import decoding, frame_cache

CACHE, CHUNKED, COLLECT, LOADER, NON_BLOCKING, SCHEDULE, INIT = (
    "frame_count_cache", "chunked_scaling", "aggressive_gc", "loader_settings",
    "non_blocking_eval", "training_schedule", "weight_init")
STAGES = ("augment", "features", "scale", "scaled_features", "train")
LAYOUTS = ("one_process", "per_stage")

AUGMENTATION_TYPES = ("rotation", "flip", "brightness", "contrast", "saturation",
                      "gaussian_noise", "gaussian_blur", "affine", "elastic", "cutout")


@dataclass(frozen=True)
class Settings:
    """The codebase's arguments (REAL) or a scaled copy of them."""

    augmentations: int = 10      # FVC_NUM_AUGMENTATIONS
    chunk: int = 250             # stage 1's chunk_size, stage 3's after
    stage3_max_frames: int = 1000   # stage 3's load cap before
    target: int = 224            # the scaled square's side (run_new_pipeline, SLURM)
    sampled_frames: int = 6      # stages 2 and 4, and the clips of stage 5
    folds: int = 5
    epochs: int = 20
    batch: int = 2               # MODEL_MEMORY_CONFIGS["variable_ar_cnn"]
    accumulation: int = 4
    base_channels: int = 32
    learning_rate: float = 1e-4
    weight_decay: float = 1e-4
    patience: int = 5            # early stopping, after
    warmup_epochs: int = 2


REAL = Settings()


# --- collections ------------------------------------------------------------

# lib/utils/memory.py's aggressive_gc, the same at both commits: up to three
# gc.collect() passes, stopping at one that frees nothing (clear_cuda=False
# in stages 1-4: no CUDA call there).
def aggressive_gc(tally: "CollectionTally") -> None:
    started = time.perf_counter()
    tally.calls += 1
    for _ in range(3):
        tally.passes += 1
        freed = gc.collect()
        tally.freed += freed
        if freed == 0:
            break
    tally.seconds += time.perf_counter() - started


@dataclass
class CollectionTally:
    calls: int = 0
    passes: int = 0
    freed: int = 0            # unreachable objects the passes found
    seconds: float = 0.0      # inside aggressive_gc
    by_site: dict[str, int] = field(default_factory=dict)


# Which aggressive_gc call sites each commit has on this path (lines in
# docs/sources/video-pipeline-code.md §5). The switch selects the after
# commit's whole set, in every stage; a site in code only one commit runs
# (stage 3's chunk loop) fires only where that code runs.
SITES_BEFORE = frozenset({
    "augment.after_count",          # augmentation/pipeline.py l.101
    "augment.every_100_frames", "augment.per_augmentation_chunk", "augment.per_chunk",
    "io.load", "io.save", "io.concatenate",
    "features.per_file_finally", "features.per_file_saved",
    "scale.after_save", "scale.per_file",
    "scaled_features.per_file_finally", "scaled_features.per_file_saved",
    "train.per_step", "train.per_val_batch", "train.end_of_evaluate",
})
SITES_AFTER = (SITES_BEFORE - {"augment.after_count", "scale.after_save"}) | {
    "features.per_sampled_frame", "scaled_features.per_sampled_frame",
    "scale.after_count", "scale.every_50_frames", "scale.per_chunk", "scale.after_concatenate",
    "scale.finally", "train.per_fold", "train.per_model",
}


class Collector:
    def __init__(self, sites: frozenset[str]):
        self.sites, self.tally = sites, CollectionTally()

    def __call__(self, site: str, cuda: bool = False) -> None:
        if site in self.sites:
            self.tally.by_site[site] = self.tally.by_site.get(site, 0) + 1
            aggressive_gc(self.tally)
            if cuda:   # clear_cuda=True (stage 5 on CUDA, both commits)
                empty_cuda_cache(synchronize=True)


def empty_cuda_cache(synchronize: bool = False) -> None:
    import torch

    torch.cuda.empty_cache()
    if synchronize:
        torch.cuda.synchronize()


# --- one run's context ------------------------------------------------------

@dataclass
class Run:
    on: frozenset[str]
    settings: Settings
    workdir: Path
    collect: Collector = None
    device: str = "cpu"

    def __post_init__(self):
        if self.collect is None:
            self.collect = Collector(SITES_AFTER if COLLECT in self.on else SITES_BEFORE)

    def count(self, path, *, header_only: bool = False) -> int:
        return frame_cache.frame_count(path, cache=CACHE in self.on, header_only=header_only)


def load_frames(run: Run, path, max_frames: int | None, start: int = 0) -> list[np.ndarray]:
    """augmentation/io.py load_frames: the frame count (a counting decode
    before, the cache after), then a decode from frame 0 that keeps frames
    start .. start + max_frames (no seeking: it is "unreliable")."""
    try:
        total = run.count(path)
        end = total if max_frames is None else min(start + max_frames, total)
        if start >= end:
            return []
        return [image for i, image in decoding.frames(path, stop=end, keep=lambda i: i >= start)
                if image is not None]
    finally:
        run.collect("io.load")


# --- stage 1: augment --------------------------------------------------------

def augment_frame(image: np.ndarray, kind: str, seed: int) -> np.ndarray:
    """One spatial augmentation of one frame (the codebase's ten kinds, in
    this project's own simple forms); frame count and size are kept."""
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    if kind == "flip":
        return image[:, ::-1].copy()
    if kind in ("rotation", "affine"):
        if kind == "rotation":
            matrix = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-15, 15)), 1.0)
        else:
            shear = float(rng.uniform(-0.1, 0.1))
            matrix = np.float32([[1, shear, -shear * h / 2], [0, 1, 0]])
        return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
    if kind in ("brightness", "contrast", "saturation"):
        factor = float(rng.uniform(0.7, 1.3))
        x = image.astype(np.float32)
        if kind == "brightness":
            x = x * factor
        elif kind == "contrast":
            x = (x - x.mean()) * factor + x.mean()
        else:
            grey = x.mean(axis=2, keepdims=True)
            x = grey + (x - grey) * factor
        return np.clip(x, 0, 255).astype(np.uint8)
    if kind == "gaussian_noise":
        return np.clip(image + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8)
    if kind == "gaussian_blur":
        return cv2.GaussianBlur(image, (5, 5), 0)
    if kind == "elastic":
        dx = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (7, 7), 3) * 4
        dy = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (7, 7), 3) * 4
        xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        return cv2.remap(image, xs + dx, ys + dy, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)
    if kind == "cutout":
        out = image.copy()
        side = max(1, min(h, w) // 4)
        y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        out[y:y + side, x:x + side] = 0
        return out
    raise ValueError(f"augmentation {kind!r}: not one of {', '.join(AUGMENTATION_TYPES)}")


def _seed_of(path) -> int:
    return int(hashlib.md5(str(path).encode()).hexdigest()[:8], 16) % (2 ** 31)


def augment_video(run: Run, path: Path, out: Path, video_id: str) -> list[Path]:
    """augment_video: its own frame count, then chunk by chunk, every
    augmentation of the chunk saved as a chunk file, then each stitched."""
    s = run.settings
    total = run.count(path)
    run.collect("augment.after_count")
    base = _seed_of(path)
    kinds = [AUGMENTATION_TYPES[i % len(AUGMENTATION_TYPES)] for i in range(s.augmentations)]
    random.Random(base).shuffle(kinds)
    fps = decoding.stream_info(path)["fps"]
    chunks = math.ceil(total / s.chunk)
    temp = out / f".chunks_{video_id}"
    pieces: list[list[Path]] = [[] for _ in range(s.augmentations)]
    for c in range(chunks):
        chunk = load_frames(run, path, s.chunk, c * s.chunk)
        if not chunk:
            continue
        for a, kind in enumerate(kinds):
            seed = base + a + c * 1000
            augmented = []
            for i, image in enumerate(chunk):
                augmented.append(augment_frame(image, kind, seed + i))
                if (i + 1) % 100 == 0:
                    run.collect("augment.every_100_frames")
            piece = temp / f"chunk_{c}_aug_{a}.mp4"
            decoding.write(piece, augmented, fps)
            run.collect("io.save")
            pieces[a].append(piece)
            del augmented
            run.collect("augment.per_augmentation_chunk")
        del chunk
        run.collect("augment.per_chunk")
    written = []
    for a in range(s.augmentations):
        final = out / f"{video_id}_aug{a}.mp4"
        if decoding.concatenate(pieces[a], final, fps):
            written.append(final)
        run.collect("io.concatenate")
    shutil.rmtree(temp, ignore_errors=True)
    return written


def stage_augment(run: Run, videos: list[dict]) -> list[dict]:
    """stage1_augment_videos: the original copied (shutil.copy2 keeps its
    mtime), its augmentations; a metadata row per file written. (After, the
    rows are never written and the stage raises at its end: F6; the fix,
    the same on both sides, writes them.)"""
    out = run.workdir / "augmented"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for v in videos:
        original = out / f"{v['id']}_original.mp4"
        shutil.copy2(v["path"], original)
        rows.append({"video_path": str(original), "label": v["label"], "video_id": v["id"],
                     "augmentation_idx": -1})
        for a, path in enumerate(augment_video(run, Path(v["path"]), out, v["id"])):
            rows.append({"video_path": str(path), "label": v["label"], "video_id": v["id"],
                         "augmentation_idx": a})
    _write_rows(run.workdir / "augmented_metadata.csv", rows)
    return rows


# --- stages 2 and 4: features ------------------------------------------------

def frame_features(image: np.ndarray) -> list[float]:
    """Handcrafted features of one frame (the kinds the codebase's
    handcrafted.py computes: colour statistics, edges, a histogram; this
    project's own set). No noise-sensitive statistic (a Laplacian's
    variance): the stitched files' encode is not bit-reproducible here
    (PyAV 18's libx264 gave other bytes for the same frames, run to run,
    about 3 levels a pixel), and such a feature moved 40% with it."""
    x = image.astype(np.float32)
    grey = x.mean(axis=2)
    edges = np.abs(np.diff(grey, axis=0)).mean() + np.abs(np.diff(grey, axis=1)).mean()
    histogram = np.histogram(grey, bins=8, range=(0, 256))[0] / grey.size
    return [*x.mean(axis=(0, 1)), *x.std(axis=(0, 1)), float(edges), *histogram]


def video_features(run: Run, path, *, stage: str, header_only: bool, cached: bool) -> list[float]:
    """extract_features_from_video: the frame count, 6 evenly spaced
    indices over it, a decode from frame 0 to the last of them; its finally
    collects (l.98 before, l.107 after)."""
    try:
        total = (frame_cache.frame_count(path, cache=True) if cached
                 else frame_cache.frame_count(path, cache=False, header_only=header_only))
        if total <= 0:
            return []
        wanted = set(np.linspace(0, total - 1, run.settings.sampled_frames).astype(int).tolist())
        features = []
        for i, image in decoding.frames(path, stop=max(wanted) + 1, keep=wanted.__contains__):
            if image is not None:
                features.append(frame_features(image))
                run.collect(f"{stage}.per_sampled_frame")
        return np.mean(features, axis=0).round(6).tolist() if features else []
    finally:
        run.collect(f"{stage}.per_file_finally")


def _features_of(run: Run, rows: list[dict], path_key: str, stage: str, **how) -> list[dict]:
    """The stage loop: each file's features, then (where it has any, after
    their save) a collection (l.171 / l.199 in stage 2)."""
    out = []
    for r in rows:
        features = video_features(run, r[path_key], stage=stage, **how)
        if features:
            run.collect(f"{stage}.per_file_saved")
        out.append({**r, "features": features})
    return out


def stage_features(run: Run, rows: list[dict]) -> list[dict]:
    """stage2_extract_features: before, the count from the header; after,
    from the cache (a counting decode on these new paths)."""
    out = _features_of(run, rows, "video_path", "features", header_only=True,
                       cached=CACHE in run.on)
    _write_rows(run.workdir / "features_metadata.csv", out)
    return out


def stage_scaled_features(run: Run, rows: list[dict]) -> list[dict]:
    """stage4_extract_scaled_features: the header count at both commits."""
    out = _features_of(run, rows, "scaled_path", "scaled_features", header_only=True,
                       cached=False)
    _write_rows(run.workdir / "scaled_features_metadata.csv", out)
    return out


# --- stage 3: scale ----------------------------------------------------------

def letterbox(image: np.ndarray, side: int) -> np.ndarray:
    """letterbox_resize: fit inside side x side keeping the aspect ratio, black bars."""
    h, w = image.shape[:2]
    scale = min(side / w, side / h)
    new_w, new_h = max(1, int(w * scale)), max(1, int(h * scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((side, side, 3), dtype=image.dtype)
    y, x = (side - new_h) // 2, (side - new_w) // 2
    out[y:y + new_h, x:x + new_w] = resized
    return out


def scale_whole(run: Run, path, output: Path) -> bool:
    """downscale_video (before): load_frames(max_frames=1000), every frame
    of that in memory with its letterboxed copy, one encode. The stage's
    target_size arrives as a tuple and raises after the load (F1): fixed
    on both sides by passing the int."""
    fps = decoding.stream_info(path)["fps"]
    loaded = load_frames(run, path, run.settings.stage3_max_frames)
    if not loaded:
        return False
    scaled = [letterbox(image, run.settings.target) for image in loaded]
    ok = decoding.write(output, scaled, fps)
    run.collect("io.save")
    del loaded, scaled
    run.collect("scale.after_save")
    return ok


def scale_chunked(run: Run, path, output: Path) -> bool:
    """scale_video (after): the count, then chunk by chunk a load from frame
    0, letterbox, a chunk file; then the chunk files stitched (decoded and
    encoded again). Whole videos: no frame cap."""
    s = run.settings
    total = run.count(path)
    fps = decoding.stream_info(path)["fps"]
    run.collect("scale.after_count")
    temp = output.parent / f".chunks_{output.stem}"
    pieces = []
    try:
        for c in range(math.ceil(total / s.chunk)):
            chunk = load_frames(run, path, s.chunk, c * s.chunk)
            if not chunk:
                continue
            scaled = []
            for i, image in enumerate(chunk):
                scaled.append(letterbox(image, s.target))
                if (i + 1) % 50 == 0:
                    run.collect("scale.every_50_frames")
            piece = temp / f"chunk_{c}.mp4"
            if decoding.write(piece, scaled, fps):
                pieces.append(piece)
            run.collect("io.save")
            del chunk, scaled
            run.collect("scale.per_chunk")
        if not pieces:
            return False
        ok = decoding.concatenate(pieces, output, fps)
        run.collect("io.concatenate")
        run.collect("scale.after_concatenate")
        return ok
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        run.collect("scale.finally")


def stage_scale(run: Run, rows: list[dict]) -> list[dict]:
    out_folder = run.workdir / "scaled"
    out_folder.mkdir(parents=True, exist_ok=True)
    scale = scale_chunked if CHUNKED in run.on else scale_whole
    out = []
    for r in rows:
        output = out_folder / Path(r["video_path"]).name
        if scale(run, r["video_path"], output):
            out.append({**r, "scaled_path": str(output)})
        run.collect("scale.per_file")
    _write_rows(run.workdir / "scaled_metadata.csv", out)
    return out


# --- stage 5: train ----------------------------------------------------------

def clip(path, frames: int) -> np.ndarray:
    """VideoDataset.__getitem__: the whole scaled video decoded, `frames`
    of it sampled evenly, as (T, H, W, C) uint8."""
    decoded = [image for _, image in decoding.frames(path)]
    if not decoded:
        raise ValueError(f"video {path}: no frame decoded")
    picks = np.linspace(0, len(decoded) - 1, frames).astype(int)
    return np.stack([decoded[i] for i in picks])


def stage_train(run: Run, rows: list[dict]) -> dict:
    from .training import train_folds   # torch: imported where stage 5 runs

    return train_folds(run, rows)


# --- the whole pipeline --------------------------------------------------------

@dataclass
class StageReading:
    seconds: float
    decodes: dict
    collections: int
    collection_passes: int
    peak_bytes: int | None = None


def _write_rows(path: Path, rows: list[dict]) -> None:
    """A stage's metadata file, written whole (what the next stage reads)."""
    if not rows:
        path.write_text("")
        return
    names = list(rows[0])
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


STAGE_FUNCTIONS: dict[str, Callable] = {
    "augment": stage_augment, "features": stage_features, "scale": stage_scale,
    "scaled_features": stage_scaled_features, "train": stage_train}
# What each stage reads: the stage before it, except stage 4 (stage 3's
# scaled files) and stage 5 (stage 3's too, as the codebase trains on them).
_INPUT = {"augment": None, "features": "augment", "scale": "augment",
          "scaled_features": "scale", "train": "scale"}


def _rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def _one_stage(run: Run, stage: str, given) -> tuple[object, StageReading]:
    before_calls, before_passes = run.collect.tally.calls, run.collect.tally.passes
    rss_before = _rss_now()
    with decoding.counting() as tally, decoding.in_stage(stage):
        started = time.perf_counter()
        result = STAGE_FUNCTIONS[stage](run, given)
        seconds = time.perf_counter() - started
    # The process's high-water mark: the stage's own peak only where the
    # stage has the process to itself (one process per stage).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    after = run.collect.tally
    return result, StageReading(seconds, tally.total.as_dict(), after.calls - before_calls,
                                after.passes - before_passes, peak)


# What the codebase's processes have imported before a stage runs: every
# stage imports lib.utils.memory (torch), stages 1 and 3 lib.augmentation
# (torchvision), stage 5 scikit-learn's folds. The collector's passes walk
# that heap: a gc.collect() costs what it costs there.
PRELOAD = {"augment": ("torch", "torchvision"), "features": ("torch",),
           "scale": ("torch", "torchvision"), "scaled_features": ("torch",),
           "train": ("torch", "torchvision", "sklearn.model_selection")}


def _stages_in_this_process(on, videos, workdir, settings, stages, device, given, preload):
    """The stages asked, in order, in this (fresh) process."""
    import importlib

    for stage in stages if preload else ():
        for module in PRELOAD[stage]:
            importlib.import_module(module)
    frame_cache.clear()
    run = Run(frozenset(on), settings, Path(workdir), device=device)
    outputs, readings = dict(given), {}
    for stage in stages:
        given = videos if _INPUT[stage] is None else outputs[_INPUT[stage]]
        outputs[stage], readings[stage] = _one_stage(run, stage, given)
    return outputs, readings


def _child(send, *args):
    try:
        send.send(("ok", _stages_in_this_process(*args)))
    except Exception as exc:   # the stage's failure, for the parent to name
        send.send(("error", f"{type(exc).__name__}: {exc}"))


def _in_a_fresh_interpreter(*args):
    """`_stages_in_this_process(*args)` in a new Python process (spawned,
    as `python src/...py` starts: nothing of this process's heap, cache or
    threads in it)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, *args))
    process.start()
    send.close()
    try:
        status, result = receive.recv()
    except EOFError:
        status, result = "error", "the process died before it answered"
    process.join()
    if status == "error":
        raise RuntimeError(f"AURA pipeline, stages {', '.join(args[4])}: {result} "
                           f"(exit code {process.exitcode})")
    return result


def run_here(on, videos: list[dict], workdir: Path, settings: Settings, *,
             stages=STAGES[:4]) -> tuple[dict, Run]:
    """The stages in this process (a memory reading needs the work where
    memray is), after a cache as empty as a new process's: their outputs,
    and the run with its collections."""
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    frame_cache.clear()
    run = Run(frozenset(on), settings, workdir)
    outputs: dict = {}
    try:
        for stage in stages:
            given = videos if _INPUT[stage] is None else outputs[_INPUT[stage]]
            outputs[stage] = STAGE_FUNCTIONS[stage](run, given)
    finally:
        frame_cache.clear()
    return outputs, run


def run_pipeline(on, videos: list[dict], workdir: Path, settings: Settings, *,
                 layout: str = "one_process", stages=STAGES, device: str = "cpu",
                 preload: bool = True) -> dict:
    """The five stages over `videos` ({id, path, label}), each launched as
    the codebase launches them: one new process for the whole pipeline
    (src/run_new_pipeline.py), or one new process per stage
    (src/scripts/run_stage*.py under SLURM). What each stage produced and
    its reading (time, decodes, collections, peak memory). `preload=False`
    leaves out the imports that shape the collector's heap (PRELOAD): for
    readings that count, and do not time."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    on, stages = sorted(on), tuple(stages)
    if layout == "one_process":
        outputs, readings = _in_a_fresh_interpreter(on, videos, workdir, settings, stages,
                                                    device, {}, preload)
    else:
        outputs, readings = {}, {}
        for stage in stages:
            done, read = _in_a_fresh_interpreter(on, videos, workdir, settings, (stage,),
                                                 device, outputs, preload)
            outputs.update(done)
            readings.update(read)
    return {"outputs": outputs, "stages": readings}
