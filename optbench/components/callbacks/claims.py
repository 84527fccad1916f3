"""callbacks.metrics_interval: "80% fewer writes (50 -> 10 for 50 epochs)" (seed 002 §1.3)."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.crash import ready, run_child
from optbench.core.measure import count_file_io, one_count
from optbench.workloads.tensors import epoch_metrics

from . import VARIANTS

KILL_BEFORE_END = 3


def _setup(case: Case):
    return case, itertools.count()


def _fresh_dir(state) -> Path:
    case, names = state
    folder = case.workdir / f"run-{next(names)}"
    folder.mkdir()
    return folder


def _train(logger, metrics: list[dict]) -> None:
    for epoch, m in enumerate(metrics):
        logger.on_epoch_end(epoch, m)
    logger.on_train_end()


def _file_io(state) -> dict[str, int]:
    case, _ = state
    folder = _fresh_dir(state)
    with count_file_io(folder) as counts:
        _train(case.implementation(folder), case.data)
    return counts.as_dict()


def _callback_run(state) -> None:
    case, _ = state
    _train(case.implementation(_fresh_dir(state)), case.data)


def crash_child(variant: str, folder: str, epochs: int) -> None:
    """Runs in the child process: `epochs` epochs, then killed before training ends."""
    logger = VARIANTS[variant](Path(folder))
    for epoch, m in enumerate(epoch_metrics(epochs)):
        logger.on_epoch_end(epoch, m)
    ready()


def _epochs_on_disk(folder: Path) -> int:
    best = VARIANTS.get("best")
    if (folder / "metrics.jsonl").exists() and best is not None:
        return len(best.recover(folder)["epochs"])
    path = folder / "metrics.json"
    if not path.exists():
        return 0
    try:
        return len(json.loads(path.read_text())["epochs"])
    except json.JSONDecodeError:
        return 0  # the whole history is unreadable


def _lost_on_sigkill(state) -> int:
    case, _ = state
    folder = _fresh_dir(state)
    epochs = max(len(case.data) - KILL_BEFORE_END, 1)
    run_child(f"{__name__}:crash_child", case.variant, str(folder), epochs, kill=True)
    return epochs - _epochs_on_disk(folder)


def _final_document(case: Case) -> dict:
    folder = case.workdir / "equivalence"
    folder.mkdir()
    _train(case.implementation(folder), case.data)
    return json.loads((folder / "metrics.json").read_text())



CLAIM = Claim(
    id="callbacks.metrics_interval",
    source="seed 002 §1.3",
    component="callbacks",
    title="Save the metrics JSON every 5 epochs (plus a final save) instead of every epoch",
    # Seed 002 §1.3: "80% reduction in file writes (every 5 epochs vs every epoch)";
    # its table: "Metrics logging (50 epochs) | 50 writes | 10 writes | 80% reduction".
    claimed=Claimed.percent_less(80, text="80% fewer writes (50 -> 10 for 50 epochs)"),
    variants=VARIANTS,
    workload=Workload("per-epoch training metrics", epoch_metrics, sizes=(10, 50, 200),
                      quick_sizes=(50,), size_unit="epochs"),
    setup=_setup,
    primary=Metric("file_writes", "counter", "opens for writing",
                   one_count(_file_io, "opens_for_write"),
                   "times a metrics file is opened for writing over the run, final save included"),
    secondary=(
        Metric("write_syscalls", "counter", "write(2) calls", one_count(_file_io, "writes"),
               "raw write calls to the metrics files over the run"),
        Metric("bytes_written", "counter", "bytes", one_count(_file_io, "bytes_written"),
               "bytes written to the metrics files over the run"),
        Metric("callback_time_per_run", "time", "s", _callback_run,
               "every on_epoch_end plus on_train_end of one run"),
        Metric("epochs_lost_on_sigkill", "counter", "epochs", _lost_on_sigkill,
               f"epochs missing on disk when the training process is killed "
               f"{KILL_BEFORE_END} epochs before the end"),
    ),
    output=_final_document,
    equivalence=Equivalence.exact("the final metrics.json is the same document"),
    headline_size=50,
    notes="The report counts the interval saves only; its guaranteed final save is "
          "counted here too, as it is a write.",
)

CLAIMS = [CLAIM]
