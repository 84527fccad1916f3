"""src/training/trainer.py validation after the report (training-system report §1.1):
outputs stay on the device in lists, one torch.cat(...).cpu() at the end."""
from __future__ import annotations

import torch


def validate(model, batches, device, criterion=None, losses: list | None = None) -> tuple:
    """Predictions, targets and probabilities as NumPy. With `criterion`, each
    batch's loss is also taken in the loop (as the codebase's Trainer does)
    and its `.item()` appended to `losses`."""
    model.eval()
    all_preds, all_targets, all_probs = [], [], []
    with torch.no_grad():
        for inputs, targets in batches:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            if criterion is not None:
                losses.append(criterion(outputs, targets).item())
            probs = torch.softmax(outputs, dim=1)
            preds = probs.argmax(dim=1)
            all_preds.append(preds)
            all_targets.append(targets)
            all_probs.append(probs)
    all_preds = torch.cat(all_preds).cpu().numpy()
    all_targets = torch.cat(all_targets).cpu().numpy()
    all_probs = torch.cat(all_probs).cpu().numpy()
    return all_preds, all_targets, all_probs
