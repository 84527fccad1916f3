"""system.pharmagen: the report's "Expected Performance Gains" and "Hardware-Specific
Benefits" ("Training Speed 2-4x faster", "CPU-only systems: 1.2-1.5x from workers
+ vectorization"), read on the codebase's own train_pipeline with each change of
the PR on that path a switch (Aderfi/Pharmagen 4a1e100f -> 3cd3227b)."""
from __future__ import annotations

from optbench.core.claim import Case, Claimed, Equivalence, Metric, Workload
from optbench.core.design import Switch
from optbench.core.measure import measure_device_memory
from optbench.core.system import system
from optbench.workloads import pharmgkb

from . import pipeline

SWITCHES = (
    Switch("literal_replace", "data.py: the single-label columns' space -> '_' replace with "
           "regex=False (pandas' default since 2.0: the same call)", "3cd3227b"),
    Switch("label_guard", "data.py: the multi-label clean-up only on lists (before, it ran on "
           "each raw phenotype_outcome string and made a list of its characters)", "3cd3227b"),
    Switch("dynamic_workers", "pipeline.py: num_workers 4 -> min(cpu_count(), 8), both loaders",
           "3cd3227b"),
    Switch("persistent_workers", "pipeline.py: persistent_workers=True (num_workers > 0)",
           "3cd3227b"),
    Switch("pin_memory", "pipeline.py: pin_memory=torch.cuda.is_available()", "3cd3227b"),
    Switch("non_blocking", "train.py: every batch tensor .to(device, non_blocking=True)",
           "3cd3227b"),
    Switch("amp", "train.py: float16 autocast and a GradScaler when "
           "torch.cuda.is_available()", "3cd3227b"),
    Switch("cuda_flags", "pipeline.py: cudnn.benchmark and TF32 (matmul, cuDNN) on when "
           "torch.cuda.is_available()", "3cd3227b"),
)
ROWS_QUICK, ROWS = (500,), (500, 1000)


def _run(configuration, case: Case, count_workers=None) -> dict:
    return pipeline.run(configuration.on, case.data, case.workdir / "run", scale=pipeline.FULL,
                        device=case.device, count_workers=count_workers)


def _workers_started(state) -> int:
    queues: list = []
    _run(state.case.implementation, state.case, count_workers=queues)
    started = 0
    for queue in queues:
        while not queue.empty():
            queue.get()
            started += 1
    return started


def _cuda_gated(state) -> str:
    """What amp, cuda_flags and pin_memory do here: the codebase gates them on
    torch.cuda.is_available() (read from the installed torch), its device
    being CUDA exactly then."""
    import torch

    if torch.cuda.is_available() and state.case.device == "cuda":
        return "torch.cuda.is_available() is True: amp, cuda_flags and pin_memory act"
    if torch.cuda.is_available():
        return ("a CPU run on a CUDA machine (the codebase would run on CUDA): amp, "
                "cuda_flags and pin_memory leave the before code's path")
    return ("torch.cuda.is_available() is False: amp, cuda_flags and pin_memory leave the "
            "before code's path")


def _device_peak_bytes(state):
    if state.case.device != "cuda":
        return "host memory: see run_peak_bytes"
    return measure_device_memory(state).peak_bytes


# Pharmagen report, Hardware-Specific Benefits: "CPU-only: Moderate improvement:
# 1.2-1.5x from workers + vectorization".
ON_CPU = Claimed.times_fewer(1.2, 1.5, text="CPU-only systems: 1.2-1.5x from workers + "
                                           "vectorization")
# Pharmagen report, Expected Performance Gains: "Training Speed | 2-4x faster | AMP + GPU
# opts" (a GPU figure).
ON_GPU = Claimed.times_fewer(2, 4, text="Training Speed 2-4x faster (AMP + GPU opts)")

SYSTEM = system(
    id="system.pharmagen",
    source="pharmagen report (Expected Performance Gains, Hardware-Specific Benefits); "
           "Aderfi/Pharmagen 4a1e100f -> 3cd3227b",
    component="pharmagen",
    title="train_pipeline end to end (load, clean, encode, split, loaders, DeepFM model, an "
          "epoch of training and validation, save), every change of the PR on its path a "
          "switch",
    claimed=ON_CPU,
    claimed_on={"cuda": ON_GPU},
    switches=SWITCHES,
    workload=Workload(
        "a PharmGKB-like annotation table (the file's ten columns; Zipf-like drugs and genes; "
        "1-3 of six outcomes per row in phenotype_outcome; 30 effect types with a long tail), "
        "rows as the size; the codebase's model (embedding 384, 4 layers of 1,280) and "
        "settings (batches of 64, 80/20 split, 1 epoch: train_pipeline forces it)",
        pharmgkb.scratch_tsv, sizes=ROWS, quick_sizes=ROWS_QUICK, size_unit="rows"),
    quick_design="none",
    run=_run,
    metric_name="run_seconds",
    metric_description="one whole train_pipeline run: load and clean the table, encoders, "
                       "split, loaders with their workers, the model, one epoch of training "
                       "and validation, the saved model, report and encoders",
    secondary=(
        Metric("worker_processes", "counter", "processes", _workers_started,
               "DataLoader worker processes started in one run (both loaders)"),
        Metric("phenotype_outcome_labels", "value", "labels",
               lambda state: len(state()["labels"]["phenotype_outcome"]),
               "labels of the multi-label target (the width of its head)"),
        Metric("run_peak_bytes", "memory", "bytes", lambda state: state(),
               "peak host heap of the main process in one run (memray; the workers' "
               "batching is not in it)"),
        Metric("device_peak_bytes", "value", "bytes", _device_peak_bytes,
               "CUDA: torch.cuda.max_memory_allocated over one run after a reset"),
        Metric("cuda_gated_switches", "value", "", _cuda_gated,
               "whether the switches the codebase gates on CUDA act here, read from torch"),
    ),
    # The report: "Zero impact on model architecture or algorithms", "No changes to
    # data handling". float16 autocast rounds on CUDA by design: the tolerance is for it.
    equivalence=Equivalence.structures(
        rtol=1e-2, atol=1e-3,
        description="the same labels, split, losses, accuracies and final weights (within 1% "
                    "+ 0.001 for CUDA's float16 autocast; nothing autocasts on the CPU)"),
    headline_size=1000,
    devices=("cpu", "cuda"),
    isolation="in-process: each run seeds random, NumPy and torch with 711 as the codebase "
              "does, writes under a fresh folder, and its two DataLoaders fork new workers "
              "(persistent or not, one epoch starts each loader's once); process-wide "
              "backend flags are set and restored around the run",
    notes="Follows pgen_model/src/pipeline.py, data.py, model.py, train.py and focal_loss.py "
          "at 4a1e100f (before) and 3cd3227b (after; the same four files at 2d5c8c34). The "
          "data.py change is two switches: regex=False is pandas' default (no change), and "
          "the multi-label guard changes the task: before, each phenotype_outcome string is "
          "turned into a list of its characters, so its labels are fragments such as \"'D'\" "
          "(and a missing cell raises TypeError); after, the labels are the outcomes. The "
          "CUDA-gated switches (amp, cuda_flags, pin_memory) are gated on "
          "torch.cuda.is_available(), as the codebase gates them: on the CPU they change "
          "nothing. dynamic_workers gives min(cpu_count(), 8) workers: on a 2-core machine 2 "
          "(was 4). The performance monitor (eb7183e6) is not a switch: no file of the "
          "codebase imports it. optuna_train.py's loaders (de8b0ccf) are not on this path. "
          "The codebase's file is not readable from its stored history: rows and "
          "cardinalities are the generator's.",
)

CLAIMS = [SYSTEM]
