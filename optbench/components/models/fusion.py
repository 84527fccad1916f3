"""The Lab_Project's cross-attention fusion model (models/cross_attention_fusion.py)
and its masked mean pooling, before and after the optimizations doc's §4
("Changed clamp minimum from `1e-6` to `1.0` in masked pooling").

The report shows the clamp change only. The model around it, in the plainest
form its text allows: text tokens (an embedding; padding is token 0) attend
to the image features (one projected vector) and the graph's node features
(projected), a residual and LayerNorm, masked mean pooling over the text
tokens, a linear classifier. The pooling mask is built from the tokens
(`token != PAD`): binary, as the report's rationale assumes ("mask values
(which are 1.0 for valid tokens)").
"""
from __future__ import annotations

import torch
from torch import nn

PAD = 0
TOKENS = 16    # tokens a row, PAD after each row's length
NODES = 8      # graph nodes a row
VOCAB = 1000
CLAMP_BEFORE = 1e-6
CLAMP_AFTER = 1.0


def masked_mean(x: torch.Tensor, mask: torch.Tensor, clamp_min: float) -> torch.Tensor:
    """The codebase's pooling: sum of masked tokens over mask.sum clamped from
    below. Its mask is cast to float32 (`.float()`), so under autocast a half
    precision `x` is promoted and the sums and the division run in float32."""
    weights = mask.unsqueeze(-1).float()
    return (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=clamp_min)


def pool_before(x, mask):
    return masked_mean(x, mask, CLAMP_BEFORE)


def pool_after(x, mask):
    return masked_mean(x, mask, CLAMP_AFTER)


def pool_exact(x, mask):
    """Best: the weighted mean wherever any weight is there, whatever its size
    (soft masks keep their meaning), 0 for a row with none, and the sums taken
    in float32 under autocast (a half-precision sum of small weights rounds)."""
    weights = mask.unsqueeze(-1).float()
    total = weights.sum(dim=1)
    pooled = (x.float() * weights).sum(dim=1) / torch.where(total > 0, total, 1.0)
    return torch.where(total > 0, pooled, 0.0).to(x.dtype)


class CrossAttentionFusion(nn.Module):
    def __init__(self, pool=pool_before, vocab: int = VOCAB, dim: int = 64, heads: int = 4,
                 image_dim: int = 512, node_dim: int = 32, classes: int = 2):
        super().__init__()
        self.pool = pool
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.image_proj = nn.Linear(image_dim, dim)
        self.node_proj = nn.Linear(node_dim, dim)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(dim)
        self.classifier = nn.Linear(dim, classes)

    def forward(self, tokens, image_features, node_features, mask=None):
        """`mask` defaults to the model's own: token != PAD."""
        text = self.embed(tokens)
        context = torch.cat([self.image_proj(image_features).unsqueeze(1),
                             self.node_proj(node_features)], dim=1)
        attended, _ = self.attention(text, context, context, need_weights=False)
        fused = self.norm(text + attended)
        return self.classifier(self.pool(fused, (tokens != PAD) if mask is None else mask))


def padded_tokens(batch: int, g: torch.Generator) -> torch.Tensor:
    """(batch, TOKENS) token ids, each row 1 to TOKENS long, PAD after it."""
    lengths = torch.randint(1, TOKENS + 1, (batch,), generator=g)
    tokens = torch.randint(1, VOCAB, (batch, TOKENS), generator=g)
    tokens[torch.arange(TOKENS)[None, :] >= lengths[:, None]] = PAD
    return tokens


def fusion_batches(count: int, batch: int, seed: int = 0, pinned: bool = False) -> list[tuple]:
    """`count` seeded training batches for the model: tokens (16, padded after
    each row's length), an image vector, 8 graph nodes, a 2-class label (the
    sign of the image vector's mean: learnable). `pinned`: in page-locked
    host memory (needs CUDA)."""
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(count):
        tokens = padded_tokens(batch, g)
        image = torch.randn(batch, 512, generator=g)
        tensors = (tokens, image, torch.randn(batch, NODES, 32, generator=g),
                   (image.mean(dim=1) > 0).long())
        batches.append(tuple(t.pin_memory() for t in tensors) if pinned else tensors)
    return batches
