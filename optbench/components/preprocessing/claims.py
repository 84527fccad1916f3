"""preprocess.*: "10-100x faster preprocessing" (pharmagen report CPU 2), read two ways,
each on both of pandas' string storages.

- literal_replace: the bullet's change, str.replace(regex=True) -> regex=False.
- per_row_replace: the heading's "Vectorized Operations", a per-row
  Series.apply(str.replace) -> .str.replace(regex=False).

pandas 3 stores str columns as Python objects, or in Arrow when pyarrow is
installed (then the default); the two run regex=False's loop very
differently, so each reading is measured on each storage.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads.text import ANNOTATIONS, annotated_genotype_strings

from . import PER_ROW_VARIANTS, REGEX_FLAG_VARIANTS
from .common import LITERAL_RULES, NAME_RULES

STORAGES = ("python", "pyarrow")


def string_series(strings: list[str], storage: str) -> pd.Series:
    """pandas' str column (missing values as NaN) on the given storage."""
    try:
        dtype = pd.StringDtype(storage, na_value=np.nan)
    except TypeError:  # pandas before 2.3: no na_value; the NA-backed dtype
        dtype = pd.StringDtype(storage)
    return pd.Series(strings, dtype=dtype)


def _setup_on(storage: str):
    def setup(case: Case):
        return case.implementation, string_series(case.data, storage)
    return setup


def _normalize(state) -> pd.Series:
    normalize, series = state
    return normalize(series)


def _against_regex_true(state, rule) -> pd.Series | str:
    """Rows (as a boolean mask) this variant rewrites otherwise than regex=True
    does, with the literal rules plus `rule`; the error if regex=True raises."""
    normalize, series = state
    rules = LITERAL_RULES + (rule,)
    try:
        reference = REGEX_FLAG_VARIANTS["baseline"](series, rules)
    except (re.error, ValueError) as exc:  # Python's re, or Arrow's RE2 (ArrowInvalid)
        return f"regex=True raises ({type(exc).__name__}: {exc})"
    return normalize(series, rules) != reference


def _rows_changed_by_name_rules(state) -> int:
    changed = [m for m in (_against_regex_true(state, r) for r in NAME_RULES)
               if not isinstance(m, str)]
    return int(np.logical_or.reduce(changed).sum())


def _which_rows(series: pd.Series, changed: pd.Series) -> str:
    """The rows a rule rewrote differently, named by the annotation they share."""
    rows = series[changed.to_numpy(dtype=bool)]
    if rows.empty:
        return "0 rows"
    names = [a.split(" ")[0] for a in ANNOTATIONS]
    shared = [n for n in names if rows.str.contains(n, regex=False).all()]
    return f"{len(rows):,} rows" + (f", all with {shared[0]!r}" if shared else "")


def _per_name_rule(state) -> str:
    parts = []
    for rule in NAME_RULES:
        outcome = _against_regex_true(state, rule)
        shown = outcome if isinstance(outcome, str) else _which_rows(state[1], outcome)
        parts.append(f"{rule[0]!r}: {shown}")
    return "; ".join(parts)


def _strings(case: Case) -> tuple:
    """The normalized strings and the dtype they come back in."""
    out = _normalize(case.claim.setup(case))
    return out.tolist(), str(out.dtype)


def _claim(id: str, title: str, variants, storage: str, secondary=(), notes="",
           largest: int = 1_000_000) -> Claim:
    return Claim(
        id=id,
        source="pharmagen report CPU 2",
        component="preprocessing",
        title=f"{title} ({storage} string storage)",
        # Pharmagen report CPU 2: "Vectorized Operations ... `regex=False` for literal replacement
        # - 10-100x speedup"; its table: "Preprocessing | 10-100x faster | Vectorization".
        claimed=Claimed.times_fewer(10, 100, text="10-100x faster preprocessing"),
        variants=variants,
        workload=Workload(f"genotype and drug strings, a tenth annotated; pandas str dtype "
                          f"on {storage} storage", annotated_genotype_strings,
                          sizes=(10_000, largest), quick_sizes=(10_000,), size_unit="strings"),
        setup=_setup_on(storage),
        primary=Metric("normalize_time", "time", "s", _normalize,
                       "apply the four literal replacement rules to the column"),
        secondary=secondary,
        output=_strings,
        equivalence=Equivalence.exact("identical strings, same dtype, for the literal rules"),
        headline_size=largest,
        requires=("pyarrow",) if storage == "pyarrow" else (),
        notes=notes,
    )


NAME_RULE_COSTS = (
    Metric("rows_changed_by_name_rules", "counter", "rows", _rows_changed_by_name_rules,
           "rows rewritten otherwise than by regex=True once the gene-name rules "
           f"({', '.join(p for p, _ in NAME_RULES[:2])}) join the literal ones"),
    Metric("name_rules_per_pattern", "value", "", _per_name_rule,
           "per gene-name rule: rows rewritten otherwise than by regex=True, or why "
           "regex=True cannot run it"),
)
WHICH_READING = ("The bullet names regex=False, so this is the reading the report most "
                 "plausibly meant; preprocess.per_row_replace measures its heading's "
                 "'Vectorized Operations' reading.")

CLAIMS = []
for _storage in STORAGES:
    _suffix = "" if _storage == "python" else "_pyarrow"
    CLAIMS += [
        _claim(f"preprocess.literal_replace{_suffix}",
               "str.replace(regex=False) for literal replacements", REGEX_FLAG_VARIANTS,
               _storage, NAME_RULE_COSTS, WHICH_READING),
        _claim(f"preprocess.per_row_replace{_suffix}",
               "Vectorized .str.replace(regex=False) instead of a per-row apply",
               PER_ROW_VARIANTS, _storage,
               notes="The heading's reading: the same end code, from a per-row Python loop.",
               # Both sides are row loops of the same order: 100k rows show the ratio
               # 1M does, in a tenth of the full run's time (1M cost 60 s here).
               largest=100_000),
    ]
