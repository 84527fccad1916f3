"""The split code of src/data/adapters/ before the report (training-system report §2.1):
each adapter holds its own copy of the train/val/test split.

The two copies are duplicated on purpose: the report's "before" had them in
csv_adapter.py and image_adapter.py, and the code claim counts what removing
one saves. Each always stratifies, so scikit-learn refuses any label set with
a class of one sample, or a split smaller than the number of classes.
"""
from __future__ import annotations

from sklearn.model_selection import train_test_split


class CSVAdapter:
    """src/data/adapters/csv_adapter.py: features and labels from a table."""

    def split_data(self, X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15,
                   random_state=42):
        X_temp, X_test, y_temp, y_test = train_test_split(
            X, y, test_size=test_ratio, random_state=random_state, stratify=y)
        val_size = val_ratio / (train_ratio + val_ratio)
        X_train, X_val, y_train, y_val = train_test_split(
            X_temp, y_temp, test_size=val_size, random_state=random_state, stratify=y_temp)
        return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


class ImageAdapter:
    """src/data/adapters/image_adapter.py: image paths and their labels."""

    def split_data(self, image_paths, labels, train_ratio=0.7, val_ratio=0.15,
                   test_ratio=0.15, random_state=42):
        paths_temp, paths_test, labels_temp, labels_test = train_test_split(
            image_paths, labels, test_size=test_ratio, random_state=random_state,
            stratify=labels)
        val_size = val_ratio / (train_ratio + val_ratio)
        paths_train, paths_val, labels_train, labels_val = train_test_split(
            paths_temp, labels_temp, test_size=val_size, random_state=random_state,
            stratify=labels_temp)
        return {"train": (paths_train, labels_train), "val": (paths_val, labels_val),
                "test": (paths_test, labels_test)}


split_data = CSVAdapter().split_data
