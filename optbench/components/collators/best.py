"""A cache that cannot hand out stale or shared images, nor remember a failure.

Decoded pixels are kept read-only, keyed by what identifies the file's
content on disk (path, size, modification time in ns, inode): a file
rewritten between epochs is a new key and is read again. Each hit returns a
new PIL image made from the stored pixels, so a transform that edits its
image in place edits a copy, never the cache. A missing or unreadable file
gives the default image as the codebase's does, and is not cached: it is
tried again next time. Bounded like the optimized (128 images by default),
LRU. The price: one stat() per load and one pixel copy per hit (measured
beside it: collate time per batch).
"""
from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np
from PIL import Image

from .batching import CollatorBase

DEFAULT_CACHE_SIZE = 128


class MultimodalCollator(CollatorBase):
    def __init__(self, *args, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_size = cache_size
        self._pixels: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.hits = self.misses = 0

    def load_image(self, image_path):
        if not isinstance(image_path, str) or not image_path:
            return self.default_image
        path = image_path.replace("\\", "/")
        try:
            stat = os.stat(path)
        except OSError:
            return self.default_image
        key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
        pixels = self._pixels.get(key)
        if pixels is None:
            self.misses += 1
            try:
                with Image.open(path) as image:
                    pixels = np.asarray(image.convert("RGB"))
            except Exception:  # as the codebase: an unreadable file is the default image
                return self.default_image
            pixels.setflags(write=False)
            self._pixels[key] = pixels
            if len(self._pixels) > self.cache_size:
                self._pixels.popitem(last=False)
        else:
            self.hits += 1
            self._pixels.move_to_end(key)
        return Image.fromarray(pixels)  # RGB pixels are copied into the new image
