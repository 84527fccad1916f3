"""The tokenizer and image processor Lab_Project's collator calls, without a hub.

The codebase loads CLIPTokenizer and CLIPProcessor for
openai/clip-vit-base-patch32 from the Hugging Face hub. optbench downloads
nothing at run time, so it rebuilds what the collator relies on, at the same
interface and cost shape (docs/sources/lab-project-code.md):

* `ClipLikeTokenizer`: the slow, pure-Python kind. Lower-cases, splits into
  words, splits each new word into the longest subwords of a seeded
  vocabulary (a per-word cache, as CLIP's slow BPE keeps), tokenizes the whole
  text before it truncates, adds start and end tokens, pads to 77 with the end
  token; the attention mask is int64 0/1, so every row has at least 2 ones.
* `ClipLikeImageProcessor`: CLIP's preprocessing: RGB, shortest edge resized
  (bicubic) to `side`, centre crop `side` x `side`, scaled to [0, 1] and
  normalised with CLIP's mean and std, float32 (3, side, side). The codebase's
  side is 224; runs on this CPU state a smaller one.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import torch
from PIL import Image

MAX_LENGTH = 77
VOCAB_SIZE = 49_408
START, END = VOCAB_SIZE - 2, VOCAB_SIZE - 1
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
IMAGE_SIDE = 224

_WORDS = re.compile(r"[a-z]+|[0-9]|[^\sa-z0-9]+")


@functools.cache
def _vocabulary(seed: int = 20261206) -> dict[str, int]:
    """Single characters, then seeded 2-6 letter pieces (frequent letters more
    often), up to the ids below START. Built once a process."""
    rng = np.random.default_rng(seed)
    pieces: dict[str, int] = {}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,;:'\"()-_/\\!?&%":
        pieces.setdefault(c, len(pieces))
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    weights = np.linspace(2.0, 0.2, len(letters))
    while len(pieces) < START:
        drawn = rng.choice(letters, (START, 6), p=weights / weights.sum())
        lengths = rng.integers(2, 7, START)
        for row, n in zip(drawn, lengths):
            pieces.setdefault("".join(row[:n]), len(pieces))
            if len(pieces) == START:
                break
    return pieces


class ClipLikeTokenizer:
    model_max_length = MAX_LENGTH

    def __init__(self):
        self.vocab = _vocabulary()
        self.longest = max(map(len, self.vocab))
        self.cache: dict[str, list[int]] = {}

    def _word(self, word: str) -> list[int]:
        ids = self.cache.get(word)
        if ids is None:
            ids, at = [], 0
            while at < len(word):
                for end in range(min(len(word), at + self.longest), at, -1):
                    piece = self.vocab.get(word[at:end])
                    if piece is not None:
                        ids.append(piece)
                        at = end
                        break
                else:                      # a character outside the vocabulary
                    ids.append(self.vocab["?"])
                    at += 1
            self.cache[word] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        ids = [i for word in _WORDS.findall(text.lower()) for i in self._word(word)]
        return [START] + ids[:MAX_LENGTH - 2] + [END]

    def __call__(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """padding='max_length', truncation=True, max_length=77, return_tensors='pt'."""
        input_ids = torch.full((len(texts), MAX_LENGTH), END, dtype=torch.long)
        attention_mask = torch.zeros((len(texts), MAX_LENGTH), dtype=torch.long)
        for row, text in enumerate(texts):
            ids = self.encode(text)
            input_ids[row, :len(ids)] = torch.tensor(ids)
            attention_mask[row, :len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": attention_mask}


class ClipLikeImageProcessor:
    def __init__(self, side: int = IMAGE_SIDE):
        self.side = side
        self.mean = np.array(CLIP_MEAN, dtype=np.float32)[:, None, None]
        self.std = np.array(CLIP_STD, dtype=np.float32)[:, None, None]

    def _one(self, image: Image.Image) -> np.ndarray:
        image = image.convert("RGB")
        scale = self.side / min(image.size)
        size = (max(self.side, round(image.width * scale)), max(self.side, round(image.height * scale)))
        image = image.resize(size, Image.BICUBIC)
        left, top = (size[0] - self.side) // 2, (size[1] - self.side) // 2
        image = image.crop((left, top, left + self.side, top + self.side))
        pixels = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255.0
        return (pixels - self.mean) / self.std

    def __call__(self, images: list[Image.Image]) -> dict[str, torch.Tensor]:
        """images=..., return_tensors='pt': a new array per image, the input untouched."""
        return {"pixel_values": torch.from_numpy(np.stack([self._one(i) for i in images]))}
