"""Warnings about a claim's timings that no interval can catch.

`setup` runs once per case; the metric's function runs many times (calibrated
inner loops, then rounds). A function that consumes what setup built (drains
a queue, pops a list, exhausts an iterator) does the work once and then times
an empty call: its interval is tight, its verdict confident, and both are
about nothing. Two symptoms show it, and are checked on every run:

- a sample is within 3x of what timing an empty call costs (measured in
  the same rounds as the variants: core/measure.time_interleaved), so the
  call, not the work, is what was timed;
- the claim's sizes grow the workload by 10x or more and not one variant's
  time grows by half (a real workload's time grows; an O(1) optimized is
  fine, as long as some variant grows). Compared on each variant's fastest
  sample: a 100 ns call's median moved 1.5x between sizes with other work
  running beside it.

The empty call is timed in the entry's own rounds (core/measure.py), so a
machine that slowed down during one case slows its yardstick too. A time
within 3x of that empty call never counts as growth: in CI the machine
slowed by 1.6x between two cases and an emptied queue read 110 ns, then
180 ns, which is a slower nothing, not work. Growth itself compares the
fastest samples directly: the empty call's own reading moved 68 -> 132 ns
between cases of one run, too much to divide by.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from . import units
from .schema import Entry

CALL_FLOOR_FACTOR = 3
WORKLOAD_GROWTH = 10
TIME_GROWTH = 1.5


def _empty_call(entry: Entry) -> float | None:
    """The empty call timed in the entry's own rounds; None for an entry
    sampled without one (then neither check can be made)."""
    own = (entry.sampling or {}).get("empty_call_seconds")
    return own if isinstance(own, (int, float)) and own > 0 else None


def _variants(entry: Entry) -> dict[str, float]:
    return {v: s.median for v, s in entry.variants.items()
            if isinstance(s.median, (int, float))}


def _fastest(entry: Entry) -> dict[str, float]:
    """Each variant's fastest sample: what a call costs with the least
    interference from other work, so load that comes and goes between two
    sizes does not pass for growth (or hide it)."""
    return {v: min(entry.variants[v].samples) for v in _variants(entry)
            if entry.variants[v].samples}


def check(entries: list[Entry]) -> list[Entry]:
    """The entries of one claim, each timed one with the warnings it earns."""
    found = _warnings(entries)
    return [replace(e, warnings=(*e.warnings, *found[e.key])) if found.get(e.key) else e
            for e in entries]


def _warnings(entries: list[Entry]) -> dict[str, list[str]]:
    """Each timed entry's warnings, by key."""
    found: dict[str, list[str]] = defaultdict(list)
    timed = [e for e in entries if e.kind == "time" and e.ratio is not None and _empty_call(e)]
    if not timed:
        return found
    for entry in timed:
        floor = _empty_call(entry)
        cheap = {v: m for v, m in _variants(entry).items() if m < CALL_FLOOR_FACTOR * floor}
        if cheap:
            seen = ", ".join(f"{v} {units.quantity(m, 's')}" for v, m in cheap.items())
            found[entry.key].append(
                f"{entry.metric} per call: {seen}, within {CALL_FLOOR_FACTOR}x of timing "
                f"an empty call here ({units.quantity(floor, 's')}): the call, not the work, "
                f"is what was timed. Does the timed function consume state that setup built "
                f"once?")
    by_device = defaultdict(list)
    for entry in timed:
        by_device[entry.device].append(entry)
    for same_device in by_device.values():
        same_device.sort(key=lambda e: e.size)
        small, large = same_device[0], same_device[-1]
        sizes = small.size, large.size
        if sizes[0] <= 0 or sizes[1] / sizes[0] < WORKLOAD_GROWTH:
            continue
        before, after = _fastest(small), _fastest(large)
        growth = {v: after[v] / before[v] for v in before if v in after and before[v] > 0}
        grew = [v for v, g in growth.items()
                if g >= TIME_GROWTH and after[v] >= CALL_FLOOR_FACTOR * _empty_call(large)]
        if growth and not grew:
            unit = large.workload.get("size_unit", "")
            seen = ", ".join(f"{v} {units.quantity(before[v], 's')} -> "
                             f"{units.quantity(after[v], 's')}" for v in growth)
            found[large.key].append(
                f"{large.metric} does not grow with the workload: "
                f"{units.size(sizes[0], unit)} -> {units.size(sizes[1], unit)} "
                f"({sizes[1] / sizes[0]:,.0f}x), {seen}. setup runs once per case and the "
                f"metric's function many times: does it time an emptied queue or a cached "
                f"result after its first call?")
    return found
