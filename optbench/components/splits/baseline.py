"""src/data/adapters/csv_adapter.py before the report (seed 002 §2.1).

The same function stood, copied, in image_adapter.py: the report removed
both copies. It always stratifies, so scikit-learn refuses any label set with
a class of one sample, or a split smaller than the number of classes.
"""
from __future__ import annotations

from sklearn.model_selection import train_test_split

# The report's "before" held this function twice (csv and image adapters).
COPIES_IN_REPORT = 2


def split_data(X, y, train_ratio=0.7, val_ratio=0.15, test_ratio=0.15, random_state=42):
    X_temp, X_test, y_temp, y_test = train_test_split(
        X, y, test_size=test_ratio, random_state=random_state, stratify=y)
    val_size = val_ratio / (train_ratio + val_ratio)
    X_train, X_val, y_train, y_val = train_test_split(
        X_temp, y_temp, test_size=val_size, random_state=random_state, stratify=y_temp)
    return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}
