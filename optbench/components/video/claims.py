"""video.metadata_cache: "60-70% reduction in video decodes (from 7-9x to 3x
per video)" from a persistent JSON frame-count cache (video-pipeline report
§2 and "Video Decoding Reduction").

Before, each of the four stages counts frames by a full decode: io counts
then reads (2), the augmentation pipeline counts once per augmented copy (2
with AUGMENTATIONS = 2; 1-3 copies give the report's 7-9), scaling and
features each count then read (2 + 2): 8 per video. After, every count comes
from the cache, so a warm run decodes only the 3 reads (io, scaling,
features); a cold run adds the one counting decode that fills the cache.
The report's "3x per video" and "survives process restarts" are the warm
run, measured in a process of its own; the cold run is measured beside it.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from optbench.core.claim import (Case, Claim, Claimed, Equivalence, Metric, Workload,
                                 scratch_folder)
from optbench.core.isolate import in_a_new_process
from optbench.core.measure import count_video_decodes
from optbench.workloads import video

from . import METADATA_CACHE_VARIANTS
from .claims_memory import MEMORY_CLAIMS
from .stages import AUGMENTATIONS, STAGES, observing_stages


@dataclass
class Videos:
    folder: Path
    paths: list[str]
    bad: dict[str, Path]        # kind -> a broken file (workloads.video.write_bad_videos)


def _videos(count: int) -> Videos:
    """`count` videos from the workload's default set (30 and 300 frames,
    landscape, portrait and square, mp4v and MJPG) at half its sides
    (160x90, 90x160, 120x120): decodes are counted, not timed, and the
    pipeline time is mostly the stages' pixel work, which halving keeps
    within quick mode's budget."""
    folder = scratch_folder("optbench-videos-")
    # Codecs alternate, so even 3 videos hold an MJPG .avi (the rewrite fault needs one).
    by_codec = [[s for s in video.VIDEO_SPECS if s.codec == c] for c in ("mp4v", "MJPG")]
    mixed = [s for pair in zip(*by_codec) for s in pair]
    specs = [mixed[i % len(mixed)] for i in range(count)]
    specs = [s._replace(name=f"{i:02d}_{s.name}".replace(f"{s.width}x{s.height}",
                                                         f"{s.width // 2}x{s.height // 2}"),
                        width=s.width // 2, height=s.height // 2) for i, s in enumerate(specs)]
    bad = video.write_bad_videos(folder / "bad", video.BAD_VIDEO_KINDS +
                                 video.EXTRA_BAD_VIDEO_KINDS)
    return Videos(folder, [str(p) for p in video.write_videos(folder, specs).values()], bad)


@dataclass
class PipelineState:
    case: Case
    counted: dict = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        return self.case.data.paths

    def cache_file(self, name: str) -> Path:
        return self.case.workdir / f"{name}.json"


def _setup(case: Case) -> PipelineState:
    state = PipelineState(case)
    # The cache the timed and memory regions find warm.
    case.implementation(state.paths[:1], state.cache_file("timed_cache"))
    return state


@contextlib.contextmanager
def _decodes_by_stage():
    """Full decodes while inside, in all and per stage (over every video)."""
    by_stage = dict.fromkeys(STAGES, 0)

    @contextlib.contextmanager
    def tally(stage, path):
        before = counts.full_decodes
        yield
        by_stage[stage] += counts.full_decodes - before

    with count_video_decodes() as counts, observing_stages(tally):
        yield counts, by_stage


def _decodes(state: PipelineState) -> dict:
    """Full decodes of a cold run (a new cache file), then of a warm run in a
    new process that finds only the cache file on disk."""
    if "decodes" not in state.counted:
        pipeline, cache_file = state.case.implementation, state.cache_file("video_cache")
        cache_file.unlink(missing_ok=True)
        with _decodes_by_stage() as (cold, cold_by_stage):
            pipeline(state.paths, cache_file)

        def warm_run():
            with _decodes_by_stage() as (warm, warm_by_stage):
                pipeline(state.paths, cache_file)
            return warm.full_decodes, warm_by_stage

        warm, warm_by_stage = in_a_new_process(warm_run)
        state.counted["decodes"] = {
            "cold": cold.full_decodes, "warm": warm,
            "by_stage": {"cold": cold_by_stage, "warm": warm_by_stage},
            "cache_bytes": cache_file.stat().st_size if cache_file.exists() else 0}
    return state.counted["decodes"]


STAGE_NAMES = {"augmentation_io": "io", "augmentation_pipeline": "augmentation",
               "scaling_pipeline": "scaling", "features_pipeline": "features"}


def _per_stage(state: PipelineState) -> str:
    """"cold: io 2 · augmentation 2 · ...; warm: ...", per video."""
    def line(counts):
        return " · ".join(f"{STAGE_NAMES[stage]} {_per_video(n, state):g}"
                          for stage, n in counts.items())
    by_stage = _decodes(state)["by_stage"]
    return f"cold: {line(by_stage['cold'])}; warm: {line(by_stage['warm'])}"


def _per_video(total: int, state: PipelineState) -> float:
    return round(total / len(state.paths), 4)


def _warm_pipeline(state: PipelineState) -> None:
    """The four stages over the first video (30 frames), its cache filled at
    setup: one video keeps the timed rounds of quick mode within seconds."""
    state.case.implementation(state.paths[:1], state.cache_file("timed_cache"))


def _rewritten_same_size_and_mtime(state: PipelineState) -> str:
    """Fill a cache, then rewrite one MJPG video's second half with zeros,
    keeping its size and modification time, and run again: are the features
    those of the file as it now is (normalised by its real frame count)?"""
    from .cache_baseline import pipeline as decode_every_count

    source = next(p for p in state.paths if p.endswith(".avi"))
    target = state.case.workdir / "rewritten.avi"
    target.write_bytes(Path(source).read_bytes())
    cache_file = state.cache_file("rewrite_cache")
    pipeline = state.case.implementation
    pipeline([str(target)], cache_file)
    stat = os.stat(target)
    data = bytearray(target.read_bytes())
    data[len(data) // 2:] = bytes(len(data) - len(data) // 2)
    target.write_bytes(bytes(data))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    frames_now = video.decoded_frame_count(target)
    fresh = decode_every_count([str(target)], None)[str(target)]["features"]
    try:
        seen = pipeline([str(target)], cache_file)[str(target)]["features"]
    except Exception as exc:  # what the variant does is the reading
        return f"raises {type(exc).__name__} (the file now decodes {frames_now} frames)"
    right = "features right" if seen == fresh else "features WRONG (a stale frame count)"
    return f"{right}; the file now decodes {frames_now} of {video.container_frame_count(target)}"


def _cache_file_cut_mid_write(state: PipelineState) -> str:
    """Fill a cache, cut the cache file in half (a crash mid-write), run
    again: does the pipeline recover, and at what cost in decodes?"""
    cache_file = state.cache_file("cut_cache")
    pipeline = state.case.implementation
    pipeline(state.paths, cache_file)
    if not cache_file.exists():
        return "no cache file"
    text = cache_file.read_text()
    cache_file.write_text(text[: len(text) // 2])
    try:
        with count_video_decodes() as again:
            pipeline(state.paths, cache_file)
    except Exception as exc:
        return f"raises {type(exc).__name__}: {exc}"
    try:
        json.loads(cache_file.read_text())
        valid = "valid JSON again"
    except ValueError:
        valid = "still invalid JSON"
    return (f"recovers: {_per_video(again.full_decodes, state):g} decodes per video, "
            f"cache file {valid}")


def _two_processes_one_cache(state: PipelineState) -> str:
    """Two processes run the pipeline on different videos against one cache
    file at the same time: are both processes' entries in the file at the
    end, and is it still valid JSON?

    "At the same time" is made exact, so the reading does not depend on how
    the two were scheduled: both processes read the cache file (the
    variant's first load_cache_file call) before either goes on, then the
    first runs to the end, then the second. Left to the scheduler, a
    process that started a few ms late read the other's entries and the
    lost update sometimes did not happen."""
    cache_file = state.cache_file("shared_cache")
    halves = [state.paths[0::2], state.paths[1::2]]
    context = multiprocessing.get_context("fork")
    both_loaded, first_done = context.Barrier(2), context.Event()
    variant_globals = getattr(state.case.implementation, "__globals__", {})

    def run(index, paths):
        load = variant_globals.get("load_cache_file")
        if load is not None:                    # a variant with a cache file
            waited = []

            def load_then_wait(path):
                entries = load(path)
                if not waited:                  # the cache's first read only
                    waited.append(True)
                    both_loaded.wait(timeout=120)
                    if index == 1:
                        first_done.wait(timeout=120)
                return entries

            variant_globals["load_cache_file"] = load_then_wait   # this child's copy
        try:
            state.case.implementation(paths, cache_file)
        finally:
            first_done.set()

    workers = [context.Process(target=run, args=(i, h)) for i, h in enumerate(halves)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    failed = [f"process {i} exited with {w.exitcode}" for i, w in enumerate(workers)
              if w.exitcode != 0]
    if failed:   # a reading of two runs that did not both finish would say nothing
        raise RuntimeError(f"two processes on one cache file: {'; '.join(failed)}")
    if not cache_file.exists():
        return "no cache file"
    try:
        entries = json.loads(cache_file.read_text())
    except ValueError:
        return "cache file invalid JSON"
    lost = "both processes' entries kept" if len(entries) == len(state.paths) else \
        "one process's entries lost"
    return f"{lost}; valid JSON"


def _bad_videos(state: PipelineState) -> str:
    """Each broken file alone through the variant's pipeline: what it does."""
    folder = state.case.data.folder
    seen = []
    for kind, path in state.case.data.bad.items():
        cache_file = state.cache_file(f"bad_{kind}_cache")
        try:
            out = state.case.implementation([str(path)], cache_file)[str(path)]
            seen.append(f"{kind}: {out['frames']} frames read")
        except Exception as exc:  # the variant's own behaviour is the reading
            message = str(exc).replace(f"{folder}/", "")   # the same text run after run
            seen.append(f"{kind}: raises {type(exc).__name__}: {message}")
    return " · ".join(seen)


def _container_against_decoded(state: PipelineState) -> str:
    """CAP_PROP_FRAME_COUNT (a cache could store it without decoding) against
    a full decode, for one video of each codec and the truncated MJPG."""
    files = {codec: next(p for p in state.paths if p.endswith(extension))
             for codec, extension in video.CODEC_EXTENSIONS.items()}
    files["truncated MJPG"] = state.case.data.bad["truncated"]
    readings = []
    for name, path in files.items():
        header, decoded = video.container_frame_count(path), video.decoded_frame_count(path)
        relation = "=" if header == decoded else "≠"
        readings.append(f"{name} {header} {relation} {decoded} decoded")
    return " · ".join(readings)


def _outputs(case: Case) -> dict:
    state = PipelineState(case)
    out = case.implementation(state.paths, state.cache_file("output_cache"))
    return {Path(p).name: v for p, v in out.items()}


# Video-pipeline report §2: "**Impact**: 60-70% reduction in video decodes
# (from 7-9x to 3x per video)"; "Video Decoding Reduction": "Before: 7-9 full
# video decodes per video across pipeline", "After: 3 video decodes per video
# (60-70% reduction)". 7 -> 3 is 57% fewer, 9 -> 3 67%: the range spans them.
DECODES_CLAIMED = Claimed.spanning(
    Claimed.percent_less(60, 70, text="60-70% reduction"),
    Claimed.before_after(7, 3, text="7 -> 3 per video"),
    Claimed.before_after(9, 3, text="9 -> 3 per video"),
    text="60-70% reduction in video decodes (7-9 -> 3 per video)")

METADATA_CACHE = Claim(
    id="video.metadata_cache",
    source="video-pipeline report §2, Performance Improvements",
    component="video",
    title="persistent JSON frame-count cache across the four pipeline stages",
    claimed=DECODES_CLAIMED,
    variants=METADATA_CACHE_VARIANTS,
    workload=Workload("videos: 30 and 300 frames, landscape, portrait and square (160x90, "
                      "90x160, 120x120), mp4v and MJPG", _videos, sizes=(3, 12), quick_sizes=(3,), size_unit="videos"),
    setup=_setup,
    primary=Metric("warm_full_decodes", "counter", "decodes",
                   lambda s: _decodes(s)["warm"],
                   "full video decodes over the whole pipeline, second run, in a new "
                   "process (the cache file from the first run on disk)"),
    secondary=(
        Metric("cold_full_decodes", "counter", "decodes", lambda s: _decodes(s)["cold"],
               "full video decodes over the whole pipeline, first run, no cache file"),
        Metric("warm_decodes_per_video", "value", "", lambda s: _per_video(
            _decodes(s)["warm"], s), "the report's unit: full decodes per video, warm"),
        Metric("cold_decodes_per_video", "value", "", lambda s: _per_video(
            _decodes(s)["cold"], s), "full decodes per video, cold"),
        Metric("decodes_per_video_by_stage", "value", "", _per_stage,
               "full decodes per video made in each of the four stages, cold and warm"),
        Metric("pipeline_time", "time", "s", _warm_pipeline,
               "the four stages over one 30-frame video, cache warm"),
        Metric("pipeline_peak_bytes", "memory", "bytes", _warm_pipeline,
               "peak heap bytes of the same run (memray): the report's \"reduces memory "
               "spikes\" from counting frames"),
        Metric("cache_file_bytes", "value", "bytes", lambda s: _decodes(s)["cache_bytes"],
               "size of the cache file after a run"),
        Metric("rewritten_same_size_and_mtime", "value", "", _rewritten_same_size_and_mtime,
               "frames the pipeline sees for a video rewritten with the same size and "
               "modification time (its second half zeroed)"),
        Metric("cache_file_cut_mid_write", "value", "", _cache_file_cut_mid_write,
               "a run after the cache file was cut in half"),
        Metric("two_processes_one_cache", "value", "", _two_processes_one_cache,
               "two processes, each on half the videos, one cache file, both reading it before "
               "either writes"),
        Metric("bad_videos", "value", "", _bad_videos,
               "each broken file (zero bytes, a truncated MJPG .avi, an HTML page saved as "
               ".mp4, a missing path, a truncated .mp4) alone through the pipeline"),
        Metric("container_against_decoded_frames", "value", "", _container_against_decoded,
               "CAP_PROP_FRAME_COUNT against the decoded frame count, per codec and for the "
               "truncated MJPG file"),
    ),
    output=_outputs,
    equivalence=Equivalence.structures(
        description="per video: frames read, augmented copies, scaled shape and features "
                    "identical"),
    # io, scaling and features count and read (2 each), augmentation counts per copy.
    notes=f"{AUGMENTATIONS} augmented copies per video, so the before code reads for "
          f"{6 + AUGMENTATIONS} full decodes per video (the report's 7-9 for 1-3 copies); "
          f"cold_decodes_per_video measures it.",
)

CLAIMS = [METADATA_CACHE, *MEMORY_CLAIMS]
