"""ImageAdapter.validate's loop at fadd6ab (PR #6, unchanged to 29be98f;
training-system report §1.2): errors and warnings gathered in local lists;
once more than 5 error messages have been gathered, the marker
"... (additional errors truncated)" is added and the loop stops; the
warnings kept are the first 10.

As committed:

* the stop comes before the stopping image's warnings are gathered, and no
  image after it is checked or warned about;
* it counts messages, one per invalid image here, and adds the marker
  even when the 6th error was the sample's last (nothing was truncated);
* 'valid' turns False at the first invalid image, as before;
* 'validated_count' still says the whole sample was validated.
"""
from __future__ import annotations

from .adapter import SampledImageAdapter

TRUNCATION_MARKER = "... (additional errors truncated)"
STOP_AFTER = 5       # more than this many error messages: stop
WARNINGS_KEPT = 10


class ImageAdapter(SampledImageAdapter):
    def _check(self, sample, results) -> None:
        errors, warnings = [], []
        for path in sample:
            found = self.validator.validate_image(path)
            if not found["valid"]:
                results["valid"] = False
                errors.extend(f"{path.name}: {e}" for e in found["errors"])
                if len(errors) > STOP_AFTER:
                    errors.append(TRUNCATION_MARKER)
                    break
            warnings.extend(f"{path.name}: {w}" for w in found["warnings"])
        results["errors"] = errors
        results["warnings"] = warnings[:WARNINGS_KEPT]
