"""The video-pipeline codebase's model factory (Horopter/AURA,
lib/training/model_factory.py) before the report (5332a68b) and at the
report's commit (70877759), as optbench reads it
(docs/sources/video-pipeline-code.md §7).

What is reproduced: the names the factory knows (its MODEL_MEMORY_CONFIGS
keys, which are also what it lists as available), each name's memory
config, and that an unknown name raises ValueError naming it and the
available ones. 70877759 adds "variable_ar_cnn" (VariableARVideoModel with
in_channels 3 and base_channels 32 unless the model-specific config says
otherwise) and two pretrained models, "i3d" and "r2plus1d".

The other models (scikit-learn baselines, pretrained ViT, SlowFast, X3D,
R3D backbones that download weights) are not reproduced: each name builds
`StandIn`, a linear layer on a clip's mean colour, so the factory is a
factory; no claim reads them. Model-specific settings are keyword
arguments here (the codebase reads them from the run config's
model_specific_config).
"""
from __future__ import annotations

from functools import partial

from torch import nn

from .video import VariableARVideoModelAt70877759

VARIABLE_AR_NAME = "variable_ar_cnn"


class StandIn(nn.Module):
    """A small stand-in for one of the codebase's other models."""

    def __init__(self, model_type: str, in_channels: int = 3, num_classes: int = 1):
        super().__init__()
        self.model_type = model_type
        self.linear = nn.Linear(in_channels, num_classes)

    def forward(self, clips):   # (N, C, T, H, W)
        return self.linear(clips.mean(dim=(2, 3, 4)))


def _memory(batch_size: int, num_frames: int, accumulation: int) -> dict:
    return {"batch_size": batch_size, "num_workers": 0, "num_frames": num_frames,
            "gradient_accumulation_steps": accumulation}


# name -> (batch size, frames, gradient accumulation steps); 0 workers for all.
MODEL_MEMORY_CONFIGS_BEFORE = {
    name: _memory(*numbers) for name, numbers in {
        "logistic_regression": (4, 6, 2), "svm": (4, 6, 2), "naive_cnn": (1, 6, 8),
        "vit_gru": (1, 6, 16), "vit_transformer": (1, 6, 20), "slowfast": (1, 6, 40),
        "x3d": (1, 6, 20), "pretrained_inception": (1, 6, 8)}.items()}
MODEL_MEMORY_CONFIGS_AFTER = {
    **MODEL_MEMORY_CONFIGS_BEFORE,
    VARIABLE_AR_NAME: _memory(2, 8, 4),   # num_frames 8 is not passed to the clips
    "i3d": _memory(1, 6, 20), "r2plus1d": _memory(1, 6, 20)}

MODELS_BEFORE = {name: partial(StandIn, name) for name in MODEL_MEMORY_CONFIGS_BEFORE}
MODELS_AFTER = {**MODELS_BEFORE, **{name: partial(StandIn, name) for name in ("i3d", "r2plus1d")},
                VARIABLE_AR_NAME: VariableARVideoModelAt70877759}


def _create(models: dict, configs: dict, model_type: str, **model_specific) -> nn.Module:
    if model_type not in models:
        raise ValueError(f"Unknown model type: {model_type}. Available: {list(configs)}")
    return models[model_type](**model_specific)


def create_model_before(model_type: str, **model_specific) -> nn.Module:
    return _create(MODELS_BEFORE, MODEL_MEMORY_CONFIGS_BEFORE, model_type, **model_specific)


def create_model_after(model_type: str, **model_specific) -> nn.Module:
    return _create(MODELS_AFTER, MODEL_MEMORY_CONFIGS_AFTER, model_type, **model_specific)
