"""lib/training/model_factory.py before and after the video-pipeline report
(§1): "Added to model_factory.py as "variable_ar_cnn"", "Added to
MODEL_MEMORY_CONFIGS", "Usage: --model-types variable_ar_cnn".

The report shows no code. Most literal reading: a registry of model
constructors by name and a per-model memory config (batch size, frames per
clip); an unknown name is a ValueError naming it. The other entries stand
for the project's existing models (the report names naive_cnn and
logistic_regression among them); they are here so the factory is a
factory, not for any claim.
"""
from __future__ import annotations

from torch import nn

from .video import ReportVariableARVideoModel


class NaiveCNN(nn.Module):
    """naive_cnn: one convolution per frame, pooled, for fixed-size clips."""

    def __init__(self, in_channels: int = 3, num_classes: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.classifier = nn.Linear(8, num_classes)

    def forward(self, clips):
        batch, frames = clips.shape[:2]
        per_frame = self.conv(clips.flatten(0, 1)).relu().mean(dim=(2, 3))
        return self.classifier(per_frame.view(batch, frames, -1).mean(dim=1))


class LogisticRegression(nn.Module):
    """logistic_regression: a linear layer on each clip's mean colour."""

    def __init__(self, in_channels: int = 3, num_classes: int = 1):
        super().__init__()
        self.linear = nn.Linear(in_channels, num_classes)

    def forward(self, clips):
        return self.linear(clips.mean(dim=(1, 3, 4)))


MODELS_BEFORE = {"naive_cnn": NaiveCNN, "logistic_regression": LogisticRegression}
MODEL_MEMORY_CONFIGS_BEFORE = {"naive_cnn": {"batch_size": 16, "frames": 8},
                               "logistic_regression": {"batch_size": 64, "frames": 8}}

VARIABLE_AR_NAME = "variable_ar_cnn"
MODELS_AFTER = {**MODELS_BEFORE, VARIABLE_AR_NAME: ReportVariableARVideoModel}
MODEL_MEMORY_CONFIGS_AFTER = {**MODEL_MEMORY_CONFIGS_BEFORE,
                              VARIABLE_AR_NAME: {"batch_size": 4, "frames": 4}}


def _create(models: dict, model_type: str, **kwargs) -> nn.Module:
    if model_type not in models:
        raise ValueError(f"Unknown model type: {model_type!r} (known: {', '.join(models)})")
    return models[model_type](**kwargs)


def create_model_before(model_type: str, **kwargs) -> nn.Module:
    return _create(MODELS_BEFORE, model_type, **kwargs)


def create_model_after(model_type: str, **kwargs) -> nn.Module:
    return _create(MODELS_AFTER, model_type, **kwargs)
