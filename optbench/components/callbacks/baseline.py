"""src/training/callbacks.py MetricsLogger at 6b13c54 (before PR #6; training-system
report §1.3): each epoch's metrics are appended to the history and the whole
metrics JSON is rewritten, every epoch. Epochs count from 1, as the
codebase's Trainer numbers them."""
from __future__ import annotations

import json
from pathlib import Path


class EveryEpochMetricsLogger:
    def __init__(self, log_dir: Path, log_interval: int = 10):
        self.log_dir = Path(log_dir)
        self.metrics_file = self.log_dir / "metrics.json"
        self.log_interval = log_interval
        self.epoch_metrics = {"epochs": []}

    def _save(self) -> None:
        with open(self.metrics_file, "w") as f:
            json.dump(self.epoch_metrics, f, indent=2)

    def on_epoch_end(self, epoch: int, metrics: dict, trainer=None) -> None:
        self.epoch_metrics["epochs"].append({"epoch": epoch, "metrics": dict(metrics)})
        self._save()

    def on_train_end(self, trainer=None) -> None:
        """The before-code has no end-of-training hook: every epoch is on disk."""
