"""loader/multimodal_collator.py after the PR (18601bf; docstrings only after it;
Lab_Project PR summary §3, Lab_Project optimizations doc §1 and §5): `Path`
imported, and the string-path part of the loader wrapped in
`functools.lru_cache` in __init__ with the constructor's `cache_size` (128).

The cache is the instance's, keyed by the path string as the item holds it
(before the separators are turned), and hands back the same PIL image object
on every hit: a missing or unreadable file caches the default image for that
path, a file rewritten on disk is not read again, and a transform that edited
its image in place would edit the cached one (nothing in the codebase does).
In a DataLoader each worker process has its own. `cache_info()` gives hits
and misses (nothing in the codebase calls it).
"""
import functools
from pathlib import Path

from .batching import CollatorBase, read_image

DEFAULT_CACHE_SIZE = 128


class MultimodalCollator(CollatorBase):
    def __init__(self, *args, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_image_cached = functools.lru_cache(maxsize=cache_size)(self._load_uncached)

    def _load_uncached(self, image_path):
        return read_image(image_path, Path, self.default_image)

    def load_image(self, image_path):
        if not isinstance(image_path, str) or not image_path:
            return self.default_image
        return self._load_image_cached(image_path)

    def cache_info(self):
        return self._load_image_cached.cache_info()
