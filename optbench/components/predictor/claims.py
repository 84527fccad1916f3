"""predictor.enumerate_zip: "2-3% faster" (training-system report §1.4)."""
from __future__ import annotations

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads.tensors import class_predictions

from . import VARIANTS


# The tabular model's classes, as a Predictor for the Iris model names them.
CLASS_NAMES = ("setosa", "versicolor", "virginica")


def _setup(case: Case):
    return case.implementation, case.data


def _format(state) -> list[dict]:
    format_predictions, (preds, probs) = state
    return format_predictions(preds, probs, CLASS_NAMES)


CLAIM = Claim(
    id="predictor.enumerate_zip",
    source="training-system report §1.4",
    component="predictor",
    title="enumerate(zip()) instead of range(len()) indexing when formatting predictions",
    # Training-system report §1.4: "Marginal (2-3% faster) but cleaner code".
    claimed=Claimed.percent_less(2, 3, text="2-3% faster (marginal)"),
    variants=VARIANTS,
    workload=Workload("the tabular model's 3-class predictions (NumPy), labelled",
                      lambda n: class_predictions(n, classes=len(CLASS_NAMES)),
                      sizes=(1000, 100_000), quick_sizes=(1000, 10_000), size_unit="predictions"),
    setup=_setup,
    primary=Metric("format_time", "time", "s", _format, "format all predictions into dicts"),
    output=lambda case: _format(_setup(case)),
    equivalence=Equivalence.exact("the same list of dicts, value for value"),
    headline_size=100_000,
    revision=2,
    notes="Follows Predictor.predict_with_labels at 6b13c54 and fadd6ab: each row's dict "
          "holds its label, confidence, probabilities and top 3 (np.argsort of the row), as "
          "the codebase writes it; revision 1 formatted a bare {index, class, probabilities} "
          "dict, so the loop's indexing was a larger share of the time than it is. Off the "
          "training path (inference only).",
)

CLAIMS = [CLAIM]
