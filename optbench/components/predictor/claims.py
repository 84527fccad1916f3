"""predictor.enumerate_zip: "2-3% faster" (training-system report §1.4)."""
from __future__ import annotations

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads.tensors import class_predictions

from . import VARIANTS


def _setup(case: Case):
    return case.implementation, case.data


def _format(state) -> list[dict]:
    format_predictions, (preds, probs) = state
    return format_predictions(preds, probs)


CLAIM = Claim(
    id="predictor.enumerate_zip",
    source="training-system report §1.4",
    component="predictor",
    title="enumerate(zip()) instead of range(len()) indexing when formatting predictions",
    # Training-system report §1.4: "Marginal (2-3% faster) but cleaner code".
    claimed=Claimed.percent_less(2, 3, text="2-3% faster (marginal)"),
    variants=VARIANTS,
    workload=Workload("10-class predictions (NumPy)", class_predictions,
                      sizes=(1000, 100_000), quick_sizes=(1000, 10_000), size_unit="predictions"),
    setup=_setup,
    primary=Metric("format_time", "time", "s", _format, "format all predictions into dicts"),
    output=lambda case: _format(_setup(case)),
    equivalence=Equivalence.exact("the same list of dicts, value for value"),
    headline_size=100_000,
)

CLAIMS = [CLAIM]
