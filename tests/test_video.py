"""The video claims read on AURA's code (components/video): the frame-count
cache's what-ifs, stage 3's decodes and encodes with and without chunks,
and what each claim says it follows. The stages' decodes at each commit
and layout are tests/test_video_pipeline.py's (a tiny configuration)."""
import pytest

from optbench.runners.cases import prepare
from test_components import measure

pytest.importorskip("av")


@pytest.mark.parametrize("metric, variant, reading", [
    ("whatif_rewrite_same_mtime", "baseline", "no cache: every site counts for itself"),
    ("whatif_rewrite_same_mtime", "optimized",
     "serves 12 frames for a file that now decodes 20 (stale: the key is path and mtime only)"),
    ("whatif_cache_file_cut", "optimized",
     "2 counting decodes for 2 files; the file still cut (never repaired: every later count "
     "is a decode)"),
    ("whatif_two_processes_one_file", "optimized",
     "one job's entry lost (1 of 2): read, update, write, no lock")])
def test_what_if_a_caller_passed_the_cache_file(claims, metric, variant, reading):
    assert measure(claims, "video.metadata_cache", variant, 30, metric) == reading


# One 600-frame file, chunks of 250 (K = 3, S = 250 + 500 + 600 = 1,350).
@pytest.mark.parametrize("variant, frames, passes, encoded", [
    ("baseline", 600 + 600, 2, 600),               # count, one load of all 600
    ("optimized", 600 + 1350 + 600, 1 + 3 + 3, 600 + 600)])   # + the stitching of 3 chunks
def test_stage_3_decodes_and_encodes(claims, variant, frames, passes, encoded):
    claim = claims["video.chunked_frames"]
    case = prepare(claim, variant, 600)
    try:
        read = {m.name: case.run(m) for m in claim.secondary if m.kind == "counter"}
    finally:
        case.close()
    assert read == {"frames_decoded": frames, "decode_passes": passes,
                    "frames_encoded": encoded, "output_frames": 600}


def test_every_video_claim_says_it_follows_the_real_commits(claims):
    for claim_id in ("video.metadata_cache", "video.chunked_frames", "video.aggressive_gc",
                     "system.video"):
        assert "5332a68b" in claims[claim_id].source + claims[claim_id].notes
        assert "70877759" in claims[claim_id].source + claims[claim_id].notes
