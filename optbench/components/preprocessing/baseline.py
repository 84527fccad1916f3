"""pharmagen_pmodel data.py before the report (pharmagen report CPU 2): every
replacement goes through the regex engine (regex=True)."""
from __future__ import annotations

import pandas as pd

from .common import LITERAL_RULES


def normalize(series: pd.Series, rules=LITERAL_RULES) -> pd.Series:
    for pattern, replacement in rules:
        series = series.str.replace(pattern, replacement, regex=True)
    return series
