"""The validated sample: good images with broken files spread through it.

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

The bytes are made once per (size, percent) and written into each case's own
folder by `write_sample`: every variant validates its own copy of the same
files.
"""
from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from optbench.workloads.images import (BAD_IMAGE_KINDS, image_layout, write_bad_images,
                                       write_images)

from .validator import RECOMMENDED_SIZE, below

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
    def expected_errors(self) -> int:
        """Broken files: one error each (the validator stops at the first)."""
        return len(self.bad)

    @property
    def expected_warnings(self) -> int:
        """Good images below the validator's recommended size (all are RGB)."""
        return sum(below(s, RECOMMENDED_SIZE) for s in self.good_sizes.values())

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

