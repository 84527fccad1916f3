"""preprocess.literal_replace: "10-100x faster preprocessing" (seed 003 CPU 2)."""
from __future__ import annotations

import pandas as pd

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads.text import genotype_strings

from . import VARIANTS
from .common import METACHARACTER_RULES


def _setup(case: Case):
    return case.implementation, pd.Series(case.data)


def _normalize(state) -> pd.Series:
    normalize, series = state
    return normalize(series)


def _rows_changed_by_metacharacter_rule(state) -> int:
    """Rows whose output differs from the regex=True baseline once a rule
    with a regex metacharacter (".") is among the rules."""
    normalize, series = state
    reference = VARIANTS["baseline"](series, METACHARACTER_RULES)
    return int((normalize(series, METACHARACTER_RULES) != reference).sum())


CLAIM = Claim(
    id="preprocess.literal_replace",
    source="seed 003 CPU 2",
    component="preprocessing",
    title="str.replace(regex=False) for literal replacements",
    # Seed 003: "`regex=False` for literal replacement - 10-100x speedup";
    # its table: "Preprocessing | 10-100x faster | Vectorization".
    claimed=Claimed.times_fewer(10, 100, text="10-100x faster preprocessing"),
    variants=VARIANTS,
    workload=Workload("genotype and drug strings", genotype_strings,
                      sizes=(10_000, 1_000_000), quick_sizes=(10_000,), size_unit="strings"),
    setup=_setup,
    primary=Metric("normalize_time", "time", "s", _normalize,
                   "apply the four literal replacement rules to the column"),
    secondary=(
        Metric("rows_changed_with_metacharacter_rule", "counter", "rows",
               _rows_changed_by_metacharacter_rule,
               "rows that differ from regex=True when the rules include '.'"),
    ),
    output=lambda case: _normalize(_setup(case)).tolist(),
    equivalence=Equivalence.exact("identical strings for the literal rules"),
    headline_size=1_000_000,
)

CLAIMS = [CLAIM]
