"""One training step with the switches the reports flip (pharmagen report,
"GPU Optimizations" and "Asynchronous Data Transfers"; Lab_Project PR
summary §4 and optimizations doc §6):

  amp              torch.autocast + GradScaler: float16 with a GradScaler on
                   CUDA, bfloat16 on the CPU (a GradScaler has nothing to do
                   for bfloat16, whose range is float32's)
  cudnn_benchmark  torch.backends.cudnn.benchmark
  tf32             torch.backends.cuda.matmul.allow_tf32 and cudnn.allow_tf32
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


@dataclass(frozen=True)
class Settings:
    amp: bool | str = False        # "auto": only where the hardware has fast low precision
    cudnn_benchmark: bool = False
    tf32: bool = False
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


@contextlib.contextmanager
def backend_flags(settings: Settings):
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    before = (cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32)
    cudnn.benchmark = settings.cudnn_benchmark
    cudnn.allow_tf32 = matmul.allow_tf32 = settings.tf32
    try:
        yield
    finally:
        cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32 = before


class StepTrainer:
    """model + optimizer + loss, stepping on (inputs..., targets) batches."""

    def __init__(self, model: torch.nn.Module, loss_fn: Callable, settings: Settings,
                 device: str = "cpu", lr: float = 1e-3):
        self.model = model.to(device).train()
        self.loss_fn = loss_fn
        self.settings = settings
        self.device = device
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.amp = amp_enabled(settings, device)
        # A GradScaler only where the low precision is float16.
        self.scaler = torch.amp.GradScaler(device, enabled=self.amp and device == "cuda")
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
            scale = self.scaler.get_scale() if self.scaler.is_enabled() else None
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        if scale is not None and self.scaler.get_scale() < scale:
            self.skipped_steps += 1   # inf/NaN gradients: the scaler skipped this step
        return loss.detach()
