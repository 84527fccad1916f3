"""Pharmagen's `train_pipeline`, end to end (pgen_model/src/pipeline.py, data.py,
model.py, train.py, focal_loss.py at 4a1e100f and 3cd3227b; what each does is
in docs/sources/pharmagen.md, "The code").

The run, in the codebase's order: seed everything with 711; load the TSV and
clean it (PGenDataProcess.load_data: lower-case the columns, keep the
configured ones, replace spaces with "_", group effect types under 20 rows,
build the stratification column, drop its singletons, split the multi-label
column on "," and ";"); split 80/20 stratified; fit the encoders on the train
part (a LabelEncoder with "__UNKNOWN__" per column, a MultiLabelBinarizer for
phenotype_outcome) and encode both parts; the effect_type class weights; the
two datasets and DataLoaders (batches of 64); the DeepFM model; AdamW,
ReduceLROnPlateau; the three losses (BCE with logits, focal, cross-entropy
with label smoothing) summed; EPOCHS = 1 (train_pipeline forces it, whatever
the configuration says); each step two `loss.item()` reads (the running sum
and the progress bar's); validation with a read per task and per accuracy;
then the model's state_dict, a text report and the encoders saved.

Each change of the PR on this path is a switch (claims.py, SWITCHES); `on`
holds those at their after-state. The CUDA-gated ones (amp, cuda_flags,
pin_memory) are gated as the codebase gates them, on
`torch.cuda.is_available()`, where the codebase's device is CUDA exactly
when that holds; here the gate is the run's device being CUDA (a CPU run on a
GPU machine is not one the codebase makes). Without CUDA they change nothing.

Scale (SCALES): FULL is the codebase's "Phenotype_Effect_Outcome"
configuration (embedding 384, 4 layers of 1,280, dropout 0.391, lr 6.32e-5,
weight decay 4.3e-5); the progress bar (tqdm) is left out, its two reads are
kept.
"""
from __future__ import annotations

import math
import multiprocessing
import random
import re
import shutil
import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, MultiLabelBinarizer
from torch import nn


SEED = 711
BATCH = 64
EPOCHS = 1           # pipeline.py: EPOCHS = 1, PATIENCE = 1, set again inside train_pipeline
PATIENCE = 1
WORKERS_BEFORE = 4
MIN_SAMPLES = 20     # effect types with fewer rows become "Other_Grouped"
UNKNOWN = "__UNKNOWN__"
TEST_SIZE = 0.2
MULTILABEL_THRESHOLD = 0.2
COLUMNS = ("atc", "drug", "genalle", "gene", "allele", "phenotype_outcome",
           "effect_direction", "effect_type", "effect_phenotype")
TARGETS = ("phenotype_outcome", "effect_direction", "effect_type")
MULTI_LABEL = frozenset({"phenotype_outcome"})
INPUTS = ("drug", "genalle", "gene", "allele")
STRATIFY = ("effect_type",)


@dataclass(frozen=True)
class Scale:
    embedding: int
    layers: int
    hidden: int
    dropout: float
    learning_rate: float
    weight_decay: float


FULL = Scale(384, 4, 1280, 0.391, 6.32e-5, 4.30e-5)
SMALL = Scale(64, 4, 256, 0.391, 6.32e-5, 4.30e-5)   # for tests: the same structure
SCALES = {"full": FULL, "small": SMALL}


# --- data.py: PGenDataProcess.load_data -------------------------------------------------

def _split_labels(value) -> list[str]:
    """A multi-label cell to its labels: split on "," and ";", stripped."""
    if not isinstance(value, str) or value in ("nan", "", "null"):
        return []
    return [s.strip() for s in re.split(r",|;", value) if s.strip()]


def read_table(path: Path) -> pd.DataFrame:
    """The TSV with lower-cased column names, the configured columns only."""
    df = pd.read_csv(str(path), sep="\t", index_col=False)
    df.columns = [c.lower() for c in df.columns]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"{path}: columns missing: {missing}")
    return df[list(COLUMNS)].copy()


def clean_columns(df: pd.DataFrame, on: frozenset = frozenset()) -> pd.DataFrame:
    """Spaces to "_", column by column (data.py's loop, changed by 3cd3227b).
    `label_guard`: the multi-label clean-up runs only on lists; before, it ran
    on each raw string and made a list of its characters (the column is split
    into labels only later), and a missing cell raised TypeError.
    `literal_replace`: regex=False on the single-label replace."""
    for col in COLUMNS:
        if col in MULTI_LABEL:
            if "label_guard" in on:
                df[col] = df[col].apply(
                    lambda lst: [s.replace(" ", "_") for s in lst] if isinstance(lst, list) else lst)
            else:
                df[col] = df[col].apply(lambda lst: [s.replace(" ", "_") for s in lst])
        elif "literal_replace" in on:
            df[col] = df[col].astype(str).str.replace(" ", "_", regex=False)
        else:
            df[col] = df[col].astype(str).str.replace(" ", "_")
    return df


def load_data(path: Path, on: frozenset = frozenset()) -> pd.DataFrame:
    """PGenDataProcess.load_data: the cleaned table, ready to split."""
    df = clean_columns(read_table(path), on)
    counts = df["effect_type"].value_counts()
    rare = set(counts[counts < MIN_SAMPLES].index)
    df["effect_type"] = df["effect_type"].apply(lambda x: "Other_Grouped" if x in rare else x)
    for col in (*TARGETS, *STRATIFY):
        df[col] = df[col].astype(str)
    df["stratify_col"] = df[list(STRATIFY)].agg("_".join, axis=1)
    seen = df["stratify_col"].value_counts()
    df = df[df["stratify_col"].isin(seen[seen > 1].index)].reset_index(drop=True)
    for col in MULTI_LABEL:
        df[col] = df[col].apply(_split_labels)
    return df


def fit_encoders(train: pd.DataFrame) -> dict:
    encoders = {}
    for col in COLUMNS:
        if col in MULTI_LABEL:
            encoders[col] = MultiLabelBinarizer().fit(train[col])
        else:
            encoders[col] = LabelEncoder().fit(list(train[col].astype(str).unique()) + [UNKNOWN])
    return encoders


def transform(df: pd.DataFrame, encoders: dict) -> pd.DataFrame:
    out = df.copy()
    for col, encoder in encoders.items():
        if col in MULTI_LABEL:
            with warnings.catch_warnings():   # labels only in the validation part are dropped
                warnings.filterwarnings("ignore", message="unknown class")
                out[col] = list(encoder.transform(df[col]))
        else:
            known = set(encoder.classes_)
            values = df[col].astype(str).apply(lambda x: x if x in known else UNKNOWN)
            out[col] = encoder.transform(values)
    return out


class PGenDataset(torch.utils.data.Dataset):
    """One tensor per column, built once; an item is a dict of its rows."""

    def __init__(self, df: pd.DataFrame):
        self.tensors = {}
        for col in df.columns:
            if col == "stratify_col":
                continue
            if col in MULTI_LABEL:
                self.tensors[col] = torch.tensor(np.stack(df[col].values), dtype=torch.float32)
            else:
                self.tensors[col] = torch.tensor(df[col].values, dtype=torch.long)

    def __len__(self) -> int:
        return len(next(iter(self.tensors.values())))

    def __getitem__(self, idx):
        return {k: v[idx] for k, v in self.tensors.items()}


# --- focal_loss.py and model.py -----------------------------------------------------------

class FocalLoss(nn.Module):
    def __init__(self, alpha: torch.Tensor, gamma: float = 2.0, label_smoothing: float = 0.15):
        super().__init__()
        self.alpha, self.gamma, self.label_smoothing = alpha, gamma, label_smoothing

    def forward(self, logits, target):
        ce = F.cross_entropy(logits, target, weight=self.alpha, reduction="none",
                             label_smoothing=self.label_smoothing)
        pt = torch.exp(-ce)
        return ((1 - pt) ** self.gamma * ce).mean()


class DeepFMPGenModel(nn.Module):
    """DeepFM_PGenModel: four field embeddings through one transformer
    encoder layer, flattened into an MLP (GELU, dropout); six pairwise dot
    products of the raw embeddings beside it; one linear head per target."""

    def __init__(self, vocab: dict[str, int], targets: dict[str, int], scale: Scale):
        super().__init__()
        e = scale.embedding
        self.log_sigmas = nn.ParameterDict({t: nn.Parameter(torch.zeros(())) for t in targets})
        self.drug_emb = nn.Embedding(vocab["drug"], e)
        self.genal_emb = nn.Embedding(vocab["genalle"], e)
        self.gene_emb = nn.Embedding(vocab["gene"], e)
        self.allele_emb = nn.Embedding(vocab["allele"], e)
        heads = next(h for h in (8, 4, 2, 1) if e % h == 0)
        self.attention = nn.TransformerEncoderLayer(d_model=e, nhead=heads,
                                                    dim_feedforward=scale.hidden,
                                                    dropout=scale.dropout, batch_first=True)
        self.deep = nn.ModuleList([nn.Linear(4 * e, scale.hidden)] + [
            nn.Linear(scale.hidden, scale.hidden) for _ in range(scale.layers - 1)])
        self.gelu, self.dropout = nn.GELU(), nn.Dropout(scale.dropout)
        self.heads = nn.ModuleDict({t: nn.Linear(scale.hidden + 6, n) for t, n in targets.items()})

    def forward(self, drug, genalle, gene, allele):
        embeddings = [self.drug_emb(drug), self.genal_emb(genalle), self.gene_emb(gene),
                      self.allele_emb(allele)]
        x = self.attention(torch.stack(embeddings, dim=1)).flatten(1)
        for layer in self.deep:
            x = self.dropout(self.gelu(layer(x)))
        fm = [torch.sum(embeddings[i] * embeddings[j], dim=-1, keepdim=True)
              for i in range(4) for j in range(i + 1, 4)]
        combined = torch.cat([x, *fm], dim=-1)
        return {t: head(combined) for t, head in self.heads.items()}


# --- train.py: train_model ----------------------------------------------------------------

@dataclass(frozen=True)
class StepChanges:
    """train.py's step changes in 3cd3227b: `amp` (float16 autocast and a
    GradScaler, taken only where torch.cuda.is_available(), as `use_amp` is)
    and non_blocking copies."""
    amp: bool = False
    non_blocking: bool = False

    @classmethod
    def of(cls, on: frozenset) -> "StepChanges":
        return cls(amp="amp" in on, non_blocking="non_blocking" in on)

    def use_amp(self, device: str) -> bool:
        """The codebase's `use_amp = torch.cuda.is_available()`, on a CUDA run."""
        return self.amp and device == "cuda" and torch.cuda.is_available()


def new_scaler(changes: StepChanges, device: str):
    return torch.amp.GradScaler("cuda") if changes.use_amp(device) else None


def train_step(model, optimizer, scaler, criterions, batch, device, changes: StepChanges) -> float:
    """One training step as train_model takes it; returns the loss it read."""
    optimizer.zero_grad()
    inputs = [_to(batch[k], device, changes.non_blocking) for k in INPUTS]
    targets = {t: _to(batch[t], device, changes.non_blocking) for t in TARGETS}
    amp = changes.use_amp(device)
    with torch.autocast("cuda") if amp else nullcontext():
        outputs = model(*inputs)
        loss = torch.stack([criterions[t](outputs[t], targets[t]) for t in TARGETS]).sum()
    if amp:
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        optimizer.step()
    read = loss.item()   # total_loss += loss.item()
    loss.item()          # the progress bar's set_postfix(loss=...): a second read
    return read


def _to(tensor, device, non_blocking: bool):
    return tensor.to(device, non_blocking=True) if non_blocking else tensor.to(device)


def train_model(model, train_loader, val_loader, criterions, optimizer, scheduler, device,
                changes: StepChanges, epochs: int = EPOCHS, patience: int = PATIENCE) -> dict:
    scaler = new_scaler(changes, device)
    best_loss, trigger, history = math.inf, 0, []
    for _ in range(epochs):
        model.train()
        total_loss = 0.0
        for batch in train_loader:
            total_loss += train_step(model, optimizer, scaler, criterions, batch, device,
                                     changes)
        val_loss, per_task, accuracies = _validate(model, val_loader, criterions, device,
                                                   changes.non_blocking)
        scheduler.step(val_loss)
        history.append(val_loss)
        if val_loss < best_loss:
            best_loss, trigger = val_loss, 0
        else:
            trigger += 1
            if trigger >= patience:
                break
    return {"best_loss": best_loss, "val_losses": history, "per_task_losses": per_task,
            "accuracies": accuracies}


def _validate(model, loader, criterions, device, non_blocking):
    model.eval()
    val_loss, per_task = 0.0, {t: 0.0 for t in TARGETS}
    correct, total = {t: 0 for t in TARGETS}, {t: 0 for t in TARGETS}
    with torch.no_grad():
        for batch in loader:
            inputs = [_to(batch[k], device, non_blocking) for k in INPUTS]
            targets = {t: _to(batch[t], device, non_blocking) for t in TARGETS}
            outputs = model(*inputs)
            losses = torch.stack([criterions[t](outputs[t], targets[t]) for t in TARGETS])
            for i, t in enumerate(TARGETS):
                per_task[t] += losses[i].item()
            val_loss += losses.sum().item()
            for t in TARGETS:
                if t in MULTI_LABEL:
                    predicted = (torch.sigmoid(outputs[t]) > MULTILABEL_THRESHOLD).float()
                    correct[t] += (predicted == targets[t]).sum().item()
                    total[t] += targets[t].numel()
                else:
                    _, predicted = torch.max(outputs[t], 1)
                    correct[t] += (predicted == targets[t]).sum().item()
                    total[t] += targets[t].size(0)
    batches = max(len(loader), 1)
    return (val_loss / batches, {t: v / batches for t, v in per_task.items()},
            {t: correct[t] / max(total[t], 1) for t in TARGETS})


# --- pipeline.py: train_pipeline ----------------------------------------------------------

def _loader(dataset, shuffle: bool, on: frozenset, workers_started: list | None,
            device: str = "cpu"):
    workers = (min(multiprocessing.cpu_count(), 8) if "dynamic_workers" in on
               else WORKERS_BEFORE)
    extra = {}
    if "pin_memory" in on:
        extra["pin_memory"] = device == "cuda" and torch.cuda.is_available()
    if "persistent_workers" in on:
        extra["persistent_workers"] = workers > 0
    init = None
    if workers_started is not None:
        init = _CountStarts(workers_started)
    # The codebase's Python forks its workers (Linux's default before 3.14).
    return torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=shuffle,
                                       num_workers=workers, worker_init_fn=init,
                                       multiprocessing_context="fork", **extra)


class _CountStarts:
    """worker_init_fn that notes each worker's start: the worker puts its id
    on a queue made (and read) by the parent."""

    def __init__(self, started: list):
        self.queue = multiprocessing.get_context("fork").SimpleQueue()
        started.append(self.queue)

    def __call__(self, worker_id):
        self.queue.put(worker_id)


def training_setup(encoders: dict, weights: torch.Tensor, scale: Scale, device):
    """The model sized by the encoders, AdamW, and the three losses."""
    vocab = {k: len(encoders[k].classes_) for k in INPUTS}
    dims = {t: len(encoders[t].classes_) for t in TARGETS}
    model = DeepFMPGenModel(vocab, dims, scale).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=scale.learning_rate,
                                  weight_decay=scale.weight_decay)
    criterions = {"phenotype_outcome": nn.BCEWithLogitsLoss(),
                  "effect_direction": nn.CrossEntropyLoss(label_smoothing=0.1),
                  "effect_type": FocalLoss(weights, gamma=2.0, label_smoothing=0.15)}
    return model, optimizer, criterions


def prepared(tsv: Path, on: frozenset, device: str = "cpu"):
    """load_data, the split, the encoders and both parts encoded, the class
    weights: what the loaders and the model are built from."""
    df = load_data(tsv, on)
    train, val = train_test_split(df, test_size=TEST_SIZE, random_state=SEED,
                                  stratify=df["stratify_col"])
    encoders = fit_encoders(train)
    train, val = transform(train, encoders), transform(val, encoders)
    weights = _class_weights(train, len(encoders["effect_type"].classes_), device)
    return train, val, encoders, weights


def _class_weights(train: pd.DataFrame, classes: int, device) -> torch.Tensor:
    counts = np.bincount(train["effect_type"].to_numpy(), minlength=classes)
    w = 1.0 / np.log(counts + 2)
    return torch.tensor(w / w.mean(), dtype=torch.float32, device=device)


def run(on: frozenset, tsv: Path, run_dir: Path, *, scale: Scale = FULL, device: str = "cpu",
        count_workers: list | None = None) -> dict:
    """One whole train_pipeline run with the switches in `on`; what it leaves
    behind (losses, accuracies, the saved state) is returned.

    count_workers (a measurement, never a timed run): a list that receives a
    queue per DataLoader, each holding one item per worker started."""
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(SEED)
    # cudnn.benchmark and TF32 (matmul and cuDNN), set only where CUDA is, and
    # restored after the run (they are process-wide). Imported here: the
    # trainer package imports this module for its step variants.
    from optbench.components.trainer.steps import Settings, backend_flags

    flags = (Settings(cudnn_benchmark=True, tf32=True)
             if "cuda_flags" in on and device == "cuda" and torch.cuda.is_available()
             else Settings())
    with backend_flags(flags):
        return _train_pipeline(on, tsv, run_dir, scale, device, count_workers)


def _train_pipeline(on, tsv, run_dir, scale, device, count_workers) -> dict:
    train, val, encoders, weights = prepared(tsv, on, device)
    with warnings.catch_warnings():
        # 4 workers on a 2-CPU machine is the codebase's setting: PyTorch's warning is expected
        warnings.filterwarnings("ignore", message="This DataLoader will create")
        train_loader = _loader(PGenDataset(train), True, on, count_workers, device)
        val_loader = _loader(PGenDataset(val), False, on, count_workers, device)
        model, optimizer, criterions = training_setup(encoders, weights, scale, device)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min",
                                                               factor=0.2, patience=5)
        result = train_model(model, train_loader, val_loader, criterions, optimizer, scheduler,
                             device, StepChanges.of(on))
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save(state, run_dir / "pmodel_Phenotype_Effect_Outcome.pth")
    (run_dir / "training_report.txt").write_text(
        f"best loss {result['best_loss']:.6f}\n"
        + "".join(f"{t}: {a:.4f}\n" for t, a in result["accuracies"].items()))
    joblib.dump(encoders, run_dir / "encoders_Phenotype_Effect_Outcome.pkl")
    return {**result, "state": state, "rows": (len(train), len(val)),
            "labels": {t: [str(c) for c in encoders[t].classes_] for t in TARGETS}}
