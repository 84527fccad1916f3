"""The small image CNN: torchvision's resnet18 with 10 classes, seeded, on
small seeded images (the image models the reports train are not shown;
resnet18 is the plainest standard one)."""
from __future__ import annotations

import torch
import torchvision

CLASSES = 10


def resnet18(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torchvision.models.resnet18(num_classes=CLASSES)


def image_batches(count: int, batch: int, side: int = 32, seed: int = 0) -> list[tuple]:
    """`count` seeded batches of (images (batch, 3, side, side), labels); the
    label is the brightest colour channel plus 3 x the brighter half, so the
    loss can fall."""
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(count):
        images = torch.rand(batch, 3, side, side, generator=g)
        channel = images.mean(dim=(2, 3)).argmax(dim=1)
        top_brighter = images[:, :, : side // 2].mean(dim=(1, 2, 3)) > \
            images[:, :, side // 2:].mean(dim=(1, 2, 3))
        batches.append((images, channel + 3 * top_brighter.long()))
    return batches
