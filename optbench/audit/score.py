"""The parser's score on an annotated corpus of PR texts.

    python -m optbench.audit.score [tests/fixtures/pr_texts]

The folder holds the texts and expected.json: per file, the claims that must
be found (line, a figure the quote must contain, metric, kind, readings,
hedge, stated) and distractors that must not be. A found claim matches an
expected one on the same line whose figure its quote contains; it is read
right when metric, kind, hedge, stated, before/after and every reading agree
(readings as a set, each within 0.1%). A found claim that matches nothing is
a non-claim wrongly listed.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from optbench.audit import parse_file
from optbench.audit.parse import Claim

DEFAULT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pr_texts"
TOLERANCE = 1e-3


def value(text: str) -> float:
    """"0.7", "1/1.3", "3/9": a number or a fraction of two."""
    if "/" in text:
        a, b = text.split("/")
        return float(Fraction(a.strip())) / float(Fraction(b.strip()))
    return float(text)


def reading(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition("..")
    lo_v = value(lo)
    hi_v = value(hi) if hi else lo_v
    return min(lo_v, hi_v), max(lo_v, hi_v)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1e-12)


def readings_agree(found: list, expected: list[str]) -> bool:
    want = sorted(reading(r) for r in expected)
    got = sorted((r.ratio_low, r.ratio_high) for r in found)
    return len(want) == len(got) and all(
        close(w[0], g[0]) and close(w[1], g[1]) for w, g in zip(want, got))


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class FileScore:
    name: str
    expected: int = 0
    found: int = 0
    read_right: int = 0
    wrongly_listed: list[Claim] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    misread: list[tuple[dict, Claim, list[str]]] = field(default_factory=list)
    distractors: int = 0


def differences(want: dict, got: Claim) -> list[str]:
    out = []
    for key in ("metric", "kind", "hedge", "stated", "before", "after"):
        if key in want and want[key] != getattr(got, key):
            out.append(f"{key} {getattr(got, key)!r}, expected {want[key]!r}")
    if not readings_agree(got.readings, want.get("readings", [])):
        out.append("readings " + ", ".join(f"{r.ratio_low:.4g}..{r.ratio_high:.4g}"
                                           for r in got.readings)
                   + f", expected {want.get('readings')}")
    return out


def score_file(path: Path, spec: dict) -> FileScore:
    claims = parse_file(path)
    score = FileScore(path.name, expected=len(spec["claims"]),
                      distractors=len(spec.get("distractors", [])))
    left = list(claims)
    for want in spec["claims"]:
        match = next((c for c in left if c.line == want["line"]
                      and _norm(want["figure"]) in _norm(c.quote)), None)
        if match is None:
            score.missed.append(want)
            continue
        left.remove(match)
        score.found += 1
        diff = differences(want, match)
        if diff:
            score.misread.append((want, match, diff))
        else:
            score.read_right += 1
    score.wrongly_listed = left
    return score


def score_corpus(folder: Path = DEFAULT) -> list[FileScore]:
    spec = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return [score_file(folder / name, entry) for name, entry in spec.items()
            if not name.startswith("_")]


def totals(scores: list[FileScore]) -> dict:
    return {"texts": len(scores),
            "claims": sum(s.expected for s in scores),
            "found": sum(s.found for s in scores),
            "read_right": sum(s.read_right for s in scores),
            "non_claims_listed": sum(len(s.wrongly_listed) for s in scores),
            "distractors": sum(s.distractors for s in scores)}


def report(scores: list[FileScore]) -> str:
    lines = []
    for s in scores:
        for want in s.missed:
            lines.append(f"{s.name}:{want['line']}: missed {want['figure']!r}")
        for want, got, diff in s.misread:
            lines.append(f"{s.name}:{want['line']}: {want['figure']!r} misread: "
                         + "; ".join(diff))
        for c in s.wrongly_listed:
            lines.append(f"{s.name}:{c.line}: not a claim, listed: {c.quote!r}")
    t = totals(scores)
    lines.append(f"corpus: {t['texts']} texts, {t['claims']} claims, {t['found']} found, "
                 f"{t['read_right']} read right, {t['non_claims_listed']} non-claims wrongly "
                 f"listed ({t['distractors']} distractors annotated)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else DEFAULT
    scores = score_corpus(folder)
    print(report(scores))
    t = totals(scores)
    return 0 if t["found"] == t["read_right"] == t["claims"] and not t["non_claims_listed"] \
        else 1


if __name__ == "__main__":
    sys.exit(main())
