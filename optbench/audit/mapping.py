"""Which optbench claims measure a figure the audit found, and what they
measured.

A figure in a text is measured by an optbench claim when

1. the claim quotes that text: its `source` names the text's report, which
   a page of docs/sources declares ("Cited in claims as **X**"), `audit
   --source` names, or else is the file's name;
2. it says the same thing: in a section the claim's source names (or in a
   text whose sections it names none of), one of the figure's readings lies
   inside one of the claim's claimed ranges (any size, any device; "~10x"
   reads 0.1, which `Claimed.times_fewer(approx=True)` widened to
   0.08-0.125; "2x" lies inside "1.5-3x", "2-4x" does not); in any other
   section, a reading equals one the claimed text states (a summary's
   restatement, not a figure that falls in a wide range by chance); or both
   state the same complexity ("O(N) -> O(1)"); and
3. of the same kind of quantity: a time, latency or rate figure a timed
   claim, a memory figure a memory claim, a count (file or image I/O,
   writes, decodes, calls) a counted one.

A figure with no claim of its own is "measured beside" a claim of the same
report whose section it shares when that claim has a secondary reading of
the figure's kind (a code-size figure beside split.shared_helper's
split_code_lines): the reading is shown, with no verdict.

Matches are listed with the claim whose source names the figure's section
first, what-ifs (ids ending in _whatif: a workload the codebase never runs)
last: the first non-what-if is the one whose verdict stands for the figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from optbench.audit.parse import COMPLEXITY, Claim as Found, parse_text
from optbench.core.text import headline_entry
from optbench.core.verdict import ERROR, NOT_MEASURABLE
from optbench.core.registry import Listed
from optbench.core.schema import Entry, Results

BY_FIGURE, BY_COMPLEXITY, BESIDE = "claimed figure", "complexity", "beside"

# The audit's metric names against an optbench metric's kind.
_TIMED = {"time", "latency", "throughput", "CPU efficiency", "CPU time", "GPU utilization"}
_COUNTED = {"file I/O", "image I/O", "writes", "decodes", "calls"}

# How far apart two readings may be and still be the same figure: a report's
# "47%" beside its own "15 s -> 8 s" (0.53 against 0.533).
_TOLERANCE = 0.01

# "Cited in claims as **training-system report §N**": the name, without the §N.
_REPORT = re.compile(r"Cited in claims as \*\*([^*§]+?)\s*(?:§N)?\*\*")


def report_name(content: str, path: Path | str | None = None) -> str:
    """The name claims cite this text by: a docs/sources page declares it;
    any other text is cited by its file's name (without the folder)."""
    declared = _REPORT.search(content)
    if declared:
        return declared.group(1).strip()
    return Path(path).name if path else ""


@dataclass(frozen=True)
class Match:
    claim: str
    how: str                 # BY_FIGURE, BY_COMPLEXITY or BESIDE
    what_if: bool
    in_section: bool         # the claim's source names the figure's section
    metric: str = ""         # BESIDE: the secondary reading shown
    figure: str = ""         # the claimed text it matched
    device: str = ""         # where that text is the device's own ("cuda"), else ""

    def to_dict(self) -> dict:
        return {"claim": self.claim, "how": self.how, "what_if": self.what_if,
                "in_section": self.in_section, "metric": self.metric, "figure": self.figure,
                "device": self.device}


def _words(phrase: str) -> list[str]:
    phrase = phrase.lower().replace("(heading)", " ")
    return re.findall(r"§?[\w.]+(?<!\.)", phrase)


def _within(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return bool(short) and all(w in it for w in short)


def sections_of(source: str, report: str) -> list[list[str]] | None:
    """The sections a claim's source names in `report` ("training-system
    report §1.1, §4" -> [["§1.1"], ["§4"]]), [] where it names the report
    with no section, None where it does not name the report."""
    found = None
    for part in source.split(";"):
        part = part.strip()
        at = part.lower().find(report.lower()) if report else -1
        if at < 0:
            continue
        found = found or []
        rest = part[at + len(report):]
        rest = re.sub(r"\((?:[^()]*\breverted\b[^()]*|see notes|a what-if there)\)", " ", rest)
        found += [w for w in (_words(s) for s in re.split(r"[,()]", rest)) if w]
    return found


def same_section(section: str | None, sections: Sequence[list[str]]) -> bool:
    if not section:
        return False
    words = _words(section)
    return any(_within(s, words) or _within(words, s) for s in sections)


# A count's kind, by the words of the optbench metric's name and unit.
_COUNT_WORDS = {"image I/O": r"image", "file I/O": r"write|open|save|read|flush",
                "writes": r"write|save|flush", "decodes": r"decod", "calls": r"call"}


def kind_fits(metric: str, kind: str, name: str = "", unit: str = "") -> bool:
    """A figure's metric against an optbench metric's kind (and, for a
    count, its name and unit: image I/O counts image opens, file I/O no
    image's)."""
    if metric in _TIMED:
        return kind == "time"
    if metric == "memory":
        return kind == "memory"
    if metric in _COUNTED and kind == "counter":
        words = f"{name} {unit}".lower()
        if metric == "file I/O" and "image" in words:
            return False
        return re.search(_COUNT_WORDS[metric], words) is not None
    return False


def _within_range(low: float, high: float, c_low: float, c_high: float) -> bool:
    """The figure's range lies inside the claimed range: "2x speedup" inside
    "1.5-3x", not "2-4x" inside it."""
    return c_low * (1 - _TOLERANCE) <= low and high <= c_high * (1 + _TOLERANCE)


def _same(low: float, high: float, c_low: float, c_high: float) -> bool:
    return (abs(low - c_low) <= _TOLERANCE * c_low and abs(high - c_high) <= _TOLERANCE * c_high)


def _figured(text: str, low: float) -> bool:
    """A claimed range that stands for a figure: not optbench's reading of a
    statement with none ("OOM resistance (read as: peak memory at least 10%
    lower)", "prevents crashes": optimized at zero), which no figure of a
    text can be."""
    return "read as" not in text and low > 0


@lru_cache(maxsize=None)
def _stated(text: str) -> tuple[tuple[float, float], ...]:
    """The readings of a claimed text's own words ("~10x fewer file I/O
    operations": 0.1, before `approx` widened it); none where the audit
    reads no figure in them (then the claimed range itself stands)."""
    return tuple((r.ratio_low, r.ratio_high) for c in parse_text(text) for r in c.readings)


def _complexity(text: str) -> set[tuple[str, str]]:
    norm = text.replace("→", "->").replace(" ", "")
    return set(re.findall(r"(O\([^)]*\))->(O\([^)]*\))", norm))


def _figure_match(found: Found, listed: Listed, loose: bool) -> tuple[int, str, str] | None:
    """(which of the found figure's readings, the claimed text, its device) of the first
    reading that matches: inside a claimed range where `loose` (the claim's
    source names the figure's section, or no section of the text), else
    equal to one its claimed text states (a summary's restatement of the
    figure, not a figure that happens to fall in a wide range)."""
    if found.kind == COMPLEXITY:
        pair = (found.before or "").replace(" ", ""), (found.after or "").replace(" ", "")
        hit = next((f for f in listed.figures if pair in _complexity(f[0])), None)
        return None if hit is None else (0, hit[0], hit[3])
    name, kind, unit = listed.metric
    if not kind_fits(found.metric, kind, name, unit):
        return None
    for k, r in enumerate(found.readings):
        for text, low, high, device in listed.figures:
            if not _figured(text, low):
                continue
            if (_within_range(r.ratio_low, r.ratio_high, low, high) if loose
                    else any(_same(r.ratio_low, r.ratio_high, *s)
                             for s in _stated(text) or ((low, high),))):
                return k, text, device
    return None


def _beside(found: Found, listed: Listed) -> str | None:
    """A secondary reading of the found figure's kind: the first in lines,
    then statements, for code size; of the same kind for anything else."""
    if found.metric == "lines of code":
        fits = [b for b in listed.beside if b[1] == "counter" and b[2] in ("lines", "statements")]
        fits.sort(key=lambda b: b[2] != "lines")
    else:
        fits = [b for b in listed.beside if kind_fits(found.metric, b[1], b[0], b[2])]
    return fits[0][0] if fits else None


def matches(found: Found, report: str, catalogue: Iterable[Listed]) -> list[Match]:
    """The optbench claims that measure `found`, the one that speaks for it
    first. Where several readings of the figure match ("47% faster": 0.53 of
    the time, or 1/1.47), the first reading wins: a measurement's own pair
    before the percentage beside it."""
    by_figure: list[tuple[int, Match]] = []
    besides = []
    for listed in catalogue:
        sections = sections_of(listed.source, report)
        if sections is None:
            continue
        in_section = same_section(found.section, sections)
        what_if = listed.id.endswith("_whatif")
        hit = _figure_match(found, listed, loose=in_section or not sections)
        if hit is not None:
            how = BY_COMPLEXITY if found.kind == COMPLEXITY else BY_FIGURE
            by_figure.append((hit[0], Match(listed.id, how, what_if, in_section, figure=hit[1],
                                            device=hit[2])))
        elif in_section and found.kind != COMPLEXITY:
            name = _beside(found, listed)
            if name is not None:
                besides.append(Match(listed.id, BESIDE, what_if, True, metric=name))
    first = min((k for k, _ in by_figure), default=None)
    chosen = [m for k, m in by_figure if k == first] or besides
    return sorted(chosen, key=lambda m: (m.what_if, not m.in_section))


def map_claims(found: list[Found], reports: dict[str, str], catalogue: list[Listed]) -> None:
    """Fill each found claim's measured_by (ids) and measured (the matches;
    audit --results adds what each measured). `reports`: file -> report name."""
    for f in found:
        ms = matches(f, reports.get(f.file or "", ""), catalogue)
        f.measured_by = [m.claim for m in ms]
        f.measured = [m.to_dict() for m in ms]


# --- what each measured (audit --results) ------------------------------------

_ON_GPU = re.compile(r"\b(?:gpu|gpus|cuda|ampere|volta|turing)\b", re.I)


def _entry_for(found: Found, match: Match, entries: list[Entry]) -> Entry:
    """The entry that speaks for the figure: on the device whose own claimed
    figure it matched ("Training Speed 2-4x" is system.pharmagen's on CUDA),
    else on CUDA where the figure's words name a GPU and the results have
    it, else on the CPU; at the size whose claimed range holds the figure
    ("100 models: ~100x" -> 100 models), the headline first."""
    gpu = bool(_ON_GPU.search(f"{found.quote} {found.section or ''}"))
    devices = {e.device for e in entries}
    if match.device in devices:
        device = match.device
    else:
        device = "cuda" if gpu and "cuda" in devices else ("cpu" if "cpu" in devices
                                                           else sorted(devices)[0])
    on = [e for e in entries if e.device == device]
    holding = [e for e in on if e.claimed and any(
        _within_range(r.ratio_low, r.ratio_high, e.claimed["ratio_low"],
                      e.claimed["ratio_high"])
        for r in found.readings)]
    return headline_entry(holding or on)


def _reading(entry: Entry, match: Match) -> dict:
    where = {"size": entry.size, "size_unit": entry.workload.get("size_unit", ""),
             "device": entry.device}
    if match.how == BESIDE and entry.verdict not in (NOT_MEASURABLE, ERROR):
        # The secondary reading, whatever the claim's own ratio (none where
        # its baseline counted zero): only a case that did not run has none.
        sec = entry.secondary.get(match.metric)
        return {**where, "verdict": None, "ratio": sec.ratio if sec else None,
                "ci_low": sec.ci_low if sec else None, "ci_high": sec.ci_high if sec else None,
                "claimed_high": None, "reason": None if sec else f"no {match.metric} reading"}
    return {**where, "verdict": entry.verdict, "ratio": entry.ratio, "ci_low": entry.ci_low,
            "ci_high": entry.ci_high, "claimed_high": entry.claimed.get("ratio_high"),
            "reason": entry.reason}


def attach_results(found: list[Found], documents: Sequence[Results]) -> None:
    """Beside each match, what its claim measured in the results (the last
    file that has the claim speaks for it); a claim the results lack reads
    "not in the results"."""
    by_id: dict[str, list[Entry]] = {}
    for doc in documents:
        ids = {e.id for e in doc.claims}
        for claim_id in ids:
            by_id[claim_id] = [e for e in doc.claims if e.id == claim_id]
    for f in found:
        for m in f.measured:
            entries = by_id.get(m["claim"])
            if not entries:
                m["result"] = None
                continue
            match = Match(**{k: m[k] for k in Match.__dataclass_fields__})
            m["result"] = _reading(_entry_for(f, match, entries), match)
