"""The SIGKILL child of the callbacks claims, kept apart from claims.py so
that the child imports a logger and the metrics, not torch (the training
claim's model): a torch import cost each child 4 s."""
from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace

from optbench.core.crash import ready
from optbench.workloads.tensors import epoch_metrics


def class_path(cls) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def run(class_path: str, folder: str, epochs: int) -> None:
    """Runs in the child process: `epochs` epochs, then killed before training ends."""
    module, _, name = class_path.partition(":")
    logger = getattr(importlib.import_module(module), name)(Path(folder))
    # The run was to go KILL_BEFORE_END epochs further: it is killed before them.
    trainer = SimpleNamespace(epochs=epochs + 3)
    for epoch, m in enumerate(epoch_metrics(epochs), start=1):
        logger.on_epoch_end(epoch, m, trainer)
    ready()
