"""fusion.masked_pool_clamp: "Changed clamp minimum from `1e-6` to `1.0` in
masked pooling" for "more stable training, prevents division by near-zero
values" (Lab_Project optimizations doc §4; its summary table: "Numerical
Stability | Prevents potential NaN issues").

Dividing by mask.sum clamped at 1.0 instead of 1e-6 changes nothing where
every row's mask sums to 1 or more (binary masks with a token) or to 0 (no
token: 0 / anything is 0), and changes the result wherever a mask sums to
less than 1 (soft, fractional masks). Measured on the fusion model with four
kinds of mask, in float32 and under bfloat16 and float16 autocast: values
that are not finite (the claim), outputs and gradients against the before
code, and whether the model itself ever builds a soft mask.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.units import number

from . import MASKED_POOL_VARIANTS
from .fusion import NODES, PAD, TOKENS, CrossAttentionFusion, padded_tokens
PRECISIONS = ("float32", "bfloat16", "float16")


@dataclass
class FusionBatch:
    tokens: torch.Tensor          # (batch, TOKENS), PAD after each row's length
    image: torch.Tensor           # (batch, 512)
    nodes: torch.Tensor           # (batch, NODES, 32)
    masks: dict[str, torch.Tensor]
    # The before code's runs on these inputs, per device: what the others are compared with.
    before: dict = field(default_factory=dict, repr=False)


def _fusion_batch(batch: int) -> FusionBatch:
    """Seeded inputs and four masks over the same tokens:
    binary    the model's own, token != PAD (1 to 16 tokens a row);
    all_zero  no token counted in any row;
    soft      fractional weights in (0, 0.2) on the tokens: sums 0.1-1.6;
    tiny      positive weights of 1e-8 a token: sums below 1e-6."""
    g = torch.Generator().manual_seed(batch)
    tokens = padded_tokens(batch, g)
    binary = (tokens != PAD).float()
    soft = binary * torch.empty(batch, TOKENS).uniform_(0.0, 0.2, generator=g)
    masks = {"binary": binary, "all_zero": torch.zeros_like(binary), "soft": soft,
             "tiny": binary * 1e-8}
    return FusionBatch(tokens, torch.randn(batch, 512, generator=g),
                       torch.randn(batch, NODES, 32, generator=g), masks)


def _run(model, data: FusionBatch, mask: torch.Tensor, precision: str, device: str):
    """Outputs and parameter gradients of one forward and backward."""
    model.zero_grad(set_to_none=True)
    inputs = [t.to(device) for t in (data.tokens, data.image, data.nodes, mask)]
    with torch.autocast(device, dtype=getattr(torch, precision),
                        enabled=precision != "float32"):
        out = model(*inputs)
    out.float().sum().backward()
    return out.detach().float().cpu(), {n: p.grad.detach().float().cpu().clone()
                                        for n, p in model.named_parameters()
                                        if p.grad is not None}


def _all_runs(pool, data: FusionBatch, device: str) -> dict:
    """(mask kind, precision) -> (outputs, gradients), the same weights for every pool."""
    torch.manual_seed(0)
    model = CrossAttentionFusion(pool=pool).to(device)
    return {(kind, precision): _run(model, data, mask, precision, device)
            for kind, mask in data.masks.items() for precision in PRECISIONS}


@dataclass
class Readings:
    case: Case
    runs: dict

    @property
    def before(self) -> dict:
        data, device = self.case.data, self.case.device
        if device not in data.before:
            data.before[device] = _all_runs(self.case.claim.variants["baseline"], data, device)
        return data.before[device]


def _setup(case: Case) -> Readings:
    return Readings(case, _all_runs(case.implementation, case.data, case.device))


def _not_finite_counts(state: Readings) -> dict[str, int]:
    """NaN and inf values in the outputs and gradients, per precision."""
    counts = {p: 0 for p in PRECISIONS}
    for (_, precision), (out, grads) in state.runs.items():
        counts[precision] += sum(int((~torch.isfinite(t)).sum()) for t in (out, *grads.values()))
    return counts


def _not_finite(state: Readings) -> int:
    return sum(_not_finite_counts(state).values())


def _not_finite_by_precision(state: Readings) -> str:
    return " · ".join(f"{p} {n}" for p, n in _not_finite_counts(state).items())


def _against_before(state: Readings, what: int) -> str:
    """Largest |difference| from the before code's float32 result, per mask
    kind (what: 0 the outputs, 1 the gradients)."""
    parts = []
    for kind in state.case.data.masks:
        mine, theirs = state.runs[(kind, "float32")][what], state.before[(kind, "float32")][what]
        if what == 0:
            largest = float((mine - theirs).abs().max())
        else:
            largest = max(float((mine[n] - theirs[n]).abs().max()) for n in theirs)
        parts.append(f"{kind} {'identical' if largest == 0 else number(largest, 3)}")
    return " · ".join(parts)


def _model_feeds_soft_masks(state: Readings) -> str:
    """The mask the model builds itself when given none: its values."""
    mask = (state.case.data.tokens != PAD).float()
    values = sorted(float(v) for v in torch.unique(mask))
    soft = any(0 < v < 1 for v in values)
    return (f"{'yes' if soft else 'no'}: the model's own mask (token != PAD) holds only "
            f"{', '.join(number(v) for v in values)}")


def _outputs(case: Case) -> dict:
    readings = _setup(case)
    return {kind: readings.runs[(kind, "float32")][0] for kind in case.data.masks}


# Lab_Project optimizations doc §4: "Changed clamp minimum from `1e-6` to `1.0`
# in masked pooling", "More stable training, prevents division by near-zero
# values"; its table: "Numerical Stability | Prevents potential NaN issues".
PREVENTS_NAN = Claimed.eliminated(text="prevents potential NaN issues (more stable)")

CLAIMS = [Claim(
    id="fusion.masked_pool_clamp",
    source="Lab_Project optimizations doc §4 (18601bf; reverted in 55b2dd8)",
    component="models",
    title="masked mean pooling: mask.sum clamped at 1e-6 -> at 1.0",
    claimed=PREVENTS_NAN,
    variants=MASKED_POOL_VARIANTS,
    workload=Workload(f"the fusion model on a batch of this many rows ({TOKENS} tokens, an "
                      f"image vector, {NODES} graph nodes) with binary, all-zero, soft and "
                      f"tiny masks, each in float32 and under bfloat16 and float16 autocast",
                      _fusion_batch, sizes=(8, 64), quick_sizes=(8,), size_unit="rows"),
    setup=_setup,
    primary=Metric("not_finite_values", "counter", "values", _not_finite,
                   "NaN or inf in the outputs and parameter gradients, over the four masks "
                   "and three precisions"),
    secondary=(
        Metric("not_finite_by_precision", "value", "", _not_finite_by_precision,
               "NaN or inf per precision, over the four masks"),
        Metric("outputs_against_before", "value", "", lambda s: _against_before(s, 0),
               "largest |difference| of the float32 outputs from the before code's, per mask"),
        Metric("gradients_against_before", "value", "", lambda s: _against_before(s, 1),
               "largest |difference| of the float32 parameter gradients from the before "
               "code's, per mask"),
        Metric("model_feeds_soft_masks", "value", "", _model_feeds_soft_masks,
               "whether the mask the model builds itself is ever fractional"),
    ),
    output=_outputs,
    equivalence=Equivalence.allclose(
        rtol=1e-5, atol=1e-6,
        description="float32 outputs for every mask within rtol=1e-5, atol=1e-6"),
    devices=("cpu", "cuda"),
    revision=2,
    notes="REVERTED: 18601bf (the optimizations doc's commit) set the clamp to 1.0; review "
          "commit 55b2dd8 set it back to 1e-6, so at the PR's last commit (8329e91) the "
          "pooling is the before code's and the PR summary lists the file as documentation "
          "only. This claim judges 18601bf's change. Follows models/cross_attention_fusion.py: "
          "the mask is cast to float32, so pooling runs in float32 under autocast (revision 1 "
          "pooled in the activations' half precision). The codebase's mask is the CLIP "
          "tokenizer's 0/1 attention mask padded to 77, with at least 2 tokens a row (start "
          "and end), so neither clamp ever binds there; all-zero, soft and tiny masks are "
          "what-ifs the codebase never builds. The model builds its own mask from padding, so in its own use the masks are "
          "binary and the clamps give identical results; a caller passing soft masks "
          "(attention weights, label smoothing of tokens) gets different ones. Best "
          "divides by the mask's sum whenever it is positive (the tiny masks' mean too) "
          "and sums in float32 under autocast.",
)]
