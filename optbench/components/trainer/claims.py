"""trainer.val_accumulate: "30% faster validation (2.1 s -> 1.5 s for 1000 samples)"
(training-system report §1.1), as the codebase's Trainer.validate does it
(model_train 6b13c54 -> fadd6ab): its MLP, batches of 32, the loss taken in
the loop; and, as a what-if, with a model as costly per sample as the
report's 2.1 s per 1,000."""
from __future__ import annotations

import numpy as np
import torch

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.measure import count_calls
from optbench.workloads.tensors import convnet_validation_batches, validation_batches

from . import VALIDATE_VARIANTS
from .claims_step import CLAIMS as STEP_CLAIMS


def _setup(case: Case):
    model, batches = case.data
    model = model.to(case.device)
    # Outputs computed once, for timing the accumulation without the model.
    with torch.no_grad():
        outputs = [(model(x.to(case.device)), y.to(case.device)) for x, y in batches]
    return case, model, batches, outputs


CRITERION = torch.nn.CrossEntropyLoss()


def _handed_back(outputs) -> tuple:
    """What the metrics after the loop read: one NumPy array per output.

    The baseline's lists of NumPy scalars and rows become arrays here (a pass
    over every element); the optimized's arrays pass through untouched. Both
    are inside the timed region, so each side pays for handing back the same
    thing, not only for the part of the work the report moved.
    """
    return tuple(np.asarray(x) for x in outputs)


def _validate(state):
    """The codebase's loop: each batch's loss summed, the outputs handed back
    as arrays, the mean batch loss beside them."""
    case, model, batches, _ = state
    losses: list[float] = []
    outputs = case.implementation(model, batches, case.device, CRITERION, losses)
    return (*_handed_back(outputs), np.float64(sum(losses) / len(batches)))


class _Precomputed(torch.nn.Module):
    """Returns stored logits in order: the loop with the model taken out."""

    def __init__(self, outputs):
        super().__init__()
        self.logits = [logits for logits, _ in outputs]
        self.position = 0

    def forward(self, _inputs):
        logits = self.logits[self.position % len(self.logits)]
        self.position += 1
        return logits


def _accumulate_only(state):
    case, _, _, outputs = state
    return _handed_back(case.implementation(_Precomputed(outputs), [(t, t) for _, t in outputs],
                                            case.device))


def _host_copies(state) -> int:
    with count_calls(torch.Tensor, "cpu") as copies:
        _validate(state)
    return copies[0]


def _same_outputs(a, b) -> bool:
    """Same values, shapes and dtypes: int64 predictions must not come back as
    floats, float32 probabilities not as float64."""
    return len(a) == len(b) and all(
        np.asarray(x).dtype == np.asarray(y).dtype and np.shape(x) == np.shape(y)
        and np.array_equal(x, y) for x, y in zip(a, b))


# Training-system report §1.1: "~30% faster validation on large datasets"; §4's table:
# "Validation loop (1000 samples) | 2.1s | 1.5s | 30% faster". 1.5/2.1 is 0.714,
# short of 0.7: the range spans both so the report's own figures reach it.
AT_1000 = Claimed.spanning(
    Claimed.percent_less(30, text="30% faster"),
    Claimed.before_after(2.1, 1.5, text="2.1 s -> 1.5 s"),
    text="30% faster validation (2.1 s -> 1.5 s for 1000 samples)")
# Training-system report §1.1: "Large datasets (10K+ samples): **20-30% faster**".
LARGE = Claimed.spanning(
    Claimed.percent_less(30, text="~30% faster"), Claimed.percent_less(20, 30, text="20-30%"),
    text="20-30% faster validation on large datasets (10K+ samples)")
# Training-system report, Executive Summary: "30% faster validation loops".
EVERY_SIZE = Claimed.percent_less(30, text="30% faster validation loops")
# Training-system report §1.1: "GPU training: **25-35% faster** validation".
ON_GPU = Claimed.percent_less(25, 35, text="25-35% faster validation on GPU")

ACCUMULATION_TIME = Metric(
    "accumulation_time", "time", "s", _accumulate_only,
    "the same loop with stored logits instead of the model: accumulation's share")
HOST_COPIES = Metric("host_copies", "counter", "Tensor.cpu() calls", _host_copies,
                     "device-to-host copies per validation loop (each one a sync on CUDA)")
VALIDATION_TIME = Metric(
    "validation_time", "time", "s", _validate,
    "the whole validation loop (transfer, forward, softmax, accumulation) and the "
    "conversion of its outputs to arrays")
EQUIVALENCE = Equivalence("identical predictions, targets and probabilities, dtypes included",
                          _same_outputs)
TITLE = "Accumulate validation outputs on the device, one host copy at the end"

CLAIM = Claim(
    id="trainer.val_accumulate",
    source="training-system report §1.1, §4",
    component="trainer",
    title=TITLE,
    claimed={22: EVERY_SIZE, 1000: AT_1000, 10_000: LARGE, 100_000: LARGE},
    claimed_on={"cuda": ON_GPU},
    variants=VALIDATE_VARIANTS,
    workload=Workload("the training system's MLP (4-128-64-32-3) on Iris-shaped rows, "
                      "batches of 32; 22 samples is the codebase's own validation set",
                      validation_batches, sizes=(22, 1000, 10_000, 100_000),
                      quick_sizes=(22, 1000), size_unit="samples"),
    setup=_setup,
    primary=VALIDATION_TIME,
    secondary=(
        ACCUMULATION_TIME, HOST_COPIES,
        Metric("validation_peak_bytes", "memory", "bytes", _validate,
               "peak host heap during the loop (memray; device memory on CUDA is not seen)"),
    ),
    output=lambda case: _validate(_setup(case)),
    equivalence=EQUIVALENCE,
    headline_size=1000,
    devices=("cpu", "cuda"),
    revision=2,
    notes="Follows Trainer.validate at 6b13c54 (each batch's preds, targets and probs "
          ".cpu().numpy() and extended into lists) and fadd6ab (kept as tensors, one "
          "torch.cat and host copy each at the end), with the codebase's model, batch size "
          "and the loss taken in the loop. Revision 1 ran a 32-64-10 MLP in batches of 64 "
          "without the loss. The codebase's run validates 22 rows in one batch (size 22); "
          "1,000 is the report's figure; the whole run is system.training_system. "
          "trainer.val_accumulate_convnet is a what-if with a model as costly per sample as "
          "the report's timing implies.",
)

# The report's 2.1 s per 1,000 samples is ~2 ms of model per sample; the light
# MLP above is ~1,000x cheaper, so there the accumulation is most of the loop.
# The same variants with a model in the report's regime show how much of the
# gain is left when the model is most of the time.
CONVNET_CLAIM = Claim(
    id="trainer.val_accumulate_convnet",
    source="training-system report §1.1, §4",
    component="trainer",
    title="What-if: " + TITLE.lower() + ", with a model as costly per sample as the report's",
    claimed=AT_1000,
    claimed_on={"cuda": ON_GPU},
    variants={v: VALIDATE_VARIANTS[v] for v in ("baseline", "optimized")},
    workload=Workload("ConvNet (3 conv layers, 48x48 RGB; ~2 ms per sample on one CPU "
                      "thread) validation set, batches of 32", convnet_validation_batches,
                      sizes=(128, 1000), quick_sizes=(128,), size_unit="samples"),
    setup=_setup,
    primary=VALIDATION_TIME,
    secondary=(ACCUMULATION_TIME, HOST_COPIES),
    output=lambda case: _validate(_setup(case)),
    equivalence=EQUIVALENCE,
    headline_size=1000,
    devices=("cpu", "cuda"),
    revision=2,
    notes="What-if (a workload the codebase never runs: its tabular validation costs about "
          "10 µs per sample, the report's 2.1 s per 1,000 implies 2 ms): the same loop with "
          "such a model, to show how much of the gain is left when the model is most of the "
          "time. No best variant here: its preallocation trade is shown by "
          "trainer.val_accumulate.",
)

CLAIMS = [CLAIM, CONVNET_CLAIM, *STEP_CLAIMS]
