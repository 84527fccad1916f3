"""The training system's tabular model (Harsh-6361/model_train src/models/
tabular_model.py, the same at 6b13c54 and 29be98f): an MLP classifier,
Linear -> ReLU -> Dropout(0.3) for each hidden layer of configs/
model_config.yaml (128, 64, 32), then a Linear to the classes; Kaiming-normal
weights (fan_out, ReLU), zero biases. 11,075 parameters for Iris (4 -> 3).
"""
from __future__ import annotations

import torch

HIDDEN = (128, 64, 32)
DROPOUT = 0.3


class MLPClassifier(torch.nn.Module):
    def __init__(self, input_dim: int, output_dim: int, hidden: tuple[int, ...] = HIDDEN,
                 dropout: float = DROPOUT):
        super().__init__()
        layers, width = [], input_dim
        for size in hidden:
            layers += [torch.nn.Linear(width, size), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
            width = size
        layers.append(torch.nn.Linear(width, output_dim))
        self.network = torch.nn.Sequential(*layers)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.hidden, self.dropout = hidden, dropout
        for layer in self.network:
            if isinstance(layer, torch.nn.Linear):
                torch.nn.init.kaiming_normal_(layer.weight, mode="fan_out", nonlinearity="relu")
                torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.network(x)

    def get_config(self) -> dict:
        return {"model_type": "tabular", "architecture": "mlp", "input_dim": self.input_dim,
                "output_dim": self.output_dim, "hidden_layers": list(self.hidden),
                "dropout": self.dropout, "activation": "relu"}


def tabular_mlp(features: int = 4, classes: int = 3, seed: int = 0) -> MLPClassifier:
    """The model, its weights drawn from `seed` (the codebase draws them
    unseeded: see system.training_system's declared fixes)."""
    torch.manual_seed(seed)
    return MLPClassifier(features, classes)
