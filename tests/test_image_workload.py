"""The seeded image workload: files, bad files, access patterns, exact LRU hits."""
import functools
import hashlib
import itertools
from collections import Counter

import numpy as np
import pytest

PIL = pytest.importorskip("PIL")
from PIL import Image, ImageFile, UnidentifiedImageError, features  # noqa: E402

from optbench.workloads import images as W  # noqa: E402


def _bytes(paths):
    return [p.read_bytes() for p in paths]


# --- Image files -----------------------------------------------------------

def test_same_seed_writes_the_same_files(tmp_path):
    a = W.write_images(tmp_path / "a", 12, seed=7, sizes=W.ALL_SIZES)
    b = W.write_images(tmp_path / "b", 12, seed=7, sizes=W.ALL_SIZES)
    assert [p.name for p in a] == [p.name for p in b]
    assert _bytes(a) == _bytes(b)


def test_another_seed_changes_every_file(tmp_path):
    a = W.write_images(tmp_path / "a", 12, seed=7)
    b = W.write_images(tmp_path / "b", 12, seed=8)
    assert all(x != y for x, y in zip(_bytes(a), _bytes(b)))


def test_a_smaller_dataset_is_a_prefix_of_a_larger_one(tmp_path):
    small = W.write_images(tmp_path / "small", 5)
    large = W.write_images(tmp_path / "large", 11)
    assert _bytes(small) == _bytes(large[:5])


def test_paths_are_in_index_order_in_the_folder(tmp_path):
    paths = W.write_images(tmp_path, 8)
    assert [p.parent for p in paths] == [tmp_path] * 8
    assert [p.name for p in paths] == ["image_000000.jpg", "image_000001.jpg", "image_000002.jpg",
                                       "image_000003.png", "image_000004.png", "image_000005.png",
                                       "image_000006.jpg", "image_000007.jpg"]


def test_every_image_opens_with_the_size_and_format_asked(tmp_path):
    paths = W.write_images(tmp_path, 16, sizes=W.ALL_SIZES)
    for path, ((width, height), fmt) in zip(paths, W.image_layout(16, W.ALL_SIZES)):
        with Image.open(path) as image:
            assert (image.format, image.size, image.mode) == (fmt, (width, height), "RGB")
            image.load()


def test_images_differ_from_each_other(tmp_path):
    # One size and format: only the content tells them apart.
    paths = W.write_images(tmp_path, 30, sizes=((32, 32),), formats=("PNG",))
    pixels = {hashlib.sha256(np.asarray(Image.open(p)).tobytes()).hexdigest() for p in paths}
    assert len(pixels) == 30


def test_png_keeps_the_generated_pixels_exactly(tmp_path):
    path = W.write_images(tmp_path, 4, formats=("PNG",))[3]
    assert np.array_equal(np.asarray(Image.open(path)), W.image_pixels(3, 64, 64))


def test_layout_meets_every_size_with_every_format_evenly():
    layout = W.image_layout(24, W.ALL_SIZES, ("JPEG", "PNG"))
    assert Counter(layout) == {(size, fmt): 3 for size in W.ALL_SIZES for fmt in ("JPEG", "PNG")}
    counts = Counter(W.image_layout(25, W.DEFAULT_SIZES)).values()
    assert max(counts) - min(counts) <= 1


def test_other_formats_write_and_unknown_ones_are_refused(tmp_path):
    formats = ("BMP", "WEBP") if features.check("webp") else ("BMP",)
    for path in W.write_images(tmp_path, 4, formats=formats, sizes=((40, 30),)):
        with Image.open(path) as image:
            assert image.size == (40, 30) and image.format in formats
    with pytest.raises(ValueError, match="TIFF"):
        W.write_images(tmp_path, 1, formats=("TIFF",))


# --- Bad files ---------------------------------------------------------------

def _read(path, step):
    with Image.open(path) as image:
        if step == "verify":
            image.verify()
        elif step == "load":
            image.load()
        elif step == "convert":
            image.convert("RGB")


@pytest.mark.parametrize("kind, error", [("empty", UnidentifiedImageError),
                                         ("not_an_image", UnidentifiedImageError),
                                         ("missing", FileNotFoundError)])
def test_files_that_fail_at_open(tmp_path, kind, error):
    path = W.write_bad_images(tmp_path, kinds=(kind,))[kind]
    assert W.BAD_IMAGE_FAILS_AT[kind] == "open"
    for step in ("open", "verify", "load", "convert"):
        with pytest.raises(error):
            _read(path, step)


def test_truncated_jpeg_opens_and_verifies_but_fails_to_load(tmp_path):
    path = W.write_bad_images(tmp_path, kinds=("truncated",))["truncated"]
    assert W.BAD_IMAGE_FAILS_AT["truncated"] == "load"
    with Image.open(path) as image:
        assert (image.format, image.size) == ("JPEG", (128, 96))
    _read(path, "verify")
    for step in ("load", "convert"):
        with pytest.raises(OSError, match="truncated") as caught:
            _read(path, step)
        assert type(caught.value) is OSError  # plain OSError, not UnidentifiedImageError


def test_truncated_jpeg_loads_when_pil_is_told_to_accept_truncation(tmp_path, monkeypatch):
    path = W.write_bad_images(tmp_path, kinds=("truncated",))["truncated"]
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    _read(path, "convert")


def test_bad_files_are_what_they_say(tmp_path):
    (tmp_path / "bad_missing.jpg").write_bytes(b"left over")
    paths = W.write_bad_images(tmp_path)
    assert list(paths) == list(W.BAD_IMAGE_KINDS)
    assert {kind: p.name for kind, p in paths.items()} == {
        kind: f"bad_{kind}.jpg" for kind in W.BAD_IMAGE_KINDS}
    assert paths["empty"].stat().st_size == 0
    assert not paths["missing"].exists()
    assert paths["truncated"].read_bytes()[:2] == b"\xff\xd8"
    assert b"\xff\xd9" not in paths["truncated"].read_bytes()[-2:]  # no end-of-image marker
    assert paths["not_an_image"].read_bytes().startswith(b"<!DOCTYPE html>")
    assert paths["truncated"].read_bytes() == W.write_bad_images(
        tmp_path / "again", kinds=("truncated",))["truncated"].read_bytes()
    with pytest.raises(ValueError):
        W.write_bad_images(tmp_path, kinds=("corrupt",))


# --- Access patterns -----------------------------------------------------------

def test_shuffled_epochs_read_every_image_once_per_epoch_in_a_new_order():
    epochs = W.shuffled_epochs(50, epochs=3, seed=1)
    assert all(sorted(epoch) == list(range(50)) for epoch in epochs)
    assert len({tuple(epoch) for epoch in epochs}) == 3
    assert epochs == W.shuffled_epochs(50, epochs=3, seed=1)
    assert epochs[:2] == W.shuffled_epochs(50, epochs=2, seed=1)  # epochs do not depend on how many
    assert epochs[0] != W.shuffled_epochs(50, seed=2)[0]
    assert all(isinstance(i, int) for i in epochs[0])


def test_popular_subset_draws_the_hot_share_exactly_from_the_hot_images():
    hot = W.hot_image_ids(1000, 10, seed=3)
    assert len(set(hot)) == 10 and hot != list(range(10))
    epochs = W.popular_subset(50_000, 1000, hot_images=10, hot_share=0.2, epochs=2, seed=3)
    assert [len(e) for e in epochs] == [50_000, 50_000] and epochs[0] != epochs[1]
    for epoch in epochs:
        counts = Counter(epoch)
        assert sum(counts[i] for i in hot) == 10_000
        # 1,000 expected per hot image (sd ~30) and ~40.4 per cold one (sd ~6.4).
        assert all(850 < counts[i] < 1150 for i in hot)
        cold = [counts[i] for i in range(1000) if i not in hot]
        assert min(cold) > 5 and max(cold) < 85 and abs(np.mean(cold) - 40_000 / 990) < 1e-9
    assert epochs == W.popular_subset(50_000, 1000, 10, 0.2, epochs=2, seed=3)
    assert epochs[0] != W.popular_subset(50_000, 1000, 10, 0.2, seed=4)[0]


def test_popular_subset_edges():
    assert all(i in W.hot_image_ids(20, 4) for i in W.popular_subset(100, 20, 4, 1.0)[0])
    assert not set(W.hot_image_ids(20, 4)) & set(W.popular_subset(100, 20, 4, 0.0)[0])
    with pytest.raises(ValueError):
        W.popular_subset(10, 5, hot_images=5, hot_share=0.5)  # no cold image left
    with pytest.raises(ValueError):
        W.popular_subset(10, 5, hot_images=2, hot_share=1.5)


def test_zipf_probabilities_follow_rank_to_the_minus_s():
    p = W.zipf_probabilities(1000, 1.1, seed=5)
    assert p.sum() == pytest.approx(1.0)
    ranks = np.arange(1, 1001) ** -1.1
    assert np.allclose(np.sort(p)[::-1], ranks / ranks.sum())
    assert np.argmax(p) != 0  # ranks are shuffled over the ids
    assert np.allclose(W.zipf_probabilities(7, 0.0), 1 / 7)


def test_zipf_draws_match_their_probabilities():
    p = W.zipf_probabilities(1000, 1.0, seed=5)
    epochs = W.zipf_draws(100_000, 1000, 1.0, epochs=2, seed=5)
    assert [len(e) for e in epochs] == [100_000, 100_000] and epochs[0] != epochs[1]
    counts = np.bincount(epochs[0], minlength=1000) / 100_000
    top = np.argsort(p)[::-1][:5]
    # 5 standard deviations of a binomial share.
    assert np.all(np.abs(counts[top] - p[top]) < 5 * np.sqrt(p[top] * (1 - p[top]) / 100_000))
    assert epochs == W.zipf_draws(100_000, 1000, 1.0, epochs=2, seed=5)
    with pytest.raises(ValueError):
        W.zipf_draws(10, 10, -0.5)


def test_caption_pairs_in_stored_order():
    epochs = W.caption_pairs(3, 2, "stored", epochs=2)
    assert epochs == [[(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]] * 2


def _runs(images):
    """Image ids in order, with consecutive repeats collapsed."""
    return [image for image, _ in itertools.groupby(images)]


def test_grouped_captions_keep_an_image_together_and_shuffle_images():
    counts = [5, 6, 7, 5, 5] * 20
    epochs = W.caption_pairs(100, counts, "grouped", epochs=2, seed=9)
    for epoch in epochs:
        assert sorted(epoch) == [(i, c) for i in range(100) for c in range(counts[i])]
        runs = _runs(image for image, _ in epoch)
        assert sorted(runs) == list(range(100))  # each image is one run of consecutive samples
        for image, group in itertools.groupby(epoch, key=lambda pair: pair[0]):
            assert [c for _, c in group] == list(range(counts[image]))
        assert runs != list(range(100))
    assert _runs(i for i, _ in epochs[0]) != _runs(i for i, _ in epochs[1])


def test_shuffled_captions_spread_an_image_out():
    epochs = W.caption_pairs(100, 5, "shuffled", epochs=2, seed=9)
    for epoch in epochs:
        assert sorted(epoch) == [(i, c) for i in range(100) for c in range(5)]
        assert len(_runs(image for image, _ in epoch)) > 400  # grouped would be 100 runs
    assert epochs[0] != epochs[1]
    with pytest.raises(ValueError):
        W.caption_pairs(3, 5, "random")
    with pytest.raises(ValueError):
        W.caption_pairs(3, [5, 5])


# --- Exact LRU hits -------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 5, 32])
def test_cycling_over_one_more_key_than_the_cache_holds_never_hits(k):
    assert W.lru_hits(list(range(k + 1)) * 10, k) == 0
    assert W.lru_hits(list(range(k)) * 10, k) == 9 * k  # k keys: only the first round misses


def test_lru_on_a_hand_traced_sequence():
    # A miss; B miss; A hit (B oldest); C miss, evicts B; B miss, evicts A; A miss.
    assert W.lru_hits("ABACBA", 2) == 1
    # (FIFO eviction would give 2: C evicts A, the older insert, so B hits.)
    assert W.lru_hits("ABACBA", 3) == 3  # 3 keys fit: only first reads miss
    assert W.lru_hits("ABACBA", 0) == 0
    assert W.lru_hits("ABACBA", None) == 3
    assert W.lru_hit_rate("ABACBA", 2) == pytest.approx(1 / 6)
    assert W.lru_hit_rate([], 4) == 0.0


@pytest.mark.parametrize("capacity", [0, 1, 3, 16, 64, None])
def test_lru_hits_equal_functools_lru_cache(capacity):
    accesses = W.zipf_draws(3000, 100, 0.9, seed=2)[0]
    cached = functools.lru_cache(maxsize=capacity)(lambda key: key)
    for key in accesses:
        cached(key)
    assert W.lru_hits(accesses, capacity) == cached.cache_info().hits


def test_expected_hit_rates_of_the_patterns():
    # Grouped captions through a 1-image cache: every caption but the first hits.
    grouped = [image for image, _ in W.caption_pairs(200, 5, "grouped")[0]]
    assert W.lru_hit_rate(grouped, 1) == pytest.approx(4 / 5)
    # Shuffled epochs of N images through a cache of N: only the first epoch misses.
    epochs = W.shuffled_epochs(100, epochs=3)
    assert W.lru_hit_rate(itertools.chain(*epochs), 100) == pytest.approx(2 / 3)


def test_data_loader_workers_each_have_their_own_cache():
    epochs = [[0, 0, 1, 1]]
    assert W.data_loader_lru_hits(epochs, 4) == W.lru_hits([0, 0, 1, 1], 4) == 2
    # Batches of 1 go round robin: worker 0 reads 0, 1 and worker 1 reads 0, 1.
    assert W.data_loader_lru_hits(epochs, 4, batch_size=1, workers=2) == 0
    # Batches of 2: worker 0 reads 0, 0 and worker 1 reads 1, 1.
    assert W.data_loader_lru_hits(epochs, 4, batch_size=2, workers=2) == 2
    two = [[0, 1, 2, 3], [0, 1, 2, 3]]
    assert W.data_loader_lru_hits(two, 4, batch_size=2, workers=2, persistent_workers=True) == 4
    assert W.data_loader_lru_hits(two, 4, batch_size=2, workers=2) == 0  # new workers, empty caches
    assert W.data_loader_lru_hits(two, 4, batch_size=None, workers=2, persistent_workers=True) == 4


def _identity(index):
    return index


class _CachedLoads:
    """A map-style dataset whose loads go through an LRU cache; says whether each hit."""

    def __init__(self, capacity):
        self.capacity, self.load = capacity, None  # made in the worker, as a real cache is

    def __len__(self):
        return 1000

    def __getitem__(self, index):
        if self.load is None:
            self.load = functools.lru_cache(maxsize=self.capacity)(_identity)
        before = self.load.cache_info().hits
        self.load(index)
        return self.load.cache_info().hits - before


class _EpochSampler:
    """Yields epoch e's indices on the e-th pass."""

    def __init__(self, epochs):
        self.epochs, self.passes = epochs, 0

    def __iter__(self):
        self.passes += 1
        return iter(self.epochs[self.passes - 1])

    def __len__(self):
        return len(self.epochs[0])


@pytest.mark.parametrize("persistent", [False, True])
def test_data_loader_hits_match_a_real_torch_data_loader(persistent):
    torch_data = pytest.importorskip("torch.utils.data")
    epochs = W.zipf_draws(400, 60, 1.0, epochs=2, seed=4)
    loader = torch_data.DataLoader(_CachedLoads(8), batch_size=4, sampler=_EpochSampler(epochs),
                                   num_workers=2, persistent_workers=persistent)
    measured = sum(int(batch.sum()) for _ in epochs for batch in loader)
    expected = W.data_loader_lru_hits(epochs, 8, batch_size=4, workers=2,
                                      persistent_workers=persistent)
    assert measured == expected
    assert expected != W.lru_hits(itertools.chain(*epochs), 8)  # one shared cache would differ


def test_a_load_that_never_reaches_the_cache_is_neither_a_hit_nor_an_entry():
    from optbench.workloads import images

    assert images.lru_hits(["a", None, "a", None], 1) == 1      # None does not evict "a"
    assert images.lru_hits([None, None], None) == 0
    assert images.data_loader_lru_hits([["a", None, "a", "b"]], 1, batch_size=2, workers=2) == 0
