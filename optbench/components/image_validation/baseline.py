"""ImageAdapter.validate's loop at 6b13c54 (before PR #6; training-system report
§1.2): every sampled image is checked, and every error and warning kept,
each prefixed with the image's file name; one invalid image makes the
results invalid. The rest of validate() is adapter.py's."""
from __future__ import annotations

from .adapter import SampledImageAdapter


class ImageAdapter(SampledImageAdapter):
    def _check(self, sample, results) -> None:
        for path in sample:
            found = self.validator.validate_image(path)
            if not found["valid"]:
                results["valid"] = False
                results["errors"].extend(f"{path.name}: {e}" for e in found["errors"])
            results["warnings"].extend(f"{path.name}: {w}" for w in found["warnings"])
