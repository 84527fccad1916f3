"""pharmagen_pmodel data.py after the report (pharmagen report CPU 2): the same
replacements with regex=False ("literal replacement")."""
from __future__ import annotations

import pandas as pd

from .common import LITERAL_RULES


def normalize(series: pd.Series, rules=LITERAL_RULES) -> pd.Series:
    for pattern, replacement in rules:
        series = series.str.replace(pattern, replacement, regex=False)
    return series
