"""Pharmagen's training step on batches of its own data, for the claims that
time one step (trainer.amp, monitor.performance): the DeepFM model at the
codebase's widths, AdamW, its three losses, train_model's step."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from optbench.core.claim import Case
from optbench.workloads import pharmgkb

from . import pipeline

ROWS = 1000     # the table the batches come from
BATCHES = 4     # distinct batches, cycled (the model can learn them)
AFTER = frozenset({"literal_replace", "label_guard"})   # the after commit's load_data


@dataclass
class StepBatches:
    encoders: dict
    weights: torch.Tensor
    batches: list[dict]
    curves: dict = field(default_factory=dict, repr=False)


def train_part(rows: int = ROWS):
    """The train part of the generated table, its encoders and class weights,
    as the after commit's load_data, split and encoders make them."""
    train, _, encoders, weights = pipeline.prepared(pharmgkb.scratch_tsv(rows), AFTER)
    return train, encoders, weights


def step_batches(batch: int, count: int = BATCHES) -> StepBatches:
    """The first `count` batches of the train part (train_part)."""
    train, encoders, weights = train_part()
    tensors = pipeline.PGenDataset(train).tensors
    return StepBatches(encoders, weights, [
        {k: v[start:start + batch] for k, v in tensors.items()}
        for start in range(0, count * batch, batch)])


@dataclass
class Stepping:
    """A fresh seeded DeepFM model, AdamW, losses and GradScaler, stepping
    through the batches in turn with `changes`."""
    device: str
    changes: pipeline.StepChanges
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    criterions: dict
    scaler: object
    batches: list[dict]
    at: int = 0

    def next_batch(self) -> dict:
        batch = self.batches[self.at % len(self.batches)]
        self.at += 1
        return batch

    def step(self, batch: dict | None = None) -> float:
        return pipeline.train_step(self.model, self.optimizer, self.scaler, self.criterions,
                                   self.next_batch() if batch is None else batch, self.device,
                                   self.changes)


def stepping(data: StepBatches, device: str,
             changes: pipeline.StepChanges = pipeline.StepChanges()) -> Stepping:
    torch.manual_seed(pipeline.SEED)
    model, optimizer, criterions = pipeline.training_setup(
        data.encoders, data.weights.to(device), pipeline.FULL, device)
    return Stepping(device, changes, model, optimizer, criterions, pipeline.new_scaler(changes, device),
                    data.batches)


def for_case(case: Case) -> Stepping:
    return stepping(case.data, case.device, case.implementation)
