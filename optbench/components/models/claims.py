"""models.variable_ar: "VariableARVideoModel - Now Available: Added to
model_factory.py as "variable_ar_cnn", Optimized with proper weight
initialization, BatchNorm momentum set to 0.1 for small batches"
(video-pipeline report §1), read against the code it describes
(Horopter/AURA 5332a68b -> 70877759; docs/sources/video-pipeline-code.md §7).

The claim is availability: building the model by name fails before (the
factory raises ValueError naming it) and works after. Beside it, the
readings the code supports: the model the factory builds (397,633
trainable parameters at its default size), its memory config, what the
new initialisation changed, whether "momentum 0.1" differs from what the
installed PyTorch already does, what the first forward does on the batch
stage 5 would give it (the default collate's (N, T, C, H, W): the code's
bug F9), and how the model trains on the clips stage 5 would load (fixed
square letterboxed clips, not variable aspect ratios), scaled to a 2-core
CPU. The before factory cannot build the model, so the before side of the
model readings is the class as it was at 5332a68b (reachable by import
only): those compare the two classes, the claim the two factories.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import default_collate

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.units import number

from . import VARIABLE_AR_FACTORIES, factory
from .claims_fusion import CLAIMS as FUSION_CLAIMS
from .video import (AFTER_COMMIT, BEFORE_COMMIT, FULL_BASE_CHANNELS,
                    VariableARVideoModel, letterboxed_samples, trainable_parameters)

MODEL_NAME = factory.VARIABLE_AR_NAME
MEMORY_CONFIGS = {factory.create_model_before: factory.MODEL_MEMORY_CONFIGS_BEFORE,
                  factory.create_model_after: factory.MODEL_MEMORY_CONFIGS_AFTER}
# 70877759's MODEL_MEMORY_CONFIGS entry: 2 clips a batch, 4 batches a step.
MEMORY_CONFIG = factory.MODEL_MEMORY_CONFIGS_AFTER[MODEL_NAME]
BATCH, ACCUMULATION = MEMORY_CONFIG["batch_size"], MEMORY_CONFIG["gradient_accumulation_steps"]
# Stage 5's clips: 6 frames (what every launcher passes; the memory config's
# num_frames 8 never reaches the dataset), letterboxed squares of 224 there,
# 32 here; the trained model at base_channels 8 instead of 32, so that a
# step takes about 0.1 s on a 2-core CPU.
CLIP_FRAMES, CLIP_SIDE, SCALED_BASE_CHANNELS = 6, 32, 8
CLIPS_PER_SHAPE = 8            # 24 clips: three steps of 8 make a round (an epoch)
ROUND = 3 * CLIPS_PER_SHAPE // (BATCH * ACCUMULATION)
# The optimiser of 5332a68b's trainer (Adam, lr 1e-4, weight decay 1e-4), on
# both sides: the readings compare the models, not 70877759's trainer changes.
LEARNING_RATE, WEIGHT_DECAY = 1e-4, 1e-4


@dataclass
class Clips:
    samples: list             # [(clip (T, C, H, W), label int64)], as the dataset returns them
    clips: torch.Tensor       # all of them, (P, C, T, H, W): the layout the model expects
    labels: torch.Tensor      # (P,) float


def _clips(steps: int) -> Clips:
    """The seeded letterboxed clips (`video.letterboxed_samples`); `steps`
    is how many optimiser steps the loss is followed over."""
    samples = letterboxed_samples(CLIPS_PER_SHAPE, frames=CLIP_FRAMES, side=CLIP_SIDE)
    clips = torch.stack([clip for clip, _ in samples]).permute(0, 2, 1, 3, 4).contiguous()
    return Clips(samples, clips, torch.stack([label for _, label in samples]).float())


def _built(create, **model_specific) -> tuple[torch.nn.Module | None, str]:
    torch.manual_seed(0)
    try:
        model = create(MODEL_NAME, **model_specific)
    except Exception as exc:  # what the factory does is the reading
        return None, f"{type(exc).__name__}: {exc}"
    return model, (f"builds {type(model).__name__}, "
                   f"{trainable_parameters(model):,} trainable parameters")


def _model(case: Case, base_channels: int = FULL_BASE_CHANNELS) -> torch.nn.Module:
    """The variant's factory's model; where the factory cannot build it, the
    model class as it was at 5332a68b, seeded alike."""
    model, _ = _built(case.implementation, base_channels=base_channels)
    if model is None:
        torch.manual_seed(0)
        model = VariableARVideoModel(base_channels=base_channels)
    return model


class Training:
    """The scaled model trained as stage 5 steps: BATCH clips a forward, the
    BCE-with-logits loss (the codebase's choice for one logit) divided by
    ACCUMULATION, the optimiser stepped every ACCUMULATION batches; the
    clips reshuffled (seeded) every round."""

    def __init__(self, case: Case):
        self.case = case
        self.model = _model(case, SCALED_BASE_CHANNELS).train()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE,
                                          weight_decay=WEIGHT_DECAY)
        self.shuffle = torch.Generator().manual_seed(0)
        self.order, self.at = torch.empty(0, dtype=torch.long), 0

    def _next(self) -> torch.Tensor:
        if self.at + BATCH > len(self.order):
            self.order = torch.randperm(len(self.case.data.labels), generator=self.shuffle)
            self.at = 0
        self.at += BATCH
        return self.order[self.at - BATCH:self.at]

    def step(self) -> float:
        self.optimizer.zero_grad()
        total = 0.0
        for _ in range(ACCUMULATION):
            chosen = self._next()
            logits = self.model(self.case.data.clips[chosen]).squeeze(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, self.case.data.labels[chosen]) / ACCUMULATION
            loss.backward()
            total += loss.item()
        self.optimizer.step()
        return total


def _factory_failures(state: Training) -> int:
    return int(_built(state.case.implementation)[0] is None)


def _factory_result(state: Training) -> str:
    return _built(state.case.implementation)[1]


def _memory_config(state: Training) -> str:
    entry = MEMORY_CONFIGS[state.case.implementation].get(MODEL_NAME)
    if entry is None:
        return f"no entry for {MODEL_NAME!r} (not in list_available_models)"
    return ", ".join(f"{key} {value}" for key, value in entry.items())


def _full_size_model(state: Training) -> str:
    model = _model(state.case)
    running = sum(b.numel() for name, b in model.named_buffers() if "running" in name)
    counters = sum(1 for name, _ in model.named_buffers() if name.endswith("num_batches_tracked"))
    return (f"{type(model).__name__}(base_channels={FULL_BASE_CHANNELS}): "
            f"{trainable_parameters(model):,} trainable parameters, {running} BatchNorm "
            f"running values and {counters} counters")


def _initial_weights(state: Training) -> str:
    """The full-size model's initial weights (seed 0): the spread of the
    stem's and the head's weights, and whether any bias starts non-zero."""
    model = _model(state.case)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv3d)]
    with torch.no_grad():
        biased = sum(bool(m.bias.any()) for m in convs)
        return (f"stem conv weight std {float(convs[0].weight.std()):.4f}, fc weight std "
                f"{float(model.fc.weight.std()):.4f}, conv biases non-zero in {biased} of "
                f"{len(convs)} convs, fc bias {float(model.fc.bias.abs().max()):.4f}")


def _torch_batchnorm_default() -> float:
    return inspect.signature(torch.nn.BatchNorm3d).parameters["momentum"].default


def _batchnorm_momentum(state: Training) -> str:
    momenta = [m.momentum for m in _model(state.case).modules()
               if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    default = _torch_batchnorm_default()
    same = "the same: no change" if set(momenta) == {default} else "different"
    return (f"{', '.join(map(str, momenta))} (stem, block 1, block 2); "
            f"torch.nn.BatchNorm3d's default in torch {torch.__version__}: {default} ({same})")


def _default_collate_forward(state: Training) -> str:
    """F9: stage 5's DataLoader has no collate_fn, so torch's default collate
    stacks the dataset's (T, C, H, W) clips as (N, T, C, H, W), and the
    model's forward does not permute. The full-size model's first forward on
    such a batch (what trainer.fit's first, no-grad forward would do)."""
    clips, _ = default_collate(state.case.data.samples[:BATCH])
    model = _model(state.case).train()
    try:
        with torch.no_grad():
            logits = model(clips)
    except Exception as exc:  # what the forward does is the reading
        return f"input {tuple(clips.shape)}: {type(exc).__name__}: {exc}"
    return f"input {tuple(clips.shape)}: logits {tuple(logits.shape)}"


def _loss_over_training(state: Training) -> str:
    """A fresh scaled model of the variant, `size` optimiser steps."""
    fresh = Training(state.case)
    losses = [fresh.step() for _ in range(state.case.size)]
    # Means over a round (every clip once): single steps compare batches.
    first, last = np.mean(losses[:ROUND]), np.mean(losses[-ROUND:])
    change = (last - first) / first
    verdict = "falls" if last < first else "does not fall"
    return (f"{number(first, 3)} -> {number(last, 3)} over {len(losses)} steps (mean of the "
            f"first and the last round of {ROUND} steps): {verdict} "
            f"({number(100 * change, 2)}%)")


def _step(state: Training) -> float:
    return state.step()


def _architecture(case: Case) -> dict:
    """Parameter names and shapes, and each BatchNorm's momentum (full size)."""
    model = _model(case)
    return {"parameters": {n: tuple(p.shape) for n, p in model.named_parameters()},
            "batchnorm_momentum": [m.momentum for m in model.modules()
                                   if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]}


# Video-pipeline report §1: "VariableARVideoModel - Now Available", "Added to
# `model_factory.py` as "variable_ar_cnn"", "Usage: `--model-types
# variable_ar_cnn`": building it by name fails before, works after.
AVAILABLE = Claimed.eliminated(text=f"VariableARVideoModel available for training as "
                                    f"{MODEL_NAME!r} (the build fails before)")

VARIABLE_AR = Claim(
    id="models.variable_ar",
    source=f"video-pipeline report §1, VariableARVideoModel - Now Available; "
           f"Horopter/AURA {BEFORE_COMMIT} -> {AFTER_COMMIT}",
    component="models",
    title=f"model_factory({MODEL_NAME!r}): the Inception-style 3-D VariableARVideoModel, with "
          f"weight init and BatchNorm momentum 0.1",
    claimed=AVAILABLE,
    variants=VARIABLE_AR_FACTORIES,
    workload=Workload(f"clips as stage 5 would load them, scaled for a 2-core CPU: "
                      f"{3 * CLIPS_PER_SHAPE} seeded clips ({CLIPS_PER_SHAPE} each from a "
                      f"320x180, a 180x320 and a 240x240 video, half colour-inverted as label "
                      f"1) of {CLIP_FRAMES} frames, letterboxed to fixed {CLIP_SIDE}x{CLIP_SIDE} "
                      f"squares (the code: 224x224) and ImageNet-normalised: fixed square "
                      f"clips, not variable aspect ratios; the model trained at base_channels "
                      f"{SCALED_BASE_CHANNELS} (the code: {FULL_BASE_CHANNELS}), a step being "
                      f"{ACCUMULATION} accumulated batches of {BATCH} (its MODEL_MEMORY_CONFIGS "
                      f"entry); size: optimiser steps the loss is followed over",
                      _clips, sizes=(12, 60), quick_sizes=(12,), size_unit="steps"),
    setup=Training,
    primary=Metric("factory_failures", "counter", "failures", _factory_failures,
                   f"create_model({MODEL_NAME!r}) raising instead of building a model"),
    secondary=(
        Metric("factory_result", "value", "", _factory_result,
               f"what create_model({MODEL_NAME!r}) does with the default model config"),
        Metric("memory_config", "value", "", _memory_config,
               f"the factory's MODEL_MEMORY_CONFIGS entry for {MODEL_NAME!r}"),
        Metric("full_size_model", "value", "", _full_size_model,
               f"the model at the size the factory builds (base_channels "
               f"{FULL_BASE_CHANNELS}; the before side: the class itself), counted"),
        Metric("initial_weights", "value", "", _initial_weights,
               "the full-size model's initial weights (seed 0): what the new "
               "initialisation changes"),
        Metric("batchnorm_momentum", "value", "", _batchnorm_momentum,
               "each BatchNorm's momentum against the installed PyTorch's default, read "
               "from torch.nn.BatchNorm3d's signature"),
        Metric("default_collate_forward", "value", "", _default_collate_forward,
               f"bug F9: the full-size model's first forward on {BATCH} clips batched by "
               f"torch's default collate, as stage 5's DataLoader batches them"),
        Metric("loss_over_training", "value", "", _loss_over_training,
               f"BCE loss of a fresh scaled model (Adam, lr {LEARNING_RATE:g}, weight decay "
               f"{WEIGHT_DECAY:g}) on the clips in (N, C, T, H, W), F9's fix (the before "
               f"side: the model class itself)"),
        Metric("step_time", "time", "s", _step,
               f"one optimiser step of the scaled model: {ACCUMULATION} forwards and "
               f"backwards of {BATCH} clips, then Adam"),
    ),
    output=_architecture,
    equivalence=Equivalence.exact(
        "the same architecture: parameter names and shapes, BatchNorm momentum"),
    revision=2,
    notes=f"Follows the code at {BEFORE_COMMIT} (the factory without {MODEL_NAME!r}: "
          f"ValueError; the class with PyTorch's initialisation) and {AFTER_COMMIT} (the "
          f"name registered, MODEL_MEMORY_CONFIGS batch 2, 0 workers, num_frames 8, "
          f"accumulation 4; Kaiming-normal fan_out conv init and N(0, 0.01) fc init; "
          f"momentum=0.1 on the stem's BatchNorm, PyTorch's default, read from torch). The "
          f"model cannot train at either commit (stage 5 fails earlier: F3, F4, and F5 at "
          f"{AFTER_COMMIT}); the training readings assume those fixed and F9 fixed by "
          f"permuting to (N, C, T, H, W), and use one optimiser on both sides. Stage 5 "
          f"feeds fixed square letterboxed clips: the report's variable aspect ratios are "
          f"not what the code trains on. cudnn.benchmark is set nowhere in the code; the "
          f"flag on this model with changing shapes is trainer.cudnn_benchmark's what-if. "
          f"Revision 2: was a made-up 2-D per-frame CNN (three stride-2 convs) built from "
          f"the report's text, trained with Adam (lr 1e-3) on clips of three aspect ratios "
          f"with a step time per shape; the memory config was batch 4, 4 frames.",
)

CLAIMS = [VARIABLE_AR, *FUSION_CLAIMS]
