"""The regression gate: what got worse between a previous results file and this run.

Exact readings (counters, `value` metrics, equivalence, memory, and the
verdicts they decide) are compared as they are: any change for the worse
fails. Timed readings are noisy, so their verdict labels are not compared
alone: a claim sitting on its claimed figure flips between confirmed and
inconclusive on unchanged code. A timed entry fails only when

1. its ratio interval now lies entirely above the previous one, by more
   than RATIO_TOLERANCE (10%) of it: one run's interval sees only the noise
   inside its process, and between processes the same code's ratio moved by
   up to 7.2% beyond both intervals in 20 consecutive A/A runs (README,
   "The regression gate"), and
2. a re-measure of that case in a process of its own, run by the gate
   itself, reproduces that for the same contrast (optimized or best
   against baseline).

A timed verdict that got worse while the ratio stayed within that
tolerance is printed as a note ("within noise"), not failed. Verdicts that say the case no longer ran
(error, not measurable here) fail without a re-measure.

A timed entry measured on a machine of another fingerprint (CPU, cores,
memory, GPU, torch, threads: core/fingerprint.py) is not compared at all:
both readings are shown side by side (Outcome.not_compared); its exact
readings and output still are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from . import fingerprint, verdict as _verdict
from .claim import VARIANT_ORDER
from .schema import VERDICT_CONTRAST, Entry, Results

# Best first. Beyond the verdict rule's own order: a case that no longer ran.
ERROR = _verdict.ERROR
GATE_ORDER = (*_verdict.ORDER, _verdict.NOT_MEASURABLE, ERROR)
# Names --gate-allow accepts: differences that make two runs incomparable.
ALLOWABLE = {
    "mode": "one run is quick, the other full",
    "revision": "a claim's revision changed",
    "claimed": "a claim's claimed range changed",
    "missing": "entries of PREVIOUS absent from this run",
}
# A timed ratio must be worse than the previous interval's top by more than
# this to count: 20 consecutive A/A runs of the quick suite differed by up to
# 7.2% beyond their intervals (process-to-process variation).
RATIO_TOLERANCE = 0.10
# Memory readings repeat to 0.01% (core/measure.py); library upgrades move
# them by a few percent. More than this is a change.
MEMORY_TOLERANCE = 0.02
# Environment fields that can move a verdict: a difference is a warning.
ENVIRONMENT_FIELDS = ("cpu_model", "cpu_flags", "cores", "python", "torch", "cuda_device",
                      "libraries")


class NotComparable(Exception):
    """Two results files the gate refuses to compare; the message says why."""


@dataclass(frozen=True)
class Finding:
    key: str            # "claim @ size device"
    what: str           # what moved, in words
    worse: bool
    timed: bool = False  # a timing: must reproduce on a re-measure to fail
    # The contrast ("optimized", "best") whose primary ratio moved (the
    # report reads it to say which ratio moved; None for anything else).
    ratio_of: str | None = None
    # A timed reading measured on another machine (fingerprint): shown, never judged.
    other_machine: bool = False


@dataclass
class Outcome:
    regressions: list[Finding] = field(default_factory=list)
    # Timed findings a re-measure did not reproduce, and worse timed verdicts
    # that stayed within the tolerance: printed, not failed.
    within_noise: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Timed entries measured on machines of different fingerprints: both
    # readings side by side, not compared.
    not_compared: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.regressions


def entry_key(entry: Entry) -> str:
    return entry.key


def rank(verdict: str) -> int | None:
    if verdict == _verdict.NO_OP:   # the same code on both sides: as good as "no effect"
        verdict = _verdict.NO_EFFECT
    return GATE_ORDER.index(verdict) if verdict in GATE_ORDER else None


def _worse_verdict(old: str, new: str) -> bool:
    o, n = rank(old), rank(new)
    return o is not None and n is not None and n > o


def _ran(verdict: str) -> bool:
    return verdict not in (ERROR, _verdict.NOT_MEASURABLE)


def check_comparable(previous: Results, current: Results,
                     allow: Iterable[str] = ()) -> list[str]:
    """Refuses (NotComparable) runs that cannot be compared unless `allow`
    names the difference; returns the environment differences as warnings."""
    allow = set(allow)
    problems = []
    if previous.quick is not None and previous.quick != current.quick and "mode" not in allow:
        mode = {True: "quick", False: "full"}
        problems.append(f"PREVIOUS is a {mode[bool(previous.quick)]} run, this one "
                        f"{mode[bool(current.quick)]} (--gate-allow mode to compare anyway)")
    before = {e.key: e for e in previous.claims}
    for entry in current.claims:
        old = before.get(entry.key)
        if old is None:
            continue
        if ("revision" not in allow and old.revision is not None
                and old.revision != entry.revision):
            problems.append(f"{entry.key}: claim revision {old.revision} -> "
                            f"{entry.revision} (--gate-allow revision)")
        old_range, new_range = old.claimed.get("exact"), entry.claimed.get("exact")
        if "claimed" not in allow and old_range and new_range and old_range != new_range:
            problems.append(f"{entry.key}: claimed range {old_range} -> {new_range} "
                            f"(--gate-allow claimed)")
    if problems:
        raise NotComparable("; ".join(problems))
    return _environment_warnings(previous.environment, current.environment)


def _environment_warnings(old, new) -> list[str]:
    warnings = []
    for name in ENVIRONMENT_FIELDS:
        if name in old and name in new and old[name] != new[name]:
            if hasattr(old[name], "get"):
                moved = sorted(k for k in set(old[name]) | set(new[name])
                               if old[name].get(k) != new[name].get(k))
                what = ", ".join(f"{k} {old[name].get(k)} -> {new[name].get(k)}" for k in moved)
            else:
                what = f"{old[name]} -> {new[name]}"
            warnings.append(f"environment differs: {name}: {what}")
    return warnings


def compare(previous: Results, current: Results, allow: Iterable[str] = ()) -> list[Finding]:
    """Every difference the gate judges, better or worse, entry by entry."""
    allow = set(allow)
    before = {e.key: e for e in previous.claims}
    now = {e.key: e for e in current.claims}
    if not set(before) & set(now):
        return [Finding("(all)", "no entry in common with PREVIOUS: nothing was compared",
                        worse=True)]
    found = []
    if "missing" not in allow:
        found += [Finding(key, "missing from this run (present in PREVIOUS)", worse=True)
                  for key in before if key not in now]
    for key, entry in now.items():
        if key in before:
            found += _entry_findings(key, before[key], entry)
    return found


def _entry_findings(key: str, old: Entry, new: Entry) -> list[Finding]:
    found = []
    timed = new.kind == "time"
    old_v, new_v = old.verdict, new.verdict
    moved = fingerprint.differs(old.machine, new.machine)
    if timed and moved and _ran(old_v) and _ran(new_v):
        # A timing is compared only with one taken on the same machine; the
        # exact readings and the output still are.
        found.append(Finding(
            key, f"timed, measured on another machine ({'; '.join(moved)}): {old_v} "
                 f"{_interval(old, VERDICT_CONTRAST)} on {old.machine.get('fingerprint')}, "
                 f"{new_v} {_interval(new, VERDICT_CONTRAST)} on "
                 f"{new.machine.get('fingerprint')}: not compared", False, timed=True,
            other_machine=True))
        return found + _exact_findings(key, old, new) + _equivalence_findings(key, old, new)
    if old_v != new_v:
        worse = _worse_verdict(old_v, new_v)
        reason = f" ({new.reason})" if new.reason else ""
        # A timed verdict is judged by its interval (below), unless the case stopped running.
        found.append(Finding(key, f"verdict {old_v} -> {new_v}{reason}", worse,
                             timed=timed and _ran(new_v)))
    if _ran(old_v) and _ran(new_v):
        found += _ratio_findings(key, old, new, timed)
        found += _exact_findings(key, old, new)
        found += _equivalence_findings(key, old, new)
    return found


def _ratio_findings(key: str, old: Entry, new: Entry, timed: bool) -> list[Finding]:
    found = []
    for who, now in new.contrasts.items():
        then = old.contrasts.get(who)
        if then is None:
            continue
        o_lo, o_hi, n_lo, n_hi = then.ci_low, then.ci_high, now.ci_low, now.ci_high
        if None in (o_lo, o_hi, n_lo, n_hi):
            continue
        if timed:
            if n_lo > o_hi * (1 + RATIO_TOLERANCE):
                found.append(Finding(key, f"{who} ratio significantly worse: "
                                          f"[{o_lo:.4g}, {o_hi:.4g}] -> [{n_lo:.4g}, {n_hi:.4g}]",
                                     worse=True, timed=True, ratio_of=who))
        elif new.kind == "memory":
            o, n = then.ratio, now.ratio
            if o and n and n > o * (1 + MEMORY_TOLERANCE):
                found.append(Finding(key, f"{who} memory ratio {o:.4g} -> {n:.4g}", worse=True,
                                     ratio_of=who))
    return found


def _exact_findings(key: str, old: Entry, new: Entry) -> list[Finding]:
    """Counters and `value` metrics of every variant, primary and secondary;
    memory per variant beyond the tolerance."""
    found = []
    pairs = []
    if old.kind == new.kind:
        pairs.append((new.metric, new.kind,
                      {v: s.median for v, s in old.variants.items()},
                      {v: s.median for v, s in new.variants.items()}))
    for name, sec in new.secondary.items():
        old_sec = old.secondary.get(name)
        if old_sec and old_sec.kind == sec.kind:
            pairs.append((name, sec.kind, old_sec.values, sec.values))
    for name, kind, old_values, new_values in pairs:
        for variant in sorted(set(old_values) | set(new_values), key=_variant_order):
            o, n = old_values.get(variant), new_values.get(variant)
            if o is None or n is None or o == n or (o != o and n != n):  # NaN == NaN here
                continue
            if kind == "counter":
                change = "grew" if n > o else "changed"
                found.append(Finding(key, f"{name} ({variant}) {change}: {o:g} -> {n:g}",
                                     worse=True))
            elif kind == "value":
                found.append(Finding(key, f"{name} ({variant}) changed: {o!r} -> {n!r}",
                                     worse=True))
            elif kind == "memory" and n > o * (1 + MEMORY_TOLERANCE):
                found.append(Finding(key, f"{name} ({variant}) grew: {o:,.0f} -> {n:,.0f} bytes",
                                     worse=True))
    return found


def _equivalence_findings(key: str, old: Entry, new: Entry) -> list[Finding]:
    found = []
    old_eq = (old.equivalence or {}).get("per_variant") or {VERDICT_CONTRAST: old.equivalent}
    new_eq = (new.equivalence or {}).get("per_variant") or {VERDICT_CONTRAST: new.equivalent}
    for variant, o in old_eq.items():
        n = new_eq.get(variant)
        if variant not in new_eq or o == n:
            continue
        # True > a declared change > False: any step down is worse.
        standing = {True: 2, False: 0}
        worse = standing.get(n, 1) < standing.get(o, 1)
        found.append(Finding(key, f"equivalence ({variant}) {o!r} -> {n!r}", worse))
    return found


def judge(previous: Results, current: Results,
          remeasure: Callable[[Entry], Entry] | None = None,
          allow: Iterable[str] = ()) -> Outcome:
    """The gate's decision. `remeasure(entry)` re-runs one case and returns
    its new entry; without it, timed findings are reported as within noise
    (the gate cannot confirm them)."""
    outcome = Outcome(warnings=check_comparable(previous, current, allow))
    if previous.incomplete:
        outcome.warnings.append("PREVIOUS is an incomplete run (stopped by Ctrl-C): entries "
                                "it never measured count as missing")
    before = {e.key: e for e in previous.claims}
    now = {e.key: e for e in current.claims}
    everything = compare(previous, current, allow)
    outcome.not_compared = [f"{f.key}: {f.what}" for f in everything if f.other_machine]
    findings = [f for f in everything if f.worse]
    timed_keys = {f.key for f in findings if f.timed}
    outcome.regressions = [f for f in findings if not f.timed]
    for key in sorted(timed_keys):
        significant = [f for f in findings if f.key == key and f.timed and f.ratio_of]
        verdict_moves = [f.what for f in findings if f.key == key and f.timed
                         and f.what.startswith("verdict")]
        if not significant:
            outcome.within_noise += [f"{key}: {m}, but the ratio did not move beyond the old "
                                     f"interval by more than {RATIO_TOLERANCE:.0%} "
                                     f"({_interval(before[key], VERDICT_CONTRAST)} -> "
                                     f"{_interval(now[key], VERDICT_CONTRAST)})"
                                     for m in verdict_moves]
            continue
        again = remeasure(now[key]) if remeasure else None
        if again is not None and not _ran(again.verdict):
            # No second look was possible: the gate cannot call it noise.
            outcome.regressions += [Finding(key, f"{f.what}; the re-measure failed: "
                                                 f"{again.reason}", True) for f in significant]
            continue
        again_worse = {f.ratio_of for f in
                       (_ratio_findings(key, before[key], again, True) if again else [])}
        reproduced = False
        for f in significant:
            who = f.ratio_of
            if who in again_worse:
                reproduced = True
                outcome.regressions.append(Finding(
                    key, f"{f.what}; reproduced on a re-measure: {_interval(again, who)}", True,
                    timed=True, ratio_of=who))
            else:
                seen = (f"re-measured {_interval(again, who)}" if again
                        else "no re-measure possible")
                outcome.within_noise.append(f"{key}: {f.what}, not reproduced ({seen})")
        if reproduced:
            outcome.regressions += [Finding(key, m, True) for m in verdict_moves]
    return outcome


def _interval(entry: Entry, contrast: str) -> str:
    found = entry.contrasts.get(contrast)
    if found is None or found.ci_low is None:
        return "n/a"
    return f"[{found.ci_low:.4g}, {found.ci_high:.4g}]"


def _variant_order(name: str) -> tuple:
    """Baseline, then the named variants in the usual order, then a system's cells."""
    return (VARIANT_ORDER.index(name) if name in VARIANT_ORDER else len(VARIANT_ORDER), name)
