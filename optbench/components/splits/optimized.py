"""src/utils/helpers.py after the report (training-system report §2.1, §2.3), and the two
adapters calling it: one shared train_val_test_split() that stratifies only
when fewer than 20 classes and at least 2 samples in each (checked once, on
the whole label set)."""
from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split


def train_val_test_split(X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15,
                         random_state=42, stratify=True):
    """Generic utility for data splitting."""
    stratify_arg = None
    if stratify:
        # Check minimum samples per class
        unique_labels, counts = np.unique(y, return_counts=True)
        min_count = counts.min()
        # Need at least 2 samples per class for stratified splitting
        if len(unique_labels) < 20 and min_count >= 2:
            stratify_arg = y
    X_temp, X_test, y_temp, y_test = train_test_split(
        X, y, test_size=test_ratio, random_state=random_state, stratify=stratify_arg)
    val_size = val_ratio / (train_ratio + val_ratio)
    X_train, X_val, y_train, y_val = train_test_split(
        X_temp, y_temp, test_size=val_size, random_state=random_state,
        stratify=y_temp if stratify_arg is not None else None)
    return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


class CSVAdapter:
    def split_data(self, X, y, **ratios):
        return train_val_test_split(X, y, **ratios)


class ImageAdapter:
    def split_data(self, image_paths, labels, **ratios):
        return train_val_test_split(image_paths, labels, **ratios)
