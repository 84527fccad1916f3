"""From a measured ratio interval, the claimed range and equivalence, a verdict.

The rule (also in the README):
1. The case needs hardware this machine lacks        -> not measurable here
2. The optimized output differs from the baseline's
   and the report did not declare that change        -> refuted
3. ci_low > 1 (reliably worse on the claimed metric) -> refuted
4. ci_high <= claimed ratio_high (the whole interval
   reaches the smallest gain the report asserts)     -> confirmed
5. ci_high < 1 (a real gain, not shown to reach it)  -> partial
6. otherwise (the interval includes no change)       -> no effect

Exact counters have a zero-width interval, so their verdicts are exact.
"""
from __future__ import annotations

from .claim import Claimed

CONFIRMED = "confirmed"
PARTIAL = "partial"
NO_EFFECT = "no effect"
REFUTED = "refuted"
NOT_MEASURABLE = "not measurable here"

# Best first: the regression gate reads "got worse" from this order.
ORDER = (CONFIRMED, PARTIAL, NO_EFFECT, REFUTED)
# Shapes make verdicts readable without colour.
SYMBOL = {CONFIRMED: "✔", PARTIAL: "◐", NO_EFFECT: "○", REFUTED: "✘", NOT_MEASURABLE: "–"}


def decide(claimed: Claimed, ci_low: float, ci_high: float, equivalent: bool | str) -> str:
    if equivalent is False:
        return REFUTED
    if ci_low > 1.0:
        return REFUTED
    if ci_high <= claimed.ratio_high:
        return CONFIRMED
    if ci_high < 1.0:
        return PARTIAL
    return NO_EFFECT


def rank(verdict: str) -> int | None:
    """Position in ORDER (0 is best); None for verdicts outside the order."""
    return ORDER.index(verdict) if verdict in ORDER else None
