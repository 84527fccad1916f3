"""From results files to what the page shows: no figure is computed twice.

Everything here reads measured entries; the only arithmetic is formatting,
locating on the measured scaling curve where a gain appears, peaks or turns
into a loss, and sorting what moved between two files into better, worse and
within noise by the regression gate's own findings (core/gate.py).
"""
from __future__ import annotations

import re

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from optbench.core import fingerprint, gate, text, units
from optbench.core.claim import VARIANT_ORDER
from optbench.core.schema import VERDICT_CONTRAST, Entry, Results
from optbench.core.text import interval, reading
from optbench.core.verdict import ERROR, NO_OP, NOT_MEASURABLE, ORDER, SYMBOL

from . import plots
from .asv_history import claim_view as asv_view
from .sources import Source, relative_href

# How an entry moved from one file to the next.
BETTER, WORSE, NOISE, SAME = "better", "worse", "within noise", "unchanged"
ONE_SIDED = "in one file"
# A timing taken on a machine of another fingerprint: side by side, not compared.
OTHER_MACHINE = "another machine"
SIGN = {BETTER: "▲", WORSE: "▼", NOISE: "≈", SAME: "=", ONE_SIDED: "·", OTHER_MACHINE: "≠"}
# In the summary's before -> after cell, beyond the ratio's own move; the
# rest are one click away in the claim's section.
MOVES_IN_SUMMARY = 3


@dataclass(frozen=True)
class Move:
    """One thing that moved (or did not) for one entry between two files."""

    key: str            # "claim @ size device"
    direction: str      # BETTER, WORSE, NOISE, SAME, ONE_SIDED or OTHER_MACHINE
    what: str

    @property
    def real(self) -> bool:
        return self.direction in (BETTER, WORSE)

    @property
    def sign(self) -> str:
        return SIGN[self.direction]

    @property
    def heading(self) -> str:
        """"worse: ", "within noise: "; none for an entry only one file has."""
        return "" if self.direction == ONE_SIDED else f"{self.direction}: "

    def __str__(self) -> str:
        return f"{self.sign} {self.heading}{self.what}"


def scaling_marks(sizes: list[int], ratios: list[float], lows: list[float],
                  highs: list[float]) -> list[dict]:
    """Where, along sizes, the gain appears (first interval below 1), peaks
    (the lowest ratio, when its interval lies below every other size's: else
    the data cannot tell which size gains most) and turns into a loss (an
    interval above 1 after a gain).

    One mark per point: two on the same size ("gain appears" and "largest
    gain" when the first gain is also the largest) become one, their words
    joined, so the plot never draws two labels on top of each other."""
    found = []
    gains = [i for i, hi in enumerate(highs) if hi < 1]
    if not gains:
        return []
    first = gains[0]
    if first > 0:
        found.append((first, "gain appears"))
    peak = min(range(len(ratios)), key=lambda i: ratios[i])
    if len(sizes) > 1 and all(highs[peak] < lows[i] for i in range(len(sizes)) if i != peak):
        found.append((peak, "largest gain"))
    loss = next((i for i in range(first + 1, len(sizes)) if lows[i] > 1), None)
    if loss is not None:
        found.append((loss, "turns into a loss"))
    marks: dict[int, list[str]] = {}
    for index, words in found:
        marks.setdefault(index, []).append(words)
    return [{"size": sizes[i], "ratio": ratios[i], "text": ", ".join(words)}
            for i, words in sorted(marks.items())]


def _variants(entries: list[Entry]) -> list[str]:
    """The variants any of `entries` measured, in the usual order: one table
    column each, also for rows (not measurable, error) that measured none."""
    return [v for v in VARIANT_ORDER if any(v in e.variants for e in entries)]


def _secondary_rows(entry: Entry, kinds: tuple[str, ...]) -> list[dict]:
    hidden = {c.metric for c in text.hidden_costs([entry])}
    rows = []
    for name, sec in entry.secondary.items():
        if sec.kind not in kinds:
            continue
        rows.append({"name": name, "description": sec.description, "hidden": name in hidden,
                     "values": {v: units.quantity(x, sec.unit) for v, x in sec.values.items()},
                     "ratio": interval(sec) if sec.ratio is not None else "",
                     "reading": reading(sec.ratio) if sec.ratio is not None else ""})
    return rows


def _primary_plot(entry: Entry) -> str | None:
    variants = _variants([entry])
    if not variants:
        return None
    if entry.kind in ("time", "memory"):
        return plots.samples_plot({v: list(entry.variants[v].samples) for v in variants},
                                  entry.unit)
    values = {v: entry.variants[v].median for v in variants}
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values.values()):
        return plots.counter_plot(values, entry.unit)
    return None


def _size(entry: Entry) -> str:
    return units.size(entry.size, entry.workload.get("size_unit", ""))


def _entry_view(entry: Entry) -> dict:
    witness = entry.instructions or {}
    return {
        "entry": entry,
        "size": _size(entry),
        "device": entry.device,
        "symbol": SYMBOL.get(entry.verdict, "?"),
        "interval": interval(entry), "reading": reading(entry.ratio),
        "sampling": text.sampling(entry),
        "instructions": text.instructions(entry),
        "instructions_note": witness.get("note") or witness.get("unavailable", ""),
        "best_interval": _beside(entry),
        "medians": {v: units.quantity(s.median, entry.unit) for v, s in entry.variants.items()},
        "samples": {v: s.n for v, s in entry.variants.items()},
        "counters": _secondary_rows(entry, ("counter", "value")),
        "costs": _secondary_rows(entry, ("time", "memory")),
    }


def _beside(entry: Entry) -> str:
    """The contrasts shown beside the verdict's (best against baseline), each
    named unless it is the best's own column."""
    return "; ".join(interval(c) if name == "best" else f"{name}: {interval(c)}"
                     for name, c in entry.other_contrasts.items() if c.ratio is not None)


def _other_sizes(headline: Entry, entries: list[Entry]) -> list[str]:
    """The same claim's verdicts at its other sizes, so none hides below the fold."""
    return [f"{units.number(e.size)}: {SYMBOL.get(e.verdict, '?')} {e.verdict}"
            for e in entries if e is not headline]


def _changed_output(headline: Entry, entries: list[Entry]) -> str | None:
    """What the optimized changed in the output: the headline's change, else
    the first other size's, naming that size (a change at 1,500 samples only
    must not vanish behind a clean headline at 150)."""
    if text.changed_output(headline):
        return text.changed_output(headline)
    other = next((e for e in entries if text.changed_output(e)), None)
    return f"{text.changed_output(other)} @ {_size(other)}" if other else None


def _anchor(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "-" for c in p) for p in ("claim", *parts))


def _on_device(source: Source, claim_id: str, device: str) -> list[Entry]:
    return sorted((e for e in source.document.claims if e.id == claim_id and e.device == device),
                  key=lambda e: e.size)


def _claim_cell(source: Source, claim_id: str, device: str) -> dict | None:
    """One file's word on one claim on one device, for the summary: the
    headline's verdict and ratio, the worst hidden cost over every size and
    what the optimized changed in the output."""
    entries = _on_device(source, claim_id, device)
    if not entries:
        return None
    head = text.headline_entry(entries)
    costs = text.hidden_costs(entries)
    return {"source": source, "entries": entries, **_entry_view(head),
            "other_sizes": _other_sizes(head, entries),
            "cost": costs[0].words() if costs else None,
            "more_costs": [c.words() for c in costs[1:]],
            "costs_anchor": _anchor(claim_id, "costs", str(source.number), device),
            "changed": _changed_output(head, entries)}


def _ratio_move(old: Entry, new: Entry, who: str, worse: list[gate.Finding],
                better: list[gate.Finding]) -> Move | None:
    """How contrast `who`'s ratio moved. Worse and better are the gate's word
    (its interval rule, in both directions); an exact reading that changed
    at all moved; anything else moved within noise."""
    then, now = old.contrasts.get(who), new.contrasts.get(who)
    if then is None or now is None:
        return None
    ends = [then.ci_low, then.ci_high, now.ci_low, now.ci_high]
    if None in ends:
        return None
    old_low, old_high, new_low, new_high = ends
    name = "ratio" if who == VERDICT_CONTRAST else f"{who} ratio"
    what = f"{name} {interval(then)} -> {interval(now)}"
    moved_machine = fingerprint.differs(old.machine, new.machine)
    if new.kind == "time" and moved_machine:
        return Move(new.key, OTHER_MACHINE,
                    f"{name} {interval(then)} on {old.machine.get('fingerprint')}, "
                    f"{interval(now)} on {new.machine.get('fingerprint')} "
                    f"({'; '.join(moved_machine)}): not compared")
    if any(f.ratio_of == who for f in worse):
        return Move(new.key, WORSE, what)
    if any(f.ratio_of == who for f in better):
        return Move(new.key, BETTER, what)
    if old_low == old_high and new_low == new_high:  # exact readings: any change is a move
        if old_low == new_low:
            return Move(new.key, SAME, f"{name} {interval(now)}")
        return Move(new.key, BETTER if new_low < old_low else WORSE, what)
    if new_low <= old_high and old_low <= new_high:
        return Move(new.key, NOISE, f"{what}: the intervals overlap")
    tolerance = gate.RATIO_TOLERANCE if new.kind == "time" else gate.MEMORY_TOLERANCE
    return Move(new.key, NOISE, f"{what}: apart by less than the gate's {tolerance:.0%}")


def _entry_moves(old: Entry, new: Entry, worse: list[gate.Finding],
                 better: list[gate.Finding]) -> list[Move]:
    """Everything that moved for one entry, its optimized ratio first (also
    when it did not move: the summary's before -> after reading)."""
    optimized = _ratio_move(old, new, VERDICT_CONTRAST, worse, better)
    beside = [_ratio_move(old, new, name, worse, better) for name in new.other_contrasts]
    # The other ratios are shown only when they really moved; the verdict
    # reads its own contrast alone, so only that one decides a verdict's move.
    primary = [m for m in (optimized, *beside) if m and (m is optimized or m.real)]
    ratio_moved = optimized is not None and optimized.real
    others = []
    for finding in worse:
        if finding.ratio_of or finding.other_machine:   # the ratio's move says these
            continue
        direction = WORSE if finding.worse else BETTER
        if finding.timed and not ratio_moved:
            # A timed verdict follows its interval: with the ratio within
            # noise, a verdict that flipped is the same code's noise.
            direction = NOISE
        others.append(Move(new.key, direction, finding.what))
    moves = primary + others
    if not moves:
        reason = f" ({new.reason})" if new.reason else ""
        moves = [Move(new.key, SAME, f"{new.verdict} in both{reason}")]
    return moves


def compare_files(before: Results, after: Results) -> dict[str, list[Move]]:
    """Per entry both files hold (claim @ size device): what moved, its
    optimized ratio first. Worse is what the regression gate finds; better
    is what it finds with the two files swapped; a timed verdict that moved
    while its ratio stayed within the gate's tolerance is within noise."""
    # An entry only one file has is not news: a CPU and a GPU file side by side.
    worse = _findings_by_key(gate.compare(before, after, allow={"missing"}))
    better = _findings_by_key(gate.compare(after, before, allow={"missing"}))
    old = {e.key: e for e in before.claims}
    return {e.key: _entry_moves(old[e.key], e, worse.get(e.key, []), better.get(e.key, []))
            for e in after.claims if e.key in old}


def _findings_by_key(findings: list[gate.Finding]) -> dict[str, list[gate.Finding]]:
    grouped: dict[str, list[gate.Finding]] = {}
    for f in findings:
        grouped.setdefault(f.key, []).append(f)
    return grouped


def _compared_entry(before: dict, after: dict, moves: dict[str, list[Move]]) -> Entry | None:
    """The size two files are compared at: the later file's headline size,
    else the earlier's, else the largest size both measured (a quick and a
    full run's headlines can differ)."""
    candidates = [after["entry"], before["entry"],
                  *sorted(after["entries"], key=lambda e: -e.size)]
    return next((e for e in candidates if e.key in moves), None)


def _pair_change(before: dict | None, after: dict | None, pair: str,
                 moves: dict[str, list[Move]], anchor: str) -> dict:
    """The summary's before -> after cell for two files' cells of one row."""
    change = {"pair": pair, "anchor": anchor, "more": 0, "size": None, "moved": False,
              "elsewhere": False}
    if before is None or after is None:
        there = (after or before)["source"].number
        return {**change, "moves": [Move("", ONE_SIDED, f"only in #{there}")]}
    compared = _compared_entry(before, after, moves)
    if compared is None:
        return {**change, "moves": [Move("", ONE_SIDED, "no size measured in both")]}
    found = moves[compared.key]
    shown = found[:1 + MOVES_IN_SUMMARY]
    return {**change, "moves": shown, "more": len(found) - len(shown),
            "moved": any(m.real for m in found),
            "elsewhere": any(m.real for e in after["entries"] if e.key != compared.key
                             for m in moves.get(e.key, [])),
            # Named when a file's cell shows another size than the one compared.
            "size": None if compared.size == after["entry"].size == before["entry"].size
            else _size(compared)}


def codebase(source: str) -> str:
    """The codebase a claim's source quotes: "training-system report §1.3"
    and "Lab_Project PR summary" name theirs first; any other source is
    its own group, up to its section sign."""
    named = re.match(r"(\S+) (report|PR|optimizations)\b", source)
    return named.group(1) if named else (source.split("§")[0].strip(" ,;") or "other")


def _claim_devices(sources: list[Source]) -> list[tuple[str, str]]:
    """(claim, device) grouped by codebase, in the order the files first list
    each, the whole system first in its group: a codebase's end-to-end
    verdict is read before its components'."""
    seen: dict[tuple[str, str], None] = {}
    systems, groups = set(), {}
    for s in sources:
        for e in s.document.claims:
            seen.setdefault((e.id, e.device))
            groups.setdefault(e.id, codebase(e.source))
            if e.ablation:
                systems.add(e.id)
    order = list(dict.fromkeys(groups.values()))
    return sorted(seen, key=lambda key: (order.index(groups[key[0]]), key[0] not in systems))


def _summary(sources: list[Source], comparisons: list[dict[str, list[Move]]]) -> list[dict]:
    """One row per claim and device, one cell per file, and how each pair of
    consecutive files differs."""
    rows = []
    for claim_id, device in _claim_devices(sources):
        cells = [_claim_cell(s, claim_id, device) for s in sources]
        changes = [_pair_change(cells[i], cells[i + 1], f"#{i + 1} -> #{i + 2}", moves,
                                _anchor(claim_id, "moves"))
                   for i, moves in enumerate(comparisons)]
        latest = next(c for c in reversed(cells) if c is not None)
        rows.append({"id": claim_id, "device": device, "anchor": _anchor(claim_id),
                     "codebase": codebase(latest["entry"].source), "entry": latest["entry"], "cells": cells, "changes": changes,
                     "moved": any(c["moved"] or c["elsewhere"] for c in changes)})
    return rows


def _series(sources: list[Source], claim_id: str) -> list[dict]:
    """The scaling curve of each file and device, from its measured entries."""
    series = []
    for s in sources:
        devices = sorted({e.device for e in s.document.claims if e.id == claim_id})
        for device in devices:
            measured = [e for e in _on_device(s, claim_id, device)
                        if None not in (e.ratio, e.ci_low, e.ci_high)]
            if not measured:
                continue
            label = f"file #{s.number}" + ("" if device == "cpu" else f", {device}")
            series.append({"label": label,
                           "source": s.number,
                           "sizes": [e.size for e in measured],
                           "ratios": [e.ratio for e in measured],
                           "lows": [e.ci_low for e in measured],
                           "highs": [e.ci_high for e in measured],
                           "claimed": [e.claimed["ratio_high"] for e in measured],
                           "size_unit": measured[0].workload.get("size_unit", "")})
    return series


def _scaling(series: list[dict]) -> dict | None:
    """The scaling plot, its marks and claimed line those of the latest file's
    first curve (the claim as it stands now)."""
    if not series or max(len(s["sizes"]) for s in series) < 2:
        return None
    reference = next(i for i, s in enumerate(series) if s["source"] == series[-1]["source"])
    marked = series[reference]
    marks = scaling_marks(marked["sizes"], marked["ratios"], marked["lows"], marked["highs"])
    return {"plot": plots.scaling_plot(series, marks, marked["size_unit"], reference),
            "marked": marked["label"],
            "marks": [{"text": m["text"], "size": units.size(m["size"], marked["size_unit"])}
                      for m in marks]}


def _source_details(source: Source, claim_id: str) -> dict | None:
    """One file's entries of a claim: the table of sizes, the headline's plot,
    counters and costs, and its hidden costs on each device."""
    entries = sorted((e for e in source.document.claims if e.id == claim_id),
                     key=lambda e: (e.device, e.size))
    if not entries:
        return None
    measured = [e for e in entries if e.ratio is not None]
    head = next((e for e in entries if e.headline and e.ratio is not None),
                measured[-1] if measured else None)
    hidden = []
    for device in sorted({e.device for e in entries}):
        costs = text.hidden_costs(_on_device(source, claim_id, device))
        if costs:
            hidden.append({"device": device, "costs": [c.words() for c in costs],
                           "anchor": _anchor(claim_id, "costs", str(source.number), device)})
    return {"source": source, "variants": _variants(entries),
            "rows": [_entry_view(e) for e in entries], "hidden": hidden,
            "headline": _entry_view(head) if head else None,
            "plot": _primary_plot(head) if head else None,
            "ablation": _ablation_view(head) if head else None}


def _ablation_view(entry: Entry) -> dict | None:
    """A system entry's attribution: the waterfall and the switch table."""
    found = entry.ablation
    if not found or not found.get("switches"):
        return None

    def factor(effect) -> str:
        if not effect:
            return ""
        return (f"{units.number(effect['factor'])} [{units.number(effect['ci_low'])}, "
                f"{units.number(effect['ci_high'])}]")

    def share(x) -> str:
        return "" if x is None else f"{x:.0%}"

    rows = [{"name": s["name"], "description": s.get("description", ""),
             "commit": s.get("commit", ""), "main": factor(s.get("main")),
             "shapley": factor(s.get("shapley")),
             "share": share((s.get("shapley") or {}).get("share")),
             "share_of_seconds": share((s.get("shapley") or {}).get("share_of_seconds")),
             "alone": factor(s.get("add_one_in")), "left_out": factor(s.get("leave_one_out")),
             "changes_output": s.get("changes_output")} for s in found["switches"]]
    # A system judged on a count (system.video's decodes) is attributed in
    # exact counts, not seconds.
    scale = ("factors on time, lower is faster" if entry.kind == "time" else
             f"factors on {entry.metric} ({entry.unit}), exact counts, lower is fewer")
    saved = "of the seconds saved" if entry.kind == "time" else f"of the {entry.unit} saved"
    return {"design": found["design"]["description"], "scale": scale, "saved": saved,
            "rows": rows,
            "interactions": [i["text"] for i in found.get("interactions") or () if i.get("text")],
            "aliases": list(found["design"].get("aliases") or ()),
            "errors": [f"{name}: {c['error']}" for name, c in found["cells"].items()
                       if c.get("error")],
            "cannot": list(found.get("cannot") or ()), "isolation": found.get("isolation", ""),
            "plot": plots.waterfall_plot(found)}


def _between_files(sources: list[Source], claim_id: str,
                   comparisons: list[dict[str, list[Move]]]) -> list[dict]:
    """Every size and device of a claim: each file's verdict and ratio, and
    what moved between consecutive files."""
    keys: dict[str, Entry] = {}
    for s in sources:
        for e in s.document.claims:
            if e.id == claim_id:
                keys.setdefault(e.key, e)
    rows = []
    for key, entry in sorted(keys.items(), key=lambda kv: (kv[1].device, kv[1].size)):
        cells = []
        for s in sources:
            found = next((e for e in s.document.claims if e.key == key), None)
            cells.append({"symbol": SYMBOL.get(found.verdict, "?"), "entry": found,
                          "interval": interval(found)} if found else None)
        pairs = [(f"#{i + 1} -> #{i + 2}", moves.get(key, []))
                 for i, moves in enumerate(comparisons)]
        rows.append({"size": _size(entry), "device": entry.device, "cells": cells,
                     "moves": pairs, "moved": any(m.real for _, ms in pairs for m in ms)})
    return rows


def _profiles(claim_id: str, profiles_dir: Path | None, out_dir: Path) -> list[dict]:
    if profiles_dir is None or not profiles_dir.is_dir():
        return []
    found = sorted(profiles_dir.glob(f"{claim_id}-*.html"))
    return [{"name": p.stem[len(claim_id) + 1:], "href": relative_href(p, out_dir)} for p in found]


# extra_info keys that say which case a benchmark is; the rest are counters.
BENCHMARK_CASE_KEYS = ("claim", "variant", "size", "metric", "claimed_metric", "torch_threads")


def _benchmarks(claim_id: str, benchmark: dict | None, entries: list[Entry]) -> dict | None:
    """The imported pytest-benchmark rows of a claim, and what they timed: one
    call of the claim's timed metric (extra_info's "metric": the claimed one
    when it is a time, else a timed hidden cost), described as the results
    file describes that metric."""
    if not benchmark:
        return None
    size_unit = entries[0].workload.get("size_unit", "") if entries else ""
    rows, metrics = [], []
    for b in benchmark.get("benchmarks", []):
        info = b.get("extra_info", {})
        if info.get("claim") != claim_id:
            continue
        stats = b.get("stats", {})
        if info.get("metric") and info["metric"] not in metrics:
            metrics.append(info["metric"])
        size = info.get("size")
        rows.append({"size": units.size(size, size_unit) if size is not None else "",
                     "variant": info.get("variant", ""),
                     "median": units.quantity(stats.get("median"), "s"),
                     "iqr": units.quantity(stats.get("iqr"), "s") if "iqr" in stats else "",
                     "rounds": units.number(stats["rounds"]) if "rounds" in stats else "",
                     "counters": [f"{k} = {units.number(v)}" for k, v in info.items()
                                  if k not in BENCHMARK_CASE_KEYS]})
    if not rows:
        return None
    described = []
    for name in metrics:
        entry = next((e for e in entries if e.metric == name), None)
        # A count or a memory reading is not what pytest-benchmark timed: say
        # what the metric itself is measured in, so its figure is not mistaken.
        untimed = entry is not None and entry.kind != "time"
        described.append({"name": name, "unit": entry.unit if untimed else "",
                          "description": entry.metric_description if entry else ""})
    return {"rows": rows, "metrics": described}


def _moved_lists(sources: list[Source],
                 comparisons: list[dict[str, list[Move]]]) -> list[dict]:
    """Per pair of consecutive files, per entry: the real moves, and apart
    those within noise."""
    lists = []
    for i, moves in enumerate(comparisons):
        entries = {e.key: e for e in sources[i + 1].document.claims}
        real, noise = [], []
        for key, found in moves.items():
            name = _entry_name(entries[key])
            if any(m.real for m in found):
                real.append({"name": name, "moves": [m for m in found if m.real]})
            noise += [{"name": name, "move": m} for m in found if m.direction == NOISE]
        lists.append({"before": sources[i], "after": sources[i + 1], "real": real,
                      "noise": noise})
    return lists


def _entry_name(entry: Entry) -> str:
    """"dataset.indexed_frame @ 10,000 nodes", the device when not the CPU."""
    device = "" if entry.device == "cpu" else f" ({entry.device})"
    return f"{entry.id} @ {_size(entry)}{device}"


def build(sources: list[Source], out_dir: Path, profiles_dir: Path | None = None,
          benchmark: dict | None = None, asv_history=None) -> dict:
    """The whole page's data; `asv_history` an asv_history.History or None."""
    comparisons = [compare_files(before.document, after.document)
                   for before, after in zip(sources, sources[1:])]
    summary = _summary(sources, comparisons)
    moved_ids = {row["id"] for row in summary if row["moved"]}

    counts = []
    for s in sources:
        tally = Counter(e.verdict for e in s.document.claims if e.headline)
        counts.append({"source": s, "verdicts": [
            {"verdict": v, "symbol": SYMBOL[v], "count": tally.get(v, 0)}
            for v in (*ORDER, NO_OP, NOT_MEASURABLE, ERROR)]})

    sections = []
    for claim_id in dict.fromkeys(claim_id for claim_id, _ in _claim_devices(sources)):
        details = [d for d in (_source_details(s, claim_id) for s in sources) if d]
        entries = [row["entry"] for row in details[-1]["rows"]]
        sections.append({
            "id": claim_id, "anchor": _anchor(claim_id), "moves_anchor": _anchor(claim_id, "moves"),
            "codebase": codebase(text.headline_entry(entries).source),
            # The claim as the latest file states it (a revision may reword it).
            "first": text.headline_entry(entries), "per_source": details, "moved": claim_id in moved_ids,
            "scaling": _scaling(_series(sources, claim_id)),
            "between": _between_files(sources, claim_id, comparisons) if comparisons else [],
            "profiles": _profiles(claim_id, profiles_dir, out_dir),
            "benchmarks": _benchmarks(claim_id, benchmark, entries),
            "asv": asv_view(asv_history, claim_id) if asv_history is not None else None,
        })
    tallies = {"rows": len(summary),
               "claims": len({row["id"] for row in summary}),
               "entries": [len(s.document.claims) for s in sources]}
    return {"sources": sources, "counts": counts, "summary": summary, "sections": sections,
            "tallies": tallies,
            "moved": _moved_lists(sources, comparisons), "multiple": len(sources) > 1,
            "hidden_cost_rule": text.HIDDEN_COST_RULE,
            "tolerances": {"time": f"{gate.RATIO_TOLERANCE:.0%}",
                           "memory": f"{gate.MEMORY_TOLERANCE:.0%}"}}

