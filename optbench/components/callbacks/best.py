"""Append one JSON line per epoch instead of rewriting the whole file.

Every epoch reaches the file (nothing is lost on SIGKILL), each write is
one short line instead of the whole history (bytes written grow linearly,
not quadratically with epochs), and a crash mid-write can damage only the
last line, never the epochs before it. The final JSON document the other
variants write is produced once, atomically, at the end of training.
"""
from __future__ import annotations

import json
import os
from pathlib import Path


class AppendingMetricsLogger:
    def __init__(self, log_dir: Path, log_interval: int = 10):
        self.log_dir = Path(log_dir)
        self.metrics_file = self.log_dir / "metrics.json"
        self.lines_file = self.log_dir / "metrics.jsonl"
        self.log_interval = log_interval
        self.epoch_metrics = {"epochs": []}
        self._lines = open(self.lines_file, "a", buffering=1)  # one write per line

    def on_epoch_end(self, epoch: int, metrics: dict, trainer=None) -> None:
        epoch_data = {"epoch": epoch, "metrics": dict(metrics)}
        self.epoch_metrics["epochs"].append(epoch_data)
        self._lines.write(json.dumps(epoch_data) + "\n")

    def on_train_end(self, trainer=None) -> None:
        self._lines.close()
        tmp = self.metrics_file.with_suffix(".json.tmp")
        with open(tmp, "w") as f:
            json.dump(self.epoch_metrics, f, indent=2)
        os.replace(tmp, self.metrics_file)

    @staticmethod
    def recover(log_dir: Path) -> dict:
        """The epochs on disk after a crash: every complete line."""
        epochs = []
        path = Path(log_dir) / "metrics.jsonl"
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    epochs.append(json.loads(line))
                except json.JSONDecodeError:
                    break  # a line cut short by the crash
        return {"epochs": epochs}
