"""asv suites for the video pipeline (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

VideoMetadataCache = _suite("video.metadata_cache")
