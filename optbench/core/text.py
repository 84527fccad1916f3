"""Ratios in words and figures: one wording for the CLI table and the report."""
from __future__ import annotations

from .schema import Entry


def interval(entry: Entry, prefix: str = "") -> str:
    """"0.22 (exact)" for counters, "0.05 [0.049, 0.054]" for intervals."""
    r = getattr(entry, f"{prefix}ratio")
    if r is None:
        return "n/a"
    lo, hi = getattr(entry, f"{prefix}ci_low"), getattr(entry, f"{prefix}ci_high")
    if lo == hi:
        return f"{r:.4g} (exact)"
    return f"{r:.4g} [{lo:.4g}, {hi:.4g}]"


def reading(ratio: float | None) -> str:
    """optimized / baseline in words: "10x less", "23% less", "1.4x more"."""
    if ratio is None:
        return "n/a"
    if ratio == 0:
        return "none left"
    if ratio <= 0.5:
        return f"{1 / ratio:.3g}x less"
    if ratio < 1:
        return f"{(1 - ratio) * 100:.3g}% less"
    if ratio == 1:
        return "no change"
    if ratio < 2:
        return f"{(ratio - 1) * 100:.3g}% more"
    return f"{ratio:.3g}x more"


def sampling(entry: Entry) -> str:
    """"23 rounds, settled": how many interleaved rounds, and why they stopped."""
    s = entry.sampling
    return f"{s['rounds']} rounds, {s['stop']}" if s else ""


def instructions(entry: Entry) -> str:
    """The callgrind witness beside a time ratio: "0.963", "n/a" when it has none."""
    witness = entry.instructions
    if not witness:
        return ""
    if "unavailable" in witness:
        return "n/a"
    return f"{witness['ratio']:.4g}" + ("" if witness["agrees_with_time"] else " (disagrees)")
