"""Convert whole arrays once with tolist(), then loop over Python objects.

Both report variants pay one NumPy scalar or row object per element; a
single tolist() per array does that conversion in C.
"""
from __future__ import annotations


def format_predictions(preds, probs) -> list[dict]:
    return [{"index": i, "predicted_class": c, "probabilities": p}
            for i, (c, p) in enumerate(zip(preds.tolist(), probs.tolist()))]
