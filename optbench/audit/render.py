"""The audit's output: a terminal table and GitHub-flavoured markdown for a
PR comment (a summary table, then each file's claims in a <details>
section)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.table import Table

from optbench.audit import mapping
from optbench.audit.parse import AMOUNT, COMPLEXITY, Claim
from optbench.core import markdown as md, text, units
from optbench.core.verdict import SYMBOL

COMMENT_LIMIT = md.COMMENT_LIMIT
SUMMARY_COLUMNS = ("where", "claim", "metric", "claimed (optimized / baseline)", "hedge",
                   "stated", "measured by")


def _num(x: float) -> str:
    return "0" if x == 0 else f"{x:.3g}"


def claimed(claim: Claim) -> str:
    """The readings in a few characters: "x0.7 or x0.769", "x0.5-0.7"."""
    if claim.kind == COMPLEXITY:
        return f"{claim.before} -> {claim.after}"
    if not claim.readings:
        return f"{claim.amount} (no baseline)" if claim.amount else "-"
    parts = []
    for r in claim.readings:
        parts.append(f"x{_num(r.ratio_low)}" if abs(r.ratio_high - r.ratio_low) < 1e-9
                     else f"x{_num(r.ratio_low)}-{_num(r.ratio_high)}")
    return " or ".join(parts)


def where(claim: Claim, many_files: bool) -> str:
    return f"{claim.file}:{claim.line}" if many_files and claim.file else str(claim.line)


def _result(m: dict) -> str:
    """One match's measurement: "refuted 1.02 [0.98, 1.05] @ 64 rows"."""
    r = m.get("result")
    if r is None:
        return "not in the results"
    size = units.size(r["size"], r["size_unit"]) + ("" if r["device"] == "cpu"
                                                   else f" {r['device']}")
    if r["ratio"] is None:
        why = (r.get("reason") or "").split(";")[0]
        word = r["verdict"] or "no reading"
        return f"{SYMBOL.get(word, '')} {word}{': ' + why if why else ''} @ {size}".strip()
    figure = text.interval(_Figures(r["ratio"], r["ci_low"], r["ci_high"]))
    if m["how"] == mapping.BESIDE:
        return f"{m['metric']} {figure} @ {size} (beside: no verdict)"
    return f"{SYMBOL.get(r['verdict'], '')} {r['verdict']} {figure} @ {size}"


@dataclass(frozen=True)
class _Figures:
    ratio: float
    ci_low: float | None
    ci_high: float | None


def speaker(claim: Claim) -> dict | None:
    """The match whose verdict stands for the figure: the first that is not a
    what-if (matches come sorted so), else the first what-if."""
    return claim.measured[0] if claim.measured else None


def measured(claim: Claim, with_results: bool = False, every: bool = False) -> str:
    """"not measured", the claims that measure it, or (with results) what the
    one that speaks for it measured; `every` lists each match."""
    if not claim.measured:
        return "not measured"
    shown = claim.measured if every else claim.measured[:1]
    parts = []
    for m in shown:
        name = m["claim"] + (" (what-if)" if m["what_if"] else "")
        parts.append(f"{name}: {_result(m)}" if with_results else name)
    more = len(claim.measured) - len(shown)
    return "; ".join(parts) + (f" (+{more} more)" if more else "")


def table(claims: list[Claim], title: str | None = None, mapped: bool = False,
          with_results: bool = False) -> Table:
    t = Table(title=title or f"optbench audit: {len(claims)} quantitative claim(s)",
              title_justify="left")
    t.add_column("line", no_wrap=True, justify="right")
    t.add_column("quote", overflow="fold", ratio=1)
    t.add_column("metric", overflow="fold", min_width=9)
    t.add_column("readings", overflow="fold", min_width=15)
    t.add_column("hedge", overflow="fold", min_width=8)
    t.add_column("stated", no_wrap=True, min_width=11)
    if mapped:
        t.add_column("measured by", overflow="fold", ratio=1)
    for c in claims:
        row = [str(c.line), c.quote, c.metric, claimed(c), c.hedge or "", c.stated]
        t.add_row(*row, *([measured(c, with_results)] if mapped else []))
    return t


def tables(claims: list[Claim], files, mapped: bool = False,
           with_results: bool = False) -> list[Table | str]:
    """One table per file, in the order given; a file with none, one line."""
    out: list[Table | str] = []
    for file in files:
        group = [c for c in claims if c.file == str(file)]
        out.append(table(group, f"{file}: {len(group)} quantitative claim(s)", mapped,
                         with_results) if group
                   else f"{file}: no quantitative performance claim")
    return out


def summary_line(claims: list[Claim], mapped: bool = False) -> str:
    if not claims:
        return "no quantitative performance claim found"
    kinds = Counter(c.kind for c in claims)
    stated = Counter(c.stated for c in claims)
    line = (f"{len(claims)} claim(s): " + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
            + "; " + ", ".join(f"{n} {s}" for s, n in stated.most_common()))
    if mapped:
        by = sum(1 for c in claims if c.measured and c.measured[0]["how"] != mapping.BESIDE)
        beside = sum(1 for c in claims if c.measured and c.measured[0]["how"] == mapping.BESIDE)
        line += (f"; {by} measured by a claim, {beside} measured beside one, "
                 f"{len(claims) - by - beside} not measured")
    return line


def markdown(claims: list[Claim], limit: int = md.COMMENT_LIMIT, mapped: bool = False,
             with_results: bool = False) -> str:
    """A PR comment: the summary table (one row a figure), then each file's
    figures with every reading and every claim that measures them, collapsed."""
    many = len({c.file for c in claims}) > 1
    head = ["### optbench audit", "", summary_line(claims, mapped), ""]
    columns = list(SUMMARY_COLUMNS) if mapped else list(SUMMARY_COLUMNS[:-1])
    rows = md.table(columns, [
        [where(c, many), c.quote, c.metric, claimed(c), c.hedge or "", c.stated,
         *([measured(c, with_results)] if mapped else [])] for c in claims])
    sections: list[str] = []
    by_file: dict[str | None, list[Claim]] = {}
    for c in claims:
        by_file.setdefault(c.file, []).append(c)
    for file, group in by_file.items():
        body = []
        for c in group:
            body.append(f"- line {c.line}"
                        + (f" ({md.cell(c.section)})" if c.section else "")
                        + f": “{md.cell(c.quote)}” ({md.cell(c.metric)}, {c.kind}, {c.stated}"
                        + (f", hedge {md.cell(c.hedge)}" if c.hedge else "") + ")")
            if c.kind == COMPLEXITY:
                body.append(f"  - {md.cell(c.before)} -> {md.cell(c.after)}")
            for r in c.readings:
                body.append(f"  - {md.cell(_num(r.ratio_low))}"
                            + ("" if abs(r.ratio_high - r.ratio_low) < 1e-9
                               else f" to {md.cell(_num(r.ratio_high))}")
                            + f": {md.cell(r.how)}")
            if not c.readings and c.kind == AMOUNT:
                body.append("  - an amount with no baseline: no ratio")
            if mapped:
                body.append(f"  - measured by: {md.cell(measured(c, with_results, every=True))}")
        sections += md.details(f"{file or 'text'}: {len(group)} claim(s), each reading", body)
    return md.comment(head, rows, sections, limit)
