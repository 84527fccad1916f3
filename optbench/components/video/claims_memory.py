"""The video-pipeline report's "OOM Resistance" (§4): "Chunked processing in
all stages (250 frames)" and "Aggressive GC throughout". The report gives
no figure; both are read as "a lower peak memory", measured with memray
(native allocations included), and judged against OOM_RESISTANCE.
"""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from optbench.core.claim import (Case, Claim, Claimed, Equivalence, Metric, Workload,
                                 scratch_folder)
from optbench.core.measure import count_garbage_collections
from optbench.core.units import quantity
from optbench.workloads import video

from . import AGGRESSIVE_GC_VARIANTS, CHUNKED_FRAMES_VARIANTS
from .stages import CHUNK

# Video-pipeline report §4, "OOM Resistance": "Chunked processing in all
# stages (250 frames)", "Aggressive GC throughout". No number: read as a peak
# at least a tenth lower (a smaller drop hardly moves the point where a job
# runs out of memory); any smaller real drop still reads "partial".
OOM_RESISTANCE = Claimed("OOM resistance (read as: peak memory at least 10% lower)",
                         Fraction(0), Fraction(9, 10))


# --- video.chunked_frames ------------------------------------------------------

CHUNKED_SIDES = (32, 24)   # small frames: the peaks scale with them, their ratio does not


@dataclass
class OneVideo:
    path: str
    frames: int
    width: int
    height: int


def _video_of_length(frames: int) -> OneVideo:
    width, height = CHUNKED_SIDES
    folder = scratch_folder("optbench-chunks-")
    path = video.write_video(folder / f"landscape_{width}x{height}_{frames}f_mp4v.mp4",
                             frames, width, height, codec="mp4v")
    return OneVideo(str(path), frames, width, height)


def _features(case: Case):
    return case.implementation(case.data.path, case.data.frames)


def _decoded_video_bytes(case: Case) -> int:
    v = case.data
    return v.frames * v.width * v.height * 3


CHUNKED_FRAMES = Claim(
    id="video.chunked_frames",
    source="video-pipeline report §4, OOM Resistance",
    component="video",
    title=f"the features stage reading all frames at once vs chunks of {CHUNK}",
    claimed=OOM_RESISTANCE,
    variants=CHUNKED_FRAMES_VARIANTS,
    workload=Workload(f"one {CHUNKED_SIDES[0]}x{CHUNKED_SIDES[1]} mp4v video of this many "
                      f"frames", _video_of_length, sizes=(100, 1000, 3000),
                      quick_sizes=(400,), size_unit="frames"),
    setup=lambda case: case,
    primary=Metric("features_peak_bytes", "memory", "bytes", _features,
                   "peak heap bytes while the features stage reads the video and computes "
                   "its features (memray, native allocations: decoder buffers included)"),
    secondary=(
        Metric("features_time", "time", "s", _features,
               "the features stage over the whole video"),
        Metric("decoded_video_bytes", "value", "bytes", _decoded_video_bytes,
               "the video's frames decoded, as uint8 (frames x width x height x 3): the "
               "scale the peaks compare with"),
    ),
    output=_features,
    equivalence=Equivalence.allclose(
        rtol=1e-9, atol=1e-9,
        description="the per-video features (each channel's mean and standard deviation "
                    "over frames) within 1e-9: chunks change the order of the float sums"),
    notes=f"Only the features stage is measured: augmentation io returns every frame "
          f"(the augmentation needs them), so no chunk size lowers its peak, and scaling "
          f"keeps every scaled frame. A video shorter than {CHUNK} frames is one chunk "
          f"either way: the same peak.",
)


# --- video.aggressive_gc -------------------------------------------------------

HEAP_RECORDS = 100_000


@dataclass
class PipelineAndHeap:
    paths: list[str]
    frames: dict[str, int]
    heap: list = field(repr=False)   # kept alive: what a full collection traverses
    # Per variant, its one counted run: the collections seen and its output.
    counted: dict = field(default_factory=dict, repr=False)


def _pipeline_and_heap(frames: int) -> PipelineAndHeap:
    folder = scratch_folder("optbench-gc-")
    spec = video.VideoSpec(f"landscape_320x180_{frames}f_mp4v", frames, 320, 180, "mp4v")
    paths = [str(p) for p in video.write_videos(folder, [spec]).values()]
    return PipelineAndHeap(paths, {p: frames for p in paths},
                           video.video_index_records(HEAP_RECORDS))


def _run(case: Case):
    data = case.data
    return case.implementation(data.paths, data.frames.__getitem__)


def _counted_run(case: Case) -> dict:
    """One pipeline run with every collection (explicit or automatic) seen;
    its output is the variant's output too (a run of the collecting variant
    takes seconds here)."""
    counted = case.data.counted
    if case.variant not in counted:
        gc.collect()
        started = time.perf_counter()
        with count_garbage_collections() as seen:
            output = _run(case)
        counted[case.variant] = {"seen": seen, "wall": time.perf_counter() - started,
                                 "tracked": len(gc.get_objects()), "output": output}
    return counted[case.variant]


def _per_full_collection(case: Case) -> str:
    counted = _counted_run(case)
    durations = counted["seen"].full_durations
    if not durations:
        return "no full collection"
    return (f"median {quantity(statistics.median(durations), 's')} "
            f"({quantity(min(durations), 's')} to {quantity(max(durations), 's')}) over "
            f"{len(durations)}, {counted['tracked']:,} objects tracked")


def _collector_share(case: Case) -> str:
    counted = _counted_run(case)
    inside, wall = counted["seen"].seconds, counted["wall"]
    return (f"{quantity(inside, 's')} of {quantity(wall, 's')} "
            f"({100 * inside / wall:.0f}%) in the collector")


def _gc_outputs(case: Case) -> dict:
    return {Path(p).name: v for p, v in _counted_run(case)["output"].items()}


AGGRESSIVE_GC = Claim(
    id="video.aggressive_gc",
    source="video-pipeline report §4, OOM Resistance",
    component="video",
    title="gc.collect() after every chunk and every stage of the four-stage pipeline",
    claimed=OOM_RESISTANCE,
    variants=AGGRESSIVE_GC_VARIANTS,
    workload=Workload(f"one 320x180 mp4v video of this many frames, in a process that "
                      f"also holds {HEAP_RECORDS:,} dataset-index records (torch, pandas "
                      f"and scikit-learn imported)", _pipeline_and_heap, sizes=(30, 300),
                      quick_sizes=(30,), size_unit="frames"),
    setup=lambda case: case,
    primary=Metric("pipeline_peak_bytes", "memory", "bytes", _run,
                   "peak heap bytes of the four stages over the video (memray, native "
                   "allocations included)"),
    secondary=(
        Metric("full_collections", "counter", "collections",
               lambda case: _counted_run(case)["seen"].full_collections,
               "full (generation 2) collections during one run, explicit or automatic"),
        Metric("objects_only_the_collector_freed", "counter", "objects",
               lambda case: _counted_run(case)["seen"].collected,
               "unreachable objects the collector found during one run: memory reference "
               "counting alone would not have freed (objects in cycles)"),
        Metric("seconds_per_full_collection", "value", "",  _per_full_collection,
               "wall time of each full collection, with the process's whole heap"),
        Metric("time_in_the_collector", "value", "", _collector_share,
               "time inside collections against the run's wall time"),
    ),
    output=_gc_outputs,
    equivalence=Equivalence.structures(
        description="per video: frames read, augmented copies, scaled shape and features "
                    "identical"),
    notes="The pipeline's frame counts come from the workload (no decode to count), so "
          "only the collections differ. No pipeline_time is sampled: one full collection "
          "of this process's heap takes a sizeable fraction of a second, so interleaved "
          "rounds would not fit quick mode; the collector's share of one run is measured "
          "instead.",
)

MEMORY_CLAIMS = [CHUNKED_FRAMES, AGGRESSIVE_GC]
