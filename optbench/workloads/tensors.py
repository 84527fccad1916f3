"""Model outputs and classification data, seeded."""
from __future__ import annotations

import numpy as np

SEED = 20261123


def class_predictions(count: int, classes: int = 10, seed: int = SEED):
    """(preds int64 [count], probs float32 [count, classes]) as a predictor sees them."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((count, classes)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probs.argmax(axis=1).astype(np.int64), probs


def epoch_metrics(epochs: int, seed: int = SEED) -> list[dict]:
    """What a trainer reports at each epoch end: losses, accuracy, lr."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 0.02, size=(epochs, 3))
    return [{"train_loss": round(float(1.5 / (1 + e) + noise[e, 0] + 0.1), 6),
             "val_loss": round(float(1.6 / (1 + e) + noise[e, 1] + 0.12), 6),
             "val_accuracy": round(float(min(0.99, 0.5 + e / (2 * epochs) + noise[e, 2])), 6),
             "lr": round(1e-3 * 0.95 ** e, 8)} for e in range(epochs)]


# Label sets a split helper meets, from the easy to the ones that break it.
LABEL_SHAPES = ("balanced 3 classes", "90/10 imbalance", "a class of 1",
                "a class of 2", "a class of 3", "25 classes")


def label_sets(samples: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """One label vector of `samples` labels per shape in LABEL_SHAPES."""
    rng = np.random.default_rng(seed)

    def with_rare(count: int) -> np.ndarray:
        y = np.arange(samples - count) % 3
        return rng.permutation(np.concatenate([y, np.full(count, 3)]))

    return {
        "balanced 3 classes": rng.permutation(np.arange(samples) % 3),
        "90/10 imbalance": rng.permutation((np.arange(samples) % 10 == 0).astype(int)),
        "a class of 1": with_rare(1),
        "a class of 2": with_rare(2),
        "a class of 3": with_rare(3),
        "25 classes": rng.permutation(np.arange(samples) % 25),
    }


# The training system's validation: Iris's 4 features and 3 classes, batches
# of 32 (configs/training_config.yaml), its own MLP (components/models/tabular.py).
VALIDATION_FEATURES = 4
VALIDATION_CLASSES = 3
VALIDATION_BATCH = 32


def _batched(model, inputs, targets):
    return model, [(inputs[i:i + VALIDATION_BATCH], targets[i:i + VALIDATION_BATCH])
                   for i in range(0, len(inputs), VALIDATION_BATCH)]


def validation_batches(samples: int, seed: int = SEED):
    """The training system's MLP (4-128-64-32-3, seeded) and `samples` rows of
    standardized Iris-shaped features with their species, as (inputs,
    targets) batches of 32. The codebase's own validation set is 22 rows;
    1,000 is the report's figure, 10,000 and more its "large datasets"."""
    import torch

    from optbench.components.models.tabular import tabular_mlp
    from optbench.workloads.tabular import IRIS_MEANS, IRIS_STDS

    rng = np.random.default_rng(seed)
    targets = rng.integers(0, VALIDATION_CLASSES, samples)
    features = rng.normal(np.take(IRIS_MEANS, targets, axis=0), np.take(IRIS_STDS, targets, axis=0))
    features = (features - features.mean(axis=0)) / features.std(axis=0)
    model = tabular_mlp(VALIDATION_FEATURES, VALIDATION_CLASSES, seed=seed % 2 ** 31)
    return _batched(model, torch.from_numpy(features.astype(np.float32)),
                    torch.from_numpy(targets.astype(np.int64)))


# Small RGB images: with the ConvNet below, about 2 ms of model per sample on
# one thread of the 2-core development CPU, the report's 2.1 s per 1,000.
CONVNET_IMAGE = 48
CONVNET_CHANNELS = (32, 64, 128)


def convnet_validation_batches(samples: int, seed: int = SEED):
    """A seeded three-layer ConvNet on 48x48 RGB images and its validation set."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    layers, channels = [], 3
    for width in CONVNET_CHANNELS:
        layers += [torch.nn.Conv2d(channels, width, 3, padding=1), torch.nn.ReLU(),
                   torch.nn.MaxPool2d(2)]
        channels = width
    layers[-1] = torch.nn.AdaptiveAvgPool2d(1)  # the last pooling reads the whole map
    model = torch.nn.Sequential(*layers, torch.nn.Flatten(),
                                torch.nn.Linear(channels, VALIDATION_CLASSES))
    inputs = torch.randn(samples, 3, CONVNET_IMAGE, CONVNET_IMAGE, generator=generator)
    targets = torch.randint(0, VALIDATION_CLASSES, (samples,), generator=generator)
    return _batched(model, inputs, targets)
