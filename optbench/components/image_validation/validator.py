"""The image validator the report's adapter calls (training-system report §1.2).

The report shows only the adapter's loop (`src/data/adapters/image_adapter.py`,
lines 122-133) and that `self.validator.validate_image(img_path)` "opens
file" and returns a dict with 'valid', 'errors' and 'warnings'. It does not
show the validator, and did not change it: baseline and optimized share this
one. optbench models the most literal image validator of a data adapter:

* open the file with PIL and decode it (`Image.open(path)` then `.load()`):
  decoding every pixel is what catches a truncated JPEG, whose header opens
  and whose `.verify()` checks nothing (optbench.workloads.images,
  BAD_IMAGE_FAILS_AT). A file that cannot be opened or decoded is an error;
* an image smaller than MIN_SIZE is an error (unusable);
* an image smaller than RECOMMENDED_SIZE on either side, or not in RGB mode,
  is a warning: it is still usable (resized, converted) but worth a look.

With the workload's sizes (64x64, 128x96, 256x256, all RGB) two good images
in three get one "smaller than recommended" warning, so there are warnings to
cap. Every message is prefixed with the file's path by the adapter.
"""
from __future__ import annotations

from PIL import Image

MIN_SIZE = (32, 32)
RECOMMENDED_SIZE = (128, 128)
EXPECTED_MODE = "RGB"


def below(size: tuple[int, int], limit: tuple[int, int]) -> bool:
    return size[0] < limit[0] or size[1] < limit[1]


class ImageValidator:
    """src/data/validators: one image, opened, decoded and checked."""

    def __init__(self, min_size=MIN_SIZE, recommended_size=RECOMMENDED_SIZE,
                 expected_mode=EXPECTED_MODE):
        self.min_size = tuple(min_size)
        self.recommended_size = tuple(recommended_size)
        self.expected_mode = expected_mode

    def _read(self, img) -> None:
        """Decode every pixel: what catches a file whose data is cut short."""
        img.load()

    def validate_image(self, image_path) -> dict:
        result = {"valid": True, "errors": [], "warnings": []}
        try:
            with Image.open(image_path) as img:
                size, mode = img.size, img.mode
                self._read(img)
        except Exception as e:  # a broken file is a finding, never a crash
            result["valid"] = False
            result["errors"].append(f"cannot read image: {type(e).__name__}: {e}")
            return result
        if below(size, self.min_size):
            result["valid"] = False
            result["errors"].append(
                f"image too small: {size[0]}x{size[1]} (minimum "
                f"{self.min_size[0]}x{self.min_size[1]})")
        elif below(size, self.recommended_size):
            result["warnings"].append(
                f"image smaller than recommended: {size[0]}x{size[1]} (recommended "
                f"{self.recommended_size[0]}x{self.recommended_size[1]})")
        if mode != self.expected_mode:
            result["warnings"].append(
                f"image mode {mode}, expected {self.expected_mode} (will be converted)")
        return result
