"""What the loaders load: image files (a realistic per-sample cost: a file
opened and decoded, resized to 64x64, to a tensor) and an in-memory dataset
whose samples cost nothing, so the reader sees when worker settings matter."""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from optbench.core.claim import scratch_folder
from optbench.workloads import images

IMAGE_SIZES = ((128, 96), (256, 256))
IMAGE_SIDE = 64


def image_tensor(path: str) -> torch.Tensor:
    """Decode, resize to IMAGE_SIDE square, float CHW in [0, 1]."""
    with Image.open(path) as image:
        resized = image.convert("RGB").resize((IMAGE_SIDE, IMAGE_SIDE))
    return torch.from_numpy(np.asarray(resized, dtype=np.uint8).copy()).permute(2, 0, 1)


class ImageFiles(torch.utils.data.Dataset):
    def __init__(self, paths):
        self.paths = [str(p) for p in paths]

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        return image_tensor(self.paths[index]).float().div(255), index % 10


class InMemory(torch.utils.data.Dataset):
    def __init__(self, count: int):
        g = torch.Generator().manual_seed(count)
        self.images = torch.rand(count, 3, 64, 64, generator=g)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        return self.images[index], index % 10


def image_files(count: int) -> ImageFiles:
    folder = scratch_folder("optbench-loader-images-")
    return ImageFiles(images.write_images(folder, count, sizes=IMAGE_SIZES))
