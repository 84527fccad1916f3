"""The video pipeline's frame counts: full decodes per video, cold and warm
(a new process), against the report's 7-9 -> 3, and the cache's faults."""
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
