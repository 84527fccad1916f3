"""The DataLoader settings of the pharmagen report and the video-pipeline
report §3, one claim per setting (factory.py builds the loaders):

loader.dynamic_workers     "num_workers = min(cpu_count(), 8)", "10-30% improvement":
                           Pharmagen's train loader, 4 workers -> the formula
                           (Aderfi/Pharmagen 4a1e100f -> 3cd3227b)
loader.dynamic_workers_whatif  the formula against no workers, over image files
loader.persistent_workers_whatif  "Workers persist across epochs", "Reduces memory fragmentation"
loader.prefetch_factor_whatif     "prefetch_factor=2 (batch prefetching)"
loader.pin_memory_whatif          "pin_memory=True (faster CPU→GPU transfer)"

The last three are what-ifs: the video-pipeline report's settings with 2
workers, over the collator's image files (a file decoded and resized per
sample). The video codebase itself passes num_workers=0, so there they are
the defaults (system.video's loader_settings switch); Pharmagen's own
pin_memory (`torch.cuda.is_available()`) and persistent_workers (with the one
epoch train_pipeline forces) are switches of system.pharmagen.
"""
from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field

import psutil
import torch

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.isolate import in_a_new_process
from optbench.core.units import quantity

from . import (DYNAMIC_WORKERS_VARIANTS, DYNAMIC_WORKERS_WHATIF_VARIANTS,
               PERSISTENT_WORKERS_VARIANTS, PIN_MEMORY_VARIANTS, PREFETCH_FACTOR_VARIANTS)
from .datasets import InMemory, image_files
from .factory import (REPORT_FORMULA, LoaderSettings, affinity_cpus, best_workers,
                      cgroup_cpu_quota, make_loader, report_workers, usable_cpus, workers_of)

BATCH = 16
EPOCHS = 3


@dataclass
class LoaderData:
    dataset: torch.utils.data.Dataset
    shared: dict = field(default_factory=dict, repr=False)   # readings every variant shows


@dataclass
class Loading:
    case: Case
    loader: torch.utils.data.DataLoader


def _images(count: int) -> LoaderData:
    return LoaderData(image_files(count))


def _setup(case: Case) -> Loading:
    return Loading(case, make_loader(case.data.dataset, BATCH, case.implementation))


def _epoch(state: Loading) -> None:
    for _ in state.loader:
        pass


def _batches(case: Case) -> list:
    """Every batch of one epoch, in order: what the settings must not change.
    (PyTorch's warnings here are loader.pin_memory_whatif's `warnings` reading.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [tuple(t.clone() for t in batch) for batch in _setup(case).loader]


def _throughput(dataset, workers: int, epochs: int = 2,
                batch: int = BATCH) -> tuple[float, list[str]]:
    """Samples per second over `epochs` epochs with `workers` workers (their
    start each epoch included, as a loader without persistent workers pays),
    and what PyTorch warned meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loader = make_loader(dataset, batch, LoaderSettings(num_workers=workers))
        started = time.perf_counter()
        for _ in range(epochs):
            for _ in loader:
                pass
        seconds = time.perf_counter() - started
    return epochs * len(dataset) / seconds, [str(w.message) for w in caught]


def _worker_counts() -> list[int]:
    """0 up to the formula's count, and past the usable CPUs: 2x them, and 8
    (what the formula gives on a host of 8+ CPUs whatever the quota)."""
    return sorted({0, 1, usable_cpus(), report_workers(), best_workers(),
                   2 * usable_cpus(), 8})


def _by_workers(state: Loading, dataset_key: str, batch: int = BATCH) -> str:
    """Throughput for each worker count over the case's own dataset, or
    ("in_memory") samples already in memory."""
    shared = state.case.data.shared
    if dataset_key not in shared:
        dataset = InMemory(len(state.case.data.dataset)) if dataset_key == "in_memory" else \
            state.case.data.dataset
        usable, parts, warned = usable_cpus(), [], None
        for n in _worker_counts():
            rate, said = _throughput(dataset, n, batch=batch)
            parts.append(f"{n}: {quantity(rate, '')}/s" + (" (oversubscribed)" if n > usable
                                                           else ""))
            if warned is None and any("suggested max number of worker" in m for m in said):
                warned = n
        shared[dataset_key] = " · ".join(parts) + (
            f"; PyTorch warned of too many workers from {warned} on" if warned else "")
    return shared[dataset_key]


def _cpu_facts(_state) -> str:
    quota = cgroup_cpu_quota()
    return (f"os.cpu_count() {os.cpu_count()} · sched_getaffinity {affinity_cpus()} · "
            f"cgroup quota "
            f"{'none' if quota is None else f'{quota:g} CPUs'} · {REPORT_FORMULA} = "
            f"{report_workers()} workers · best (usable CPUs, capped at 8) {best_workers()}")


def _workers(state: Loading) -> int:
    return workers_of(state.case.implementation)


# Pharmagen report, CPU Optimizations 1: "Dynamic Worker Allocation - Adapts to
# available CPU cores - Prevents over/under-subscription - `num_workers =
# min(cpu_count(), 8)`" under "CPU Optimizations (10-30% improvement)"; its table:
# "CPU Efficiency | 10-30% better | Dynamic workers".
TEN_THIRTY = Claimed.percent_less(10, 30, text="10-30% CPU improvement (dynamic workers)")

DYNAMIC_WORKERS_WHATIF = Claim(
    id="loader.dynamic_workers_whatif",
    source="pharmagen report, CPU Optimizations 1",
    component="loaders",
    title=f"What-if: DataLoader workers: none (PyTorch's default) -> {REPORT_FORMULA}, over "
          f"image files",
    claimed=TEN_THIRTY,
    variants=DYNAMIC_WORKERS_WHATIF_VARIANTS,
    workload=Workload("the collator's image files (128x96 and 256x256, JPEG and PNG), "
                      "decoded and resized to 64x64 per sample; batches of 16", _images,
                      sizes=(64, 256), quick_sizes=(64,), size_unit="images"),
    setup=_setup,
    primary=Metric("epoch_time", "time", "s", _epoch,
                   "one epoch, the workers' start included (they are not persistent)"),
    secondary=(
        Metric("workers", "value", "workers", _workers, "the variant's num_workers here"),
        Metric("cpu_facts", "value", "", _cpu_facts,
               "what os.cpu_count(), the affinity and the cgroup quota say here"),
        Metric("images_per_s_by_workers", "value", "", lambda s: _by_workers(s, "images"),
               "throughput over 2 epochs for each worker count, image files"),
        Metric("in_memory_per_s_by_workers", "value", "",
               lambda s: _by_workers(s, "in_memory"),
               "the same for samples already in memory (nothing to spread over workers)"),
    ),
    output=_batches,
    equivalence=Equivalence.allclose(rtol=0, atol=0, description="the same batches, in order"),
    notes="What-if (revision 1 of loader.dynamic_workers, read from the report's text): no "
          "num_workers argument before (PyTorch's default, 0), over image files the codebase "
          "never loads; the codebase had 4 workers (loader.dynamic_workers). In a container "
          "os.cpu_count() is the host's: the formula can start 8 workers on 2 usable CPUs; "
          "the by-workers readings show what that costs here.",
)


PHARMAGEN_BATCH = 64


def _pharmagen_train_set(rows: int) -> LoaderData:
    """The train part of the generated table as the after commit's pipeline
    encodes it (PGenDataset: one tensor per column, a dict per item)."""
    from optbench.components.pharmagen import pipeline, steps

    train, _, _ = steps.train_part(rows)
    return LoaderData(pipeline.PGenDataset(train))


def _pharmagen_setup(case: Case) -> Loading:
    # 4 workers on a 2-CPU machine is the codebase's setting: PyTorch's warning
    # about it is expected (cpu_facts says what the machine has), not printed
    # over the verdicts. The filter is process-wide: verify runs each claim in
    # a process of its own, an in-process run keeps it (that warning only).
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    return Loading(case, make_loader(case.data.dataset, PHARMAGEN_BATCH, case.implementation,
                                     shuffle=True))


def _pharmagen_batches(case: Case) -> list:
    """Every batch of one epoch, shuffled as the pipeline seeds it (711)."""
    torch.manual_seed(711)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [{k: v.clone() for k, v in batch.items()}
                for batch in _pharmagen_setup(case).loader]


DYNAMIC_WORKERS = Claim(
    id="loader.dynamic_workers",
    source="pharmagen report, CPU Optimizations 1; pgen_model/src/pipeline.py, "
           "Aderfi/Pharmagen 4a1e100f -> 3cd3227b",
    component="loaders",
    title=f"the codebase's train loader: num_workers=4 -> {REPORT_FORMULA}",
    claimed=TEN_THIRTY,
    variants=DYNAMIC_WORKERS_VARIANTS,
    workload=Workload("Pharmagen's train loader over its dataset (the generated table's train "
                      "part, 80% of the rows, encoded: a dict of nine tensors per item), "
                      f"batches of {PHARMAGEN_BATCH}, shuffled", _pharmagen_train_set,
                      sizes=(1000, 10_000), quick_sizes=(1000,), size_unit="rows"),
    setup=_pharmagen_setup,
    primary=Metric("epoch_time", "time", "s", _epoch,
                   "one epoch of the loader, its workers' start included (train_pipeline "
                   "iterates each loader once: its one epoch)"),
    secondary=(
        Metric("workers", "value", "workers", _workers, "the variant's num_workers here"),
        Metric("cpu_facts", "value", "", _cpu_facts,
               "what os.cpu_count(), the affinity and the cgroup quota say here"),
        Metric("rows_per_s_by_workers", "value", "",
               lambda s: _by_workers(s, "pharmagen", PHARMAGEN_BATCH),
               "throughput over 2 epochs for each worker count, the codebase's dataset"),
    ),
    output=_pharmagen_batches,
    equivalence=Equivalence.structures(description="the same batches, in order"),
    revision=2,
    notes="Follows pipeline.py's train and validation loaders at 4a1e100f (num_workers=4, "
          "nothing else set) and 3cd3227b (min(multiprocessing.cpu_count(), 8); its "
          "pin_memory and persistent_workers are system.pharmagen's other switches). The "
          "formula reads the machine's CPUs, not the ones this process may use: on this "
          "2-core machine 4 workers become 2; on a host of 8 or more CPUs in a 2-CPU "
          "container, 8 (best reads the affinity and the quota). Revision 2: was no workers "
          "(PyTorch's default) before, over image files (now loader.dynamic_workers_whatif).",
)


# --- loader.persistent_workers_whatif ---------------------------------------------------

def _first_batches(state: Loading) -> list[float]:
    """Time to each epoch's first batch, over EPOCHS epochs of one loader."""
    waits = []
    for _ in range(EPOCHS):
        started = time.perf_counter()
        iterator = iter(state.loader)
        next(iterator)
        waits.append(time.perf_counter() - started)
        for _ in iterator:
            pass
    return waits


def _tree_memory(state: Loading) -> dict[str, int]:
    """RSS and USS of a process and its workers after EPOCHS epochs of a new
    loader, workers alive (persistent ones are; others are gone). In a
    process of its own: the other variant's persistent workers must not be
    counted. Once per variant."""
    if "tree" not in state.__dict__:
        def run():
            fresh = _setup(state.case)
            _first_batches(fresh)
            me = psutil.Process()
            tree = [me, *me.children(recursive=True)]
            return {"rss": sum(p.memory_info().rss for p in tree),
                    "uss": sum(p.memory_full_info().uss for p in tree)}
        state.__dict__["tree"] = in_a_new_process(run)
    return state.__dict__["tree"]


def _first_batch_seconds(state: Loading) -> str:
    waits = _first_batches(_setup(state.case))
    return " · ".join(f"epoch {i + 1}: {quantity(w, 's')}" for i, w in enumerate(waits))


# Pharmagen report, Memory Optimizations 2: "Persistent Workers - Workers persist
# across epochs - Reduces memory fragmentation"; video-pipeline report §3:
# "`persistent_workers=True` (when num_workers > 0)". No figure: read as an epoch of
# a reused loader (workers' start included) at least 10% faster; memory: the readings.
PERSIST = Claimed.percent_less(10, text="workers persist across epochs (read as: an epoch of "
                                        "a reused loader at least 10% faster)")

PERSISTENT_WORKERS = Claim(
    id="loader.persistent_workers_whatif",
    source="video-pipeline report §3 (pharmagen report, Memory Optimizations 2: see notes)",
    component="loaders",
    title="what-if, 2 workers: persistent_workers=False (PyTorch's default) -> True",
    claimed=PERSIST,
    variants=PERSISTENT_WORKERS_VARIANTS,
    workload=Workload("the collator's image files, decoded and resized per sample; batches "
                      "of 16; 2 workers", _images, sizes=(64, 256), quick_sizes=(64,),
                      size_unit="images"),
    setup=_setup,
    # The loader is reused from call to call: a persistent one keeps its
    # workers between epochs, the other starts them again each time.
    primary=Metric("epoch_time", "time", "s", _epoch,
                   "one epoch from iter(loader) to its end, the loader reused epoch after "
                   "epoch (so after the first, a persistent loader's workers are running)"),
    secondary=(
        Metric("first_batch_by_epoch", "value", "", _first_batch_seconds,
               f"time to each epoch's first batch over {EPOCHS} epochs of a new loader"),
        Metric("process_tree_rss", "value", "bytes", lambda s: _tree_memory(s)["rss"],
               f"RSS of a process and its workers after {EPOCHS} epochs of a new loader "
               f"(psutil; pages shared with the parent count in each process)"),
        Metric("process_tree_uss", "value", "bytes", lambda s: _tree_memory(s)["uss"],
               "the same tree's unique memory (USS): what the workers really add"),
    ),
    output=_batches,
    equivalence=Equivalence.allclose(rtol=0, atol=0, description="the same batches, in order"),
    notes="A what-if: the video codebase (AURA) passes num_workers=0 for every model, so "
          "70877759's persistent_workers=(num_workers > 0) is False, the default "
          "(system.video's loader_settings switch). Pharmagen's own persistent_workers "
          "(3cd3227b) is a switch of system.pharmagen: there train_pipeline forces one "
          "epoch, so each loader starts its workers once either way.",
)


# --- loader.prefetch_factor_whatif ------------------------------------------------------

STEP_SECONDS = 0.004   # a training step's time, stood in for by a sleep


def _training_epoch(state: Loading) -> None:
    for _ in state.loader:
        time.sleep(STEP_SECONDS)


def _waiting_share(state: Loading) -> str:
    loader = _setup(state.case).loader
    waited, started = 0.0, time.perf_counter()
    iterator = iter(loader)
    while True:
        asked = time.perf_counter()
        try:
            next(iterator)
        except StopIteration:
            break
        waited += time.perf_counter() - asked
        time.sleep(STEP_SECONDS)
    total = time.perf_counter() - started
    return f"waited {quantity(waited, 's')} of {quantity(total, 's')} ({100 * waited / total:.0f}%)"


def _default_prefetch(state: Loading) -> str:
    default = torch.utils.data.DataLoader(state.case.data.dataset, num_workers=2).prefetch_factor
    mine = state.loader.prefetch_factor
    return (f"{mine} here; PyTorch {torch.__version__}'s default with workers: {default}"
            + (" (the same: no change)" if mine == default else ""))


def _prefetch_no_op(_device: str) -> str | None:
    """The optimized's prefetch_factor, where it is PyTorch's own default with
    workers (read from the installed DataLoader, which starts no worker here)."""
    default = torch.utils.data.DataLoader(range(2), num_workers=2).prefetch_factor
    mine = PREFETCH_FACTOR_VARIANTS["optimized"].prefetch_factor
    if mine != default:
        return None
    return (f"prefetch_factor={mine} is PyTorch {torch.__version__}'s default with workers "
            f"(DataLoader(num_workers=2).prefetch_factor is {default})")


# Video-pipeline report §3: "`prefetch_factor=2` (batch prefetching)"; "Non-blocking
# transfers + prefetching (overlapped computation)". No figure: read as a training
# epoch at least 10% faster.
PREFETCH = Claimed.percent_less(10, text="batch prefetching (read as: a training epoch at "
                                         "least 10% faster)")

PREFETCH_FACTOR = Claim(
    id="loader.prefetch_factor_whatif",
    source="video-pipeline report §3",
    component="loaders",
    title="what-if, 2 workers: prefetch_factor left out -> prefetch_factor=2",
    claimed=PREFETCH,
    variants=PREFETCH_FACTOR_VARIANTS,
    workload=Workload(f"the collator's image files; batches of 16; 2 workers; a "
                      f"{STEP_SECONDS * 1000:g} ms training step per batch", _images,
                      sizes=(64, 256), quick_sizes=(64,), size_unit="images"),
    setup=_setup,
    primary=Metric("training_epoch_time", "time", "s", _training_epoch,
                   "one epoch of a loop that takes a batch and trains on it"),
    secondary=(
        Metric("prefetch_factor", "value", "", _default_prefetch,
               "the loader's prefetch_factor against PyTorch's default, read from PyTorch"),
        Metric("waiting_for_batches", "value", "", _waiting_share,
               "time the loop spent waiting in next(loader), one epoch"),
    ),
    output=_batches,
    equivalence=Equivalence.allclose(rtol=0, atol=0, description="the same batches, in order"),
    no_op=_prefetch_no_op,
    notes="A what-if: the video codebase (AURA) passes num_workers=0 for every model, so "
          "70877759's prefetch_factor=(2 if num_workers > 0 else None) is None, PyTorch's "
          "default without workers (system.video's loader_settings switch).",
)


# --- loader.pin_memory_whatif ------------------------------------------------------------

def _to_device_epoch(state: Loading) -> None:
    device = state.case.device
    with warnings.catch_warnings():   # recorded once by the warnings metric, not per epoch
        warnings.simplefilter("ignore")
        for images, _labels in state.loader:
            images.to(device, non_blocking=True)
    if device == "cuda":
        torch.cuda.synchronize()


def _pin_warnings(state: Loading) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in _setup(state.case).loader:
            break
    said = sorted({str(w.message) for w in caught})
    return " | ".join(said) if said else "no warning"


def _pinned(state: Loading) -> str:
    with warnings.catch_warnings():   # said once, by the warnings reading
        warnings.simplefilter("ignore")
        images, _ = next(iter(state.loader))
    return "pinned" if images.is_pinned() else "pageable"


def _accelerator_available() -> bool:
    accelerator = getattr(torch, "accelerator", None)   # torch >= 2.6
    return accelerator.is_available() if accelerator else torch.cuda.is_available()


def _pin_no_op(device: str) -> str | None:
    """Without an accelerator the DataLoader ignores pin_memory=True (it warns
    and hands pageable batches); with one, even a CPU run pins."""
    if device != "cpu" or _accelerator_available():
        return None
    return (f"PyTorch {torch.__version__} pins only where an accelerator exists, and "
            f"torch.accelerator.is_available() is False here: pin_memory=True is ignored")


# Video-pipeline report §3: "`pin_memory=True` (faster CPU→GPU transfer)"; pharmagen
# report, Memory Optimizations 1: "Pin Memory - Faster GPU transfers via pinned
# memory". No figure: read as an epoch of transfers at least 10% faster.
FASTER_TRANSFER = Claimed.percent_less(10, text="faster CPU→GPU transfer (read as: an epoch "
                                                "of transfers at least 10% faster)")

PIN_MEMORY = Claim(
    id="loader.pin_memory_whatif",
    source="video-pipeline report §3 (pharmagen report, Memory Optimizations 1: see notes)",
    component="loaders",
    title="what-if: pin_memory left out -> pin_memory=True",
    claimed=FASTER_TRANSFER,
    variants=PIN_MEMORY_VARIANTS,
    workload=Workload("the in-memory dataset (64x64 images), batches of 16, no workers; each "
                      "batch copied to the device", lambda n: LoaderData(InMemory(n)),
                      sizes=(256, 2048), quick_sizes=(256,), size_unit="images"),
    setup=_setup,
    primary=Metric("transfer_epoch_time", "time", "s", _to_device_epoch,
                   "one epoch, each batch sent to the device (non_blocking, synchronized at "
                   "the end on CUDA)"),
    secondary=(
        Metric("warnings", "value", "", _pin_warnings,
                "what PyTorch warns when the loader starts"),
        Metric("batch_memory", "value", "", _pinned, "whether a batch arrives pinned"),
    ),
    output=_batches,
    equivalence=Equivalence.allclose(rtol=0, atol=0, description="the same batches, in order"),
    devices=("cpu", "cuda"),
    no_op=_pin_no_op,
    notes="A what-if: the video codebase (AURA) passes pin_memory=torch.cuda.is_available() "
          "at 5332a68b and 70877759 alike (system.video's loader_settings switch); "
          "Pharmagen's own pin_memory (3cd3227b: pin_memory=torch.cuda.is_available()) is a "
          "switch of system.pharmagen: without CUDA it is False on both sides.",
)

CLAIMS = [DYNAMIC_WORKERS, DYNAMIC_WORKERS_WHATIF, PERSISTENT_WORKERS, PREFETCH_FACTOR,
          PIN_MEMORY]
