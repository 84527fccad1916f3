"""The video-pipeline report's VariableARVideoModel (lib/models/video.py):
a binary clip classifier for videos of any aspect ratio.

The report shows no code. The model: each frame through three
Conv-BatchNorm-ReLU blocks (3x3, stride 2), adaptive average pooling to one
value per channel (so any height and width works), the mean over frames,
and a linear layer to one logit. Input (batch, frames, 3, height, width);
one batch holds one shape, batches differ.

`VariableARVideoModel` is the model as it was before the report: PyTorch's
default initialisation and BatchNorm arguments. `ReportVariableARVideoModel`
is the report's "Optimize VariableARVideoModel": "proper weight
initialization" (most literal reading: the scheme torchvision's ResNet
uses, Kaiming-normal for convolutions (fan_out, ReLU), BatchNorm weight 1
and bias 0, linear weights N(0, 0.01)) and "BatchNorm momentum set to 0.1".
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

WIDTHS = (16, 32, 64)
SHAPES = ("landscape", "portrait", "square")


def clip_batches(clips_per_shape: int = 4, frames: int = 4
                 ) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """One training batch per aspect ratio from the video workload's seeded
    clips (`frames` frames, 80x45, 45x80, 60x60, half colour-inverted as label 1):
    {shape: (clips (batch, frames, 3, height, width) in 0..1, labels (batch, 1))}."""
    from optbench.core.claim import scratch_folder
    from optbench.workloads.video import aspect_ratio_clips

    decoded = aspect_ratio_clips(scratch_folder("optbench-clips-"),
                                 clips_per_shape=clips_per_shape, frames=frames)
    batches = {}
    for shape in SHAPES:
        clips, labels = decoded[shape]
        tensor = torch.from_numpy(np.ascontiguousarray(clips)).permute(0, 1, 4, 2, 3)
        batches[shape] = (tensor.float().div(255), torch.from_numpy(labels).unsqueeze(1))
    return batches


class VariableARVideoModel(nn.Module):
    def __init__(self, in_channels: int = 3, num_classes: int = 1,
                 widths: tuple[int, ...] = WIDTHS):
        super().__init__()
        blocks, width = [], in_channels
        for out in widths:
            blocks += [nn.Conv2d(width, out, 3, stride=2, padding=1, bias=False),
                       self.batch_norm(out), nn.ReLU(inplace=True)]
            width = out
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(width, num_classes)

    def batch_norm(self, width: int) -> nn.BatchNorm2d:
        return nn.BatchNorm2d(width)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        batch, frames = clips.shape[:2]
        per_frame = self.pool(self.features(clips.flatten(0, 1))).flatten(1)
        return self.classifier(per_frame.view(batch, frames, -1).mean(dim=1))


class ReportVariableARVideoModel(VariableARVideoModel):
    BN_MOMENTUM = 0.1   # "BatchNorm momentum set to 0.1 for small batches"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0, 0.01)
                nn.init.zeros_(module.bias)

    def batch_norm(self, width: int) -> nn.BatchNorm2d:
        return nn.BatchNorm2d(width, momentum=self.BN_MOMENTUM)
