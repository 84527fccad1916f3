"""Image files and image access patterns, seeded.

For claims about image loading: an LRU cache around an image loader in a
multimodal collator, an image validator that stops early, data loaders.

* `write_images` writes distinct, seeded images (gradient + shapes + noise)
  in a deterministic mix of sizes and formats; `write_bad_images` writes the
  broken files a validator must catch.
* `shuffled_epochs`, `popular_subset`, `zipf_draws` and `caption_pairs` are
  pure functions giving the image indices a loader reads, epoch by epoch.
* `lru_hits` / `lru_hit_rate` give the exact hit count an LRU cache of a given
  size has on an access sequence, and `data_loader_lru_hits` the same for a
  cache that lives in each DataLoader worker, so a claim can compare a
  measured hit rate against the exact expected figure.

Determinism. Pixels come from integer numpy arithmetic only (no sin/exp,
whose last bits can vary with the CPU and the numpy build), so a seed gives
the same pixels wherever the numpy version is the same (numpy does not
promise Generator streams across its feature releases). Encoder options are
explicit, not Pillow's defaults. Same seed, numpy and Pillow: same bytes,
run after run. Across Pillow versions, with numpy 2.4.6 on one x86-64 machine,
the files (JPEG, PNG, WebP, BMP) and the truncated JPEG came out byte for
byte the same under Pillow 9.5.0, 10.4.0, 11.3.0, 12.0.0 and 13.0.0, whose
wheels bundle libjpeg-turbo 2.1.5.1 to 3.2.0, zlib then zlib-ng 2.2 to 2.3,
and libwebp 1.3 to 1.6. That was observed, not promised: encoded bytes
depend on the codec libraries Pillow bundles. PNG pixels are exact by
definition, so compare decoded PNG pixels when the environments differ.
JPEG is lossy: compare JPEG bytes only within one environment.
"""
from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path

import numpy as np

SEED = 20261123

# (width, height), as Pillow gives sizes. On the 2-core development machine a
# 512x384 PNG takes ~29 ms to write (a JPEG ~10 ms), against 2-12 ms for the
# smaller sizes, so the default mix leaves it out; ALL_SIZES has it.
DEFAULT_SIZES = ((64, 64), (128, 96), (256, 256))
LARGE_SIZES = ((512, 384),)
ALL_SIZES = DEFAULT_SIZES + LARGE_SIZES
DEFAULT_FORMATS = ("JPEG", "PNG")

# Explicit options so a change of Pillow defaults does not change the files.
# PNG with zlib's run-length strategy (Z_RLE = 3): on these noisy pixels it
# writes ~1.5-2x faster than Pillow's default (level 6, default strategy),
# to a file of the same size that decodes as fast.
_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "subsampling": "4:2:0", "optimize": False, "progressive": False},
    "PNG": {"compress_level": 1, "compress_type": 3},
    "BMP": {},
    "WEBP": {"quality": 80, "method": 4, "lossless": False},
}
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "BMP": ".bmp", "WEBP": ".webp"}

# Per-pixel noise of -16..15 levels gives the files photo-like entropy (a
# 256x256 JPEG is ~15 KiB, a PNG ~140 KiB) so decoding is not trivially cheap.
_NOISE_SHIFT = 3  # a random byte >> 3 is 0..31

# Salts keep the streams of different functions apart for the same seed.
_PIXELS, _BAD, _SHUFFLE, _HOT_SET, _HOT_DRAWS, _ZIPF_RANKS, _ZIPF_DRAWS, _CAPTIONS = range(8)


def image_pixels(index: int, width: int, height: int, seed: int = SEED) -> np.ndarray:
    """The uint8 RGB array (height, width, 3) that `write_images` encodes for image `index`.

    Depends only on (seed, index, size), so image i is the same whatever
    `count` is and whatever came before it.
    """
    return _pixels(np.random.default_rng([seed, _PIXELS, index]), width, height)


def _pixels(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    # Built as 3 planes (channel, y, x) and interleaved at the end: numpy is
    # several times slower on arrays whose last axis has only 3 entries.
    x = np.arange(width, dtype=np.int32)
    y = np.arange(height, dtype=np.int32)
    # A linear gradient in a seeded direction between two seeded colours, in
    # 16-bit fixed point: t * step stays below 256 << 16, inside int32.
    dx, dy = (int(v) for v in rng.integers(-4, 5, size=2))
    if dx == 0 and dy == 0:
        dx = 1
    t = (dx * x - min(0, dx * (width - 1)))[None, :] + (dy * y - min(0, dy * (height - 1)))[:, None]
    start, end = rng.integers(0, 256, size=(2, 3, 1, 1)).astype(np.int32)
    step = ((end - start) << 16) // max(int(t.max()), 1)
    img = (start + ((t * step) >> 16)).astype(np.int16)
    # Flat rectangles and discs in seeded colours: edges for the codec.
    for _ in range(int(rng.integers(2, 6))):
        colour = rng.integers(0, 256, size=(3, 1)).astype(np.int16)
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(max(1, min(width, height) // 16), max(2, min(width, height) // 3)))
        rows, cols = slice(max(0, cy - r), cy + r), slice(max(0, cx - r), cx + r)
        region = img[:, rows, cols]  # a view: writing to it writes to img
        if rng.integers(0, 2):
            region[...] = colour[:, :, None]
        else:
            region[:, (y[rows, None] - cy) ** 2 + (x[None, cols] - cx) ** 2 <= r * r] = colour
    # Noise from whole random bytes: 4x faster than rng.integers over a small range.
    img += rng.integers(0, 256, size=img.shape, dtype=np.uint8) >> _NOISE_SHIFT
    img -= 128 >> _NOISE_SHIFT
    np.clip(img, 0, 255, out=img)
    return np.ascontiguousarray(img.transpose(1, 2, 0), dtype=np.uint8)


def image_layout(count: int, sizes: Sequence[tuple[int, int]] = DEFAULT_SIZES,
                 formats: Sequence[str] = DEFAULT_FORMATS) -> list[tuple[tuple[int, int], str]]:
    """((width, height), format) of each image `write_images` writes.

    Image i gets sizes[i % len(sizes)] and formats[(i // len(sizes)) % len(formats)]:
    every size meets every format, and over a dataset the counts of the
    size/format pairs differ by at most one.
    """
    for fmt in formats:
        if fmt not in _SAVE_OPTIONS:
            raise ValueError(f"format {fmt!r} not one of {sorted(_SAVE_OPTIONS)}")
    return [(tuple(sizes[i % len(sizes)]), formats[(i // len(sizes)) % len(formats)])
            for i in range(count)]


def write_images(folder: Path, count: int, seed: int = SEED,
                 sizes: Sequence[tuple[int, int]] = DEFAULT_SIZES,
                 formats: Sequence[str] = DEFAULT_FORMATS) -> list[Path]:
    """Write `count` distinct RGB images into `folder`; their paths, by index.

    Files are named image_000000.jpg, image_000001.png, ... (index, then the
    format's extension); existing files of those names are overwritten. Sizes
    and formats follow `image_layout`; pixels follow `image_pixels`, so the
    first k images of a larger dataset are the k images of a smaller one.

    Same seed, numpy and Pillow: same bytes. See the module docstring for
    other Pillow versions. On the 2-core development machine: 1,000 images
    in ~3.5 s with the default sizes, ~8-9 s with ALL_SIZES.
    """
    from PIL import Image  # here, so the access patterns need no Pillow

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, ((width, height), fmt) in enumerate(image_layout(count, sizes, formats)):
        path = folder / f"image_{index:06d}{_EXTENSIONS[fmt]}"
        Image.fromarray(image_pixels(index, width, height, seed)).save(
            path, fmt, **_SAVE_OPTIONS[fmt])
        paths.append(path)
    return paths


BAD_IMAGE_KINDS = ("empty", "truncated", "not_an_image", "missing")

# The first step of reading that fails, as observed under Pillow 13.0.0 (and
# the same under 9.5.0 and 12.0.0):
#   empty         Image.open -> PIL.UnidentifiedImageError ("cannot identify image file")
#   not_an_image  Image.open -> PIL.UnidentifiedImageError
#   missing       Image.open -> FileNotFoundError
#   truncated     Image.open succeeds (size and mode are read from the header),
#                 so does .verify() (for JPEG it checks nothing); .load() and
#                 .convert("RGB") raise OSError("image file is truncated (N
#                 bytes not processed)") -- a plain OSError, not a subclass.
# All four are OSError (UnidentifiedImageError and FileNotFoundError subclass
# it). With PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True the truncated file
# loads without error, its missing part grey: a validator that sets that flag
# (some training code does) no longer catches it.
BAD_IMAGE_FAILS_AT = {"empty": "open", "not_an_image": "open", "missing": "open",
                      "truncated": "load"}

# What a download that went wrong saves under an image name.
_NOT_AN_IMAGE = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
                 b"<body><h1>Not Found</h1><p>The requested image was not found.</p>"
                 b"</body></html>\n")


def write_bad_images(folder: Path, kinds: Sequence[str] = BAD_IMAGE_KINDS,
                     seed: int = SEED) -> dict[str, Path]:
    """Write the broken files named in `kinds`; {kind: path} (bad_<kind>.jpg).

    empty         zero bytes.
    truncated     a seeded 128x96 JPEG cut halfway through its compressed
                  data: the header is whole, so Image.open succeeds and
                  .load() fails.
    not_an_image  an HTML 404 page saved with a .jpg extension.
    missing       a path in `folder` that does not exist (removed if it did).

    What each does under Pillow is in BAD_IMAGE_FAILS_AT and the comment above it.
    """
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind in kinds:
        path = folder / f"bad_{kind}.jpg"
        if kind == "empty":
            path.write_bytes(b"")
        elif kind == "truncated":
            buffer = io.BytesIO()
            Image.fromarray(_pixels(np.random.default_rng([seed, _BAD]), 128, 96)).save(
                buffer, "JPEG", **_SAVE_OPTIONS["JPEG"])
            data = buffer.getvalue()
            scan = _scan_start(data)
            path.write_bytes(data[:scan + (len(data) - scan) // 2])
        elif kind == "not_an_image":
            path.write_bytes(_NOT_AN_IMAGE)
        elif kind == "missing":
            path.unlink(missing_ok=True)
        else:
            raise ValueError(f"kind {kind!r} not one of {BAD_IMAGE_KINDS}")
        paths[kind] = path
    return paths


def _scan_start(jpeg: bytes) -> int:
    """Offset of the first compressed byte: just after the start-of-scan header."""
    at = 2  # after SOI (FF D8)
    while True:
        marker, length = jpeg[at + 1], int.from_bytes(jpeg[at + 2:at + 4], "big")
        at += 2 + length  # the length counts itself but not the marker
        if marker == 0xDA:  # SOS
            return at


# --- Access patterns: per epoch, the image indices a loader reads. ---------
# Each epoch has its own stream (seed, salt, epoch), so the first epochs of a
# longer run are those of a shorter one.

def _epoch_rng(seed: int, salt: int, epoch: int) -> np.random.Generator:
    return np.random.default_rng([seed, salt, epoch])


def shuffled_epochs(n_images: int, *, epochs: int = 1, seed: int = SEED) -> list[list[int]]:
    """Each epoch a seeded permutation of range(n_images): every image once per epoch."""
    return [_epoch_rng(seed, _SHUFFLE, e).permutation(n_images).tolist() for e in range(epochs)]


def hot_image_ids(n_images: int, hot_images: int = 10, seed: int = SEED) -> list[int]:
    """The popular images of `popular_subset` (sorted): a seeded choice, not
    the first ids, so no variant gains from ids being small or adjacent."""
    if not 0 < hot_images <= n_images:
        raise ValueError(f"need 0 < hot_images <= n_images, got {hot_images}, {n_images}")
    rng = np.random.default_rng([seed, _HOT_SET])
    return sorted(rng.choice(n_images, size=hot_images, replace=False).tolist())


def popular_subset(n_samples: int, n_images: int, hot_images: int = 10, hot_share: float = 0.2,
                   *, epochs: int = 1, seed: int = SEED) -> list[list[int]]:
    """Epochs of `n_samples` draws: round(hot_share * n_samples) of them, at
    seeded positions, uniform over the hot_images ids of `hot_image_ids`; the
    rest uniform over the other images. The hot share is exact in every
    epoch (not binomial), and the hot set is the same in every epoch.
    """
    if not 0.0 <= hot_share <= 1.0:
        raise ValueError(f"hot_share must be in [0, 1], got {hot_share}")
    hot = np.array(hot_image_ids(n_images, hot_images, seed))
    cold = np.setdiff1d(np.arange(n_images), hot)
    n_hot = round(hot_share * n_samples)
    if n_hot < n_samples and len(cold) == 0:
        raise ValueError("every image is hot: no cold image to draw the other samples from")
    result = []
    for e in range(epochs):
        rng = _epoch_rng(seed, _HOT_DRAWS, e)
        draws = np.empty(n_samples, dtype=np.int64)
        hot_positions = np.zeros(n_samples, dtype=bool)
        hot_positions[rng.permutation(n_samples)[:n_hot]] = True
        draws[hot_positions] = hot[rng.integers(0, len(hot), size=n_hot)]
        if n_hot < n_samples:
            draws[~hot_positions] = cold[rng.integers(0, len(cold), size=n_samples - n_hot)]
        result.append(draws.tolist())
    return result


def zipf_probabilities(n_images: int, s: float, seed: int = SEED) -> np.ndarray:
    """Probability of each image id (float64, sums to 1) under a bounded Zipf law.

    The image of popularity rank r (1 = most popular) has probability
    proportional to r**-s; s = 0 is uniform, s = 1 the classic Zipf law,
    larger s more skewed. Ranks go to ids by a seeded permutation.
    """
    if s < 0:
        raise ValueError(f"s must be >= 0, got {s}")
    weights = np.arange(1, n_images + 1, dtype=np.float64) ** -float(s)
    probabilities = np.empty(n_images)
    probabilities[np.random.default_rng([seed, _ZIPF_RANKS]).permutation(n_images)] = (
        weights / weights.sum())
    return probabilities


def zipf_draws(n_samples: int, n_images: int, s: float, *, epochs: int = 1,
               seed: int = SEED) -> list[list[int]]:
    """Epochs of `n_samples` independent draws from `zipf_probabilities(n_images, s, seed)`.

    numpy's own rng.zipf is unbounded and needs s > 1; this one is bounded to
    n_images and takes any s >= 0.
    """
    p = zipf_probabilities(n_images, s, seed)
    return [_epoch_rng(seed, _ZIPF_DRAWS, e).choice(n_images, size=n_samples, p=p).tolist()
            for e in range(epochs)]


CAPTION_ORDERS = ("stored", "grouped", "shuffled")


def caption_pairs(n_images: int, captions_per_image: int | Sequence[int] = 5,
                  order: str = "grouped", *, epochs: int = 1,
                  seed: int = SEED) -> list[list[tuple[int, int]]]:
    """Epochs of (image index, caption index) samples, several captions per image.

    captions_per_image: one count for every image, or a count per image
    (COCO has 5 to 7). order:
      stored    image 0's captions, then image 1's, ... the same every epoch
                (a caption file read without shuffling);
      grouped   images in a seeded order per epoch, each image's captions
                consecutive and in caption order;
      shuffled  all pairs in a seeded order per epoch (a shuffling DataLoader
                over the pairs), so an image's captions are spread out.
    The image cache sees [image for image, _ in epoch].
    """
    if order not in CAPTION_ORDERS:
        raise ValueError(f"order {order!r} not one of {CAPTION_ORDERS}")
    counts = ([captions_per_image] * n_images if isinstance(captions_per_image, int)
              else list(captions_per_image))
    if len(counts) != n_images:
        raise ValueError(f"{len(counts)} caption counts for {n_images} images")
    stored = [(image, caption) for image in range(n_images) for caption in range(counts[image])]
    result = []
    for e in range(epochs):
        rng = _epoch_rng(seed, _CAPTIONS, e)
        if order == "stored":
            result.append(list(stored))
        elif order == "grouped":
            result.append([(image, caption) for image in rng.permutation(n_images).tolist()
                           for caption in range(counts[image])])
        else:
            result.append([stored[i] for i in rng.permutation(len(stored)).tolist()])
    return result


# --- Exact LRU hit counts. ------------------------------------------------

def lru_hits(accesses: Iterable[Hashable], capacity: int | None) -> int:
    """Hits an LRU cache holding `capacity` keys has on `accesses`, starting empty.

    Same policy as functools.lru_cache(maxsize=capacity): a miss inserts the
    key, evicting the least recently used one when full; a hit makes the key
    the most recent. capacity None is unbounded, 0 (or less) caches nothing.
    A None is a load that never reaches the cache (a loader that answers it
    before the cache: neither a hit nor an entry).
    For several epochs through one cache, chain them: itertools.chain(*epochs).
    """
    accesses = (key for key in accesses if key is not None)
    if capacity is None:
        seen: set = set()
        hits = 0
        for key in accesses:
            hits += key in seen
            seen.add(key)
        return hits
    if capacity <= 0:
        return 0
    cache: OrderedDict = OrderedDict()
    hits = 0
    for key in accesses:
        if key in cache:
            hits += 1
            cache.move_to_end(key)
        else:
            cache[key] = None
            if len(cache) > capacity:
                cache.popitem(last=False)
    return hits


def lru_hit_rate(accesses: Iterable[Hashable], capacity: int | None) -> float:
    """lru_hits / number of accesses (0.0 for no accesses)."""
    accesses = list(accesses)
    return lru_hits(accesses, capacity) / len(accesses) if accesses else 0.0


def data_loader_lru_hits(epochs: Sequence[Sequence[Hashable]], capacity: int | None, *,
                         batch_size: int | None = 1, workers: int = 0,
                         persistent_workers: bool = False) -> int:
    """Hits of an LRU cache inside the dataset, read through a torch DataLoader.

    With workers=0 one cache sees every epoch in turn. With workers > 0 each
    worker process has its own copy of the cache: the DataLoader (as read in
    torch 2.15, in_order=True, the default) deals each epoch's batches to the
    workers round robin from worker 0, and a worker reads a batch's indices
    in order. Without
    persistent_workers the workers, and their caches, are new each epoch.
    `epochs` are the sampler's indices (drop_last=False); batch_size None is
    no automatic batching (each index its own task). So with W workers a
    cache of size k is W caches of size k, each seeing 1/W of the accesses.
    """
    if workers <= 0:
        return lru_hits((key for epoch in epochs for key in epoch), capacity)
    step = 1 if batch_size is None else batch_size
    streams: list[list[Hashable]] = [[] for _ in range(workers)]
    hits = 0
    for epoch in epochs:
        if not persistent_workers:
            hits += sum(lru_hits(stream, capacity) for stream in streams)
            streams = [[] for _ in range(workers)]
        for b, start in enumerate(range(0, len(epoch), step)):
            streams[b % workers].extend(epoch[start:start + step])
    return hits + sum(lru_hits(stream, capacity) for stream in streams)
