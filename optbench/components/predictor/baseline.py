"""src/inference/predictor.py before the report (training-system report §1.4): index loop."""
from __future__ import annotations


def format_predictions(preds, probs) -> list[dict]:
    results = []
    for i in range(len(preds)):
        pred_class = int(preds[i])
        pred_probs = probs[i].tolist()
        results.append({"index": i, "predicted_class": pred_class,
                        "probabilities": pred_probs})
    return results
