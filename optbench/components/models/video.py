"""VariableARVideoModel of the video-pipeline codebase (Horopter/AURA,
lib/models/video.py) at the commit before the report (5332a68b) and at the
report's commit (70877759), written for optbench from a reading of the code
(docs/sources/video-pipeline-code.md §7), and the clips it is fed.

The architecture is the same at both commits: a small Inception-style 3-D
CNN for binary clip classification.

* stem: a 3x3x3 Conv3d from the input channels to `base_channels`
  (padding 1), BatchNorm3d, ReLU;
* two Inception-style blocks, base -> 2*base and 2*base -> 4*base. Each has
  four parallel branches with a quarter of the output channels: a 1x1x1
  conv, a 3x3x3 conv, a 5x5x5 conv, and a 3x3x3 max-pool (stride 1) followed
  by a 1x1x1 conv. The branches are concatenated along the channels, then
  BatchNorm3d and ReLU;
* head: global average pooling over (T, H, W), flatten, Dropout(0.5), and a
  linear layer to `num_classes` logits (the codebase has no such argument:
  its head is always one logit, which is the default here).

There is no stride and no pooling before the global pool, so every
convolution runs at the clip's full T x H x W. Input (N, C, T, H, W).
At base_channels=32 the model has 397,633 trainable parameters.

`VariableARVideoModel` is the class as it was at 5332a68b: PyTorch's own
initialisation, BatchNorm built without arguments.
`VariableARVideoModelAt70877759` is the report's commit: the same layers,
then `init_weights_as_at_70877759` (Kaiming-normal fan_out/ReLU convs with
zero biases, BatchNorm weight 1 and bias 0, linear weights N(0, 0.01) with
zero bias), and the stem's BatchNorm built with momentum=0.1 (PyTorch's
default value, passed explicitly).

Clips. `clip_batches` gives one batch per aspect ratio (for claims about
changing shapes, e.g. trainer.cudnn_benchmark). `letterboxed_samples` gives
what the codebase's stage 5 would load: square letterboxed clips, one
(T, C, H, W) tensor and an integer label per clip, as its dataset returns
them, so that torch's default collate stacks them as (N, T, C, H, W).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

BEFORE_COMMIT, AFTER_COMMIT = "5332a68b", "70877759"
FULL_BASE_CHANNELS = 32
FULL_SIZE_PARAMETERS = 397_633   # trainable, at FULL_BASE_CHANNELS (from the layer shapes)
SHAPES = ("landscape", "portrait", "square")
# The codebase's frame normalisation after ToTensor (ImageNet's mean and std).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class InceptionBlock3d(nn.Module):
    """Four parallel 3-D branches of out_channels // 4 channels each,
    concatenated, normalised and rectified; T, H, W are kept."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        width = out_channels // 4
        self.point = nn.Conv3d(in_channels, width, kernel_size=1)
        self.cube3 = nn.Conv3d(in_channels, width, kernel_size=3, padding=1)
        self.cube5 = nn.Conv3d(in_channels, width, kernel_size=5, padding=2)
        self.pooled = nn.Sequential(nn.MaxPool3d(kernel_size=3, stride=1, padding=1),
                                    nn.Conv3d(in_channels, width, kernel_size=1))
        self.norm = nn.BatchNorm3d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = [self.point(x), self.cube3(x), self.cube5(x), self.pooled(x)]
        return torch.relu_(self.norm(torch.cat(branches, dim=1)))


class VariableARVideoModel(nn.Module):
    """The model class at 5332a68b (PyTorch's default initialisation)."""

    def __init__(self, in_channels: int = 3, num_classes: int = 1,
                 base_channels: int = FULL_BASE_CHANNELS):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv3d(in_channels, base_channels, kernel_size=3, stride=1, padding=1),
            self._stem_norm(base_channels), nn.ReLU(inplace=True))
        self.block1 = InceptionBlock3d(base_channels, 2 * base_channels)
        self.block2 = InceptionBlock3d(2 * base_channels, 4 * base_channels)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.dropout = nn.Dropout(p=0.5)
        self.fc = nn.Linear(4 * base_channels, num_classes)

    def _stem_norm(self, width: int) -> nn.BatchNorm3d:
        return nn.BatchNorm3d(width)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        """clips (N, C, T, H, W) -> logits (N, num_classes). No permute: a
        (N, T, C, H, W) batch reaches the stem's Conv3d as it is."""
        features = self.block2(self.block1(self.stem(clips)))
        return self.fc(self.dropout(torch.flatten(self.pool(features), 1)))


def init_weights_as_at_70877759(model: nn.Module) -> nn.Module:
    """The weight initialisation 70877759 adds, applied in place."""
    for module in model.modules():
        if isinstance(module, nn.Conv3d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm3d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.01)
            nn.init.zeros_(module.bias)
    return model


class VariableARVideoModelAt70877759(VariableARVideoModel):
    """The model class at 70877759: the layers are built (and default-
    initialised) as before, then re-initialised; the stem's BatchNorm is
    given momentum=0.1."""

    STEM_BN_MOMENTUM = 0.1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        init_weights_as_at_70877759(self)

    def _stem_norm(self, width: int) -> nn.BatchNorm3d:
        return nn.BatchNorm3d(width, momentum=self.STEM_BN_MOMENTUM)


def trainable_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# --- Clips ------------------------------------------------------------------------

def _decoded(clips_per_shape: int, frames: int, downscale: int) -> dict[str, tuple]:
    from optbench.core.claim import scratch_folder
    from optbench.workloads.video import aspect_ratio_clips

    return aspect_ratio_clips(scratch_folder("optbench-clips-"), clips_per_shape=clips_per_shape,
                              frames=frames, downscale=downscale)


def clip_batches(clips_per_shape: int = 4, frames: int = 4
                 ) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """One training batch per aspect ratio from the video workload's seeded
    clips (`frames` frames at 80x45, 45x80 and 60x60, half colour-inverted as
    label 1): {shape: (clips (N, C, T, H, W) in 0..1, labels (N, 1))}."""
    decoded = _decoded(clips_per_shape, frames, downscale=4)
    batches = {}
    for shape in SHAPES:
        clips, labels = decoded[shape]            # (N, T, H, W, 3) uint8
        tensor = torch.from_numpy(np.ascontiguousarray(clips)).permute(0, 4, 1, 2, 3)
        batches[shape] = (tensor.float().div(255), torch.from_numpy(labels).unsqueeze(1))
    return batches


def letterbox(frame: np.ndarray, side: int) -> np.ndarray:
    """`frame` (H, W, 3) scaled by one factor so that its longer side is
    `side` (area interpolation), centred on a black side x side square:
    what the codebase's scaling stage writes."""
    import cv2

    height, width = frame.shape[:2]
    scale = min(side / width, side / height)
    new_width, new_height = int(width * scale), int(height * scale)
    square = np.zeros((side, side, frame.shape[2]), dtype=frame.dtype)
    top, left = (side - new_height) // 2, (side - new_width) // 2
    square[top:top + new_height, left:left + new_width] = cv2.resize(
        frame, (new_width, new_height), interpolation=cv2.INTER_AREA)
    return square


def letterboxed_samples(clips_per_shape: int, frames: int = 6, side: int = 32
                        ) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Seeded clips as the codebase's stage 5 would load them: each of the
    workload's landscape, portrait and square videos (320x180, 180x320,
    240x240; half of the clips colour-inverted, label 1) letterboxed to a
    `side` x `side` square, then scaled to 0..1 and normalised with ImageNet's
    mean and std (channels in RGB order). [(clip (T, C, H, W) float32, label int64 scalar)], the
    shapes interleaved (landscape, portrait, square, landscape, ...).

    Not reproduced: the random rotation and affine of the codebase's
    training transforms; the frames of a clip are consecutive (the
    workload's windows), not spread over the whole video."""
    decoded = _decoded(clips_per_shape, frames, downscale=1)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    samples = []
    for k in range(clips_per_shape):
        for shape in SHAPES:
            clips, labels = decoded[shape]
            # OpenCV decodes BGR; the codebase's decoder gives RGB.
            square = np.stack([letterbox(frame[..., ::-1], side) for frame in clips[k]])
            clip = torch.from_numpy(square).permute(0, 3, 1, 2).float().div(255)
            samples.append(((clip - mean) / std, torch.tensor(int(labels[k]))))
    return samples
