"""src/inference/predictor.py after PR #6 (fadd6ab; training-system report §1.4):
enumerate(zip(preds, probs)) instead of indexing; each row formatted as before."""
from __future__ import annotations

from .baseline import row_result


def format_predictions(preds, probs, class_names=None) -> list[dict]:
    results = []
    for i, (pred_class, pred_probs) in enumerate(zip(preds, probs)):
        pred_class = int(pred_class)
        pred_probs = pred_probs.tolist()
        results.append(row_result(pred_class, pred_probs, class_names))
    return results
