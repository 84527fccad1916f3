"""The training step's switches, each a claim (trainer/steps.py runs them):

trainer.amp                         pharmagen report, GPU Optimizations 1: the
                                    codebase's own step (4a1e100f -> 3cd3227b)
trainer.amp_whatif, _fusion_whatif, _resnet_whatif  what-ifs: autocast on
                                    optbench's models, bfloat16 on the CPU
trainer.nonblocking_set_to_none     Lab_Project PR summary §4, optimizations doc §6:
                                    the codebase's own step (b05ebe4 -> 18601bf)
trainer.nonblocking_set_to_none_whatif  what-if: the same two changes on optbench's
                                    fusion model, pageable batches, no loss read
trainer.nonblocking_pinned          what-if: that, with the batch pinned (CUDA)
trainer.cudnn_benchmark             pharmagen report, GPU Optimizations 2 (CUDA)
trainer.tf32                        pharmagen report, GPU Optimizations 2 (CUDA)

CPU figures are never read as GPU ones: a CUDA entry without a GPU is "not
measurable here (needs CUDA)", and every CUDA region is synchronized
(`torch.cuda.synchronize()` around it) by the engine.
"""
from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.measure import measure_device_memory
from optbench.core.results import cpu_info
from optbench.core.units import number, quantity

from . import (AMP_VARIANTS, CODEBASE_STEP_VARIANTS, CUDNN_BENCHMARK_VARIANTS,
               PHARMAGEN_AMP_VARIANTS,
               NONBLOCKING_VARIANTS, TF32_VARIANTS)
from .steps import (CUDA_STEPS_PER_SAMPLE, StepTrainer, amp_dtype, cpu_has_fast_bf16,
                    steps_per_sample)

LOSS_STEPS = 20   # steps the loss curve is followed over
BATCHES = 4       # distinct batches, cycled (the model can learn them)


@dataclass
class Training:
    """A claim's workload: how to build the model and its loss, the batches,
    and each setting's loss curve once computed (shared by the variants)."""
    model: Callable[[], torch.nn.Module]
    loss: Callable
    batches: list
    pinned: bool = False
    curves: dict = field(default_factory=dict, repr=False)


@dataclass
class Stepping:
    """A variant's trainer and the batches, stepping through them in turn."""
    case: Case
    trainer: StepTrainer
    batches: list
    at: int = 0

    def step(self):
        batch = self.batches[self.at % len(self.batches)]
        self.at += 1
        return self.trainer.step(batch)

    def sample(self):
        """One timed sample: a step on the CPU, CUDA_STEPS_PER_SAMPLE on CUDA."""
        return steps_per_sample(self.step, self.case.device)


def _trainer(case: Case, count_skips: bool = False) -> StepTrainer:
    torch.manual_seed(0)
    return StepTrainer(case.data.model(), case.data.loss, case.implementation, case.device,
                       count_skips=count_skips)


def _setup(case: Case) -> Stepping:
    return Stepping(case, _trainer(case), case.data.batches)


def _curve(case: Case, settings=None, steps: int = LOSS_STEPS) -> tuple[list[float], int]:
    """A fresh seeded model's losses over `steps` steps under `settings` (the
    case's own by default), and the steps the GradScaler skipped."""
    settings = case.implementation if settings is None else settings
    key = (case.device, settings, steps)
    if key not in case.data.curves:
        trainer = _trainer(case, count_skips=True) if settings == case.implementation else \
            _trainer(case.claim.case("baseline", case.size, case.device, data=case.data,
                                     workdir=case.workdir), count_skips=True)
        batches = case.data.batches
        losses = [trainer.step(batches[i % len(batches)]) for i in range(steps)]
        case.data.curves[key] = ([round(float(x), 6) for x in losses], trainer.skipped_steps)
    return case.data.curves[key]


# --- trainer.amp_*whatif (one entry per model) ------------------------------------

def _pharmagen(batch: int) -> Training:
    from optbench.components.models import pharmagen

    return Training(pharmagen.PharmagenModel, pharmagen.pharmagen_loss,
                    pharmagen.pharmagen_batches(BATCHES, batch))


def _fusion(batch: int, pinned: bool = False) -> Training:
    from optbench.components.models import fusion

    return Training(fusion.CrossAttentionFusion, torch.nn.functional.cross_entropy,
                    fusion.fusion_batches(BATCHES, batch, pinned=pinned), pinned)


def _resnet(batch: int) -> Training:
    from optbench.components.models import image

    return Training(image.resnet18, torch.nn.functional.cross_entropy,
                    image.image_batches(BATCHES, batch))


def _difference_from_float32(mine: list[float], float32: list[float]) -> str:
    largest = max(abs(a - b) for a, b in zip(mine, float32))
    return (f"largest |difference| from float32's {number(largest, 3)} over {len(mine)} steps; "
            f"final loss {number(mine[-1], 4)} (float32 {number(float32[-1], 4)})")


def _against_float32(state: Stepping) -> str:
    return _difference_from_float32(_curve(state.case)[0],
                                    _curve(state.case, state.case.claim.variants["baseline"])[0])


def _precision(state: Stepping) -> str:
    trainer = state.trainer
    if not trainer.amp:
        return "float32 (no autocast)"
    scaler = " + GradScaler" if trainer.scaler.is_enabled() else " (no GradScaler)"
    return f"{str(amp_dtype(state.case.device)).replace('torch.', '')} autocast{scaler}"


def _cpu_low_precision() -> str:
    model, flags = cpu_info()
    native = "yes" if cpu_has_fast_bf16() else "no"
    return f"native bfloat16 (oneDNN): {native}; {model}, flags {', '.join(flags) or 'none'}"


def _device_peak_bytes(state: Stepping):
    """CUDA: the allocator's peak over one step after a reset (memray sees no
    GPU memory). On the CPU the memory metric beside it is the reading."""
    if state.case.device != "cuda":
        return "host memory: see step_peak_bytes"
    return measure_device_memory(state.step).peak_bytes


# A step's memory, host and device: any state with .case and .step() (a
# StepTrainer's or the codebase's step).
STEP_MEMORY = (
    Metric("step_peak_bytes", "memory", "bytes", lambda s: s.step(),
           "peak host heap of one step (memray; on CUDA the host side only)"),
    Metric("device_peak_bytes", "value", "bytes", _device_peak_bytes,
           "CUDA: torch.cuda.max_memory_allocated over one step after a reset"),
)


# Pharmagen report, GPU Optimizations 1: "Mixed Precision Training (AMP)", "40-50%
# memory reduction", "1.5-3x faster training on modern GPUs"; its table: "Training
# Speed | 2-4x faster | AMP + GPU opts" (AMP with the other switches, not AMP alone).
AMP_FASTER = Claimed.times_fewer(1.5, 3, text="1.5-3x faster training (AMP)")

AMP_NOTES = ("What-if: the codebase's train.py enables autocast only where "
             "torch.cuda.is_available() (trainer.amp is its own step); here autocast runs on "
             "every device, bfloat16 on the CPU (see cpu_low_precision), never read as a GPU "
             "figure. Best enables autocast only where the hardware has fast low precision "
             "(CUDA, or a CPU with native bfloat16).")


def _amp_claim(claim_id: str, model_words: str, make, sizes, quick_sizes,
               devices=("cpu", "cuda"), notes: str = AMP_NOTES) -> Claim:
    return Claim(
        id=claim_id,
        source="pharmagen report, GPU Optimizations 1",
        component="trainer",
        title=f"What-if: float32 -> autocast (float16 + GradScaler on CUDA, bfloat16 on the CPU): "
              f"{model_words.split(',')[0]}",
        claimed=AMP_FASTER,
        variants=AMP_VARIANTS,
        workload=Workload(f"{model_words}, Adam, {BATCHES} seeded batches of this many rows "
                          f"in turn", make, sizes=sizes, quick_sizes=quick_sizes,
                          size_unit="rows"),
        setup=_setup,
        primary=Metric("step_time", "time", "s", lambda s: s.sample(),
                       f"one training step: copy, forward under autocast, backward, optimizer "
                       f"({CUDA_STEPS_PER_SAMPLE} per sample on CUDA, one synchronize)"),
        secondary=(
            *STEP_MEMORY,
            Metric("loss_against_float32", "value", "", _against_float32,
                   f"the loss over {LOSS_STEPS} steps of a fresh model against float32's"),
            Metric("skipped_steps", "counter", "steps", lambda s: _curve(s.case)[1],
                   f"steps the GradScaler skipped (inf/NaN gradients) over those "
                   f"{LOSS_STEPS}"),
            Metric("precision", "value", "", _precision, "what the step runs in"),
            Metric("cpu_low_precision", "value", "", lambda s: _cpu_low_precision(),
                   "whether this CPU has native bfloat16, and its flags"),
        ),
        output=lambda case: _curve(case)[0],
        equivalence=Equivalence.allclose(
            rtol=0.03, atol=0.01,
            description=f"the loss curve over {LOSS_STEPS} steps within 3% (+0.01) of "
                        f"float32's: autocast rounds by design, training must not drift"),
        devices=devices,
        notes=notes,
    )


AMP_WHATIF = _amp_claim("trainer.amp_whatif", "optbench's pharmagen-like model (embeddings, "
                        "a 512-256 MLP, two heads; not the codebase's)", _pharmagen,
                        sizes=(64, 512), quick_sizes=(64,),
                        notes=AMP_NOTES + " Revision 1 of trainer.amp.")
AMP_FUSION = _amp_claim("trainer.amp_fusion_whatif", "the Lab_Project fusion model "
                        "(cross-attention over text, image and graph nodes; not a Pharmagen "
                        "model)", _fusion, sizes=(32, 256), quick_sizes=(32,),
                        notes=AMP_NOTES + " Was trainer.amp_fusion.")
AMP_RESNET = _amp_claim(
    "trainer.amp_resnet_whatif", "resnet18 on 32x32 images (10 classes; not a Pharmagen model)",
    _resnet, sizes=(32, 128), quick_sizes=(32,), devices=("cuda",),
    notes="CUDA only: bfloat16 autocast on a CPU without native bfloat16 makes a resnet18 "
          "step tens of times slower (trainer.amp_whatif shows it on the CPU for a cheaper "
          "model), too slow for quick mode. " + AMP_NOTES + " Was trainer.amp_resnet.")


# --- trainer.amp: Pharmagen's own step (4a1e100f -> 3cd3227b) ----------------------

@dataclass
class PharmagenStepping:
    """The codebase's step for a case, one timed sample at a time."""
    case: Case
    stepping: object

    def step(self) -> float:
        return self.stepping.step()

    def sample(self):
        return steps_per_sample(self.step, self.case.device)


def _pharmagen_setup(case: Case) -> PharmagenStepping:
    from optbench.components.pharmagen import steps

    return PharmagenStepping(case, steps.for_case(case))


def _pharmagen_batches(batch: int):
    from optbench.components.pharmagen import steps

    return steps.step_batches(batch)


def _pharmagen_curve(case: Case, changes=None) -> tuple[list[float], int]:
    """A fresh seeded model's losses over LOSS_STEPS steps, and the steps the
    GradScaler skipped (its scale falls when it skips)."""
    changes = case.implementation if changes is None else changes
    key = (case.device, changes)
    if key not in case.data.curves:
        state = _pharmagen_setup(case.claim.case(
            "optimized" if changes == case.claim.variants["optimized"] else "baseline",
            case.size, case.device, data=case.data, workdir=case.workdir))
        losses, skipped = [], 0
        scaler = state.stepping.scaler
        for _ in range(LOSS_STEPS):
            scale = scaler.get_scale() if scaler else None
            losses.append(round(state.step(), 6))
            skipped += bool(scaler and scaler.get_scale() < scale)
        case.data.curves[key] = (losses, skipped)
    return case.data.curves[key]


def _pharmagen_against_float32(state: PharmagenStepping) -> str:
    return _difference_from_float32(
        _pharmagen_curve(state.case)[0],
        _pharmagen_curve(state.case, state.case.claim.variants["baseline"])[0])


def _pharmagen_precision(state: PharmagenStepping) -> str:
    changes = state.case.implementation
    if changes.use_amp(state.case.device):
        return "float16 autocast + GradScaler"
    if changes.amp:
        return ("float32: use_amp = torch.cuda.is_available() is False here (or the step "
                "is not on CUDA), so the after commit's step is the before commit's")
    return "float32 (no autocast)"


def _amp_no_op(device: str) -> str | None:
    """The after commit's use_amp is torch.cuda.is_available(): off the CUDA
    device its step is the before commit's."""
    if PHARMAGEN_AMP_VARIANTS["optimized"].use_amp(device):
        return None
    return ("the after commit turns AMP on only on CUDA (use_amp = torch.cuda.is_available()): "
            f"on this {device} run both sides train in float32")


AMP = Claim(
    id="trainer.amp",
    source="pharmagen report, GPU Optimizations 1; pgen_model/src/train.py, Aderfi/Pharmagen "
           "4a1e100f -> 3cd3227b",
    component="trainer",
    title="the codebase's step: float32 -> float16 autocast + GradScaler where "
          "torch.cuda.is_available()",
    claimed=AMP_FASTER,
    variants=PHARMAGEN_AMP_VARIANTS,
    workload=Workload(f"Pharmagen's step on {BATCHES} batches of its train split (the "
                      f"generated 1,000-row table, the after commit's labels), "
                      f"in turn: the DeepFM model at the codebase's widths (embedding 384, 4 "
                      f"layers of 1,280), AdamW, BCE + cross-entropy + focal losses summed, "
                      f"two .item() a step", _pharmagen_batches, sizes=(64,),
                      quick_sizes=(64,), size_unit="rows a batch"),
    setup=_pharmagen_setup,
    primary=Metric("step_time", "time", "s", lambda s: s.sample(),
                   f"one training step as train_model takes it: zero_grad, the batch to the "
                   f"device, forward and the three losses (under autocast where on), "
                   f"backward (scaled), step, two .item() (each a synchronize on CUDA; "
                   f"{CUDA_STEPS_PER_SAMPLE} steps per sample there)"),
    secondary=(
        *STEP_MEMORY,
        Metric("loss_against_float32", "value", "", _pharmagen_against_float32,
               f"the loss over {LOSS_STEPS} steps of a fresh model against float32's"),
        Metric("skipped_steps", "counter", "steps", lambda s: _pharmagen_curve(s.case)[1],
               f"steps the GradScaler skipped (inf/NaN gradients) over those {LOSS_STEPS}"),
        Metric("precision", "value", "", _pharmagen_precision,
               "what the step runs in, and why"),
    ),
    output=lambda case: _pharmagen_curve(case)[0],
    equivalence=Equivalence.allclose(
        rtol=0.03, atol=0.01,
        description=f"the loss curve over {LOSS_STEPS} steps within 3% (+0.01) of float32's: "
                    f"autocast rounds by design, training must not drift"),
    devices=("cpu", "cuda"),
    revision=2,
    no_op=_amp_no_op,
    notes="Follows train.py's train_model at 4a1e100f and 3cd3227b with pipeline.py's model, "
          "optimizer and losses. 3cd3227b takes AMP only where torch.cuda.is_available() (not "
          "from the device it is given): on the CPU the after step is the before step, so "
          "the CPU entry can only read no effect (precision says why); the claim is a GPU "
          "one. cudnn.benchmark and TF32 came in the same commit (trainer.cudnn_benchmark, "
          "trainer.tf32; the whole run is system.pharmagen). Revision 2: was optbench's "
          "pharmagen-like MLP with bfloat16 autocast on the CPU, which the codebase never "
          "runs (now trainer.amp_whatif).",
)


# --- trainer.nonblocking_set_to_none (and _pinned) ---------------------------------

def _zero_grad_default() -> str:
    default = inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
    return (f"zero_grad()'s set_to_none defaults to {default} in torch {torch.__version__}"
            + (": set_to_none=True changes nothing" if default is True else ""))


def _nonblocking_no_op(device: str) -> str | None:
    """On the CPU both of the what-if's changes are torch's own behaviour:
    a copy to the CPU of a CPU tensor is the tensor itself, blocking or not,
    and zero_grad() sets grads to None by default (both read from torch)."""
    default = inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
    batch = torch.zeros(2)
    if device != "cpu" or default is not True or batch.to("cpu", non_blocking=True) is not batch:
        return None
    return (f"in torch {torch.__version__} .to('cpu', non_blocking=True) of a CPU tensor "
            f"returns the tensor itself, and zero_grad()'s set_to_none defaults to True")


def _grads_after_zero_grad(state: Stepping) -> str:
    """What the parameters' .grad holds after the variant's zero_grad, following a step."""
    state.step()
    state.trainer.zero_grad()
    grads = [p.grad for p in state.trainer.model.parameters()]
    if all(g is None for g in grads):
        return "None (freed)"
    return "zero tensors (kept, filled with 0)"


def _copy_reading(tensor: torch.Tensor, device: str, non_blocking: bool) -> str:
    """What `.to(device, non_blocking=...)` does with a batch tensor."""
    if device == "cpu":
        same = tensor.to("cpu", non_blocking=non_blocking) is tensor
        return ("no copy: the batch is on the CPU already and .to('cpu') returns it"
                if same else "a copy")
    # Host time of the call against the copy's whole time: a copy that returns at
    # once is asynchronous; one that returns when done is not, whatever the flag.
    pinned = tensor.is_pinned()
    big = tensor.repeat(64, *([1] * (tensor.dim() - 1)))
    big = big.pin_memory() if pinned else big
    torch.cuda.synchronize()
    start = time.perf_counter()
    big.to("cuda", non_blocking=non_blocking)
    returned = time.perf_counter() - start
    torch.cuda.synchronize()
    done = time.perf_counter() - start
    kind = "pinned" if pinned else "pageable"
    return (f"{kind} {quantity(big.nbytes, 'bytes')}: the call returned after "
            f"{100 * returned / done:.0f}% of the copy's time "
            f"({'asynchronous' if returned < done / 2 else 'synchronous'})")


def _batch_copy(state: Stepping) -> str:
    return _copy_reading(state.batches[0][1], state.case.device,
                         state.case.implementation.non_blocking)


# Lab_Project PR summary §4 and optimizations doc §6 (pretrain_end_to_end.py): "Added
# `non_blocking=True` to `.to(DEVICE)`", "Changed `optimizer.zero_grad()` to
# `optimizer.zero_grad(set_to_none=True)`"; the table: "Training Loop | 5-10% faster
# iteration time".
FIVE_TEN_FASTER = Claimed.percent_less(5, 10, text="5-10% faster iteration time")

_NONBLOCKING_SECONDARY = (
    Metric("zero_grad_default", "value", "", lambda s: _zero_grad_default(),
           "zero_grad()'s default, read from the installed torch"),
    Metric("grads_after_zero_grad", "value", "", _grads_after_zero_grad,
           "what each parameter's .grad holds after the variant's zero_grad"),
    Metric("batch_copy", "value", "", _batch_copy,
           "what .to(device, non_blocking=...) does with a batch tensor"),
)

NONBLOCKING_WHATIF = Claim(
    id="trainer.nonblocking_set_to_none_whatif",
    source="Lab_Project PR summary §4; Lab_Project optimizations doc §6",
    component="trainer",
    title="what-if: .to(device) + zero_grad() -> .to(device, non_blocking=True) + "
          "zero_grad(set_to_none=True) on optbench's fusion model",
    claimed=FIVE_TEN_FASTER,
    variants=NONBLOCKING_VARIANTS,
    workload=Workload(f"what-if: the fusion model, Adam, {BATCHES} seeded batches of this "
                      f"many rows in turn (pageable host memory), no read of the loss in "
                      f"the step", _fusion, sizes=(32, 256), quick_sizes=(32,),
                      size_unit="rows"),
    setup=_setup,
    primary=Metric("iteration_time", "time", "s", lambda s: s.sample(),
                   f"one training iteration: the batch to the device, zero_grad, forward, "
                   f"backward, optimizer ({CUDA_STEPS_PER_SAMPLE} per sample on CUDA, one "
                   f"synchronize, so a copy can overlap the step before it)"),
    secondary=_NONBLOCKING_SECONDARY,
    output=lambda case: _curve(case)[0],
    equivalence=Equivalence.allclose(rtol=0, atol=0, description="the same loss, step for step"),
    devices=("cpu", "cuda"),
    no_op=_nonblocking_no_op,
    notes="A what-if, not the codebase's step (trainer.nonblocking_set_to_none is): no AMP, "
          "Adam, classification, and no .item() in the step, so on CUDA ten steps can "
          "overlap copies that the codebase's six reads a step would serialize. Both changes "
          "can be no-ops: set_to_none=True is zero_grad()'s default since torch 2.0 "
          "(zero_grad_default reads it), and a non_blocking copy from pageable memory waits "
          "for itself on CUDA (batch_copy measures it; trainer.nonblocking_pinned repeats "
          "the what-if with pinned batches).",
)

PINNED = Claim(
    id="trainer.nonblocking_pinned",
    source="Lab_Project PR summary §4; Lab_Project optimizations doc §6",
    component="trainer",
    title="what-if: the same two changes on optbench's fusion model, batches pinned",
    claimed=FIVE_TEN_FASTER,
    variants=NONBLOCKING_VARIANTS,
    workload=Workload(f"what-if: the fusion model, Adam, {BATCHES} seeded batches of this "
                      f"many rows in turn, pinned", lambda n: _fusion(n, pinned=True),
                      sizes=(32, 256), quick_sizes=(32,), size_unit="rows"),
    setup=_setup,
    primary=NONBLOCKING_WHATIF.primary,
    secondary=_NONBLOCKING_SECONDARY,
    output=NONBLOCKING_WHATIF.output,
    equivalence=NONBLOCKING_WHATIF.equivalence,
    devices=("cuda",),
    revision=2,
    notes="A what-if (see trainer.nonblocking_set_to_none_whatif): the codebase's own step, "
          "whose DataLoader pins its batches, is trainer.nonblocking_set_to_none. Pinned "
          "memory needs CUDA: without a GPU this entry is not measurable.",
)


# The codebase's step (lab_project/pipeline.py's train_step) on batches its own
# collator made: the model at the CPU scale, AdamW, the GradScaler and fp16
# autocast on only with CUDA, six .item() a step; pinned on CUDA as its
# DataLoader pins them.

@dataclass
class CodebaseBatches:
    batches: list[dict]
    curves: dict = field(default_factory=dict, repr=False)


def _codebase_batches(edges_a_batch: int) -> CodebaseBatches:
    from optbench.components import collators, datasets
    from optbench.components.collators.clip_like import (ClipLikeImageProcessor,
                                                         ClipLikeTokenizer)
    from optbench.components.lab_project import claims as lab, pipeline

    tables = lab.run_tables(BATCHES)
    dataset = datasets.VARIANTS["baseline"](tables.nodes, tables.edges)
    collator = collators.import_fixed.MultimodalCollator(
        ClipLikeTokenizer(), ClipLikeImageProcessor(pipeline.SMALL.image_side))
    order = list(pipeline.EpochOrder(len(dataset), BATCHES, pipeline.SEED))
    return CodebaseBatches([collator([dataset[i] for i in order[start:start + edges_a_batch]])
                            for start in range(0, BATCHES * edges_a_batch, edges_a_batch)])


@dataclass
class CodebaseStepping:
    """A variant's model, AdamW and GradScaler, stepping through the batches."""
    case: Case
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    batches: list[dict]
    at: int = 0

    def step(self) -> tuple[float, float, float]:
        from optbench.components.lab_project.pipeline import train_step

        batch = self.batches[self.at % len(self.batches)]
        self.at += 1
        return train_step(self.model, self.optimizer, self.scaler, batch, self.case.device,
                          self.case.implementation)


def _codebase_setup(case: Case) -> CodebaseStepping:
    from optbench.components.lab_project import pipeline

    batches = case.data.batches
    if case.device == "cuda":    # the DataLoader's pin_memory=True
        batches = [{k: v.pin_memory() for k, v in b.items()} for b in batches]
    return CodebaseStepping(case, *pipeline.training_setup(pipeline.SMALL, case.device),
                            batches)


# Steps the codebase step's losses are compared over: each batch once and two
# again (a step costs about half a second here; a gradient left over from the
# step before, if a zero_grad went missing, shows from the second step on).
CODEBASE_LOSS_STEPS = BATCHES + 2


def _codebase_curve(case: Case) -> list[tuple[float, float, float]]:
    """A fresh seeded model's three losses over CODEBASE_LOSS_STEPS steps."""
    key = (case.device, case.implementation)
    if key not in case.data.curves:
        state = _codebase_setup(case)
        case.data.curves[key] = [state.step() for _ in range(CODEBASE_LOSS_STEPS)]
    return case.data.curves[key]


def _grads_during_forward(state: CodebaseStepping) -> str:
    """What the trainable parameters' .grad hold while a step's forward runs
    (a hook on the fusion's forward, second step)."""
    seen = []
    params = state.model.trainable_parameters()
    hook = state.model.fusion.register_forward_pre_hook(
        lambda *_: seen.append(sum(p.grad is not None for p in params)))
    try:
        state.step()
        state.step()
    finally:
        hook.remove()
    held = seen[-1]
    if held == 0:
        return "None: the last step's gradients are freed before the forward"
    nbytes = sum(p.numel() * p.element_size() for p in params if p.grad is not None)
    return (f"the last step's gradients ({held} of {len(params)} parameters, "
            f"{quantity(nbytes, 'bytes')}) are held through the forward")


def _codebase_batch_copy(state: CodebaseStepping) -> str:
    return _copy_reading(state.batches[0]["pixel_values"], state.case.device,
                         state.case.implementation.non_blocking)


NONBLOCKING = Claim(
    id="trainer.nonblocking_set_to_none",
    source="Lab_Project PR summary §4; Lab_Project optimizations doc §6; "
           "pretrain_end_to_end.py, DvirSela/Lab_Project b05ebe4 -> 18601bf",
    component="trainer",
    title="the codebase's step: .to(DEVICE) + zero_grad() first -> .to(DEVICE, "
          "non_blocking=True) + zero_grad(set_to_none=True) between forward and backward",
    claimed=FIVE_TEN_FASTER,
    variants=CODEBASE_STEP_VARIANTS,
    workload=Workload(f"Lab_Project's step on {BATCHES} batches its collator made from the "
                      f"graph (this many edges a batch: 2x as many texts and images), in "
                      f"turn; the model at the CPU scale (lab_project/pipeline.py's SMALL), "
                      f"AdamW; pinned, fp16 autocast and GradScaler only on CUDA",
                      _codebase_batches, sizes=(64,), quick_sizes=(64,),
                      size_unit="edges a batch"),
    setup=_codebase_setup,
    primary=Metric("iteration_time", "time", "s", lambda s: s.step(),
                   "one training iteration as the codebase runs it: zero_grad, the batch "
                   "to the device, forward and the two InfoNCE losses, scaled backward, "
                   "step, six .item() (each a synchronize on CUDA: nothing overlaps the "
                   "next step)"),
    secondary=(
        *STEP_MEMORY,
        Metric("grads_during_forward", "value", "", _grads_during_forward,
               "what the trainable parameters' .grad hold while the forward runs"),
        Metric("zero_grad_default", "value", "", lambda s: _zero_grad_default(),
               "zero_grad()'s default, read from the installed torch"),
        Metric("batch_copy", "value", "", _codebase_batch_copy,
               "what .to(device, non_blocking=...) does with the batch's pixel_values"),
    ),
    output=_codebase_curve,
    equivalence=Equivalence.allclose(rtol=0, atol=0,
                                     description=f"the same three losses, step for step, "
                                                 f"over {CODEBASE_LOSS_STEPS} steps"),
    devices=("cpu", "cuda"),
    revision=2,
    notes="Follows pretrain_end_to_end.py at b05ebe4 and 18601bf, the commit the "
          "optimizations doc describes (the PR summary, at 9edbb71, has the same step); "
          "8329e91 moves zero_grad(set_to_none=True) back to the top of the step, which "
          "system.lab_project runs. set_to_none=True is zero_grad()'s default since torch "
          "2.0 (the repository pins 2.9.0; zero_grad_default reads the installed one), so "
          "the before step already frees its gradients; 18601bf's position holds the last "
          "step's through the forward (grads_during_forward). On the CPU .to('cpu') returns "
          "the batch itself; on CUDA the batch is pinned and the copy can be asynchronous, "
          "but the six .item() a step synchronize, so only the copy's overlap with the "
          "forward's launch can be gained. Revision 2: was optbench's fusion model with "
          "Adam and no loss read (now trainer.nonblocking_set_to_none_whatif).",
)

# --- trainer.cudnn_benchmark -------------------------------------------------------

NEW_SHAPES = 4    # shapes never seen before, for the autotune cost


def _clips(clips_per_batch: int) -> Training:
    """The video-pipeline clips (models.variable_ar's workload), one batch per
    aspect ratio, so consecutive steps change shape."""
    from optbench.components.models.video import VariableARVideoModelAt70877759, clip_batches

    return Training(VariableARVideoModelAt70877759,
                    torch.nn.functional.binary_cross_entropy_with_logits,
                    list(clip_batches(clips_per_batch).values()))


def _fixed_shape_step(state: Stepping):
    return steps_per_sample(lambda: state.trainer.step(state.batches[0]), state.case.device)


def _synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _first_step_on_new_shapes(state: Stepping) -> str:
    """A fresh trainer meets NEW_SHAPES sizes it has never seen: each one's
    first step against the median of its next three (the autotune's cost,
    where cudnn.benchmark is on)."""
    trainer = _trainer(state.case)
    clips, labels = state.batches[0]
    extra = []
    for k in range(NEW_SHAPES):
        height, width = clips.shape[-2] + 4 * (k + 1), clips.shape[-1] + 6 * (k + 1)
        resized = torch.nn.functional.interpolate(clips.flatten(0, 1), size=(height, width))
        batch = (resized.view(*clips.shape[:3], height, width), labels)
        times = []
        for _ in range(4):
            _synchronize(state.case.device)
            start = time.perf_counter()
            trainer.step(batch)
            _synchronize(state.case.device)
            times.append(time.perf_counter() - start)
        later = sorted(times[1:])[1]
        extra.append(times[0] - later)
    extra.sort()
    return (f"first step on a new shape: {quantity(extra[len(extra) // 2], 's')} more than "
            f"the next ones (median of {NEW_SHAPES} shapes)")


# Pharmagen report, GPU Optimizations 2: "`torch.backends.cudnn.benchmark = True` -
# finds fastest algorithms". No figure: read as steps at least 10% faster.
FINDS_FASTEST = Claimed.percent_less(10, text="finds fastest algorithms (read as: steps at "
                                              "least 10% faster)")

CUDNN_BENCHMARK = Claim(
    id="trainer.cudnn_benchmark",
    source="pharmagen report, GPU Optimizations 2 (a what-if there); video-pipeline report "
           "(models.variable_ar)",
    component="trainer",
    title="torch.backends.cudnn.benchmark = True, on the variable aspect-ratio video model",
    claimed=FINDS_FASTEST,
    variants=CUDNN_BENCHMARK_VARIANTS,
    workload=Workload("VariableARVideoModel as at Horopter/AURA 70877759 (Inception-style "
                      "3-D CNN, base_channels 32), Adam, clips (N, C, T, H, W) of 4 frames "
                      "in three aspect ratios (80x45, 45x80, 60x60), one shape per batch, "
                      "shapes in turn; size: clips per batch", _clips, sizes=(4, 16),
                      quick_sizes=(4,), size_unit="clips"),
    setup=_setup,
    primary=Metric("variable_shape_step_time", "time", "s", lambda s: s.sample(),
                   "one training step, the shape changing every step"),
    secondary=(
        Metric("fixed_shape_step_time", "time", "s", _fixed_shape_step,
                "one training step, always the landscape batch"),
        Metric("first_step_on_new_shapes", "value", "", _first_step_on_new_shapes,
               "the first step on a shape never seen before, against later steps on it"),
    ),
    output=lambda case: _curve(case, steps=6)[0],
    equivalence=Equivalence.allclose(
        rtol=1e-3, atol=1e-5,
        description="the loss over 6 steps within 1e-3 (another algorithm may round "
                    "differently)"),
    devices=("cuda",),
    notes="cudnn.benchmark chooses among cuDNN's convolution algorithms: it has no "
          "meaning on the CPU, so the claim is measured on CUDA only. Pharmagen's model "
          "(3cd3227b sets the flag where torch.cuda.is_available()) has no convolution: "
          "there the flag cannot act; its run with the flag is system.pharmagen's "
          "cuda_flags switch. A what-if for Pharmagen: the model is the video pipeline's. "
          "Revision 2: the model was a made-up 2-D per-frame CNN (models.variable_ar's "
          "revision 1); it is now the codebase's Inception-style 3-D CNN at full resolution.",
    revision=2,
)


# --- trainer.tf32 --------------------------------------------------------------------

MATMUL_SIDE = 4096


@dataclass
class MatmulState:
    case: Case
    a: torch.Tensor
    b: torch.Tensor
    stepping: object    # the codebase's step (pharmagen/steps.py)

    def step_sample(self):
        """The codebase's training step under the variant's flags."""
        from .steps import backend_flags

        with backend_flags(self.case.implementation):
            return steps_per_sample(self.stepping.step, self.case.device)


def _matrices(side: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(side)
    return torch.randn(side, side, generator=g), torch.randn(side, side, generator=g)


def _tf32_setup(case: Case) -> MatmulState:
    from optbench.components.pharmagen import steps

    a, b = _matrices(case.size)
    return MatmulState(case, a.to(case.device), b.to(case.device),
                       steps.stepping(case.data, case.device))


def _tf32_data(side: int):
    from optbench.components.pharmagen import steps

    return steps.step_batches(64)


def _matmul(state: MatmulState):
    from .steps import backend_flags

    with backend_flags(state.case.implementation):
        return state.a @ state.b


def _relative_error(state: MatmulState) -> str:
    exact = state.a.double() @ state.b.double()   # on the device: 8192^3 in float64 is slow on a CPU
    got = _matmul(state).double()
    error = float((got - exact).norm() / exact.norm())
    return f"{error:.2e} (Frobenius, against float64)"


def _product(case: Case):
    return _matmul(_tf32_setup(case)).cpu()


# Pharmagen report, GPU Optimizations 2: "TF32 support for Ampere GPUs - 8x faster
# matrix ops".
EIGHT_X = Claimed.times_fewer(8, text="8x faster matrix ops (TF32)")

TF32 = Claim(
    id="trainer.tf32",
    source="pharmagen report, GPU Optimizations 2",
    component="trainer",
    title="float32 matmuls -> TF32 allowed (cuda.matmul.allow_tf32, cudnn.allow_tf32)",
    claimed=EIGHT_X,
    variants=TF32_VARIANTS,
    workload=Workload("two seeded float32 matrices of this side; the codebase's training "
                      "step (its DeepFM model at the real widths) on batches of 64 rows",
                      _tf32_data,
                      sizes=(MATMUL_SIDE, 8192), quick_sizes=(MATMUL_SIDE,), size_unit="side"),
    setup=_tf32_setup,
    primary=Metric("matmul_time", "time", "s", _matmul, "one square matmul"),
    secondary=(
        Metric("step_time", "time", "s", lambda s: s.step_sample(),
               f"one training step of the codebase's model ({CUDA_STEPS_PER_SAMPLE} per "
               f"sample on CUDA)"),
        Metric("relative_error", "value", "", _relative_error,
               "the matmul's error against float64"),
    ),
    output=_product,
    equivalence=Equivalence(
        "the product within 1e-2 relative (Frobenius) of the float32 one: TF32 keeps 10 "
        "mantissa bits by design",
        lambda a, b: float((a - b).norm() / a.norm()) < 1e-2),
    devices=("cuda",),
    revision=2,
    notes="TF32 exists on NVIDIA GPUs from Ampere on; on the CPU the flags do nothing, so "
          "the claim is measured on CUDA only. The report's \"8x faster matrix ops\" is a "
          "matmul figure, read on a square matmul; the step beside it is the codebase's "
          "(pharmagen/steps.py), and 3cd3227b's TF32 on its whole run is system.pharmagen's "
          "cuda_flags switch (with cudnn.benchmark). Revision 2: the step was optbench's "
          "pharmagen-like model.",
)

CLAIMS = [AMP, AMP_WHATIF, AMP_FUSION, AMP_RESNET, NONBLOCKING, NONBLOCKING_WHATIF, PINNED, CUDNN_BENCHMARK, TF32]
