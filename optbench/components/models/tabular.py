"""The training-system report's tabular model: an MLP classifier for Iris-shaped data.

The report names the model and dataset ("Tabular Model (Iris dataset,
CPU)", 50 epochs) but shows no architecture; this is the plainest one for
4 features and 3 classes: two hidden ReLU layers, no dropout, so training is
deterministic given the seed.
"""
from __future__ import annotations

import torch

HIDDEN = (64, 32)


def tabular_mlp(features: int = 4, classes: int = 3, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    layers, width = [], features
    for hidden in HIDDEN:
        layers += [torch.nn.Linear(width, hidden), torch.nn.ReLU()]
        width = hidden
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, classes))
