"""Model registry documents shaped as the training system writes them, seeded."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

import numpy as np

SEED = 20261123
START = datetime(2026, 1, 5, 9, 0, 0)
NAMES = ("mlp_classifier", "cnn_classifier", "resnet_finetune")
TYPES = ("tabular", "vision", "vision")


def ticking_clock(start: datetime = START) -> Callable[[], datetime]:
    """A clock a second later at each call: unique ids, the same every run."""
    state = {"now": start}

    def now() -> datetime:
        state["now"] += timedelta(seconds=1)
        return state["now"]
    return now


def registry_document(models: int, seed: int = SEED) -> dict:
    """A registry.json with `models` entries, registered a minute apart in
    order, and 100 ids a caller looks up."""
    rng = np.random.default_rng(seed)
    entries = []
    for i in range(models):
        at = START - timedelta(minutes=models - i)
        kind = i % len(NAMES)
        model_id = f"{NAMES[kind]}_{at:%Y%m%d_%H%M%S}"
        entries.append({
            "model_id": model_id, "model_name": NAMES[kind], "model_type": TYPES[kind],
            "model_path": "artifacts/models/best_model.pth", "registered_at": at.isoformat(),
            "metrics": {"val_accuracy": round(float(rng.random()), 4),
                        "val_loss": round(float(rng.random()), 4)},
            "config": {"model_type": TYPES[kind]}, "tags": [],
            "notes": "Trained via train.py script"})
    ids = [e["model_id"] for e in entries]
    lookups = [ids[i] for i in rng.integers(0, models, size=100)]
    return {"document": {"models": entries,
                         "metadata": {"created_at": (START - timedelta(days=1)).isoformat(),
                                      "total_models": models}},
            "lookups": lookups}
