"""Intervals on ratios of measurements, and how noisy a sample is."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
RESAMPLES = 2000
# torch.utils.benchmark warns above 10% IQR/median; the issue asks for 5%
# on the interval. Both are reported.
NOISY_IQR = 0.10
WIDE_INTERVAL = 0.05


@dataclass(frozen=True)
class RatioEstimate:
    ratio: float
    ci_low: float
    ci_high: float

    @property
    def relative_width(self) -> float:
        """Half the interval's width relative to the ratio."""
        if self.ratio == 0 or not np.isfinite(self.ratio):
            return 0.0
        return (self.ci_high - self.ci_low) / (2 * self.ratio)


def _ratio_of_medians(baseline, other, axis=-1):
    return np.median(other, axis=axis) / np.median(baseline, axis=axis)


def _median(x, axis=-1):
    return np.median(x, axis=axis)


def ratio_interval(baseline: list[float], other: list[float], *, paired: bool,
                   seed: int = 0) -> RatioEstimate:
    """other / baseline with a 95% percentile-bootstrap interval.

    Paired samples (taken interleaved, round by round): the median of the
    per-round ratios, resampling rounds. This machine's speed jumps by up to
    2x between rounds; within a round both variants see the same speed, so
    the per-round ratio cancels the jump where a ratio of medians would mix
    rounds from different speeds. Unpaired samples (memory readings): the
    ratio of medians, resampling each side.
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(other, dtype=float)
    if paired:
        per_round = b / a
        point = float(np.median(per_round))
        data, statistic = (per_round,), _median
    else:
        point = float(_ratio_of_medians(a, b))
        data, statistic = (a, b), _ratio_of_medians
    if all(np.ptp(x) == 0 for x in data):
        return RatioEstimate(point, point, point)
    if len(a) < 3 or len(b) < 3:
        # Too few to resample: the range over every pairing of the readings.
        pairs = b[:, None] / a[None, :]
        return RatioEstimate(point, float(min(pairs.min(), point)), float(max(pairs.max(), point)))
    result = stats.bootstrap(
        data, statistic, vectorized=True, n_resamples=RESAMPLES,
        confidence_level=CONFIDENCE, method="percentile", rng=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return RatioEstimate(point, float(min(low, point)), float(max(high, point)))


def iqr_over_median(samples: list[float]) -> float:
    a = np.asarray(samples, dtype=float)
    median = float(np.median(a))
    if median == 0:
        return 0.0
    q1, q3 = np.percentile(a, [25, 75])
    return float((q3 - q1) / median)
