"""The shared helper, deciding stratification per split, not once.

The report's check looks at the whole label set, but the second split sees
only what the first left over: a class of 2 can arrive there with 1 sample,
and a small split can hold fewer samples than there are classes. Both make
scikit-learn raise. Here each split stratifies exactly when scikit-learn can
(every class has 2 samples there and both sides can hold every class), with
no cap on the number of classes.
"""
from __future__ import annotations

import math

import numpy as np
from sklearn.model_selection import train_test_split


def _can_stratify(y, test_size: float) -> bool:
    labels, counts = np.unique(y, return_counts=True)
    n_test = math.ceil(test_size * len(y))
    return counts.min() >= 2 and len(labels) <= min(n_test, len(y) - n_test)


def _split(X, y, test_size, random_state, stratify):
    strata = y if stratify and _can_stratify(y, test_size) else None
    return train_test_split(X, y, test_size=test_size, random_state=random_state,
                            stratify=strata)


def train_val_test_split(X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15,
                         random_state=42, stratify=True):
    """The codebase's two splits (validation and test out first, then halved)."""
    X_train, X_temp, y_train, y_temp = _split(X, y, val_ratio + test_ratio, random_state,
                                              stratify)
    X_val, X_test, y_val, y_test = _split(X_temp, y_temp, test_ratio / (val_ratio + test_ratio),
                                          random_state, stratify)
    return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


class CSVAdapter:
    def split_data(self, X, y, **ratios):
        return train_val_test_split(X, y, **ratios)


class ImageAdapter:
    def split_data(self, image_paths, labels, **ratios):
        return train_val_test_split(image_paths, labels, **ratios)
