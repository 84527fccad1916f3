"""What the loaders load: the collator's images (a realistic per-sample cost:
a file opened and decoded, resized to 64x64, to a tensor: the multimodal
collator's own image path, collators/batching.py) and an in-memory dataset
whose samples cost nothing, so the reader sees when worker settings matter."""
from __future__ import annotations

import torch

from optbench.components.collators.import_fixed import MultimodalCollator
from optbench.core.claim import scratch_folder
from optbench.workloads import images

IMAGE_SIZES = ((128, 96), (256, 256))


class ImageFiles(torch.utils.data.Dataset):
    def __init__(self, paths):
        self.paths = [str(p) for p in paths]
        self.collator = MultimodalCollator()   # its decode + resize, no cache

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        return self.collator.image_tensor(self.paths[index]).float().div(255), index % 10


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
