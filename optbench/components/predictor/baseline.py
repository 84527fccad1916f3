"""src/inference/predictor.py Predictor.predict_with_labels at 6b13c54 (before PR #6;
training-system report §1.4): an index loop over the predictions; each row
becomes a dict with its class, label, confidence, probabilities and top 3
(np.argsort of the row's probabilities, as a list)."""
from __future__ import annotations

import numpy as np


def row_result(pred_class: int, pred_probs: list, class_names) -> dict:
    """One prediction as the codebase formats it (the same at both commits)."""
    def label(index):
        return class_names[index] if class_names else str(index)

    top = np.argsort(pred_probs)[::-1][:3]
    return {"predicted_class": pred_class, "predicted_label": label(pred_class),
            "confidence": float(pred_probs[pred_class]), "probabilities": pred_probs,
            "top_3": [{"class": int(i), "label": label(i), "probability": float(pred_probs[i])}
                      for i in top]}


def format_predictions(preds, probs, class_names=None) -> list[dict]:
    results = []
    for i in range(len(preds)):
        pred_class = int(preds[i])
        pred_probs = probs[i].tolist()
        results.append(row_result(pred_class, pred_probs, class_names))
    return results
