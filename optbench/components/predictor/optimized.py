"""src/inference/predictor.py after the report (training-system report §1.4): enumerate(zip())."""
from __future__ import annotations


def format_predictions(preds, probs) -> list[dict]:
    results = []
    for i, (pred_class, pred_probs) in enumerate(zip(preds, probs)):
        pred_class = int(pred_class)
        pred_probs = pred_probs.tolist()
        results.append({"index": i, "predicted_class": pred_class,
                        "probabilities": pred_probs})
    return results
