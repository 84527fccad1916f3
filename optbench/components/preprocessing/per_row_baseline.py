"""The other reading of pharmagen report CPU 2's heading, "Vectorized Operations":
before, each rule applied row by row in Python (Series.apply with
str.replace); after, pandas' vectorized .str.replace(regex=False)."""
from __future__ import annotations

import pandas as pd

from .common import LITERAL_RULES


def normalize(series: pd.Series, rules=LITERAL_RULES) -> pd.Series:
    for pattern, replacement in rules:
        series = series.apply(lambda text: text.replace(pattern, replacement))
    return series
