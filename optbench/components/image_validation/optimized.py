"""src/data/adapters/image_adapter.py after the report (training-system report §1.2):
stop after more than 5 errors, keep at most 10 warnings.

The report's "NEW - Optimized with early stopping", as shown:

    errors_found = []
    for img_path in sample_paths:
        validation = self.validator.validate_image(img_path)
        if not validation['valid']:
            errors_found.extend([...])
            if len(errors_found) > 5:  # Early stop
                errors_found.append("... (additional errors truncated)")
                break
    results['warnings'] = warnings_found[:10]  # Limit output

As shown, `warnings_found` is never defined or filled: run literally, the
last line raises NameError. The most literal reading that runs, kept here:
`warnings_found = []` beside `errors_found`, filled in the loop as the old
code filled results['warnings'] (every image's warnings, path-prefixed), at
the end of the loop body, since the snippet shows the `if` directly after
validate_image(). Consequences kept as the snippet has them:

* the early `break` also stops collecting warnings: images after the 6th
  error are neither checked nor warned about;
* the stop fires on the 6th error *message* (one per broken file here), and
  "... (additional errors truncated)" is appended even when the 6th error was
  the last one in the sample (then nothing was truncated);
* with 5 or fewer errors nothing stops: every image is validated, as before,
  and only the warnings are cut to the first 10.

results['errors'] is set from errors_found (elided in the snippet), and
'valid' as in the baseline.
"""
from __future__ import annotations

from .validator import ImageValidator

TRUNCATION_MARKER = "... (additional errors truncated)"


class ImageAdapter:
    """The image-folder adapter's sample validation, after."""

    def __init__(self, validator: ImageValidator | None = None):
        self.validator = validator or ImageValidator()

    def validate_images(self, sample_paths) -> dict:
        results = {"valid": True, "errors": [], "warnings": []}
        errors_found = []
        warnings_found = []
        for img_path in sample_paths:
            validation = self.validator.validate_image(img_path)
            if not validation["valid"]:
                errors_found.extend([f"{img_path}: {e}" for e in validation["errors"]])
                if len(errors_found) > 5:  # Early stop
                    errors_found.append(TRUNCATION_MARKER)
                    break
            warnings_found.extend([f"{img_path}: {w}" for w in validation["warnings"]])
        results["errors"] = errors_found
        results["warnings"] = warnings_found[:10]  # Limit output
        results["valid"] = not results["errors"]
        return results
