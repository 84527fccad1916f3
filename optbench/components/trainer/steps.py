"""One training step with the switches the reports flip (pharmagen report,
"GPU Optimizations" and "Asynchronous Data Transfers"; Lab_Project PR
summary §4 and optimizations doc §6):

  amp              torch.autocast + GradScaler: float16 with a GradScaler on
                   CUDA, bfloat16 on the CPU (a GradScaler has nothing to do
                   for bfloat16, whose range is float32's)
  cudnn_benchmark  torch.backends.cudnn.benchmark
  tf32             torch.backends.cuda.matmul.allow_tf32 and cudnn.allow_tf32
                   (None for either flag: PyTorch's default left alone, as the
                   before code did: matmuls without TF32, convolutions with it)
  non_blocking     .to(device, non_blocking=True) for the batch
  set_to_none      optimizer.zero_grad(set_to_none=...); None calls
                   zero_grad() with no argument, as the before code did

`Settings` are the variants of the trainer's claims; `StepTrainer` runs them.
The backend flags are process-wide in PyTorch: `backend_flags` sets them for
a block and puts the previous values back.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, Sequence

import torch


# Steps per timed sample on CUDA, for every claim timing a training step: the
# engine synchronizes after each sample, and a synchronize after every step
# would hide what overlaps between steps (a non_blocking copy with the
# previous step's kernels, a monitor's own synchronize).
CUDA_STEPS_PER_SAMPLE = 10


def steps_per_sample(step, device: str):
    """One timed sample of `step()`: once on the CPU, CUDA_STEPS_PER_SAMPLE
    times on CUDA; the last step's result."""
    for _ in range(CUDA_STEPS_PER_SAMPLE if device == "cuda" else 1):
        result = step()
    return result


@dataclass(frozen=True)
class Settings:
    amp: bool | str = False        # "auto": only where the hardware has fast low precision
    cudnn_benchmark: bool | None = None
    tf32: bool | None = None
    non_blocking: bool = False
    set_to_none: bool | None = None


def cpu_has_fast_bf16() -> bool:
    """Whether oneDNN reports native bfloat16 (AVX512-BF16 or AMX) on this CPU."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def amp_enabled(settings: Settings, device: str) -> bool:
    if settings.amp == "auto":
        return device == "cuda" or cpu_has_fast_bf16()
    return bool(settings.amp)


def amp_dtype(device: str) -> torch.dtype:
    return torch.float16 if device == "cuda" else torch.bfloat16


def _new_precision_api() -> bool:
    """PyTorch 2.9+'s fp32_precision settings. Mixing them with the legacy
    allow_tf32 flags makes reading the legacy ones raise, so where they exist
    they are the only ones used (same effect as the report's allow_tf32)."""
    return hasattr(torch.backends.cudnn, "conv") and \
        hasattr(torch.backends.cudnn.conv, "fp32_precision")


def _tf32_owners() -> list[tuple[object, str]]:
    if _new_precision_api():
        return [(torch.backends.cuda.matmul, "fp32_precision"),
                (torch.backends.cudnn.conv, "fp32_precision")]
    return [(torch.backends.cuda.matmul, "allow_tf32"), (torch.backends.cudnn, "allow_tf32")]


def _tf32_value(on: bool):
    if _new_precision_api():
        return "tf32" if on else "ieee"
    return on


@contextlib.contextmanager
def backend_flags(settings: Settings):
    """The settings' backend flags for the block (those not None), then the
    backends exactly as they were."""
    owners = [(torch.backends.cudnn, "benchmark"), *_tf32_owners()]
    before = [(owner, name, getattr(owner, name)) for owner, name in owners]
    if settings.cudnn_benchmark is not None:
        torch.backends.cudnn.benchmark = settings.cudnn_benchmark
    if settings.tf32 is not None:
        for owner, name in _tf32_owners():
            setattr(owner, name, _tf32_value(settings.tf32))
    try:
        yield
    finally:
        for owner, name, value in before:
            setattr(owner, name, value)


def tf32_state() -> dict[str, object]:
    """The flags backend_flags touches, as PyTorch reports them now."""
    return {f"{type(owner).__name__}.{name}": getattr(owner, name)
            for owner, name in [(torch.backends.cudnn, "benchmark"), *_tf32_owners()]}


class StepTrainer:
    """model + optimizer + loss, stepping on (inputs..., targets) batches."""

    def __init__(self, model: torch.nn.Module, loss_fn: Callable, settings: Settings,
                 device: str = "cpu", lr: float = 1e-3, count_skips: bool = False):
        self.model = model.to(device).train()
        self.loss_fn = loss_fn
        self.settings = settings
        self.device = device
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.amp = amp_enabled(settings, device)
        # A GradScaler only where the low precision is float16.
        self.scaler = torch.amp.GradScaler(device, enabled=self.amp and device == "cuda")
        # Reading the scale is a CPU-GPU synchronize: only where asked (the
        # loss-curve runs), never inside a timed step.
        self.count_skips = count_skips and self.scaler.is_enabled()
        self.skipped_steps = 0

    def zero_grad(self) -> None:
        if self.settings.set_to_none is None:
            self.optimizer.zero_grad()
        else:
            self.optimizer.zero_grad(set_to_none=self.settings.set_to_none)

    def step(self, batch: Sequence[torch.Tensor]) -> torch.Tensor:
        """One step; the loss, detached (reading its value would synchronize)."""
        with backend_flags(self.settings):   # backward's kernels are chosen under them too
            *inputs, targets = [t.to(self.device, non_blocking=self.settings.non_blocking)
                                for t in batch]
            self.zero_grad()
            with torch.autocast(self.device, dtype=amp_dtype(self.device), enabled=self.amp):
                loss = self.loss_fn(self.model(*inputs), targets)
            scale = self.scaler.get_scale() if self.count_skips else None
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        if scale is not None and self.scaler.get_scale() < scale:
            self.skipped_steps += 1   # inf/NaN gradients: the scaler skipped this step
        return loss.detach()
