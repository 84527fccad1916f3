"""Which change accounts for which share: effects of a system's switches.

Input: the design's cells, each with one timing per interleaved round (the
round is a block: every cell ran in it, in random mirrored order). All
arithmetic is on log(seconds), so an effect is a factor, and the per-switch
Shapley factors multiply exactly to the end-to-end ratio (the geometric mean
of the per-round optimized/baseline ratios).

Per switch, each computed round by round and then summarised over rounds by
`stats.mean_interval` (mean, t-interval widened for autocorrelation):

  main effect    mean log time with the switch on minus with it off, over the
                 other switches' settings (Jain, ch. 17-18: twice q_j); from a
                 full factorial or a resolution IV fraction
  Shapley        the switch's average marginal effect over every order of
                 switching the PR's changes on; exact from the 2^k cells. Its
                 share of the log change (shares of the factor) and, beside
                 it, of the seconds saved (changes to separate stages add up
                 in seconds: there, that share is the one a reader expects)
  add-one-in     baseline + this switch, against the baseline
  leave-one-out  the optimized, against the optimized without this switch

Two-switch interactions (all 2^k cells only): the AB contrast, and what A
does with B off and with B on, so a pair that "helps only together" is named.
A pair is named only when the contrast is clear on both the log scale and in
seconds: changes to separate stages of a run add up in seconds, which the
log scale alone would call an interaction.
Share of variation (Jain's SS_j / SST after removing the rounds' block
effect) says how much of what moved the timings each effect explains.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .design import Design
from .stats import mean_interval

# An effect smaller than this (as a factor, 1% either way) is not named as an
# interaction or a saving even when its interval clears 1: the time noise floor.
from .verdict import TIME_NOISE_FLOOR

FLOOR = math.log1p(float(TIME_NOISE_FLOOR))


@dataclass(frozen=True)
class Effect:
    """A log effect summarised over rounds, shown as a factor on time."""

    log: float
    log_low: float
    log_high: float
    # Below this an effect is not named (the time noise floor); exact
    # counters have none: any change of a count is one.
    floor: float = FLOOR

    @classmethod
    def over_rounds(cls, per_round, floor: float = FLOOR) -> "Effect":
        return cls(*mean_interval(per_round), floor)

    @property
    def factor(self) -> float:
        return math.exp(self.log)

    @property
    def significant(self) -> bool:
        """Interval clear of no change, and larger than the noise floor."""
        return bool((self.log_high < 0 or self.log_low > 0) and abs(self.log) >= self.floor
                    and self.log != 0)

    def to_json(self) -> dict:
        return {"factor": self.factor, "ci_low": math.exp(self.log_low),
                "ci_high": math.exp(self.log_high), "log": float(self.log),
                "significant": self.significant}


def _shapley_weights(k: int) -> dict[int, float]:
    """Weight of a coalition of size s in a Shapley value over k players."""
    return {s: math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
            for s in range(k)}


def analyse(design: Design, samples: Mapping[str, Sequence[float] | None],
            equivalent: Mapping[str, bool | str | None] | None = None, *,
            exact: bool = False) -> dict:
    """The ablation of one system entry, JSON-ready.

    `samples[cell]` is the cell's seconds per round (None: the cell failed);
    `equivalent[cell]` its output's judgement against the baseline's. What
    the measured cells cannot give (a failed cell, a screen's missing cells)
    is listed under "cannot", never guessed. `exact`: the cells are exact
    counts (one reading each, no noise floor), not seconds.
    """
    floor = 0.0 if exact else FLOOR
    names = design.names
    k = len(names)
    by_on = {c.on: c.name for c in design.configurations}
    cannot: list[str] = []
    # A zero count has no logarithm: such a cell is named, not read as -inf.
    zero = sorted(c for c, s in samples.items() if s is not None and len(s)
                  and np.min(np.asarray(s, dtype=float)) <= 0)
    if zero:
        cannot.append(f"cells {', '.join(zero)} read zero or less: no ratio of them")
    logs = {c: np.log(np.asarray(s, dtype=float)) for c, s in samples.items()
            if s is not None and len(s) and c in set(by_on.values()) and c not in zero}
    failed = [c.name for c in design.configurations if c.name not in logs]   # or zero
    if [c for c in failed if c not in zero]:
        cannot.append(f"cells {', '.join(c for c in failed if c not in zero)} have no "
                      f"timings (they failed)")
    lengths = {len(v) for v in logs.values()}
    if len(lengths) > 1:
        raise ValueError(f"ablation: cells have different round counts {sorted(lengths)}; "
                         f"they must come from one interleaved run")

    def cell(on) -> np.ndarray | None:
        name = by_on.get(frozenset(on))
        return logs.get(name) if name else None

    out: dict = {"design": {"kind": design.kind, "description": design.describe(),
                            "switches": names,
                            "cells": [c.name for c in design.configurations],
                            "aliases": list(design.aliases)},
                 "cells": {}, "switches": [], "interactions": [], "cannot": cannot}
    for c in design.configurations:
        row = {"on": sorted(c.on, key=names.index)}
        if c.name in logs:
            row.update(median=float(np.exp(np.median(logs[c.name]))),
                       rounds=len(logs[c.name]))
        if equivalent is not None and c.name in equivalent:
            row["equivalent"] = equivalent[c.name]
        out["cells"][c.name] = row

    base, opt = cell(()), cell(names)
    if base is None or opt is None:
        cannot.append("no end-to-end ratio: the baseline or the optimized failed")
        return out
    total = Effect.over_rounds(opt - base, floor)
    out["total"] = total.to_json()
    rounds = len(base)
    all_cells = all(cell(on) is not None for on in _subsets(names))
    # Main effects need a +/- balanced set: all 2^k cells (a screen of k <= 3
    # switches is one) or a complete fraction.
    balanced = all_cells or (design.kind == "full" and not failed)

    rows = {n: {"name": n, "description": s.description, "commit": s.commit}
            for n, s in zip(names, design.switches)}
    for n in names:
        alone, without = cell([n]), cell([m for m in names if m != n])
        if alone is not None:
            rows[n]["add_one_in"] = Effect.over_rounds(alone - base, floor).to_json()
        if without is not None:
            rows[n]["leave_one_out"] = Effect.over_rounds(opt - without, floor).to_json()
        if alone is not None and without is not None and design.kind == "screen":
            # One-at-a-time at both ends, averaged: the main effect when the
            # switch does not interact (a screen cannot tell that it does not).
            rows[n]["main"] = {**Effect.over_rounds(((alone - base) + (opt - without)) / 2,
                                                    floor).to_json(), "from": "screen"}

    if balanced:
        measured = list(design.configurations)
        y = np.stack([logs[c.name] for c in measured])          # cells x rounds
        signs = {n: np.array([1.0 if n in c.on else -1.0 for c in measured]) for n in names}
        for n in names:
            rows[n]["main"] = Effect.over_rounds(_contrast(y, signs[n]), floor).to_json()
        out["variation"] = _variation(y, signs, names, all_cells)
    elif design.kind == "full":
        cannot.append("no main effects: a cell of the design failed")

    if all_cells:
        weights = _shapley_weights(k)
        per_switch = {n: np.zeros(rounds) for n in names}
        # The same on the seconds scale (time over the round's baseline): its
        # shares split the seconds saved, where the log shares split the factor.
        in_seconds = {n: np.zeros(rounds) for n in names}
        seconds = lambda on: np.exp(cell(on)) / np.exp(base)  # noqa: E731
        for n in names:
            others = [m for m in names if m != n]
            for s in range(k):
                for coalition in itertools.combinations(others, s):
                    per_switch[n] += weights[s] * (cell(coalition + (n,)) - cell(coalition))
                    in_seconds[n] += weights[s] * (seconds(coalition + (n,)) - seconds(coalition))
        saved = float(np.mean(seconds(names) - 1))
        # A share of a change the rounds cannot tell from none is noise over
        # noise (-174%, 400%): the Shapley factors stand, the shares are not given.
        shares = total.significant
        if not shares:
            cannot.append(f"no shares: the run's end-to-end change ({total.factor:.3g}, "
                          f"[{math.exp(total.log_low):.3g}, {math.exp(total.log_high):.3g}]) "
                          f"is not clear of no change and of the noise floor")
        for n in names:
            effect = Effect.over_rounds(per_switch[n], floor)
            rows[n]["shapley"] = effect.to_json()
            # The share of the end-to-end log change: shares add to 1 exactly.
            rows[n]["shapley"]["share"] = (effect.log / total.log) if shares else None
            rows[n]["shapley"]["share_of_seconds"] = (
                float(np.mean(in_seconds[n])) / saved if shares and saved else None)
        out["interactions"] = _interactions(names, cell, rounds, floor, exact)
    else:
        missing = 2 ** k - len(logs)
        cannot.append(f"no Shapley values or interactions: they need all {2 ** k} cells, "
                      f"{missing} not measured ({design.kind} design"
                      f"{'' if design.kind != 'full' else ' or failed cells'})")
    if equivalent is not None:
        for n in names:
            rows[n]["changes_output"] = _changes_output(n, names, by_on, equivalent)
    out["switches"] = [rows[n] for n in names]
    return out


def _subsets(names: Sequence[str]):
    for s in range(len(names) + 1):
        yield from itertools.combinations(names, s)


def _contrast(y: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Per round: mean of the + cells minus mean of the - cells."""
    plus, minus = signs > 0, signs < 0
    return y[plus].mean(axis=0) - y[minus].mean(axis=0)


def _variation(y: np.ndarray, signs: Mapping[str, np.ndarray], names: Sequence[str],
               full: bool) -> dict:
    """Each main effect's (and, in a full factorial, each two-switch
    interaction's) share of the variation left after the rounds' block
    effect, and what is left over (higher interactions and noise)."""
    cells, rounds = y.shape
    grand = y.mean()
    total = float(((y - grand) ** 2).sum())
    block = float(cells * ((y.mean(axis=0) - grand) ** 2).sum())
    within = total - block
    shares: dict[str, float] = {}
    if within <= 0:
        return {"shares": {}, "residual": 0.0}
    columns = dict(signs)
    if full:
        for a, b in itertools.combinations(names, 2):
            columns[f"{a}×{b}"] = signs[a] * signs[b]
    explained = 0.0
    for label, column in columns.items():
        q = float((column[:, None] * y).mean(axis=0).mean())  # Jain's q: half the effect
        ss = cells * rounds * q * q
        shares[label] = ss / within
        explained += ss
    return {"shares": shares, "residual": max(0.0, 1 - explained / within)}


def _interactions(names, cell, rounds, floor: float = FLOOR, exact: bool = False) -> list[dict]:
    """Every pair: its interaction, and each switch's effect with the other
    off and on (averaged over the remaining switches), said in words when
    the interaction is significant."""
    found = []
    for a, b in itertools.combinations(names, 2):
        rest = [m for m in names if m not in (a, b)]
        effect_of = {}
        for switch, other in ((a, b), (b, a)):
            for other_on in (False, True):
                diffs = np.zeros(rounds)
                combos = list(_subsets(rest))
                for coalition in combos:
                    with_other = coalition + ((other,) if other_on else ())
                    diffs += cell(with_other + (switch,)) - cell(with_other)
                effect_of[(switch, other_on)] = Effect.over_rounds(diffs / len(combos), floor)
        # (A with B on) - (A with B off), halved: the AB contrast
        inter_rounds = np.zeros(rounds)
        combos = list(_subsets(rest))
        for coalition in combos:
            inter_rounds += (cell(coalition + (a, b)) - cell(coalition + (b,))
                             - cell(coalition + (a,)) + cell(coalition))
        interaction = Effect.over_rounds(inter_rounds / (2 * len(combos)), floor)
        # The same contrast in seconds, as a fraction of the baseline's time:
        # two changes to separate stages save time additively, which on the
        # log scale reads as an interaction. A pair is named only when both
        # scales agree there is one (a real "only together", not a scale).
        base = np.exp(cell(()))
        in_seconds = np.zeros(rounds)
        for coalition in combos:
            in_seconds += (np.exp(cell(coalition + (a, b))) - np.exp(cell(coalition + (b,)))
                           - np.exp(cell(coalition + (a,))) + np.exp(cell(coalition))) / base
        additive = mean_interval(in_seconds / len(combos))
        additive_significant = bool((additive[2] < 0 or additive[1] > 0)
                                    and abs(additive[0]) >= (0 if exact else float(TIME_NOISE_FLOOR))
                                    and additive[0] != 0)
        row = {"switches": [a, b], **interaction.to_json(),
               "in_seconds": {"of_baseline": additive[0], "ci_low": additive[1],
                              "ci_high": additive[2], "significant": additive_significant},
               "effect": {f"{s} with {o} {'on' if on else 'off'}": e.to_json()
                          for (s, on), e in effect_of.items()
                          for o in [b if s == a else a]}}
        row["significant"] = interaction.significant and additive_significant
        if row["significant"]:
            row["text"] = _say(a, b, effect_of) or _say(b, a, effect_of) or (
                f"{a} and {b} interact: together they change time by "
                f"{interaction.factor ** 2:.3g}x beyond their separate effects")
        found.append(row)
    return found


def _say(a: str, b: str, effect_of) -> str | None:
    off, on = effect_of[(a, False)], effect_of[(a, True)]
    if not off.significant and on.significant:
        return f"{a} {'helps' if on.log < 0 else 'hurts'} only with {b} on"
    if off.significant and not on.significant:
        return f"{a} {'helps' if off.log < 0 else 'hurts'} only with {b} off"
    if off.significant and on.significant and (off.log < 0) != (on.log < 0):
        return f"{a} {'helps' if off.log < 0 else 'hurts'} without {b} and " \
               f"{'helps' if on.log < 0 else 'hurts'} with it"
    return None


def _changes_output(switch: str, names, by_on, equivalent) -> bool | None:
    """Whether turning `switch` on, anywhere in the design, turns an output
    that matched the baseline's into one that does not (or back). None when
    no measured pair of cells differs in this switch alone."""
    pairs = 0
    for on, name in by_on.items():
        if switch in on:
            continue
        partner = by_on.get(on | {switch})
        if partner is None or name not in equivalent or partner not in equivalent:
            continue
        pairs += 1
        if (equivalent[name] is True) != (equivalent[partner] is True):
            return True
    return False if pairs else None
