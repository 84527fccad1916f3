"""The images validated: the codebase's own folder, and what-if samples.

`class_folder()` is data/sample/images as model_train ships it (05f89d6) and
its scripts/setup_data.py writes it: class_0, class_1 and class_2, 10 JPEGs
each, 64x64, a solid red, green or blue with noise of -20..19 levels per
channel (seeded here).

The what-if samples (`make_sample`): good images with broken files spread
through them.

A sample of `size` image paths, `percent` of them broken. The broken files
come from optbench.workloads.images.write_bad_images, their kinds in turn
(empty, truncated, not_an_image, missing, empty, ...); the good ones from
write_images (64x64, 128x96 and 256x256, JPEG and PNG, in its fixed mix).

Where the broken files sit decides how soon an early stop fires, so they are
spread evenly, none first: broken file j of b is at position
((2j + 1) * size) // (2b), the middle of the j-th of b equal stretches.
With 5% of 100 that is positions 10, 30, 50, 70, 90; with 50%, every odd
position. The sixth broken file (the one after which the report's code stops)
is at `bad_positions(size, percent)[5]`.

Under the codebase's validator (validator.py), which only opens each file,
the empty, HTML and missing files are errors and the truncated JPEG is
not: its header is whole. With SPEC_SCHEMA a warning comes from each image
below 128x128: the 64x64 and 128x96 good images and the truncated JPEG
(128x96).

The bytes are made once per (size, percent) and written into each case's own
folder by `write_sample`: every variant validates its own copy of the same
files.
"""
from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import io

import numpy as np

from optbench.workloads.images import (BAD_IMAGE_FAILS_AT, BAD_IMAGE_KINDS, image_layout,
                                       write_bad_images, write_images)

from .validator import MIN_SIZE, below

# write_bad_images' truncated JPEG: 128x96, its header whole.
TRUNCATED_SIZE = (128, 96)

# The folder, inside a case's work folder, that holds the sample.
FOLDER = "sample"


def bad_count(size: int, percent: int) -> int:
    return size * percent // 100


def bad_positions(size: int, percent: int) -> list[int]:
    """Positions of the broken files: evenly spread, the j-th in the middle of
    the j-th of b equal stretches of the sample."""
    b = bad_count(size, percent)
    return [(2 * j + 1) * size // (2 * b) for j in range(b)]


def bad_kind(j: int) -> str:
    """The kind of the j-th broken file: the four kinds in turn."""
    return BAD_IMAGE_KINDS[j % len(BAD_IMAGE_KINDS)]


@dataclass(frozen=True)
class Sample:
    """File names in sample order, their bytes (None: the file does not
    exist), and what a complete validation must find."""

    size: int
    percent: int
    names: tuple[str, ...]
    contents: tuple[bytes | None, ...]
    # Position -> kind of each broken file.
    bad: dict
    # (width, height) of each good image, by position.
    good_sizes: dict

    @property
    def missing(self) -> int:
        return sum(c is None for c in self.contents)

    @property
    def unopenable(self) -> list[int]:
        """Positions of the files Image.open fails on: one error each."""
        return [p for p, kind in self.bad.items() if BAD_IMAGE_FAILS_AT[kind] == "open"]

    @property
    def expected_errors(self) -> int:
        return len(self.unopenable)

    @property
    def expected_warnings(self) -> int:
        """Images that open and are below SPEC_SCHEMA's minimum (all are RGB
        and in an allowed format): good ones and the truncated JPEGs."""
        truncated = sum(kind == "truncated" for kind in self.bad.values())
        return (sum(below(s, MIN_SIZE) for s in self.good_sizes.values())
                + truncated * below(TRUNCATED_SIZE, MIN_SIZE))

    def __repr__(self) -> str:
        return (f"Sample({self.size} images, {self.percent}% broken: {len(self.bad)} "
                f"files, {self.missing} missing)")


@functools.lru_cache(maxsize=4)
def make_sample(size: int, percent: int) -> Sample:
    """The sample's bytes, made with the image workload's writers (seeded:
    the same bytes every run with the same numpy and Pillow)."""
    positions = bad_positions(size, percent)
    bad = {p: bad_kind(j) for j, p in enumerate(positions)}
    n_good = size - len(bad)
    layout = image_layout(n_good)
    with tempfile.TemporaryDirectory(prefix="optbench-image-sample-") as tmp:
        good = write_images(Path(tmp) / "good", n_good)
        templates = write_bad_images(Path(tmp) / "bad")
        good_bytes = [p.read_bytes() for p in good]
        bad_bytes = {k: (p.read_bytes() if p.exists() else None) for k, p in templates.items()}
    names, contents, good_sizes = [], [], {}
    good_iter = iter(range(n_good))
    for position in range(size):
        if position in bad:
            kind = bad[position]
            names.append(f"bad_{position:06d}_{kind}.jpg")
            contents.append(bad_bytes[kind])
        else:
            k = next(good_iter)
            names.append(good[k].name)
            contents.append(good_bytes[k])
            good_sizes[position] = layout[k][0]
    return Sample(size, percent, tuple(names), tuple(contents), bad, good_sizes)


def write_sample(sample: Sample, folder: Path) -> list[Path]:
    """Write the sample's files into `folder`; their paths, in sample order
    (a missing file's path is returned and does not exist)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in zip(sample.names, sample.contents):
        path = folder / name
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content)
        paths.append(path)
    return paths



# data/sample/images: three classes of 10 images, each class one colour.
CLASS_COLOURS = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
IMAGES_PER_CLASS = 10
CLASS_IMAGE_SIZE = 64
CLASS_SEED = 20261206


@dataclass(frozen=True)
class ClassFolder:
    """Relative paths ("class_0/class_0_000.jpg") and their bytes."""

    files: tuple[tuple[str, bytes], ...]

    @property
    def size(self) -> int:
        return len(self.files)

    def __repr__(self) -> str:
        return f"ClassFolder({self.size} JPEGs in {len(CLASS_COLOURS)} class folders)"


@functools.lru_cache(maxsize=2)
def class_folder(images_per_class: int = IMAGES_PER_CLASS) -> ClassFolder:
    """The codebase's sample image folder, seeded (Pillow's default JPEG
    options, as the codebase saves them)."""
    from PIL import Image

    rng = np.random.default_rng(CLASS_SEED)
    files = []
    for index, colour in enumerate(CLASS_COLOURS):
        for i in range(images_per_class):
            side = CLASS_IMAGE_SIZE
            noise = rng.integers(-20, 20, size=(side, side, 3))
            pixels = np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)
            buffer = io.BytesIO()
            Image.fromarray(pixels).save(buffer, "JPEG")
            files.append((f"class_{index}/class_{index}_{i:03d}.jpg", buffer.getvalue()))
    return ClassFolder(tuple(files))


def write_class_folder(folder_data: ClassFolder, folder: Path) -> Path:
    """Write the class folders under `folder`; `folder`, ready for load()."""
    folder = Path(folder)
    for name, content in folder_data.files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder
