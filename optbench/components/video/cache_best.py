"""A frame count that costs no decode of its own and cannot go stale.

The count is taken from the decode the pipeline makes anyway: augmentation
io reads every frame, so it counts them as it reads; later stages look the
count up. Persisted in a JSON cache keyed by a SHA-256 of the file's bytes
(a rewrite with the same size and modification time is a new key). Each
write holds an exclusive lock on a lock file beside the cache, merges what
is on disk (another process's entries), and replaces the file atomically (a
temporary file renamed over it): a crash mid-write leaves the old whole
file, and two processes lose nothing. A cold run decodes no more than a
warm one.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile

import numpy as np

from .stages import Pipeline, load_cache_file


def content_key(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ContentKeyedCache:
    def __init__(self, cache_file):
        self.cache_file = cache_file
        self.entries = load_cache_file(cache_file)
        self.keys: dict[str, str] = {}

    def key(self, path: str) -> str:
        if path not in self.keys:
            self.keys[path] = content_key(path)
        return self.keys[path]

    def get(self, path: str) -> int | None:
        count = self.entries.get(self.key(path))
        return count if isinstance(count, int) else None   # anything else: a miss

    def put(self, path: str, count: int) -> None:
        self.entries[self.key(path)] = count
        folder = os.path.dirname(os.path.abspath(self.cache_file))
        with open(f"{self.cache_file}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
            # What another process wrote since (none yet, or a cut file: ours
            # replaces it whole).
            self.entries = {**load_cache_file(self.cache_file), **self.entries}
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".video_cache.", suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(self.entries, f)
            os.replace(temporary, self.cache_file)

    def __call__(self, path: str) -> int:
        count = self.get(path)
        if count is None:
            raise KeyError(f"{path}: frame count asked before the frames were read")
        return count


class CountingWhileReading(Pipeline):
    """Augmentation io counts the frames it reads and caches the count."""

    def augmentation_io(self, path: str) -> np.ndarray:
        frames = [f for chunk in self.frames(path) for f in chunk]
        if not frames:
            raise ValueError(f"{path}: no frame could be decoded")
        frames = np.stack(frames)
        if self.frame_count.get(path) != len(frames):
            self.frame_count.put(path, len(frames))   # from the read it made anyway
        return frames


def pipeline(paths, cache_file):
    return CountingWhileReading(ContentKeyedCache(cache_file)).run(paths)
