"""models.variable_ar: "VariableARVideoModel - Now Available: Added to
model_factory.py as "variable_ar_cnn", Optimized with proper weight
initialization, BatchNorm momentum set to 0.1 for small batches"
(video-pipeline report §1).

The claim is availability: building the model by name fails before and
works after. Beside it: the model trains on clips of three aspect ratios
(does the loss fall?), its step time per shape, what the new initialisation
changed, and whether "momentum 0.1" differs from what the installed PyTorch
already does. The before factory cannot build the model, so the before side
trains the model class as it was (lib/models/video.py, reachable only by
import): the training readings compare the two models, the claim the two
factories. cudnn.benchmark on this model's shapes is trainer.cudnn_benchmark's.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import torch

from optbench.components.trainer.steps import Settings, StepTrainer
from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.units import number

from . import VARIABLE_AR_FACTORIES, factory
from .claims_fusion import CLAIMS as FUSION_CLAIMS
from .video import SHAPES, VariableARVideoModel, clip_batches

MODEL_NAME = factory.VARIABLE_AR_NAME
# The report's memory config for the model: its batch and clip length.
MEMORY_CONFIG = factory.MODEL_MEMORY_CONFIGS_AFTER[MODEL_NAME]
LEARNING_RATE = 1e-3


@dataclass
class Clips:
    batches: dict[str, tuple[torch.Tensor, torch.Tensor]]   # shape -> (clips, labels)


def _clips(steps: int) -> Clips:
    """The report's memory config's batch of clips of its frame count, per
    aspect ratio (`video.clip_batches`); `steps` is how many training steps
    the loss is followed over."""
    return Clips(clip_batches(clips_per_shape=MEMORY_CONFIG["batch_size"],
                              frames=MEMORY_CONFIG["frames"]))


def _factory_outcome(create) -> tuple[torch.nn.Module | None, str]:
    torch.manual_seed(0)
    try:
        model = create(MODEL_NAME)
    except Exception as exc:  # what the factory does is the reading
        return None, f"{type(exc).__name__}: {exc}"
    count = sum(p.numel() for p in model.parameters())
    return model, f"builds {type(model).__name__}, {count:,} parameters"


class Training:
    """The trainer's own step (PyTorch's defaults: fp32, Adam) on one shape's batch."""

    def __init__(self, case: Case, model: torch.nn.Module, factory_reading: str):
        self.case, self.factory_reading = case, factory_reading
        self.trainer = StepTrainer(model, torch.nn.functional.binary_cross_entropy_with_logits,
                                   Settings(), lr=LEARNING_RATE)
        self.model = self.trainer.model

    def step(self, shape: str) -> float:
        return self.trainer.step(self.case.data.batches[shape]).item()


def _trained_model(case: Case) -> tuple[torch.nn.Module, str]:
    """The variant's factory's model; where the factory cannot build it, the
    model class as it was before the report, seeded alike."""
    model, reading = _factory_outcome(case.implementation)
    if model is None:
        torch.manual_seed(0)
        model = VariableARVideoModel()
    return model, reading


def _setup(case: Case) -> Training:
    model, reading = _trained_model(case)
    return Training(case, model, reading)


def _factory_failures(state: Training) -> int:
    return int(_factory_outcome(state.case.implementation)[0] is None)


def _loss_over_training(state: Training) -> str:
    """A fresh model of the variant, `size` steps cycling through the shapes."""
    fresh = Training(state.case, _trained_model(state.case)[0], state.factory_reading)
    losses = [fresh.step(SHAPES[i % len(SHAPES)]) for i in range(state.case.size)]
    # Mean of the first and of the last round of shapes: one shape's batch is
    # easier than another's, so single steps would compare shapes, not training.
    first, last = np.mean(losses[:len(SHAPES)]), np.mean(losses[-len(SHAPES):])
    verdict = "falls" if last < first else "does not fall"
    return (f"{number(first, 3)} -> {number(last, 3)} over {len(losses)} steps "
            f"(mean of a round of the {len(SHAPES)} shapes): {verdict}")


def _torch_batchnorm_default() -> float:
    return inspect.signature(torch.nn.BatchNorm2d).parameters["momentum"].default


def _batchnorm_momentum(state: Training) -> str:
    momenta = {m.momentum for m in state.model.modules()
               if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)}
    default = _torch_batchnorm_default()
    same = "the same: no change" if momenta == {default} else "different"
    return (f"{', '.join(map(str, sorted(momenta)))}; torch.nn.BatchNorm2d's default in "
            f"torch {torch.__version__}: {default} ({same})")


def _first_conv_weight_std(state: Training) -> float:
    model, _ = _trained_model(state.case)   # seeded there
    conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    return round(float(conv.weight.detach().std()), 4)


def _step(shape: str):
    return lambda state: state.step(shape)


def _architecture(case: Case) -> dict:
    """Parameter names and shapes, and each BatchNorm's momentum."""
    model, _ = _trained_model(case)
    return {"parameters": {n: tuple(p.shape) for n, p in model.named_parameters()},
            "batchnorm_momentum": [m.momentum for m in model.modules()
                                   if isinstance(m, torch.nn.BatchNorm2d)]}


# Video-pipeline report §1: "VariableARVideoModel - Now Available", "Added to
# `model_factory.py` as "variable_ar_cnn"", "Usage: `--model-types
# variable_ar_cnn`": building it by name fails before, works after.
AVAILABLE = Claimed.eliminated(text=f"VariableARVideoModel available for training as "
                                    f"{MODEL_NAME!r} (the build fails before)")

VARIABLE_AR = Claim(
    id="models.variable_ar",
    source="video-pipeline report §1, VariableARVideoModel - Now Available",
    component="models",
    title=f"model_factory({MODEL_NAME!r}): VariableARVideoModel with weight init and "
          f"BatchNorm momentum 0.1",
    claimed=AVAILABLE,
    variants=VARIABLE_AR_FACTORIES,
    workload=Workload(f"clips of {MEMORY_CONFIG['frames']} frames, "
                      f"{MEMORY_CONFIG['batch_size']} per aspect ratio (80x45, 45x80, 60x60; "
                      f"the report's MODEL_MEMORY_CONFIGS), half colour-inverted (label 1), "
                      f"decoded from seeded videos; size: training steps the loss is followed "
                      f"over", _clips, sizes=(12, 60),
                      quick_sizes=(12,), size_unit="steps"),
    setup=_setup,
    primary=Metric("factory_failures", "counter", "failures", _factory_failures,
                   f"model_factory({MODEL_NAME!r}) raising instead of building a model"),
    secondary=(
        Metric("factory_result", "value", "", lambda s: s.factory_reading,
               f"what model_factory({MODEL_NAME!r}) does"),
        Metric("loss_over_training", "value", "", _loss_over_training,
               f"BCE loss of a fresh model trained with Adam (lr {LEARNING_RATE:g}) on the "
               f"clips, one batch per step, shapes in turn (the before side: the model "
               f"class itself)"),
        Metric("batchnorm_momentum", "value", "", _batchnorm_momentum,
               "the model's BatchNorm momentum against the installed PyTorch's default, "
               "read from torch.nn.BatchNorm2d's signature"),
        Metric("first_conv_weight_std", "value", "", _first_conv_weight_std,
               "standard deviation of the first convolution's initial weights (seed 0): "
               "what the new initialisation changes"),
        *(Metric(f"step_time_{shape}", "time", "s", _step(shape),
                 f"one training step (forward, backward, Adam) on the {shape} batch")
          for shape in SHAPES),
    ),
    output=_architecture,
    equivalence=Equivalence.exact(
        "the same architecture: parameter names and shapes, BatchNorm momentum"),
    notes="cudnn.benchmark with this model's changing shapes is trainer.cudnn_benchmark's "
          "reading (CUDA only), not this claim's.",
)

CLAIMS = [VARIABLE_AR, *FUSION_CLAIMS]
