"""Ratios in words and figures: one wording for the CLI table and the report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from . import units
from .verdict import noise_floor
from .schema import Entry


def headline_entry(entries: Sequence[Entry]) -> Entry:
    """The entry that speaks for a claim on a device: its headline size, else
    the largest size measured."""
    return next((e for e in entries if e.headline), max(entries, key=lambda e: e.size))


def interval(figures) -> str:
    """"0.22 (exact)" for counters, "0.05 [0.049, 0.054]" for intervals: of
    anything with a ratio, ci_low and ci_high (an entry's verdict contrast,
    any Contrast, a secondary Reading)."""
    r = figures.ratio
    if r is None:
        return "n/a"
    lo, hi = figures.ci_low, figures.ci_high
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
    if not s:
        return ""
    control = s.get("control")
    aa = (f", A/A {control['ratio']:.3g} [{control['ci_low']:.3g}, {control['ci_high']:.3g}]"
          if control else "")
    return f"{s['rounds']} rounds, {s['stop']}{aa}"


def instructions(entry: Entry) -> str:
    """The callgrind witness beside a time ratio: "0.963", "n/a" when it has none."""
    witness = entry.instructions
    if not witness:
        return ""
    if "unavailable" in witness:
        return "n/a"
    return f"{witness['ratio']:.4g}" + ("" if witness["agrees_with_time"] else " (disagrees)")


# hidden_costs' rule in words, for the report's note under its summary.
HIDDEN_COST_RULE = (
    "A hidden cost is a secondary time, memory or counter reading where the optimized is "
    "worse than the baseline beyond doubt: its whole 95% interval above 1 by more than the "
    "noise floor (1% for time, 0.1% for memory), an exact counter above 1, or a counter the baseline had at zero and the optimized not (counters count "
    "costs: opens, writes, messages lost, wrong lookups). The one shown is the worst over "
    "every size of the claim on that device: first a cost the baseline did not have at all "
    "(0 -> 5 messages lost), the larger count first; then the one whose interval's lower end "
    "is highest, so a sure 3x outranks a noisy maybe-5x. Values (a type name, a share) are "
    "not ranked as costs: a changed output is shown on its own.")


@dataclass(frozen=True)
class HiddenCost:
    """A secondary reading where the optimized is worse than the baseline."""

    metric: str
    kind: str
    ratio: float          # inf: from none to some ("0 -> 5 messages")
    lower: float          # the interval's lower end (the ratio itself when exact)
    size: int
    size_unit: str
    appeared: str = ""    # "0 -> 5 messages" when the baseline had none
    count: float = 0.0    # the optimized's figure, where it appeared from none

    def words(self, with_size: bool = True) -> str:
        """"get_item_time 136x slower @ 10,000 nodes", "lost_on_sigkill 0 -> 5 messages"."""
        if self.appeared:
            amount = self.appeared
        elif self.kind == "time":
            amount = f"{self.ratio:.3g}x slower" if self.ratio >= 2 else \
                f"{(self.ratio - 1) * 100:.2g}% slower"
        else:
            amount = reading(self.ratio)
        where = f" @ {units.size(self.size, self.size_unit)}" if with_size else ""
        return f"{self.metric} {amount}{where}"


def hidden_costs(entries: Iterable[Entry]) -> list[HiddenCost]:
    """Every secondary time, memory or counter reading of these entries where
    the optimized is worse than the baseline beyond doubt: its whole 95%
    interval above 1 and the noise floor (1% for time, 0.1% for memory), an
    exact reading above 1, or a counter at zero for the
    baseline and above zero for the optimized (counters count costs: opens,
    writes, messages lost, wrong lookups; more is worse).

    Worst first: a cost the baseline did not have at all (0 -> 5 messages
    lost), then by the interval's lower end, so a sure 3x outranks a noisy
    maybe-5x. Values (a type name, a share) are not ranked: see changed_output.
    """
    found = []
    for entry in entries:
        unit = entry.workload.get("size_unit", "")
        for name, sec in entry.secondary.items():
            if sec.kind not in ("time", "memory", "counter"):
                continue
            before, after = sec.values.get("baseline"), sec.values.get("optimized")
            if sec.ratio is None:
                if sec.kind == "counter" and before == 0 and isinstance(after, (int, float)) \
                        and after > 0:
                    found.append(HiddenCost(
                        name, sec.kind, float("inf"), float("inf"), entry.size, unit,
                        appeared=f"0 -> {units.quantity(after, sec.unit)}", count=after))
                continue
            lower = sec.ci_low if sec.ci_low is not None else sec.ratio
            if lower > 1 + noise_floor(sec.kind):
                found.append(HiddenCost(name, sec.kind, sec.ratio, lower, entry.size, unit))
    # Ties (several "0 -> N") go to the larger N: "0 -> 4 epochs" before "0 -> 2".
    return sorted(found, key=lambda c: (c.lower, c.count), reverse=True)


def worst_hidden_cost(entries: Iterable[Entry]) -> HiddenCost | None:
    costs = hidden_costs(entries)
    return costs[0] if costs else None


def changed_output(entry: Entry) -> str | None:
    """What the optimized changed in the output, in a few words: "[0]['community']:
    int -> float", "declared: stops after 5 errors"; None when it changed nothing
    (or nothing was compared)."""
    if entry.equivalent is None or entry.equivalent is True:
        return None
    if isinstance(entry.equivalent, str):
        return entry.equivalent.replace("declared change: ", "declared: ", 1)
    differences = (entry.equivalence or {}).get("differences") or {}
    return differences.get("optimized") or "changed"
