"""src/training/callbacks.py before the report (training-system report §1.3): the whole
metrics JSON is rewritten at the end of every epoch."""
from __future__ import annotations

import json
from pathlib import Path


class EveryEpochMetricsLogger:
    def __init__(self, log_dir: Path, log_interval: int = 10):
        self.log_dir = Path(log_dir)
        self.metrics_file = self.log_dir / "metrics.json"
        self.log_interval = log_interval
        self.epoch_metrics = {"epochs": []}

    def on_epoch_end(self, epoch: int, metrics: dict, trainer=None) -> None:
        epoch_data = {"epoch": epoch, **metrics}
        self.epoch_metrics["epochs"].append(epoch_data)
        with open(self.metrics_file, "w") as f:  # Every epoch!
            json.dump(self.epoch_metrics, f, indent=2)

    def on_train_end(self, trainer=None) -> None:
        """Every epoch is already on disk."""
