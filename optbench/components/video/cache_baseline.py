"""Before the video-pipeline report (§2): "Every stage decoded entire video
just to count frames": each stage's count is a full decode of its own."""
from .stages import Pipeline, count_by_decoding


class FrameCounter:
    def __init__(self, cache_file=None):
        pass  # no cache

    def __call__(self, path: str) -> int:
        return count_by_decoding(path)


def pipeline(paths, cache_file):
    return Pipeline(FrameCounter(cache_file)).run(paths)
