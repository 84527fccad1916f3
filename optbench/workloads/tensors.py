"""Model outputs and classification data, seeded."""
from __future__ import annotations

import numpy as np

SEED = 20261123


def class_predictions(count: int, classes: int = 10, seed: int = SEED):
    """(preds int64 [count], probs float32 [count, classes]) as a predictor sees them."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((count, classes)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probs.argmax(axis=1).astype(np.int64), probs
