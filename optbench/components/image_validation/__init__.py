"""Image validation of the training-system report §1.2: model_train's
ImageAdapter.validate before (6b13c54: every sampled image, everything
kept) and after (fadd6ab: stop after more than 5 errors, keep 10 warnings),
around its SchemaValidator (validator.py). No best variant: the validator
reads only each file's header (~40 us an image), so there is nothing left to
save without skipping images."""
from optbench.core.claim import pick_variant

from . import baseline, optimized

VARIANTS = {"baseline": baseline.ImageAdapter, "optimized": optimized.ImageAdapter}


def get(variant: str):
    return pick_variant(VARIANTS, variant, "image_validation")
