"""The frame-count cache of AURA's 70877759 (lib/utils/video_cache.py), as
it behaves, and what every stage did before it.

After: a module-global dict for the life of the process, keyed by the md5
of "path:mtime" (the path string as passed, the float st_mtime: no size,
no content). A miss counts frames by a full decode. A missing file or a
failed decode returns a count of 0 and is not cached (the next call tries
again). A JSON file (`cache_file`) is read on a memory miss and rewritten
whole after each new entry (read, update, write: not atomic, no lock; a
failure to read or write it is swallowed): no caller in the codebase
passes one, so the claims' readings that use it are what-ifs.

Before: each site counted for itself: by a full decode (augmentation io,
the augmentation pipeline, scaling) or from the container header (the two
features stages).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import decoding

_entries: dict[str, int] = {}   # lives as long as the process


def clear() -> None:
    """What a new process starts with (the codebase never calls its clear_cache)."""
    _entries.clear()


def entries() -> int:
    return len(_entries)


def key(path) -> str:
    if not Path(path).exists():
        return ""
    return hashlib.md5(f"{path}:{os.stat(path).st_mtime}".encode()).hexdigest()


def cached_count(path, cache_file: Path | None = None) -> int:
    """get_video_metadata(path, use_cache=True)['total_frames']."""
    if not Path(path).exists():
        return 0
    k = key(path)
    if k in _entries:
        return _entries[k]
    if cache_file is not None and Path(cache_file).exists():
        try:
            stored = json.loads(Path(cache_file).read_text())
            if k in stored:
                _entries[k] = stored[k]["total_frames"]
                return _entries[k]
        except Exception:   # the codebase logs at debug level and goes on
            pass
    try:
        count = decoding.count_by_decoding(path)
    except ValueError:
        return 0
    _entries[k] = count
    if cache_file is not None:
        try:
            stored = json.loads(Path(cache_file).read_text()) if Path(cache_file).exists() else {}
            stored[k] = {"total_frames": count}
            Path(cache_file).write_text(json.dumps(stored, indent=2))
        except Exception:
            pass
    return count


def frame_count(path, *, cache: bool, header_only: bool = False,
                cache_file: Path | None = None) -> int:
    """A stage's frame count: the cache when on; otherwise the before
    code's own way, the header (`header_only`, the features stages) or a
    full counting decode."""
    if cache:
        return cached_count(path, cache_file)
    if header_only:
        return decoding.stream_info(path)["frames"]
    return decoding.count_by_decoding(path)
