"""Designs: which configurations of a system's switches get measured.

A system has k named switches, each one change of a PR, each before (off)
or after (on). A configuration is the set of switches that are on: none is
the baseline, all the optimized. A claim's ordinary variants are the k = 1
case. Which configurations a run measures is the design:

  none     baseline and optimized only: the end-to-end verdict, no attribution
  screen   those two, each switch alone (add-one-in) and each switch left out
           of the whole (leave-one-out): 2k + 2 cells, main effects from the
           two one-at-a-time readings
  full     every configuration (2^k) up to FULL_UP_TO switches; above that a
           16-run resolution IV fraction (main effects clear of two-switch
           interactions, which are aliased with each other: `aliases` says how)

The cells of a design are measured round by round by `time_interleaved`, so
each round is a block: a speed change of the machine between rounds moves
every cell of that round alike and cancels out of the effects.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

BASELINE_NAME = "baseline"
OPTIMIZED_NAME = "optimized"
NONE, SCREEN, FULL = "none", "screen", "full"
DesignKind = Literal["none", "screen", "full"]
KINDS = (NONE, SCREEN, FULL)
# 2^5 = 32 cells is the largest full design measured: above it, a fraction.
FULL_UP_TO = 5

# Resolution IV 2^(k-p) fractions in 16 runs (the four base switches are a
# full 2^4; each further switch is the product of three of them). Standard
# generators (Box, Hunter & Hunter, table 12.15).
_GENERATORS = {
    6: ("012", "123"),
    7: ("012", "123", "023"),
    8: ("123", "023", "013", "012"),
}
MAX_SWITCHES = max(_GENERATORS)


class DesignError(ValueError):
    """A system or design that cannot be measured, said in one line."""


@dataclass(frozen=True)
class Switch:
    """One change of the PR: its name, what it does, where it came from."""

    name: str
    description: str
    commit: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            raise DesignError(f"switch name {self.name!r}: use letters, digits and _")


@dataclass(frozen=True)
class Configuration:
    """Which switches are on (after the change); the others are off."""

    on: frozenset[str]
    name: str

    def __contains__(self, switch: str) -> bool:
        return switch in self.on


def check_switches(switches: Sequence[Switch], system: str) -> None:
    names = [s.name for s in switches]
    if not names:
        raise DesignError(f"system {system!r}: no switches")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DesignError(f"system {system!r}: switch {', '.join(map(repr, twice))} "
                          f"declared twice")
    if set(names) & {BASELINE_NAME, OPTIMIZED_NAME}:
        raise DesignError(f"system {system!r}: a switch may not be called baseline or "
                          f"optimized")
    if len(names) > MAX_SWITCHES:
        raise DesignError(f"system {system!r}: {len(names)} switches; designs go up to "
                          f"{MAX_SWITCHES} (split the system)")


def configuration(switches: Sequence[Switch], on: Iterable[str]) -> Configuration:
    """The configuration with `on` switched on, named by what it changes:
    "baseline", "optimized", or the switches that are on, joined by '+'."""
    on = frozenset(on)
    names = [s.name for s in switches]
    unknown = on - set(names)
    if unknown:
        raise DesignError(f"unknown switches {sorted(unknown)}; the system has "
                          f"{', '.join(names)}")
    if not on:
        return Configuration(on, BASELINE_NAME)
    if on == set(names):
        return Configuration(on, OPTIMIZED_NAME)
    return Configuration(on, "+".join(n for n in names if n in on))


@dataclass(frozen=True)
class Design:
    """The configurations one run measures, and what its effects can say."""

    kind: str
    switches: tuple[Switch, ...]
    configurations: tuple[Configuration, ...]
    # Fractions only: each two-switch interaction and those it is aliased with.
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.switches]

    @property
    def is_full_factorial(self) -> bool:
        return len(self.configurations) == 2 ** len(self.switches)

    @property
    def balanced(self) -> bool:
        """Whether main effects come from a +/- balanced design (full or fraction)."""
        return self.kind == FULL

    def describe(self) -> str:
        k, n = len(self.switches), len(self.configurations)
        if self.kind == NONE:
            return f"design none: baseline and optimized only, {k} switches not attributed"
        if self.is_full_factorial:
            return f"full 2^{k} design: {n} cells" + (" (the screen is the whole design)"
                                                      if self.kind == SCREEN else "")
        if self.kind == SCREEN:
            return f"screen: {n} of {2 ** k} cells (each switch alone and left out)"
        p = k - (n.bit_length() - 1)
        return f"2^({k}-{p}) resolution IV fraction: {n} cells, two-switch interactions aliased"


def make_design(switches: Sequence[Switch], kind: str, system: str = "system") -> Design:
    """The design of `kind` (none / screen / full) for these switches."""
    check_switches(switches, system)
    if kind not in KINDS:
        raise DesignError(f"design {kind!r}: choose one of {', '.join(KINDS)}")
    switches = tuple(switches)
    names = [s.name for s in switches]
    k = len(names)
    if kind == NONE:
        cells = [(), names]
    elif kind == SCREEN:
        cells = [(), names] + [[n] for n in names] + [[m for m in names if m != n]
                                                     for n in names]
    elif k <= FULL_UP_TO:
        cells = [[n for n, bit in zip(names, bits) if bit]
                 for bits in itertools.product((0, 1), repeat=k)]
    else:
        cells, aliases = _fraction(names)
        return Design(kind, switches, _unique(switches, cells), aliases)
    return Design(kind, switches, _unique(switches, cells))


def _unique(switches, cells) -> tuple[Configuration, ...]:
    """Configurations in first-seen order, each once (k = 1's screen cells
    are its baseline and optimized again)."""
    seen: dict[frozenset, Configuration] = {}
    for on in cells:
        c = configuration(switches, on)
        seen.setdefault(c.on, c)
    # baseline and optimized first: every runner reads them by name
    ordered = sorted(seen.values(), key=lambda c: (c.name != BASELINE_NAME,
                                                   c.name != OPTIMIZED_NAME))
    return tuple(ordered)


def _fraction(names: list[str]) -> tuple[list[list[str]], tuple[str, ...]]:
    """16 runs of a resolution IV fraction, plus its aliased interactions."""
    generators = _GENERATORS[len(names)]
    rows = []
    for bits in itertools.product((0, 1), repeat=4):
        signs = list(bits)
        for word in generators:  # parity of the base bits: the product in +/-1
            signs.append(sum(bits[int(i)] for i in word) % 2)
        rows.append(signs)
    # Three-letter words: parity of the bits is the +/-1 product, and the
    # all-off and all-on runs are both in the fraction.
    cells = [[n for n, bit in zip(names, r) if bit] for r in rows]
    columns = {n: [1 if r[i] else -1 for r in rows] for i, n in enumerate(names)}
    pairs = list(itertools.combinations(names, 2))
    product = {p: tuple(a * b for a, b in zip(columns[p[0]], columns[p[1]])) for p in pairs}
    groups: dict[tuple, list[str]] = {}
    for p in pairs:
        key = product[p]
        groups.setdefault(key, []).append("×".join(p))
    aliases = tuple(" = ".join(g) for g in groups.values() if len(g) > 1)
    return cells, aliases
