"""`optbench selftest`: measure the planted claims and grade every verdict.

A planted claim's true ratio is known (see planted.py), so each measured
entry can be graded:
  covered   its 95% interval holds the true ratio (timed entries)
  right     its verdict is the one the rule gives at the true ratio
  no call   it read "inconclusive": honest, not wrong
  wrong     any other verdict: a false call
Repeating the suite gives the figures the README publishes: interval
coverage, the A/A false-call rate and the false-call rate overall.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import replace
from typing import Callable

from optbench.core import engine, registry, results, verdict
from optbench.core.schema import Entry

from .planted import BY_ID, CLAIMS, PLANTED, Planted

MODULE = "optbench.calibration.planted"
RIGHT, NO_CALL, WRONG = "right", "no call", "wrong"


def expected_verdict(planted: Planted) -> str:
    """What the rule says for a zero-width interval at the true ratio."""
    if planted.changes_output:
        return verdict.REFUTED
    claim = planted.claim
    return verdict.position(claim.claimed_at(1).ratio_high, planted.true_ratio,
                            planted.true_ratio, verdict.noise_floor(claim.primary.kind))


def grade(entry: Entry) -> dict:
    """covered / expected / outcome for one measured planted entry."""
    planted = BY_ID[entry.id]
    expected = expected_verdict(planted)
    truth = float(planted.true_ratio)
    covered = None
    if entry.kind == "time" and entry.ci_low is not None:
        covered = entry.ci_low <= truth <= entry.ci_high
    got = entry.verdict
    outcome = RIGHT if got == expected else NO_CALL if got == verdict.INCONCLUSIVE else WRONG
    graded = {"true_ratio": truth, "expected": expected, "covered": covered, "outcome": outcome}
    if planted.true_shapley and entry.ablation:
        graded["switches"] = grade_switches(planted, entry.ablation)
    return graded


def grade_switches(planted: Planted, found: dict) -> dict:
    """Per switch of a planted system: its true Shapley factor and share of
    the end-to-end change, what was measured, whether the interval holds the
    truth, and whether it was right about changing the output."""
    total = math.log(float(planted.true_ratio))
    graded = {}
    for row in found["switches"]:
        name, true_factor = row["name"], planted.true_shapley[row["name"]]
        shapley = row.get("shapley")
        graded[name] = {
            "true_factor": true_factor,
            "true_share": math.log(true_factor) / total + 0.0 if total else None,
            "factor": shapley["factor"] if shapley else None,
            "share": shapley.get("share") if shapley else None,
            "covered": (shapley["ci_low"] <= true_factor <= shapley["ci_high"])
            if shapley else None,
            "output_named_right": row.get("changes_output") == (
                name in planted.output_switches)}
    return graded


def is_aa(planted: Planted) -> bool:
    variants = planted.claim.variants
    return variants["baseline"] is variants["optimized"]


def run(options: engine.RunOptions, repeats: int, ids: list[str] | None = None,
        on_case: Callable | None = None, on_done: Callable[[dict], None] = lambda _: None
        ) -> dict:
    """Measure the planted claims `repeats` times; the selftest document.

    Each repeat uses another random variant order (a different seed), so
    the repeats differ as independent runs would.
    """
    chosen = [c for c in registry.claims_of_module(MODULE) if not ids or c.id in ids]
    entries, environment = [], None
    for repeat in range(repeats):
        document = engine.run(chosen, replace(options, seed=repeat), MODULE, on_case=on_case,
                              on_done=on_done)
        environment = environment or document.to_json()["environment"]
        for entry in document.claims:
            entries.append({**entry.to_json(), "repeat": repeat, "grade": grade(entry)})
    return {"kind": "optbench-selftest", "schema_version": results.SCHEMA_VERSION,
            "environment": environment,
            "run": {"quick": options.quick, "repeats": repeats,
                    "torch_threads": options.threads},
            "per_claim": per_claim(entries), "per_switch": per_switch(entries),
            "summary": summary(entries), "entries": entries}


def per_claim(entries: list[dict]) -> list[dict]:
    rows = []
    for claim in CLAIMS:
        mine = [e for e in entries if e["id"] == claim.id]
        if not mine:
            continue
        grades = [e["grade"] for e in mine]
        covered = [g["covered"] for g in grades if g["covered"] is not None]
        rounds = [e["sampling"]["rounds"] for e in mine if e.get("sampling")]
        widths = [e["noise"]["interval_half_width"] for e in mine if e.get("noise")]
        witness = [e["instructions"]["ratio"] for e in mine
                   if (e.get("instructions") or {}).get("ratio") is not None]
        rows.append({
            "id": claim.id, "title": claim.title, "kind": claim.primary.kind,
            "claimed": claim.claimed_at(1).as_dict(), "true_ratio": grades[0]["true_ratio"],
            "expected": grades[0]["expected"], "runs": len(mine),
            "verdicts": dict(Counter(e["verdict"] for e in mine)),
            "outcomes": dict(Counter(g["outcome"] for g in grades)),
            "covered": sum(covered), "intervals": len(covered),
            "median_ratio": statistics.median(Entry.from_json(e).ratio for e in mine),
            "median_half_width": statistics.median(widths) if widths else None,
            "median_rounds": statistics.median(rounds) if rounds else None,
            "instruction_ratio": statistics.median(witness) if witness else None,
        })
    return rows


def per_switch(entries: list[dict]) -> list[dict]:
    """Planted systems over the repeats: each switch's true share against
    the median measured one, and how often its Shapley interval held the
    true factor."""
    rows = []
    for planted in PLANTED:
        graded = [e["grade"]["switches"] for e in entries
                  if e["id"] == planted.claim.id and "switches" in e["grade"]]
        for name in planted.true_shapley or {}:
            mine = [g[name] for g in graded]
            shares = [g["share"] for g in mine if g["share"] is not None]
            covered = [g["covered"] for g in mine if g["covered"] is not None]
            rows.append({
                "system": planted.claim.id, "switch": name, "runs": len(mine),
                "true_factor": planted.true_shapley[name],
                "true_share": mine[0]["true_share"] if mine else None,
                "median_factor": statistics.median(g["factor"] for g in mine
                                                   if g["factor"] is not None)
                if covered else None,
                "median_share": statistics.median(shares) if shares else None,
                "covered": sum(covered), "intervals": len(covered),
                "output_named_right": sum(g["output_named_right"] for g in mine)})
    return rows


def _rate(hits: int, total: int) -> dict:
    return {"count": hits, "of": total, "rate": hits / total if total else None}


def summary(entries: list[dict]) -> dict:
    timed = [e for e in entries if e["grade"]["covered"] is not None]
    aa = [e for e in entries if is_aa(BY_ID[e["id"]])]
    outcomes = Counter(e["grade"]["outcome"] for e in entries)
    return {
        "coverage": _rate(sum(e["grade"]["covered"] for e in timed), len(timed)),
        "aa_false_calls": _rate(sum(e["grade"]["outcome"] == WRONG for e in aa), len(aa)),
        "false_calls": _rate(outcomes[WRONG], len(entries)),
        "no_calls": _rate(outcomes[NO_CALL], len(entries)),
        "right": _rate(outcomes[RIGHT], len(entries)),
        "shapley_coverage": _rate(
            sum(g["covered"] for e in entries for g in e["grade"].get("switches", {}).values()
                if g["covered"] is not None),
            sum(g["covered"] is not None for e in entries
                for g in e["grade"].get("switches", {}).values())),
    }
