"""src/data/adapters/image_adapter.py before the report (training-system report §1.2):
every image of the sample is validated and every error and warning is kept.

The report's "OLD - Line by line I/O":

    for img_path in sample_paths:
        validation = self.validator.validate_image(img_path)  # Opens file
        results['errors'].extend([...])
        results['warnings'].extend([...])

The elided `[...]` are read as each message prefixed with its file's path,
so the user can tell which file it is about. 'valid' is whether any error
was found (the report's results carry one; it does not show how it is set).
"""
from __future__ import annotations

from .validator import ImageValidator


class ImageAdapter:
    """The image-folder adapter's sample validation, before."""

    def __init__(self, validator: ImageValidator | None = None):
        self.validator = validator or ImageValidator()

    def validate_images(self, sample_paths) -> dict:
        results = {"valid": True, "errors": [], "warnings": []}
        for img_path in sample_paths:
            validation = self.validator.validate_image(img_path)  # Opens file
            results["errors"].extend([f"{img_path}: {e}" for e in validation["errors"]])
            results["warnings"].extend([f"{img_path}: {w}" for w in validation["warnings"]])
        results["valid"] = not results["errors"]
        return results
