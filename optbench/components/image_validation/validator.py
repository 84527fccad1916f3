"""The image check the adapter calls: model_train's SchemaValidator.validate_image
(src/data/validators/schema_validator.py, the same at 6b13c54 and 29be98f;
the PR did not touch it), reproduced as it behaves.

* `Image.open` only: Pillow reads the header, never the pixels, so a JPEG cut
  short after its header passes. What cannot be opened (an empty file, an
  HTML page saved as .jpg, a missing file) is an error.
* With a schema, it reads `properties.required_structure.properties` as a
  spec: `format.items` (formats allowed), `min_size.properties` and
  `max_size.properties` (width and height), `channels`. A failed check is a
  warning, never an error.
* Any exception, an unreadable file or a failed comparison, is caught and
  becomes the image's one error, "Failed to validate image: <message>";
  the warnings found before it stay.

The schema the codebase ships (configs/schemas/image_schema.json, modelled
in SHIPPED_SCHEMA) is a JSON-Schema document, not such a spec: where the
code expects numbers it finds type descriptions. `format.items` is the dict
{"enum": [...]}, so "jpeg" is "not in allowed formats" (a warning, every
image); `min_size.properties.width` is {"type": "integer"}, and comparing
the width with it raises TypeError: every image, whatever it holds, is an
error. SPEC_SCHEMA is the spec the code can read (a what-if: the codebase
has none).
"""
from __future__ import annotations

from PIL import Image

# The shape of configs/schemas/image_schema.json: what the default config passes.
SHIPPED_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Image Data Schema",
    "type": "object",
    "properties": {"required_structure": {"type": "object", "properties": {
        "format": {"type": "array", "items": {"enum": ["jpg", "jpeg", "png", "bmp"]}},
        "min_size": {"type": "object", "properties": {"width": {"type": "integer"},
                                                      "height": {"type": "integer"}}},
        "max_size": {"type": "object", "properties": {"width": {"type": "integer"},
                                                      "height": {"type": "integer"}}},
        "channels": {"type": "integer", "enum": [1, 3, 4]},
    }}},
}

# What-if: a schema in the form the validator reads. Images below 128x128
# get a warning (two good images in three of the what-if samples).
MIN_SIZE = (128, 128)
SPEC_SCHEMA = {"properties": {"required_structure": {"properties": {
    "format": {"items": ["jpg", "jpeg", "png", "bmp"]},
    "min_size": {"properties": {"width": MIN_SIZE[0], "height": MIN_SIZE[1]}},
    "max_size": {"properties": {"width": 4096, "height": 4096}},
    "channels": 3,
}}}}


def below(size: tuple[int, int], limit: tuple[int, int]) -> bool:
    return size[0] < limit[0] or size[1] < limit[1]


class SchemaValidator:
    """One image opened (its header read) and checked against the schema."""

    def __init__(self, schema: dict | None = None):
        self.schema = schema

    def _spec(self) -> dict:
        return (self.schema.get("properties", {}).get("required_structure", {})
                .get("properties", {}))

    def _checks(self, img, spec: dict):
        """The spec's checks in the codebase's order, each failed one's
        warning yielded as it is found (a later check that raises leaves the
        earlier warnings in the result, as in the codebase)."""
        formats = spec.get("format", {}).get("items", [])
        if formats:
            name = img.format.lower() if img.format else ""
            if name not in formats:
                yield f"Image format {name} not in allowed formats"
        smallest = spec.get("min_size", {}).get("properties", {})
        if smallest and (img.width < smallest.get("width", 0)
                         or img.height < smallest.get("height", 0)):
            yield f"Image size {img.size} below minimum"
        largest = spec.get("max_size", {}).get("properties", {})
        if largest and (img.width > largest.get("width", float("inf"))
                        or img.height > largest.get("height", float("inf"))):
            yield f"Image size {img.size} above maximum"
        channels = spec.get("channels")
        if channels:
            bands = len(img.getbands())
            if bands != channels:
                yield f"Image has {bands} channels, expected {channels}"

    def validate_image(self, image_path) -> dict:
        result = {"valid": True, "errors": [], "warnings": []}
        try:
            img = Image.open(image_path)   # header only; left to the garbage collector
            if self.schema:
                for warning in self._checks(img, self._spec()):
                    result["warnings"].append(warning)
        except Exception as e:  # noqa: BLE001 - the codebase catches everything
            result["valid"] = False
            result["errors"].append(f"Failed to validate image: {e}")
        return result
