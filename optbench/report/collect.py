"""From results files to what the page shows: no figure is computed twice.

Everything here reads measured entries; the only arithmetic is formatting and
locating, on the measured scaling curve, where a gain appears, peaks or turns
into a loss.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from optbench.core import gate, results, text
from optbench.core.claim import VARIANT_ORDER
from optbench.core.schema import Entry, Results
from optbench.core.text import interval, reading
from optbench.core.verdict import ERROR, NOT_MEASURABLE, ORDER, SYMBOL

from . import plots


@dataclass
class Source:
    """One results file on the page."""

    number: int
    path: Path
    document: Results

    @property
    def label(self) -> str:
        env = self.document.environment
        commit = (env.get("git_commit") or "no commit")[:10]
        device = env.get("cuda_device") or "CPU"
        return f"#{self.number} {self.path.name} ({device}, {commit})"


def load_sources(paths: list[Path]) -> list[Source]:
    sources = []
    for number, path in enumerate(paths, 1):
        try:
            document = results.load(path)
        except results.ResultsError as exc:
            if _looks_like_pytest_benchmark(path):
                raise results.ResultsError(
                    f"{path}: a pytest-benchmark file, not optbench results: "
                    f"pass it with --benchmark-json") from None
            raise exc from None
        sources.append(Source(number, Path(path), document))
    return sources


def _looks_like_pytest_benchmark(path: Path) -> bool:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "benchmarks" in data and "machine_info" in data


def figure(value, unit: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    divisor, shown = plots.scale_for(unit, [value])
    return f"{value / divisor:,.4g} {shown}".strip()


def scaling_marks(sizes: list[int], ratios: list[float], lows: list[float],
                  highs: list[float]) -> list[dict]:
    """Where, along sizes, the gain appears (first interval below 1), peaks
    (lowest ratio) and turns into a loss (an interval above 1 after a gain)."""
    marks = []
    gains = [i for i, hi in enumerate(highs) if hi < 1]
    if not gains:
        return marks
    first = gains[0]
    if first > 0:
        marks.append({"size": sizes[first], "ratio": ratios[first], "text": "gain appears"})
    peak = min(range(len(ratios)), key=lambda i: ratios[i])
    if len(sizes) > 1 and ratios.count(ratios[peak]) == 1:  # no mark on a tie
        marks.append({"size": sizes[peak], "ratio": ratios[peak], "text": "largest gain"})
    for i in range(first + 1, len(sizes)):
        if lows[i] > 1:
            marks.append({"size": sizes[i], "ratio": ratios[i], "text": "turns into a loss"})
            break
    return marks


def _variants(entry: Entry) -> list[str]:
    return [v for v in VARIANT_ORDER if v in entry.variants]


def _secondary_rows(entry: Entry, kinds: tuple[str, ...]) -> list[dict]:
    rows = []
    for name, sec in entry.secondary.items():
        if sec.kind not in kinds:
            continue
        rows.append({"name": name, "description": sec.description,
                     "values": {v: figure(x, sec.unit) for v, x in sec.values.items()},
                     "ratio": interval(sec) if sec.ratio is not None else "",
                     "reading": reading(sec.ratio) if sec.ratio is not None else ""})
    return rows


def _primary_plot(entry: Entry) -> str | None:
    variants = _variants(entry)
    if not variants:
        return None
    if entry.kind in ("time", "memory"):
        return plots.samples_plot({v: list(entry.variants[v].samples) for v in variants},
                                  entry.unit)
    values = {v: entry.variants[v].median for v in variants}
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values.values()):
        return plots.counter_plot(values, entry.unit)
    return None


def _entry_view(entry: Entry, moved: list[gate.Finding]) -> dict:
    variants = _variants(entry)
    witness = entry.instructions or {}
    return {
        "entry": entry,
        "size": f"{entry.size:,} {entry.workload.get('size_unit', '')}",
        "device": entry.device,
        "symbol": SYMBOL.get(entry.verdict, "?"),
        "interval": interval(entry), "reading": reading(entry.ratio),
        "sampling": text.sampling(entry),
        "instructions": text.instructions(entry),
        "instructions_note": witness.get("note") or witness.get("unavailable", ""),
        "best_interval": interval(entry, "best_") if entry.best_ratio is not None else "",
        "medians": {v: figure(entry.variants[v].median, entry.unit) for v in variants},
        "samples": {v: entry.variants[v].n for v in variants},
        "counters": _secondary_rows(entry, ("counter", "value")),
        "costs": _secondary_rows(entry, ("time", "memory")),
        "moved": [c for c in moved if c.key == entry.key],
    }


def _other_sizes(headline: Entry, entries: tuple[Entry, ...]) -> list[str]:
    """The same claim's verdicts at its other sizes, so none hides below the fold."""
    return [f"{e.size:,}: {SYMBOL.get(e.verdict, '?')} {e.verdict}"
            for e in entries if e.id == headline.id and not e.headline
            and e.device == headline.device]


def _profiles(claim_id: str, profiles_dir: Path | None, out_dir: Path) -> list[dict]:
    if profiles_dir is None or not profiles_dir.is_dir():
        return []
    found = sorted(profiles_dir.glob(f"{claim_id}-*.html"))
    return [{"name": p.stem[len(claim_id) + 1:], "href": relative_href(p, out_dir)} for p in found]


def relative_href(target: Path, start: Path) -> str:
    """A link from a page in `start` to `target`."""
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


def _benchmark_rows(claim_id: str, benchmark: dict | None) -> list[dict]:
    if not benchmark:
        return []
    rows = []
    for b in benchmark.get("benchmarks", []):
        info = b.get("extra_info", {})
        if info.get("claim") != claim_id:
            continue
        stats = b.get("stats", {})
        rows.append({"group": b.get("group", ""), "variant": info.get("variant", ""),
                     "median": figure(stats.get("median"), "s"), "rounds": stats.get("rounds")})
    return rows


def load_benchmark_json(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise results.ResultsError(f"--benchmark-json {path}: cannot read it ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise results.ResultsError(f"--benchmark-json {path}: not a pytest-benchmark JSON file")
    return data


def build(sources: list[Source], out_dir: Path, profiles_dir: Path | None = None,
          benchmark: dict | None = None) -> dict:
    """The whole page's data."""
    moved: list[gate.Finding] = []
    for before, after in zip(sources, sources[1:]):
        # Side by side (a CPU and a GPU file, two commits), an entry only one
        # file has is not news; everything the gate would judge is.
        moved += [f for f in gate.compare(before.document, after.document, allow={"missing"})
                  if f.key != "(all)"]
    moved_ids = {c.key.split(" @ ")[0] for c in moved}

    claim_ids: list[str] = []
    for s in sources:
        for e in s.document.claims:
            if e.id not in claim_ids:
                claim_ids.append(e.id)

    summary, sections, counts = [], [], []
    for s in sources:
        headline = [e for e in s.document.claims if e.headline]
        tally = Counter(e.verdict for e in headline)
        counts.append({"source": s, "verdicts": [
            {"verdict": v, "symbol": SYMBOL[v], "count": tally.get(v, 0)}
            for v in (*ORDER, NOT_MEASURABLE, ERROR)]})
        summary += [{"source": s, **_entry_view(e, moved),
                     "other_sizes": _other_sizes(e, s.document.claims)} for e in headline]

    for claim_id in claim_ids:
        per_source, series, first = [], [], None
        for s in sources:
            entries = sorted((e for e in s.document.claims if e.id == claim_id),
                             key=lambda e: (e.device, e.size))
            if not entries:
                continue
            # The claim is introduced by its headline entry (its claimed figure).
            first = first or next((e for e in entries if e.headline), entries[0])
            views = [_entry_view(e, moved) for e in entries]
            measured = [e for e in entries if None not in (e.ratio, e.ci_low, e.ci_high)]
            if measured:
                series.append({"label": s.label, "sizes": [e.size for e in measured],
                               "ratios": [e.ratio for e in measured],
                               "lows": [e.ci_low for e in measured],
                               "highs": [e.ci_high for e in measured],
                               "claimed": [e.claimed["ratio_high"] for e in measured]})
            head = next((e for e in entries if e.headline and e.ratio is not None),
                        measured[-1] if measured else None)
            per_source.append({"source": s, "rows": views,
                               "headline": _entry_view(head, moved) if head else None,
                               "plot": _primary_plot(head) if head else None})
        marks = scaling_marks(series[0]["sizes"], series[0]["ratios"], series[0]["lows"],
                              series[0]["highs"]) if series else []
        sections.append({
            "id": claim_id, "anchor": "claim-" + "".join(c if c.isalnum() else "-" for c in claim_id),
            "first": first, "per_source": per_source, "moved": claim_id in moved_ids,
            "scaling": plots.scaling_plot(series, marks) if series and max(
                len(x["sizes"]) for x in series) > 1 else None,
            "marks": marks,
            "profiles": _profiles(claim_id, profiles_dir, out_dir),
            "benchmarks": _benchmark_rows(claim_id, benchmark),
        })
    anchors = {sec["id"]: sec["anchor"] for sec in sections}
    return {"sources": sources, "counts": counts, "summary": summary, "sections": sections,
            "anchors": anchors, "moved": moved, "multiple": len(sources) > 1}
