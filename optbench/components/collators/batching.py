"""Lab_Project's multimodal collator (loader/multimodal_collator.py), the part no
commit changed, shared by every variant; each variant brings its `load_image`.

A batch is a list of (anchor, positive) node dicts from the graph edge dataset.
The collator takes the anchors, then the positives (2B items), picks each
item's text (its summary when that has more than 3 words, else its short name,
else a space; a missing summary reads "nan", one word), tokenizes all texts
(padded to 77), loads every item's image and runs the image processor over
them: {input_ids, attention_mask (int64, (2B, 77)), pixel_values (float32,
(2B, 3, side, side))}. A non-string or empty image path, a missing file or an
unreadable one gives the collator's default image, one black 224x224 RGB
image made when the collator is, at every commit.

`image_transform` (none in the codebase) lets a what-if apply an
augmentation to each loaded image before the processor.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from PIL import Image

from .clip_like import IMAGE_SIDE, ClipLikeImageProcessor, ClipLikeTokenizer


def no_transform(image):
    return image


def text_of(node: dict) -> str:
    summary = str(node.get("summary") or "")
    if len(summary.split()) > 3:
        return summary
    return str(node.get("short_name") or "") or " "


def read_image(image_path: str, path_type, default: Image.Image) -> Image.Image:
    """Both commits' file read: Windows separators to '/', the default image
    for a missing file or one that does not open. `path_type` is the
    caller's `Path`: the before code's module never imports it."""
    path = path_type(image_path.replace("\\", "/"))
    if not path.exists():
        return default
    try:
        return Image.open(path).convert("RGB")
    except Exception:  # the codebase's own catch-all: any failure is the default image
        return default


class CollatorBase:
    def __init__(self, tokenizer=None, processor=None,
                 image_transform: Callable = no_transform, image_side: int | None = None):
        self.tokenizer = tokenizer if tokenizer is not None else ClipLikeTokenizer()
        self.processor = (processor if processor is not None
                          else ClipLikeImageProcessor(image_side or IMAGE_SIDE))
        self.image_transform = image_transform
        self.default_image = Image.new("RGB", (IMAGE_SIDE, IMAGE_SIDE))

    def load_image(self, image_path: Any) -> Image.Image:
        raise NotImplementedError

    def __call__(self, batch: Sequence[tuple[dict, dict]]) -> dict:
        items = load_order(batch)
        tokens = self.tokenizer([text_of(item) for item in items])
        images = [self.image_transform(self.load_image(item.get("image_path")))
                  for item in items]
        return {**tokens, **self.processor(images)}


def load_order(batch: Sequence[tuple[dict, dict]]) -> list[dict]:
    """The items of a batch in the order the collator loads them: anchors, then positives."""
    return [anchor for anchor, _ in batch] + [positive for _, positive in batch]
