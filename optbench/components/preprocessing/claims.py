"""preprocess.*: "10-100x faster preprocessing" (pharmagen report CPU 2).

- load_data: the codebase's own change, data.py's load_data at 4a1e100f and
  3cd3227b on its table.
- what-ifs, the report's text read two ways (each on both of pandas' string
  storages), neither of which the codebase did:
  - literal_replace_whatif: the bullet's change, str.replace(regex=True) ->
    regex=False (the codebase never passed regex=True);
  - per_row_replace_whatif: the heading's "Vectorized Operations", a per-row
    Series.apply(str.replace) -> .str.replace(regex=False) (its single-label
    replace was already .str.replace).

pandas 3 stores str columns as Python objects, or in Arrow when pyarrow is
installed (then the default); the two run regex=False's loop very
differently, so each reading is measured on each storage.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads import pharmgkb
from optbench.workloads.text import ANNOTATIONS, annotated_genotype_strings

from . import LOAD_DATA_VARIANTS, PER_ROW_VARIANTS, REGEX_FLAG_VARIANTS
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


# Pharmagen report CPU 2: "Vectorized Operations ... `regex=False` for literal replacement
# - 10-100x speedup"; its table: "Preprocessing | 10-100x faster | Vectorization".
TEN_TO_HUNDRED = Claimed.times_fewer(10, 100, text="10-100x faster preprocessing")


def _claim(id: str, title: str, variants, storage: str, secondary=(), notes="",
           largest: int = 1_000_000) -> Claim:
    return Claim(
        id=id,
        source="pharmagen report CPU 2",
        component="preprocessing",
        title=f"What-if: {title} ({storage} string storage)",
        claimed=TEN_TO_HUNDRED,
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
WHICH_READING = ("What-if: the report's bullet, read from its text; the codebase's "
                 "replace never passed regex=True (preprocess.load_data is its change). "
                 "preprocess.per_row_replace_whatif measures the heading's 'Vectorized "
                 "Operations' reading.")

CLAIMS = []
for _storage in STORAGES:
    _suffix = "" if _storage == "python" else "_pyarrow"
    CLAIMS += [
        _claim(f"preprocess.literal_replace{_suffix}_whatif",
               "str.replace(regex=False) for literal replacements", REGEX_FLAG_VARIANTS,
               _storage, NAME_RULE_COSTS, WHICH_READING),
        _claim(f"preprocess.per_row_replace{_suffix}_whatif",
               "Vectorized .str.replace(regex=False) instead of a per-row apply",
               PER_ROW_VARIANTS, _storage,
               notes="What-if: the heading's reading, the same end code from a per-row "
                     "Python loop; the codebase's single-label replace was vectorized "
                     "before the PR (preprocess.load_data is its change).",
               # Both sides are row loops of the same order: 100k rows show the ratio
               # 1M does, in a tenth of the full run's time (1M cost 60 s here).
               largest=100_000),
    ]


# --- preprocess.load_data: the codebase's own change ---------------------------------

def _load(state) -> pd.DataFrame:
    from optbench.components.pharmagen.pipeline import load_data

    return load_data(state.data, state.implementation)


def _clean_only(state) -> pd.DataFrame:
    """data.py's clean-up loop alone, on a fresh copy of the read table."""
    from optbench.components.pharmagen.pipeline import clean_columns, read_table

    if "raw" not in state.data_cache:
        state.data_cache["raw"] = read_table(state.data)
    return clean_columns(state.data_cache["raw"].copy(), state.implementation)


class _Loading:
    """The case and the raw table its clean-up metric starts from."""

    def __init__(self, case: Case):
        self.data, self.implementation, self.data_cache = case.data, case.implementation, {}


def _labels(state) -> str:
    labels = sorted(set().union(*_load(state)["phenotype_outcome"]))
    return f"{len(labels)}: " + ", ".join(map(repr, labels[:8])) + (" ..." if len(labels) > 8 else "")


def _missing_cell(state) -> str:
    """What load_data does with a table where a phenotype_outcome cell is empty."""
    from optbench.components.pharmagen.pipeline import load_data

    path = pharmgkb.scratch_tsv(200, with_missing=0.05)
    try:
        df = load_data(path, state.implementation)
    except TypeError as exc:
        return f"raises TypeError: {exc}"
    return f"loads: {int((df['phenotype_outcome'].map(len) == 0).sum())} rows without labels"


def _regex_default(_state) -> str:
    """Series.str.replace's regex default, read from the installed pandas."""
    import inspect

    default = inspect.signature(pd.Series.str.replace).parameters["regex"].default
    return (f"pandas {pd.__version__}: Series.str.replace(regex={default!r}) by default"
            + ("; regex=False passes the default again" if default is False else ""))


LOAD_DATA = Claim(
    id="preprocess.load_data",
    source="pharmagen report CPU 2; pgen_model/src/data.py, Aderfi/Pharmagen 4a1e100f -> "
           "3cd3227b",
    component="preprocessing",
    title="the codebase's load_data: its replace given regex=False (already the default) and "
          "its multi-label clean-up guarded",
    claimed=TEN_TO_HUNDRED,
    variants=LOAD_DATA_VARIANTS,
    workload=Workload("the PharmGKB-like table as a TSV (ten columns, spaces in most values; "
                      "phenotype_outcome 1-3 outcomes a row); pandas' default str storage",
                      pharmgkb.scratch_tsv, sizes=(1000, 10_000), quick_sizes=(1000,),
                      size_unit="rows"),
    setup=_Loading,
    primary=Metric("load_data_time", "time", "s", _load,
                   "PGenDataProcess.load_data: read the TSV, clean the columns, group rare "
                   "effect types, build and filter the stratification column, split the "
                   "multi-label column"),
    secondary=(
        Metric("clean_time", "time", "s", _clean_only,
               "the clean-up loop alone (spaces to '_', column by column), the part the "
               "commit changed"),
        Metric("phenotype_outcome_labels", "value", "", _labels,
               "the multi-label target's labels after load_data"),
        Metric("missing_outcome", "value", "", _missing_cell,
               "what load_data does when a phenotype_outcome cell is empty"),
        Metric("regex_default", "value", "", _regex_default,
               "str.replace's regex default, read from the installed pandas"),
    ),
    output=lambda case: _load(_Loading(case)),
    equivalence=Equivalence.frames_equal(
        "the same cleaned table (the report: \"No changes to data handling\")"),
    revision=1,
    notes="Follows data.py's load_data at 4a1e100f and 3cd3227b. The commit's comments say "
          "'vectorized', but its loop is the one it had: the single-label replace was "
          ".str.replace before (regex=False is pandas' default since 2.0, the repository "
          "pins 2.3.3) and the multi-label clean-up is a per-row apply on both sides. What "
          "the guard changes is the task: before, each outcome string became a list of its "
          "characters (its labels are fragments of that list's text) and an empty cell "
          "raised TypeError; after, strings pass through and split into outcomes. The "
          "report's two readings of its text are preprocess.literal_replace_whatif and "
          "preprocess.per_row_replace_whatif.",
)

CLAIMS.insert(0, LOAD_DATA)
