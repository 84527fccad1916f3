"""From a measured ratio interval, the claimed range and equivalence, a verdict.

Ratio = optimized / baseline, lower is better. `t` is the claimed ratio (the
range's upper end: the smallest gain the report asserts), `[lo, hi]` the 95%
interval, `f` the noise floor: for timings the larger of ±1% and how far
from 1 the run's own A/A control reached (the baseline timed against itself
in the same interleaved rounds), ±0.1% for memory, 0 for exact counters. The
rule, first match wins (also in the README):

  case needs hardware this machine lacks             -> not measurable here
  optimized output differs, change not declared      -> refuted
  the library or the codebase says both sides run
  the same configuration here                        -> no-op
  hi <= t and hi < 1-f
                     the whole interval reaches t,
                     clear of the noise              -> confirmed
  1-f <= lo and hi <= 1+f
                     all within the noise floor      -> no effect
  lo > 1+f           reliably worse, beyond noise    -> refuted
  t < lo and hi < 1-f
                     a real gain, all short of t     -> partial
  lo <= t            straddles t (maybe also 1):
                     the data cannot say             -> inconclusive
  t < lo, hi >= 1-f or lo <= 1+f
                     within noise of no change,
                     excludes t                      -> no effect

So no interval that identical code could give in the same run is called a
gain or a loss. A claim that bounds a cost instead of promising a gain
(t >= 1: "at most 5% slower") is confirmed when hi <= t, refuted when
lo > t+f, inconclusive between.

Exact counters have a zero-width interval and no floor, so their verdicts
are exact: 50 -> 10 writes against "80% fewer" is confirmed.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .claim import Claimed, exact

CONFIRMED = "confirmed"
PARTIAL = "partial"
INCONCLUSIVE = "inconclusive"
NO_EFFECT = "no effect"
REFUTED = "refuted"
NOT_MEASURABLE = "not measurable here"
# Both sides run the same configuration here, as the library or the codebase
# itself says (a default equal to the "optimized" setting, a flag ignored
# without an accelerator): the entry's reason quotes the fact, read at run time.
NO_OP = "no-op"
# The claim's own code failed (raised, hung, died); the entry says why.
ERROR = "error"

# Best first: the regression gate reads "got worse" from this order.
ORDER = (CONFIRMED, PARTIAL, INCONCLUSIVE, NO_EFFECT, REFUTED)
# Shapes make verdicts readable without colour.
SYMBOL = {CONFIRMED: "✔", PARTIAL: "◐", INCONCLUSIVE: "?", NO_EFFECT: "○", REFUTED: "✘",
          NOT_MEASURABLE: "–", ERROR: "!", NO_OP: "="}

# An interval lying entirely within 1 ± this reads "no effect" (row 4), unless
# it already reaches the claimed ratio (row 3). criterion's idea of a noise
# threshold, sized here from the A/A calibration (README, "Calibration").
TIME_NOISE_FLOOR = Fraction(1, 100)
# memray's repeats of one region agree within 0.05% (0.01% for most); the
# same stages with and without an explicit gc.collect() differed by 248 bytes
# of 843 MB. Neither is a change in memory a reader should be told about.
MEMORY_NOISE_FLOOR = Fraction(1, 1000)
# Exact counters need none.


def noise_floor(kind: str, control: tuple[float, float] | None = None) -> Fraction:
    """The floor for a metric of `kind`; with `control`, the A/A interval
    (baseline against itself, same rounds) of a timed metric, the floor
    grows to cover how far from 1 identical code read in this run."""
    floor = {"time": TIME_NOISE_FLOOR, "memory": MEMORY_NOISE_FLOOR}.get(kind, Fraction(0))
    if control is None:
        return floor
    low, high = (_exact_end(x) for x in control)
    if not all(isinstance(x, Fraction) for x in (low, high)):
        return floor   # an A/A interval with no finite ends sets no floor
    return max(floor, 1 - low, high - 1)


def _exact_end(x):
    """A float interval end as the decimal it prints as (1.01 is 101/100, not
    1.0100000000000000089): compared with exact claimed ranges and floors,
    a reading that lands on a boundary must fall on the documented side."""
    return exact(x) if isinstance(x, float) and math.isfinite(x) else x


def _within_floor(lo, hi, floor) -> bool:
    return 1 - floor <= lo and hi <= 1 + floor


def decide(claimed: Claimed, ci_low: float, ci_high: float, equivalent: bool | str,
           floor: float = 0, no_op: str | None = None) -> str:
    """The rule above; `no_op` is the fact that makes both sides one
    configuration here (None where they differ)."""
    if equivalent is False:
        return REFUTED
    if no_op:
        return NO_OP
    return position(claimed.ratio_high, ci_low, ci_high, floor)


def position(threshold, lo, hi, floor=0) -> str:
    """The verdict an interval's position alone gives (equivalence aside)."""
    lo, hi, floor = _exact_end(lo), _exact_end(hi), _exact_end(floor)
    if threshold >= 1:   # a bound on a cost ("at most 5% slower"), not a gain
        if hi <= threshold:
            return CONFIRMED
        return REFUTED if lo > threshold + floor else INCONCLUSIVE
    if hi <= threshold and hi < 1 - floor:
        return CONFIRMED
    if _within_floor(lo, hi, floor):
        return NO_EFFECT
    if lo > 1 + floor:
        return REFUTED
    if threshold < lo and hi < 1 - floor:
        return PARTIAL
    if lo <= threshold:
        return INCONCLUSIVE
    return NO_EFFECT


def settled(threshold, lo, hi, floor=0, within=None) -> bool:
    """Whether more rounds could not change the verdict's meaning: the
    interval reaches the claimed ratio, is clear of it and of 1 by `floor`,
    or lies within `within` of 1 (by default the floor). (An interval that
    includes 1 but not the threshold still reads "no effect", but narrowing
    it could show a gain: not settled.) A floor measured by the A/A control
    narrows as rounds are added, so lying inside it settles nothing: the
    stop rule passes the fixed floor as `within`."""
    lo, hi, floor = _exact_end(lo), _exact_end(hi), _exact_end(floor)
    within = floor if within is None else _exact_end(within)
    if threshold is not None and threshold >= 1:   # a cost bound: clear of it, either side
        return hi <= threshold or lo > threshold + floor
    if threshold is not None and hi <= threshold and hi < 1 - floor:
        return True
    if _within_floor(lo, hi, within):
        return True
    clear_of_one = hi < 1 - floor or lo > 1 + floor
    if threshold is None:  # a hidden cost: no claimed figure to clear
        return clear_of_one
    return clear_of_one and lo > threshold


def rank(verdict: str) -> int | None:
    """Position in ORDER (0 is best); None for verdicts outside the order."""
    return ORDER.index(verdict) if verdict in ORDER else None
