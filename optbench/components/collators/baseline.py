"""loader/multimodal_collator.py at b05ebe4, before the PR (Lab_Project PR summary
"Critical Bug Fixes"; Lab_Project optimizations doc §1): every load opens its
image file, and the module uses `Path` without importing it, so the first
string image path raises NameError (a non-string path, NaN for a node without
an image, returns the default image before `Path` is reached). Kept as it was:
collator.path_import measures exactly that.
"""
from .batching import CollatorBase, read_image


class MultimodalCollator(CollatorBase):
    def load_image(self, image_path):
        if not isinstance(image_path, str) or not image_path:
            return self.default_image
        return read_image(image_path, Path, self.default_image)  # noqa: F821 (the bug)
