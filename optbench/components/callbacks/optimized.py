"""src/training/callbacks.py MetricsLogger after PR #6 (29be98f; training-system
report §1.3), and two what-if readings of the report's own text.

The real code (fadd6ab, fixed in 7d25460) counts epochs since the last save
and saves when `save_interval` (5) have passed *or* the epoch is the
Trainer's last (`epoch == trainer.epochs`); at training end it saves once
more only if epochs are unsaved. 50 epochs: saves at 5, 10, ..., 50, none at
the end: 10. An early stop at epoch e: e // 5, plus one when e is not a
multiple of 5. (At fadd6ab the condition read `trainer.epochs - 1` and the
Trainer had no `epochs`: training raised at the end of epoch 1 until 7d25460.)

What-if readings (code nobody ran, kept because the report says it):
- the snippet as the report prints it: the interval save only, no final
  clause, no save at the end (10 saves for 50 epochs, the last epochs of a
  52-epoch run never saved);
- the report's text, "final save on training end guaranteed", read as an
  unconditional save at the end (11 for 50 epochs).
"""
from __future__ import annotations

import json
from pathlib import Path


class SnippetIntervalMetricsLogger:
    """What-if: the report's snippet alone, every `save_interval` epochs."""

    def __init__(self, log_dir: Path, log_interval: int = 10, save_interval: int = 5):
        self.log_dir = Path(log_dir)
        self.metrics_file = self.log_dir / "metrics.json"
        self.log_interval = log_interval
        self.save_interval = save_interval
        self._epochs_since_save = 0
        self.epoch_metrics = {"epochs": []}

    def _save(self) -> None:
        with open(self.metrics_file, "w") as f:
            json.dump(self.epoch_metrics, f, indent=2)
        self._epochs_since_save = 0

    def _due(self, epoch: int, trainer) -> bool:
        return self._epochs_since_save >= self.save_interval

    def on_epoch_end(self, epoch: int, metrics: dict, trainer=None) -> None:
        self.epoch_metrics["epochs"].append({"epoch": epoch, "metrics": dict(metrics)})
        self._epochs_since_save += 1
        if self._due(epoch, trainer):
            self._save()

    def on_train_end(self, trainer=None) -> None:
        """The snippet shows no save here."""


class IntervalMetricsLogger(SnippetIntervalMetricsLogger):
    """The code at 29be98f: the interval, the Trainer's last epoch, and a save
    at the end only when epochs are unsaved (an early stop)."""

    def _due(self, epoch: int, trainer) -> bool:
        return self._epochs_since_save >= self.save_interval or epoch == trainer.epochs

    def on_train_end(self, trainer=None) -> None:
        if self._epochs_since_save > 0:
            self._save()


class GuaranteedFinalSaveLogger(SnippetIntervalMetricsLogger):
    """What-if: the snippet plus the unconditional final save the text promises."""

    def on_train_end(self, trainer=None) -> None:
        self._save()
