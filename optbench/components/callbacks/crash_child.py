"""The SIGKILL child of the callbacks claims, kept apart from claims.py so
that the child imports a logger and the metrics, not torch (the training
claim's model): a torch import cost each child 4 s."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from optbench.core.crash import load_class, ready
from optbench.workloads.tensors import epoch_metrics


def run(logger_class: str, folder: str, epochs: int) -> None:
    """Runs in the child process: `epochs` epochs, then killed before training ends."""
    logger = load_class(logger_class)(Path(folder))
    # The run was to go KILL_BEFORE_END epochs further: it is killed before them.
    trainer = SimpleNamespace(epochs=epochs + 3)
    for epoch, m in enumerate(epoch_metrics(epochs), start=1):
        logger.on_epoch_end(epoch, m, trainer)
    ready()
