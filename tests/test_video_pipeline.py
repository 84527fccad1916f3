"""AURA's five-stage pipeline (optbench/components/video/pipeline.py): what
each stage decodes at each commit, in each layout, and the frame-count
cache's behaviour, exactly. A tiny configuration keeps the structure (a
chunk size the video passes, a frame cap below its length, augmentations,
6 sampled frames) so every closed form of docs/sources/video-pipeline-code.md
§2 is exercised in seconds."""
import gc
import json
import math
import os

import numpy as np

import pytest

from optbench.components.video import decoding, frame_cache
from optbench.components.video import pipeline as p
from optbench.workloads.video import write_h264_video

pytest.importorskip("av")

N, A, C, CAP = 30, 2, 10, 25      # frames, augmentations, chunk, stage 3's cap before
TINY = p.Settings(augmentations=A, chunk=C, stage3_max_frames=CAP, target=16, folds=2,
                  epochs=1, warmup_epochs=1, patience=1, base_channels=4)
AFTER = {p.CACHE, p.CHUNKED}
K = math.ceil(N / C)
S = sum(min(k * C, N) for k in range(1, K + 1))   # what K chunk loads from frame 0 decode


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    _RUNS.clear()
    folder = tmp_path_factory.mktemp("aura")
    return [{"id": f"v{i}", "label": i, "path": str(write_h264_video(
        folder / f"v{i}" / "video.mp4", N, w, h, seed=i))} for i, (w, h) in
        enumerate([(32, 18), (18, 32)])]


_RUNS: dict = {}   # one run per configuration and layout, shared by the tests


def _decodes(videos, tmp_path, on, layout):
    key = (frozenset(on), layout)
    if key not in _RUNS:
        _RUNS[key] = p.run_pipeline(on, videos, tmp_path / f"run-{layout}-{sorted(on)}", TINY,
                                    layout=layout, stages=p.STAGES[:4], preload=False)
    result = _RUNS[key]
    return {stage: r.decodes for stage, r in result["stages"].items()}, result


@pytest.fixture
def cheap_collections():
    """The heap that exists is frozen out of the collector's reach: the
    collections the code makes are the same calls, in milliseconds (a full
    one of this test process, torch imported, takes ~0.1 s)."""
    gc.freeze()
    yield
    gc.unfreeze()


def _per_video(counts, field):
    return {stage: c[field] / 2 for stage, c in counts.items()}


@pytest.mark.parametrize("layout", p.LAYOUTS)
def test_before_each_stage_decodes_as_the_5332a68b_code_reads(videos, tmp_path, layout):
    counts, _ = _decodes(videos, tmp_path, (), layout)
    frames = _per_video(counts, "frames")
    # Stage 1: augment_video counts (1), each chunk's load_frames counts again
    # and decodes from frame 0 (K + K), the A x K chunk files are stitched.
    assert frames["augment"] == (K + 1) * N + S + A * N
    assert _per_video(counts, "counting_passes")["augment"] == K + 1
    # Stage 2: the header's count, one full pass to the last sampled frame.
    assert frames["features"] == (A + 1) * N
    # Stage 3: a counting decode, then a load capped at 1000 (here CAP).
    assert frames["scale"] == (A + 1) * (N + min(N, CAP))
    # Stage 4 reads the truncated scaled files.
    assert frames["scaled_features"] == (A + 1) * min(N, CAP)
    # Nothing depends on the layout: no count is shared between stages.
    assert _per_video(counts, "full_passes") == {
        "augment": 1 + K + 1 + A * K, "features": A + 1, "scale": A + 1,
        "scaled_features": A + 1}


@pytest.mark.parametrize("layout, warm_stage_3", [("per_stage", False), ("one_process", True)])
def test_after_the_cache_lives_as_long_as_its_process(videos, tmp_path, layout, warm_stage_3):
    counts, _ = _decodes(videos, tmp_path, AFTER, layout)
    frames = _per_video(counts, "frames")
    counting = _per_video(counts, "counting_passes")
    # Stage 1: one counting decode per video (the cache's miss), K chunk loads.
    assert frames["augment"] == N + S + A * N and counting["augment"] == 1
    # Stage 2 counts every new path by decoding: the pass it did not make before.
    assert frames["features"] == 2 * (A + 1) * N and counting["features"] == A + 1
    # Stage 3: warm only where stage 2 ran in the same process; K chunk loads
    # from frame 0, then the scaled chunk files stitched (N scaled frames).
    assert counting["scale"] == (0 if warm_stage_3 else A + 1)
    assert frames["scale"] == (A + 1) * ((0 if warm_stage_3 else N) + S + N)
    # Stage 4: whole scaled files now (no cap).
    assert frames["scaled_features"] == (A + 1) * N


def test_the_after_commit_decodes_more_than_the_before_in_stages_1_to_4(videos, tmp_path):
    before, _ = _decodes(videos, tmp_path, (), "per_stage")
    after, _ = _decodes(videos, tmp_path, AFTER, "per_stage")
    total = lambda counts, field: sum(c[field] for c in counts.values())  # noqa: E731
    assert total(after, "frames") > total(before, "frames")
    assert total(after, "full_passes") > total(before, "full_passes")
    # Stage 1 alone gets cheaper (K counting decodes saved per video).
    assert after["augment"]["frames"] < before["augment"]["frames"]


def test_stage_3_chunked_keeps_every_frame_where_the_before_cap_truncated(videos, tmp_path):
    _, before = _decodes(videos, tmp_path, (), "per_stage")
    _, after = _decodes(videos, tmp_path, AFTER, "per_stage")
    lengths = lambda result: {decoding.stream_info(r["scaled_path"])["frames"]  # noqa: E731
                              for r in result["outputs"]["scale"]}
    assert lengths(before) == {CAP} and lengths(after) == {N}


def test_collection_sites_per_commit(videos, tmp_path, cheap_collections):
    """aggressive_gc calls per site and per file, stage by stage, against
    docs/sources/video-pipeline-code.md §5 (F1's fix on both sides: stage 3
    saves before, stage 4 has input)."""
    def calls(on):
        run = p.Run(frozenset(on), TINY, tmp_path / f"gc-{sorted(on)}")
        run.workdir.mkdir(parents=True)
        frame_cache.clear()
        per_stage, outputs, seen = {}, {}, 0
        for stage in p.STAGES[:4]:
            source = videos[:1] if stage == "augment" else outputs[p._INPUT[stage]]
            outputs[stage] = p.STAGE_FUNCTIONS[stage](run, source)
            per_stage[stage], seen = run.collect.tally.calls - seen, run.collect.tally.calls
        return per_stage, run.collect.tally.by_site

    before, before_sites = calls(())
    after, after_sites = calls(AFTER | {p.COLLECT})
    files, sampled = A + 1, TINY.sampled_frames
    # Stage 1 (no chunk reaches 100 frames here): the before code's collection
    # after its own count is gone after; loads, saves, chunks, stitches stay.
    assert before["augment"] == 1 + K + A * K + A * K + K + A
    assert after["augment"] == before["augment"] - 1
    assert "augment.after_count" not in after_sites
    # Stage 2: the finally and the loop's per file; one per sampled frame after.
    assert before["features"] == 2 * files
    assert after["features"] == (2 + sampled) * files
    # Stage 3 per file: load, save, the collection after it, the loop's (4);
    # after: the count, per chunk its load, save and own (3 x K), the stitch
    # and the three after it (no chunk of 10 reaches 50 frames here).
    assert before["scale"] == 4 * files
    assert after["scale"] == (1 + 3 * K + 1 + 3) * files
    assert before["scaled_features"] == 2 * files
    assert after["scaled_features"] == (2 + sampled) * files
    assert before_sites["io.load"] == K + files and after_sites["io.load"] == K + K * files


def test_frame_cache_key_is_path_and_mtime_only(tmp_path):
    frame_cache.clear()
    path = write_h264_video(tmp_path / "a.mp4", 12, 16, 16)
    with decoding.counting() as tally:
        assert frame_cache.cached_count(path) == 12
        assert frame_cache.cached_count(path) == 12          # a hit: no decode
        assert frame_cache.cached_count(str(path)) == 12     # the same string
        assert frame_cache.cached_count(f"{tmp_path}/./a.mp4") == 12   # another string
    assert tally.total.counting_passes == 2
    # Rewritten with other frames but the same mtime: the stale count is served.
    stat = os.stat(path)
    write_h264_video(path, 20, 16, 16)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert frame_cache.cached_count(path) == 12
    assert decoding.count_by_decoding(path) == 20
    frame_cache.clear()


def test_frame_cache_failures_are_zero_and_not_cached(tmp_path):
    frame_cache.clear()
    assert frame_cache.cached_count(tmp_path / "missing.mp4") == 0
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"<!DOCTYPE html>")
    assert frame_cache.cached_count(broken) == 0
    assert frame_cache.entries() == 0


def test_frame_cache_file_that_no_caller_passes(tmp_path):
    """The optional JSON file: read on a memory miss, rewritten whole on a
    new entry; a cut file is never repaired and new counts are not saved."""
    frame_cache.clear()
    first, second = (write_h264_video(tmp_path / f"{n}.mp4", 8, 16, 16) for n in "ab")
    cache_file = tmp_path / "cache.json"
    frame_cache.cached_count(first, cache_file)
    frame_cache.clear()                       # a new process
    with decoding.counting() as tally:
        assert frame_cache.cached_count(first, cache_file) == 8
    assert tally.total.passes == 0            # found on disk
    cache_file.write_text(cache_file.read_text()[:10])   # cut mid-write
    frame_cache.clear()
    assert frame_cache.cached_count(second, cache_file) == 8
    with pytest.raises(json.JSONDecodeError):
        json.loads(cache_file.read_text())    # still cut: the entry was not saved
    frame_cache.clear()


def test_a_bad_video_is_named(tmp_path):
    broken = tmp_path / "page.mp4"
    broken.write_bytes(b"<!DOCTYPE html>")
    with pytest.raises(ValueError, match="page.mp4"):
        decoding.count_by_decoding(broken)


def test_a_layout_that_does_not_exist_is_named(videos, tmp_path):
    with pytest.raises(ValueError, match="layout 'cluster'"):
        p.run_pipeline((), videos, tmp_path / "run", TINY, layout="cluster")


def test_the_cache_and_the_collections_change_no_output(videos, tmp_path, cheap_collections):
    """What video.metadata_cache and video.aggressive_gc compare: stage 2's
    and stage 4's features, per file; chunking re-encodes (lossy twice)."""
    def features(on):
        outputs, _ = p.run_here(on, videos, tmp_path / f"out-{sorted(on)}", TINY)
        return [r["features"] for r in outputs["features"] + outputs["scaled_features"]]

    # The stitching's encode is not bit-reproducible run to run (about 1 level
    # on a colour mean), so "the same" is within that.
    same = lambda a, b: np.allclose(a, b, rtol=0.05, atol=1.5)  # noqa: E731
    before = features(())
    assert same(features(()), before)
    assert same(features({p.CACHE}), before)
    assert same(features({p.COLLECT}), before)
    # Originals are copied, not encoded: their stage 2 features are exact.
    originals = lambda fs: fs[0::A + 1][:len(videos)]  # noqa: E731
    assert originals(features({p.CACHE})) == originals(before)
