"""The split code of src/data/adapters/ at 6b13c54 (before PR #6; training-system
report §2.1): each adapter holds its own copy of the train/val/test split.

Both copies check that the ratios add up to 1, take the validation and test
part out first (test_size = val + test), then split that into validation and
test with test_size = 1 - val / (val + test), the codebase's expression:
in floating point it is not always test / (val + test), and scikit-learn
rounds the test count up, so (0.6, 0.3, 0.1) on Iris gives 90 / 44 / 16
rows, not 90 / 45 / 15. They differ in when they stratify:
the CSV adapter only when the labels have fewer than 20 classes, the image
adapter always; neither looks at how many samples a class has, so a class
of one sample makes scikit-learn raise. With no test share the CSV adapter
gives the whole remainder to validation and an empty test set.

The copies are duplicated on purpose: the code claim counts what removing
one saves. Iris (150 rows, 3 x 50): 105 / 22 / 23 rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split


def _check_ratios(train_ratio, val_ratio, test_ratio) -> None:
    if not np.isclose(train_ratio + val_ratio + test_ratio, 1.0):
        raise ValueError("Split ratios must sum to 1.0")


class CSVAdapter:
    """src/data/adapters/csv_adapter.py: features and labels from a table."""

    def split_data(self, X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15,
                   random_state=42):
        _check_ratios(train_ratio, val_ratio, test_ratio)
        stratify = y if y is not None and len(np.unique(y)) < 20 else None
        X_train, X_temp, y_train, y_temp = train_test_split(
            X, y, test_size=val_ratio + test_ratio, random_state=random_state,
            stratify=stratify)
        if test_ratio > 0:
            stratify_temp = (y_temp if y_temp is not None and len(np.unique(y_temp)) < 20
                             else None)
            X_val, X_test, y_val, y_test = train_test_split(
                X_temp, y_temp, test_size=1 - val_ratio / (val_ratio + test_ratio),
                random_state=random_state, stratify=stratify_temp)
        else:
            X_val, y_val, X_test, y_test = X_temp, y_temp, pd.DataFrame(), None
        return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


class ImageAdapter:
    """src/data/adapters/image_adapter.py: image paths and their labels."""

    def split_data(self, image_paths, labels, train_ratio=0.7, val_ratio=0.15,
                   test_ratio=0.15, random_state=42):
        _check_ratios(train_ratio, val_ratio, test_ratio)
        paths_train, paths_temp, labels_train, labels_temp = train_test_split(
            image_paths, labels, test_size=val_ratio + test_ratio, random_state=random_state,
            stratify=labels)
        if test_ratio > 0:
            paths_val, paths_test, labels_val, labels_test = train_test_split(
                paths_temp, labels_temp, test_size=1 - val_ratio / (val_ratio + test_ratio),
                random_state=random_state, stratify=labels_temp)
        else:
            paths_val, labels_val, paths_test, labels_test = paths_temp, labels_temp, [], []
        return {"train": (paths_train, labels_train), "val": (paths_val, labels_val),
                "test": (paths_test, labels_test)}


split_data = CSVAdapter().split_data
