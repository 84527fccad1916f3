"""The video pipeline's claims. video.metadata_cache: full decodes per video,
cold and warm (a new process), in all and per stage, against the report's
7-9 -> 3, the cache's faults and the bad files. video.chunked_frames: frames
held at once. video.aggressive_gc: collections made and what they freed."""
import pytest

from test_components import measure

SIZE = 3


@pytest.mark.parametrize("variant, cold, warm", [
    ("baseline", 8, 8),     # 4 stages x (count + read), the augmentation counting per copy
    ("optimized", 4, 3),    # cold: one counting decode fills the cache; warm: the 3 reads
    ("best", 3, 3)])        # counted from io's own read: never a decode of its own
def test_full_decodes_per_video_cold_and_warm(claims, variant, cold, warm):
    assert measure(claims, "video.metadata_cache", variant, SIZE,
                   "cold_decodes_per_video") == cold
    assert measure(claims, "video.metadata_cache", variant, SIZE,
                   "warm_decodes_per_video") == warm
    assert measure(claims, "video.metadata_cache", variant, SIZE,
                   "warm_full_decodes") == warm * SIZE


@pytest.mark.parametrize("variant, features", [
    ("baseline", "features right"), ("optimized", "features WRONG (a stale frame count)"),
    ("best", "features right")])
def test_a_rewrite_with_the_same_size_and_mtime(claims, variant, features):
    seen = measure(claims, "video.metadata_cache", variant, SIZE,
                   "rewritten_same_size_and_mtime")
    assert seen == f"{features}; the file now decodes 14 of 30"


@pytest.mark.parametrize("variant, reading", [
    ("baseline", "no cache file"),
    ("optimized", "recovers: 4 decodes per video, cache file valid JSON again"),
    ("best", "recovers: 3 decodes per video, cache file valid JSON again")])
def test_a_cache_file_cut_mid_write(claims, variant, reading):
    assert measure(claims, "video.metadata_cache", variant, SIZE,
                   "cache_file_cut_mid_write") == reading


@pytest.mark.parametrize("variant, reading", [
    ("baseline", "no cache file"),
    ("optimized", "one process's entries lost; valid JSON"),   # last writer wins
    ("best", "both processes' entries kept; valid JSON")])     # locked, merged, renamed
def test_two_processes_writing_one_cache_file(claims, variant, reading):
    assert measure(claims, "video.metadata_cache", variant, SIZE,
                   "two_processes_one_cache") == reading


@pytest.mark.parametrize("variant, by_stage", [
    ("baseline", "cold: io 2 · augmentation 2 · scaling 2 · features 2; "
                 "warm: io 2 · augmentation 2 · scaling 2 · features 2"),
    ("optimized", "cold: io 2 · augmentation 0 · scaling 1 · features 1; "   # io's count fills it
                  "warm: io 1 · augmentation 0 · scaling 1 · features 1"),
    ("best", "cold: io 1 · augmentation 0 · scaling 1 · features 1; "
             "warm: io 1 · augmentation 0 · scaling 1 · features 1")])
def test_full_decodes_per_video_in_each_stage(claims, variant, by_stage):
    assert measure(claims, "video.metadata_cache", variant, SIZE,
                   "decodes_per_video_by_stage") == by_stage


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_every_bad_video_is_recorded_by_name_and_nothing_crashes(claims, variant):
    seen = measure(claims, "video.metadata_cache", variant, SIZE, "bad_videos").split(" · ")
    no_frame = "raises ValueError: bad/bad_{}: no frame could be decoded"
    assert seen == [f"empty: {no_frame.format('empty.mp4')}",
                    "truncated: 150 frames read",            # the half whose data is there
                    f"not_a_video: {no_frame.format('not_a_video.mp4')}",
                    f"missing: {no_frame.format('missing.mp4')}",
                    f"truncated_mp4: {no_frame.format('truncated_mp4.mp4')}"]


def test_the_container_frame_count_is_exact_for_whole_files_only(claims):
    assert measure(claims, "video.metadata_cache", "optimized", SIZE,
                   "container_against_decoded_frames") == (
        "mp4v 30 = 30 decoded · MJPG 30 = 30 decoded · truncated MJPG 300 ≠ 150 decoded")


# --- video.chunked_frames ---------------------------------------------------------

@pytest.mark.parametrize("variant, most_frames_held", [
    ("baseline", 400), ("optimized", 250), ("best", 1)])
def test_frames_held_at_once_by_each_variant(claims, monkeypatch, variant, most_frames_held):
    """The only difference between the variants is how many frames a read
    hands over at once; the features agree within the stated tolerance."""
    from optbench.components.video import stages

    held = []
    real = stages.read_frames

    def counting(path, chunk=stages.CHUNK):
        for frames in real(path, chunk):
            held.append(len(frames))
            yield frames

    monkeypatch.setattr(stages, "read_frames", counting)
    claim = claims["video.chunked_frames"]
    case = claim.case(variant, 400)
    features = claim.output(case)
    assert max(held) == most_frames_held and sum(held) == 400
    baseline = claim.output(claim.case("baseline", 400, data=case.data))
    assert claim.equivalence.judge(baseline, features) is True
    assert features.shape == (6,)


# --- video.aggressive_gc ----------------------------------------------------------

@pytest.mark.parametrize("variant, full_collections", [
    ("baseline", 0),
    ("optimized", 7)])    # 30 frames: one chunk in each of the 3 reading stages + 4 stages
def test_collections_made_and_what_only_they_freed(claims, variant, full_collections):
    claim = claims["video.aggressive_gc"]
    case = claim.case(variant, 30)
    state = claim.setup(case)
    by_name = {m.name: m for m in claim.secondary}
    assert by_name["full_collections"].measure(state) == full_collections
    # Nothing in the pipeline makes a reference cycle: reference counting frees it all.
    assert by_name["objects_only_the_collector_freed"].measure(state) == 0
    per_call = by_name["seconds_per_full_collection"].measure(state)
    assert per_call == "no full collection" if not full_collections else \
        per_call.endswith("objects tracked") and f"over {full_collections}," in per_call



@pytest.mark.parametrize("variant", ["optimized", "best"])
@pytest.mark.parametrize("content", ["[1, 2]", '"a string"', "7"])
def test_a_cache_file_of_valid_json_but_the_wrong_shape_is_an_empty_cache(tmp_path, variant,
                                                                          content):
    """Valid JSON that is not an object of entries falls back to an empty
    cache (the report's fallback), and the run writes a good file again."""
    import json

    from optbench.components import video as component
    from optbench.workloads import video as W

    path = tmp_path / "clip.avi"
    W.write_video(path, frames=5, width=32, height=18, codec="MJPG")
    cache_file = tmp_path / "cache.json"
    cache_file.write_text(content)
    out = component.get(variant)([str(path)], cache_file)
    assert out[str(path)]["frames"] == 5
    assert isinstance(json.loads(cache_file.read_text()), dict)


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_the_features_stage_names_a_file_it_cannot_decode(tmp_path, variant):
    from optbench.components import video as component

    features = component.get(variant, "chunked_frames")
    for bad in (tmp_path / "missing.mp4", tmp_path / "empty.mp4"):
        if bad.name == "empty.mp4":
            bad.write_bytes(b"")
        with pytest.raises(ValueError, match=f"{bad}: no frame could be decoded"):
            features(str(bad), 30)
