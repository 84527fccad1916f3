"""What model_train's ImageAdapter does around the loop the PR changed
(src/data/adapters/image_adapter.py; the same at 6b13c54 and fadd6ab):
load a folder of class subfolders, then validate() a sample of it.

* load(): every file with an image extension in each class folder; labels
  are the class's index among the sorted folder names. The codebase lists
  folders and files in the order the file system gives; here they are
  sorted, so a seed picks the same sample everywhere.
* validate(sample_size=10): the whole list when sample_size is None or at
  least the number of images, else `sample_size` drawn without replacement
  with numpy's global generator (the codebase seeds it only later, inside
  training; `rng` stands for it here). Its results hold 'valid', 'errors',
  'warnings', 'validated_count' (the sample's size, whatever the loop then
  does) and 'total_count'.
* With no schema there is no validator: one warning, "No schema provided,
  skipping validation", and no image is opened.
* Every message starts with the image's file name (not its path).

The loop over the sample is the variants' own (baseline.py, optimized.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .validator import SchemaValidator

EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")
NO_SCHEMA = "No schema provided, skipping validation"


class SampledImageAdapter:
    def __init__(self, data_dir=None, schema: dict | None = None, rng=None):
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.validator = SchemaValidator(schema) if schema else None
        self.rng = rng if rng is not None else np.random
        self.image_paths: list[Path] = []
        self.labels: list[int] = []

    def load(self) -> tuple[list[Path], list[int]]:
        if self.data_dir is None or not self.data_dir.exists():
            raise FileNotFoundError(f"Data directory not found: {self.data_dir}")
        classes = sorted(d for d in self.data_dir.iterdir() if d.is_dir())
        if not classes:
            raise ValueError(f"No class directories found in {self.data_dir}")
        self.image_paths, self.labels = [], []
        for index, folder in enumerate(classes):
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in EXTENSIONS:
                    self.image_paths.append(path)
                    self.labels.append(index)
        if not self.image_paths:
            raise ValueError(f"No images found in {self.data_dir}")
        return self.image_paths, self.labels

    def _sample(self, sample_size: int | None) -> list[Path]:
        if sample_size is None or sample_size >= len(self.image_paths):
            return self.image_paths
        chosen = self.rng.choice(len(self.image_paths), sample_size, replace=False)
        return [self.image_paths[i] for i in chosen]

    def validate(self, sample_size: int | None = 10) -> dict:
        if not self.image_paths:
            raise ValueError("Data not loaded. Call load() first.")
        sample = self._sample(sample_size)
        results = {"valid": True, "errors": [], "warnings": [],
                   "validated_count": len(sample), "total_count": len(self.image_paths)}
        if self.validator is None:
            results["warnings"].append(NO_SCHEMA)
            return results
        self._check(sample, results)
        return results

    def _check(self, sample: list[Path], results: dict) -> None:
        raise NotImplementedError
