"""After the video-pipeline report (§2): lib/utils/video_cache.py, "a
persistent video metadata cache": the frame count "cached, decoded once per
file modification"; "Persistent JSON cache survives process restarts";
"Cache fallback mechanisms".

The report shows no code; the most literal reading: a JSON file mapping each
video's path to {"mtime", "frame_count"}, loaded when the cache is made,
looked up by path and modification time (os.stat's st_mtime), a miss
counted by decoding and written back at once with json.dump (not atomic);
an unreadable or invalid cache file falls back to an empty cache.
"""
from __future__ import annotations

import json
import os

from .stages import Pipeline, count_by_decoding, load_cache_file


class VideoMetadataCache:
    def __init__(self, cache_file):
        self.cache_file = cache_file
        self.entries = load_cache_file(cache_file)

    def __call__(self, path: str) -> int:
        mtime = os.stat(path).st_mtime
        entry = self.entries.get(path)
        if entry is not None and entry.get("mtime") == mtime:
            return entry["frame_count"]
        count = count_by_decoding(path)
        self.entries[path] = {"mtime": mtime, "frame_count": count}
        with open(self.cache_file, "w") as f:
            json.dump(self.entries, f)
        return count


def pipeline(paths, cache_file):
    return Pipeline(VideoMetadataCache(cache_file)).run(paths)
