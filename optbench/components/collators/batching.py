"""The Lab_Project multimodal collator's batching, shared by every variant.

The reports show no code of loader/multimodal_collator.py; what they say
is that it turns samples of text, an image path and graph node features
into a batch, and that its image loader was changed twice: a missing
`from pathlib import Path` added (optimization 1) and an LRU cache around
the loader (optimization 5). This module is the part neither changed, in
its most literal form: whitespace tokens hashed into a fixed vocabulary and
padded, images loaded by the variant's `load_image`, passed through the
transform, resized and stacked, node features padded with a mask.
"""
from __future__ import annotations

import zlib
from typing import Any, Callable, Sequence

import numpy as np
import torch

VOCABULARY = 30_522          # BERT-sized: token ids are crc32(word) % VOCABULARY
IMAGE_SIDE = 64              # images are resized to IMAGE_SIDE x IMAGE_SIDE


def token_ids(text: str) -> list[int]:
    return [zlib.crc32(word.encode()) % VOCABULARY for word in text.split()]


def no_transform(image):
    return image


class CollatorBase:
    """Batches samples {"text", "image_path", "node_features"}; the image
    loader is each variant's."""

    def __init__(self, image_transform: Callable = no_transform, image_side: int = IMAGE_SIDE):
        self.image_transform = image_transform
        self.image_side = image_side

    def load_image(self, image_path: str):
        raise NotImplementedError

    def image_tensor(self, image_path: str) -> torch.Tensor:
        image = self.image_transform(self.load_image(image_path))
        resized = image.resize((self.image_side, self.image_side))
        return torch.from_numpy(np.asarray(resized, dtype=np.uint8).copy()).permute(2, 0, 1)

    def __call__(self, samples: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        tokens = [token_ids(s["text"]) for s in samples]
        longest = max(len(t) for t in tokens)
        input_ids = torch.zeros(len(samples), longest, dtype=torch.long)
        attention_mask = torch.zeros(len(samples), longest, dtype=torch.bool)
        for row, ids in enumerate(tokens):
            input_ids[row, :len(ids)] = torch.tensor(ids)
            attention_mask[row, :len(ids)] = True
        nodes = [np.asarray(s["node_features"], dtype=np.float32) for s in samples]
        most = max(n.shape[0] for n in nodes)
        node_features = torch.zeros(len(samples), most, nodes[0].shape[1])
        node_mask = torch.zeros(len(samples), most, dtype=torch.bool)
        for row, n in enumerate(nodes):
            node_features[row, :n.shape[0]] = torch.from_numpy(n)
            node_mask[row, :n.shape[0]] = True
        images = torch.stack([self.image_tensor(s["image_path"]) for s in samples])
        return {"input_ids": input_ids, "attention_mask": attention_mask, "images": images,
                "node_features": node_features, "node_mask": node_mask}
