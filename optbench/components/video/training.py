"""Stage 5 of AURA's pipeline (lib/training/pipeline.py, trainer.py,
lib/models/video.py's VideoDataset) for variable_ar_cnn, at both commits.

Per fold of a stratified k-fold split of the scaled files: a VideoDataset
(each item decodes its whole scaled video and samples 6 frames; random
rotation and affine, tensor, ImageNet normalisation, no resize), a
DataLoader (batch 2, num_workers 0, pin_memory when CUDA is available),
and `fit`: gradient accumulation 4, BCE with logits, autocast and a
GradScaler on CUDA, an extra no-grad forward of the first batch every
epoch, aggressive_gc after every optimiser step and every validation batch
(a plain gc.collect() every 5th batch), a final evaluate.

Before: Adam, StepLR(10, 0.1), every epoch. After (`training_schedule`):
AdamW, linear warm-up from 0.1x then cosine to 1e-6, gradient clipping at
1.0, early stopping on validation accuracy with the best state restored.
`weight_init` is the model's 70877759 initialisation; `loader_settings`
passes persistent_workers=num_workers > 0 and prefetch_factor=(2 if
num_workers > 0 else None), both the defaults with no workers;
`non_blocking_eval` copies validation batches with non_blocking=True.

Smallest fixes, the same on both sides: the dataset's transform builder and
temporal augmentation are called with the arguments they take (F3, F4;
the temporal config is empty, so no temporal change); the (N, T, C, H, W)
batch is permuted to the (N, C, T, H, W) the model's Conv3d needs (F9);
the before commit's fold call is the after's (F2); the model is built
from its class on both sides (before, the factory does not know
"variable_ar_cnn").
"""
from __future__ import annotations

import gc
import math
import random

import numpy as np

from . import pipeline as p

SEED = 42
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def _frame_transform(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """RandomRotation(15, p=0.5), RandomAffine(translate 0.1, scale 0.9-1.1,
    p=0.5), then to float in 0..1 and normalised: (C, H, W)."""
    import cv2

    h, w = image.shape[:2]
    if rng.random() < 0.5:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-15, 15), 1.0)
        image = cv2.warpAffine(image, matrix, (w, h))
    if rng.random() < 0.5:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 0, rng.uniform(0.9, 1.1))
        matrix[:, 2] += (rng.uniform(-0.1, 0.1) * w, rng.uniform(-0.1, 0.1) * h)
        image = cv2.warpAffine(image, matrix, (w, h))
    x = (image.astype(np.float32) / 255 - MEAN) / STD
    return x.transpose(2, 0, 1)


class VideoDataset:
    def __init__(self, rows: list[dict], frames: int, seed: int):
        self.rows, self.frames, self.rng = rows, frames, random.Random(seed)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int):
        import torch

        row = self.rows[index]
        clip = p.clip(row["scaled_path"], self.frames)              # (T, H, W, C)
        frames = np.stack([_frame_transform(f, self.rng) for f in clip])   # (T, C, H, W)
        return torch.from_numpy(frames), torch.tensor(float(row["label"]))


def folds(rows: list[dict], n_splits: int) -> list[tuple[list[dict], list[dict]]]:
    """stratified_kfold(df, n_splits, random_state=42): every fold's
    (train, validation) rows, stratified by label (no grouping: the scaled
    files of one video fall on both sides, as in the codebase without a
    dup_group column)."""
    from sklearn.model_selection import StratifiedKFold

    labels = [r["label"] for r in rows]
    split = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    return [([rows[i] for i in train], [rows[i] for i in val])
            for train, val in split.split(np.zeros(len(rows)), labels)]


def _schedule(optimizer, s: p.Settings, after: bool):
    import torch

    if not after:
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)

    def factor(epoch: int) -> float:
        if epoch < s.warmup_epochs:
            return 0.1 + 0.9 * epoch / s.warmup_epochs
        progress = (epoch - s.warmup_epochs) / max(1, s.epochs - s.warmup_epochs)
        floor = 1e-6 / s.learning_rate
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _to_model(batch, device: str, non_blocking: bool = False):
    clips, labels = batch
    # F9's fix: (N, T, C, H, W) -> (N, C, T, H, W)
    return (clips.permute(0, 2, 1, 3, 4).to(device, non_blocking=non_blocking),
            labels.to(device, non_blocking=non_blocking).unsqueeze(1))


def evaluate(run: p.Run, model, loader, autocast) -> dict:
    import torch

    model.eval()
    loss_sum, right, seen = 0.0, 0, 0
    with torch.no_grad():
        for batch in loader:
            clips, labels = _to_model(batch, run.device, p.NON_BLOCKING in run.on)
            with autocast():
                logits = model(clips)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), labels)
            loss_sum += loss.item() * len(labels)
            right += int(((logits > 0).float() == labels).sum().item())
            seen += len(labels)
            run.collect("train.per_val_batch", cuda=run.device == "cuda")
    run.collect("train.end_of_evaluate", cuda=run.device == "cuda")
    return {"loss": loss_sum / max(seen, 1), "accuracy": right / max(seen, 1)}


def fit(run: p.Run, model, train_loader, val_loader) -> dict:
    import copy
    from contextlib import nullcontext

    import torch

    s, after = run.settings, p.SCHEDULE in run.on
    params = [q for q in model.parameters() if q.requires_grad]
    optimizer = (torch.optim.AdamW if after else torch.optim.Adam)(
        params, lr=s.learning_rate, weight_decay=s.weight_decay)
    scheduler = _schedule(optimizer, s, after)
    cuda = run.device == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=cuda)
    autocast = (lambda: torch.autocast("cuda")) if cuda else nullcontext
    history, best, best_state, waited = [], -1.0, None, 0
    for epoch in range(s.epochs):
        if cuda:
            p.empty_cuda_cache()   # at every epoch's start, both commits
        model.train()
        first = next(iter(train_loader))
        with torch.no_grad():   # the extra forward of the first batch, every epoch
            model(_to_model(first, run.device)[0])
        optimizer.zero_grad()
        losses = []
        for step, batch in enumerate(train_loader, start=1):
            clips, labels = _to_model(batch, run.device)
            with autocast():
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    model(clips).float(), labels) / s.accumulation
            scaler.scale(loss).backward()
            losses.append(loss.item() * s.accumulation)
            if step % s.accumulation == 0 or step == len(train_loader):
                if after:
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(params, 1.0)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
                run.collect("train.per_step", cuda=run.device == "cuda")
            if step % 5 == 0:
                gc.collect()
                if cuda:
                    p.empty_cuda_cache()
        scheduler.step()
        scores = evaluate(run, model, val_loader, autocast)
        history.append({"train_loss": round(float(np.mean(losses)), 6), **{
            f"val_{k}": round(v, 6) for k, v in scores.items()}})
        if after:
            if scores["accuracy"] > best:
                best, waited = scores["accuracy"], 0
                best_state = copy.deepcopy({k: v.cpu() for k, v in model.state_dict().items()})
            else:
                waited += 1
                if waited >= s.patience:
                    break
    if after and best_state is not None:
        model.load_state_dict(best_state)
    final = evaluate(run, model, val_loader, autocast)
    return {"epochs": history, "final": {k: round(v, 6) for k, v in final.items()}}


def train_folds(run: p.Run, rows: list[dict]) -> dict:
    import torch

    from optbench.components.models.video import (VariableARVideoModel,
                                                  VariableARVideoModelAt70877759)

    s = run.settings
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    model_class = VariableARVideoModelAt70877759 if p.INIT in run.on else VariableARVideoModel
    loader_args = {"batch_size": s.batch, "num_workers": 0,
                   "pin_memory": torch.cuda.is_available()}
    if p.LOADER in run.on:   # 70877759: derived from num_workers, which is 0
        loader_args.update(persistent_workers=loader_args["num_workers"] > 0,
                           prefetch_factor=2 if loader_args["num_workers"] > 0 else None)
    results = []
    for k, (train_rows, val_rows) in enumerate(folds(rows, s.folds)):
        torch.manual_seed(SEED + k)
        model = model_class(base_channels=s.base_channels).to(run.device)
        generator = torch.Generator().manual_seed(SEED + k)
        train_loader = torch.utils.data.DataLoader(
            VideoDataset(train_rows, s.sampled_frames, SEED + k), shuffle=True,
            generator=generator, **loader_args)
        val_loader = torch.utils.data.DataLoader(
            VideoDataset(val_rows, s.sampled_frames, SEED + 100 + k), shuffle=False,
            **loader_args)
        results.append(fit(run, model, train_loader, val_loader))
        del model
        if run.device == "cuda":
            p.empty_cuda_cache()   # per fold, both commits
        run.collect("train.per_fold", cuda=run.device == "cuda")
    run.collect("train.per_model", cuda=run.device == "cuda")
    return {"folds": results}
