"""split.shared_helper: "50 lines removed; works on small datasets" (seed 002 §2.1, §2.3)."""
from __future__ import annotations

import inspect
from dataclasses import replace

import numpy as np

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads.tensors import label_sets

from . import MODULES, VARIANTS


def _setup(case: Case):
    return case


def _outcomes(case: Case) -> dict[str, object]:
    """Per label set: the index arrays of train/val/test, or the error raised."""
    out = {}
    for shape, y in case.data.items():
        X = np.arange(len(y))
        try:
            parts = case.implementation(X, y)
        except ValueError as exc:
            out[shape] = f"error: {exc}"
            continue
        out[shape] = {name: part[0].tolist() for name, part in parts.items()}
    return out


def _failures(case: Case) -> int:
    return sum(isinstance(v, str) for v in _outcomes(case).values())


def _class_balance_error(case: Case) -> float:
    """Largest gap between a class's share in a split and in the whole set,
    over the label sets the baseline splits too (so all variants are judged
    on the same sets: did the helper keep the balance where it worked?)."""
    worst = 0.0
    baseline = _outcomes(replace(case, implementation=VARIANTS["baseline"]))
    for shape, parts in _outcomes(case).items():
        if isinstance(parts, str) or isinstance(baseline[shape], str):
            continue
        y = case.data[shape]
        labels = np.unique(y)
        overall = np.array([(y == c).mean() for c in labels])
        for indices in parts.values():
            share = np.array([(y[indices] == c).mean() for c in labels])
            worst = max(worst, float(np.abs(share - overall).max()))
    return round(worst, 6)


def _split_lines(case: Case) -> int:
    """Source lines of the split code, times the copies the report had."""
    module = MODULES[case.variant]
    return len(inspect.getsource(module).splitlines()) * module.COPIES_IN_REPORT


def _same_where_both_work(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in a if not isinstance(a[k], str) and not isinstance(b[k], str))


CLAIM = Claim(
    id="split.shared_helper",
    source="seed 002 §2.1, §2.3",
    component="splits",
    title="One train_val_test_split helper with a stratification fallback",
    # Seed 002 §2.1: "Better stratification logic (handles small datasets)";
    # §2.3: "Stratified splitting failed on small datasets". (Its "50+ lines of code
    # eliminated" is the split_source_lines hidden cost.)
    claimed=Claimed.eliminated(text="works on small datasets (any dataset size)"),
    variants=VARIANTS,
    workload=Workload("label sets: balanced, imbalanced, rare classes, 25 classes",
                      label_sets, sizes=(30, 150, 1500), quick_sizes=(30, 150),
                      size_unit="samples"),
    setup=_setup,
    primary=Metric("failed_label_sets", "counter", "label sets", _failures,
                   "label sets (of 6) on which the split raises"),
    secondary=(
        Metric("class_balance_error", "value", "share", _class_balance_error,
               "largest gap between a class's share in a split and overall, "
               "on the label sets the baseline also splits"),
        Metric("split_source_lines", "counter", "lines", _split_lines,
               "lines of split code (the report's before had two copies)"),
    ),
    output=_outcomes,
    equivalence=Equivalence("identical splits on every label set both variants split",
                            _same_where_both_work),
    headline_size=150,
)

CLAIMS = [CLAIM]
