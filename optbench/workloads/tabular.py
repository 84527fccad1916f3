"""Iris-shaped tabular data, generated (no download): 150 samples, 4 features, 3 classes."""
from __future__ import annotations

import numpy as np

SEED = 20261123

# Per class, the mean and spread of sepal length/width and petal length/width
# (cm) as Fisher's Iris data has them; samples are drawn from these Gaussians.
IRIS_MEANS = ((5.006, 3.428, 1.462, 0.246), (5.936, 2.770, 4.260, 1.326),
              (6.588, 2.974, 5.552, 2.026))
IRIS_STDS = ((0.352, 0.379, 0.174, 0.105), (0.516, 0.314, 0.470, 0.198),
             (0.636, 0.322, 0.552, 0.275))
PER_CLASS = 50
VALIDATION_SHARE = 0.2


def iris_like(seed: int = SEED) -> dict[str, np.ndarray]:
    """Standardized features and labels, split 80/20 into train and validation."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(m, s, (PER_CLASS, 4)) for m, s in zip(IRIS_MEANS, IRIS_STDS)])
    y = np.repeat(np.arange(len(IRIS_MEANS)), PER_CLASS)
    order = rng.permutation(len(y))
    X, y = ((X - X.mean(axis=0)) / X.std(axis=0))[order].astype(np.float32), y[order]
    cut = int(len(y) * (1 - VALIDATION_SHARE))
    return {"X_train": X[:cut], "y_train": y[:cut], "X_val": X[cut:], "y_val": y[cut:]}


IRIS_COLUMNS = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                "petal width (cm)")
IRIS_SPECIES = ("setosa", "versicolor", "virginica")


def iris_csv(seed: int = SEED) -> str:
    """The training system's data/sample/iris.csv, generated: a header, then
    50 rows per species of four measurements in cm (one decimal, as the real
    set has them) and the species as text, in species order."""
    rng = np.random.default_rng(seed)
    lines = [",".join((*IRIS_COLUMNS, "species"))]
    for species, means, stds in zip(IRIS_SPECIES, IRIS_MEANS, IRIS_STDS):
        rows = np.clip(rng.normal(means, stds, (PER_CLASS, 4)), 0.1, None)
        lines += [",".join([*(f"{x:.1f}" for x in row), species]) for row in rows]
    return "\n".join(lines) + "\n"
