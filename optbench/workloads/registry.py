"""Model registry documents, seeded."""
from __future__ import annotations

import numpy as np

SEED = 20261123


def registry_document(models: int, seed: int = SEED) -> dict:
    """A registry with `models` entries and the ids a caller looks up."""
    rng = np.random.default_rng(seed)
    ids = [f"model-{i:06d}-{rng.integers(1 << 30):08x}" for i in range(models)]
    entries = [{"model_id": mid, "model_type": ["tabular", "vision", "text"][i % 3],
                "accuracy": round(float(rng.random()), 4), "version": 1 + i % 5,
                "path": f"artifacts/models/{mid}.pt"} for i, mid in enumerate(ids)]
    lookups = [ids[i] for i in rng.integers(0, models, size=100)]
    return {"document": {"models": entries}, "lookups": lookups}
