"""Log messages and strings, seeded."""
from __future__ import annotations

import numpy as np

SEED = 20261123


def log_messages(count: int, seed: int = SEED) -> list[tuple[str, dict]]:
    """Training-loop log lines: a message and the fields a caller passes."""
    rng = np.random.default_rng(seed)
    losses = rng.random(count) * 4
    return [(f"epoch {i // 100} step {i % 100} loss {losses[i]:.4f}",
             {"lr": round(1e-3 * (1 - i / max(count, 1)), 6), "seq": i})
            for i in range(count)]
