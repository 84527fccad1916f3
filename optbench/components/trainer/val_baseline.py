"""src/training/trainer.py validation before the report (training-system report §1.1):
every batch's outputs are copied to the host and extended into lists."""
from __future__ import annotations

import torch


def validate(model, batches, device) -> tuple:
    model.eval()
    all_preds, all_targets, all_probs = [], [], []
    with torch.no_grad():
        for inputs, targets in batches:
            inputs, targets = inputs.to(device), targets.to(device)
            probs = torch.softmax(model(inputs), dim=1)
            preds = probs.argmax(dim=1)
            all_preds.extend(preds.cpu().numpy())
            all_targets.extend(targets.cpu().numpy())
            all_probs.extend(probs.cpu().numpy())
    return all_preds, all_targets, all_probs
