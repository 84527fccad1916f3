"""Lab_Project's `pretrain_end_to_end.py`, end to end, at a scale this CPU holds.

What the codebase's run does, in its order (docs/sources/lab-project-code.md,
"The end-to-end run"): read the node and edge tables, build the model (CLIP's
text and vision towers, frozen, a trainable cross-attention fusion and three
projection heads), the tokenizer and image processor, the graph edge dataset,
the multimodal collator and a DataLoader (batches of 64 edges, shuffled, 4
workers, pinned, drop_last), AdamW (lr 5e-5, weight decay 1e-4) over the
trainable parameters, a GradScaler and autocast that are on only with CUDA.
Each step: zero_grad, the batch to the device, the two InfoNCE losses
(text-image over all 128 items, anchor-positive over the graph embeddings,
temperature 0.07), backward, step, and six `.item()` reads. Each epoch: log
its losses, (after) flush the log, save a checkpoint of the whole state,
log that. At the end: save the final model, log, (after) flush.

Each change of the PR on this path is a switch (claims.py); the components it
composes are the ones their own claims measure (loggers, datasets,
collators).

Scale (SCALES): the codebase's CLIP ViT-B/32 (width 512 text / 768 vision,
12 layers, 224-pixel images in 32-pixel patches) and fusion width 512 are
FULL; this CPU runs SMALL: the same structure, 2 layers a tower, widths 64 /
96, 56-pixel images in 8-pixel patches (the same 7 x 7 = 49 patches), fusion
width 64, projections 32, and only the first `batches` batches of each epoch.
Weights are seeded, not CLIP's: the towers are frozen and the timing and the
switches' effects do not depend on their values. No hub download.
"""
from __future__ import annotations

import random
import shutil
import sys
import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from optbench.components import collators, datasets, loggers
from optbench.components.collators.clip_like import (MAX_LENGTH, VOCAB_SIZE,
                                                     ClipLikeImageProcessor, ClipLikeTokenizer)

SEED = 42
BATCH_EDGES = 64          # config.BATCH_SIZE
WORKERS = 4
LEARNING_RATE = 5e-5
WEIGHT_DECAY = 1e-4
TEMPERATURE = 0.07
GRAPH_LOSS_WEIGHT = 1.0


@dataclass(frozen=True)
class Scale:
    text_width: int
    text_layers: int
    text_heads: int
    vision_width: int
    vision_layers: int
    vision_heads: int
    image_side: int
    patch: int
    fused: int
    heads: int
    projection: int


FULL = Scale(512, 12, 8, 768, 12, 12, 224, 32, 512, 8, 256)
SMALL = Scale(64, 2, 4, 96, 2, 4, 56, 8, 64, 4, 32)
SCALES = {"full": FULL, "small": SMALL}


class TextTower(nn.Module):
    """CLIP's text transformer in outline: token and position embeddings,
    causal pre-norm layers, a final LayerNorm; last_hidden_state out."""

    def __init__(self, s: Scale):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB_SIZE, s.text_width)
        self.positions = nn.Parameter(torch.randn(MAX_LENGTH, s.text_width) * 0.01)
        layer = nn.TransformerEncoderLayer(s.text_width, s.text_heads, 4 * s.text_width,
                                           dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.layers = nn.TransformerEncoder(layer, s.text_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(s.text_width)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(MAX_LENGTH),
                             persistent=False)

    def forward(self, input_ids, attention_mask):
        x = self.tokens(input_ids) + self.positions
        return self.norm(self.layers(x, mask=self.causal, is_causal=True))


class VisionTower(nn.Module):
    """CLIP's vision transformer in outline: patches, a class token and
    positions, pre-norm layers; last_hidden_state without the class token."""

    def __init__(self, s: Scale):
        super().__init__()
        self.patches = nn.Conv2d(3, s.vision_width, s.patch, s.patch, bias=False)
        count = (s.image_side // s.patch) ** 2
        self.cls = nn.Parameter(torch.randn(1, 1, s.vision_width) * 0.01)
        self.positions = nn.Parameter(torch.randn(count + 1, s.vision_width) * 0.01)
        self.pre = nn.LayerNorm(s.vision_width)
        layer = nn.TransformerEncoderLayer(s.vision_width, s.vision_heads, 4 * s.vision_width,
                                           dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.layers = nn.TransformerEncoder(layer, s.vision_layers, enable_nested_tensor=False)

    def forward(self, pixel_values):
        x = self.patches(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(len(x), -1, -1), x], dim=1) + self.positions
        return self.layers(self.pre(x))[:, 1:, :]


class CrossAttentionFusion(nn.Module):
    """models/cross_attention_fusion.py's structure (at every commit but
    18601bf's clamp): text attends to image patches, image patches to text
    (padding masked), each through an FFN; masked mean of the text, mean of
    the patches, a fusion MLP."""

    def __init__(self, d_text: int, d_vis: int, d_model: int, n_heads: int):
        super().__init__()
        self.text_proj, self.vis_proj = nn.Linear(d_text, d_model), nn.Linear(d_vis, d_model)
        self.text2vis = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.vis2text = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.text_ffn = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.GELU(),
                                      nn.Linear(2 * d_model, d_model))
        self.vis_ffn = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.GELU(),
                                     nn.Linear(2 * d_model, d_model))
        self.fusion_mlp = nn.Sequential(nn.Linear(2 * d_model, d_model), nn.LayerNorm(d_model),
                                        nn.GELU(), nn.Linear(d_model, d_model))

    def forward(self, text, vision, text_mask):
        t, v = self.text_proj(text), self.vis_proj(vision)
        t2v, _ = self.text2vis(t, v, v, need_weights=False)
        t2v = self.text_ffn(t2v + t)
        v2t, _ = self.vis2text(v, t, t, key_padding_mask=text_mask == 0, need_weights=False)
        v2t = self.vis_ffn(v2t + v)
        mask = text_mask.float().unsqueeze(-1)      # float32: pooled in float32 under autocast
        text_pool = (t2v * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-6)
        vis_pool = v2t.mean(dim=1)
        return self.fusion_mlp(torch.cat([text_pool, vis_pool], dim=1)), text_pool, vis_pool


class MultimodalGraphEncoder(nn.Module):
    def __init__(self, s: Scale):
        super().__init__()
        self.text_encoder, self.vision_encoder = TextTower(s), VisionTower(s)
        for tower in (self.text_encoder, self.vision_encoder):
            tower.eval()
            tower.requires_grad_(False)
        self.fusion = CrossAttentionFusion(s.text_width, s.vision_width, s.fused, s.heads)
        self.graph_proj, self.text_proj, self.vis_proj = (nn.Linear(s.fused, s.projection)
                                                          for _ in range(3))

    def trainable_parameters(self):
        return [p for p in self.parameters() if p.requires_grad]

    def forward(self, input_ids, attention_mask, pixel_values):
        with torch.no_grad():
            text = self.text_encoder(input_ids, attention_mask)
            vision = self.vision_encoder(pixel_values)
        fused, text_pool, vis_pool = self.fusion(text, vision, attention_mask)
        return (F.normalize(self.graph_proj(fused), dim=1),
                F.normalize(self.text_proj(text_pool), dim=1),
                F.normalize(self.vis_proj(vis_pool), dim=1))


def info_nce(logits: torch.Tensor) -> torch.Tensor:
    """Symmetric cross-entropy against the diagonal: rows and columns."""
    target = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


@dataclass(frozen=True)
class StepChanges:
    """The PR's two changes to the training step. set_to_none: None is
    b05ebe4's `zero_grad()` first; "before_backward" is 18601bf's (and
    9edbb71's, the commits the reports describe) `zero_grad(set_to_none=True)`
    between the forward pass and backward; "first" is 8329e91's, back at the
    top of the step."""
    non_blocking: bool = False
    set_to_none: str | None = None

    def __post_init__(self):
        if self.set_to_none not in (None, "first", "before_backward"):
            raise ValueError(f"StepChanges: set_to_none {self.set_to_none!r} is not None, "
                             f"'first' or 'before_backward'")


def train_step(model: MultimodalGraphEncoder, optimizer, scaler, batch: dict, device: str,
               changes: StepChanges) -> tuple[float, float, float]:
    """One step of the codebase's loop: zero_grad, the batch to the device,
    the two InfoNCE losses under autocast (on only with CUDA), the scaled
    backward and step, and its six `.item()` reads (three summed, three for
    the progress bar): each a synchronize on CUDA. The summed three back."""
    if changes.set_to_none == "first":
        optimizer.zero_grad(set_to_none=True)
    elif changes.set_to_none is None:
        optimizer.zero_grad()
    copy = {"non_blocking": True} if changes.non_blocking else {}
    inputs = {k: v.to(device, **copy) for k, v in batch.items()}
    with (torch.autocast("cuda", dtype=torch.float16) if device == "cuda" else nullcontext()):
        z_graph, z_text, z_vis = model(**inputs)
        loss_mm = info_nce(z_text @ z_vis.T / TEMPERATURE)
        anchors, positives = z_graph.chunk(2)
        loss_graph = info_nce(anchors @ positives.T / TEMPERATURE)
        loss = loss_mm + GRAPH_LOSS_WEIGHT * loss_graph
    if changes.set_to_none == "before_backward":
        optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    read = (loss.item(), loss_mm.item(), loss_graph.item())
    _ = (loss.item(), loss_mm.item(), loss_graph.item())   # pbar.set_postfix's
    return read


def training_setup(scale: Scale, device: str):
    """The model, AdamW over its trainable parameters and the GradScaler, as
    the codebase builds them (seeded)."""
    torch.manual_seed(SEED)
    model = MultimodalGraphEncoder(scale).to(device)
    model.train()
    optimizer = torch.optim.AdamW(model.trainable_parameters(), lr=LEARNING_RATE,
                                  weight_decay=WEIGHT_DECAY)
    return model, optimizer, torch.amp.GradScaler("cuda", enabled=device == "cuda")


class EpochOrder(torch.utils.data.Sampler):
    """shuffle=True's order, seeded per run, cut to the first `batches`
    batches of each epoch: the scale's only change to what is loaded."""

    def __init__(self, length: int, batches: int, seed: int):
        self.length, self.count = length, batches * BATCH_EDGES
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return min(self.count, self.length)

    def __iter__(self):
        return iter(torch.randperm(self.length, generator=self.generator)[:len(self)].tolist())


def epoch_loads(pairs: list[tuple[int, int]], batches: int, epochs: int) -> list[list[int]]:
    """The nodes each epoch's batches load, in the collator's order (a
    batch's 64 anchors, then its 64 positives), under the run's EpochOrder."""
    order, loads = EpochOrder(len(pairs), batches, SEED), []
    for _ in range(epochs):
        picked = list(order)
        epoch = []
        for start in range(0, len(picked) - BATCH_EDGES + 1, BATCH_EDGES):   # drop_last
            batch = [pairs[i] for i in picked[start:start + BATCH_EDGES]]
            epoch += [src for src, _ in batch] + [dst for _, dst in batch]
        loads.append(epoch)
    return loads


def _variant(on: frozenset, switch: str) -> str:
    return "optimized" if switch in on else "baseline"


def pretrain(on: frozenset, nodes: pd.DataFrame, edges: pd.DataFrame, run_dir: Path, *,
             epochs: int, batches: int, scale: Scale = SMALL, device: str = "cpu",
             count_in_workers=None) -> dict:
    """One whole run with the switches in `on` at their after-state; what it
    leaves behind (per-epoch losses, the final model, the log) is returned.

    count_in_workers (a measurement, never a timed run): wraps the collator
    into a collate_fn that returns (batch, a count made in the worker); the
    counts come back as "worker_counts"."""
    shutil.rmtree(run_dir, ignore_errors=True)
    checkpoints = run_dir / "checkpoints"
    checkpoints.mkdir(parents=True)
    (run_dir / "logs").mkdir()
    console = open(run_dir / "console.txt", "w")   # print()'s stdout, kept off the terminal
    logger = loggers.VARIANTS[_variant(on, "buffered_log")](run_dir / "logs" / "training_log.txt",
                                                           stdout=console)
    cuda = device == "cuda"
    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)

    logger.log(f"Starting end-to-end training on {device}")
    logger.log(f"Params: batch {BATCH_EDGES}, epochs {epochs}, lr {LEARNING_RATE}, "
               f"temperature {TEMPERATURE}")
    model, optimizer, scaler = training_setup(scale, device)
    tokenizer, processor = ClipLikeTokenizer(), ClipLikeImageProcessor(scale.image_side)
    dataset = datasets.VARIANTS[_variant(on, "indexed_frame")](nodes, edges)
    logger.log(f"Initialized GraphEdgeDataset with {len(nodes)} nodes and {len(dataset)} "
               f"valid edges")
    # The import fix is in both (without it no batch loads); the cache is the switch.
    collator = (collators.optimized if "image_lru" in on else collators.import_fixed
                ).MultimodalCollator(tokenizer, processor)
    collate = collator if count_in_workers is None else count_in_workers(collator)
    worker_counts = []
    # pin_memory=True in the codebase: a no-op without an accelerator, where
    # PyTorch warns about it, so it is asked for only with CUDA.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="This DataLoader will create")
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=BATCH_EDGES, sampler=EpochOrder(len(dataset), batches, SEED),
            num_workers=WORKERS, collate_fn=collate, pin_memory=cuda, drop_last=True,
            multiprocessing_context="fork")
    # 8329e91's step (set_to_none back at the top), the PR's last commit
    changes = StepChanges(non_blocking="non_blocking" in on,
                          set_to_none="first" if "set_to_none" in on else None)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        sums = np.zeros(3)
        steps = 0
        with warnings.catch_warnings():
            # 4 workers on a 2-CPU machine is the codebase's setting: PyTorch's warning is expected
            warnings.filterwarnings("ignore", message="This DataLoader will create")
            batches = iter(loader)
        for batch in batches:
            if count_in_workers is not None:
                batch, count = batch
                worker_counts.append(count)
            sums += train_step(model, optimizer, scaler, batch, device, changes)
            steps += 1
        averages = sums / max(steps, 1)
        history.append(averages.tolist())
        logger.log(f"Epoch {epoch} Complete | Avg Loss: {averages[0]:.4f} | "
                   f"MM Loss: {averages[1]:.4f} | Graph Loss: {averages[2]:.4f}")
        logger.flush_log()
        path = checkpoints / f"multimodal_encoder_epoch_{epoch}.pt"
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                    "optimizer_state_dict": optimizer.state_dict(), "loss": averages[0]}, path)
        logger.log(f"Saved checkpoint to {path.relative_to(run_dir)}")
    final = checkpoints / "multimodal_encoder_final.pt"
    torch.save(model.state_dict(), final)
    logger.log(f"Training complete. Final model saved to {final.relative_to(run_dir)}")
    logger.flush_log()
    console.close()
    return {"history": history, "steps_per_epoch": steps, "worker_counts": worker_counts,
            "final_model": torch.load(final, weights_only=True),
            "log": (run_dir / "logs" / "training_log.txt").read_text().splitlines()}


if __name__ == "__main__":   # python -m optbench.components.lab_project.pipeline [full]
    from optbench.workloads import lab_graph

    scale = SCALES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    n, e = lab_graph.graph()
    out = pretrain(frozenset(), n, e, Path("lab-project-run"), epochs=1, batches=2, scale=scale,
                   device="cuda" if torch.cuda.is_available() else "cpu")
    print(out["history"])
