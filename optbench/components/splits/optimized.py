"""src/utils/helpers.py after PR #6 (2bb072b, with 05f89d6's rule; training-system
report §2.1, §2.3), and the two adapters calling it: one shared
train_val_test_split() that stratifies a split only when its labels have
fewer than 20 classes and at least 2 samples in each (an error while
checking, a TypeError or ValueError, means no stratification). The same
two splits as before, the second with test_size = 1 - val / (val + test):
Iris gives the same 105 / 22 / 23 rows. With no test share the test part is
(None, None); the CSV adapter turns it into an empty table."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split


def _strata(y, stratify: bool):
    """y when this split can stratify under the helper's rule, else None."""
    if not stratify or y is None:
        return None
    try:
        labels, counts = np.unique(y, return_counts=True)
        return y if len(labels) < 20 and counts.min() >= 2 else None
    except (TypeError, ValueError):  # the helper swallows these: no stratification
        return None


def train_val_test_split(X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15,
                         random_state=42, stratify=True):
    """Generic utility for data splitting."""
    if not np.isclose(train_ratio + val_ratio + test_ratio, 1.0):
        raise ValueError("Split ratios must sum to 1.0")
    X_train, X_temp, y_train, y_temp = train_test_split(
        X, y, test_size=val_ratio + test_ratio, random_state=random_state,
        stratify=_strata(y, stratify))
    if test_ratio <= 0:
        return {"train": (X_train, y_train), "val": (X_temp, y_temp), "test": (None, None)}
    X_val, X_test, y_val, y_test = train_test_split(
        X_temp, y_temp, test_size=1 - val_ratio / (val_ratio + test_ratio),
        random_state=random_state, stratify=_strata(y_temp, stratify))
    return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


class CSVAdapter:
    def split_data(self, X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15,
                   random_state=42):
        parts = train_val_test_split(X, y, train_ratio, val_ratio, test_ratio, random_state)
        if parts["test"][0] is None:
            parts["test"] = (pd.DataFrame(), None)
        return parts


class ImageAdapter:
    def split_data(self, image_paths, labels, train_ratio=0.7, val_ratio=0.15,
                   test_ratio=0.15, random_state=42):
        parts = train_val_test_split(image_paths, labels, train_ratio, val_ratio, test_ratio,
                                     random_state)
        if parts["test"][0] is None:
            parts["test"] = ([], [])
        return parts


split_data = CSVAdapter().split_data   # what the training run calls
