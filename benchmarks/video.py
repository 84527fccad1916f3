"""asv suites for the video pipeline (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

VideoMetadataCache = _suite("video.metadata_cache")
VideoChunkedFrames = _suite("video.chunked_frames")
VideoAggressiveGc = _suite("video.aggressive_gc")
SystemVideo = _suite("system.video")
