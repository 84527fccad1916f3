"""The audit's output: a terminal table and GitHub-flavoured markdown for a
PR comment (a summary table, then each file's claims in a <details>
section)."""
from __future__ import annotations

from collections import Counter

from rich.table import Table

from optbench.audit.parse import AMOUNT, COMPLEXITY, Claim

# GitHub refuses a comment body over 65,536 characters; keep clear of it.
COMMENT_LIMIT = 60_000
SUMMARY_COLUMNS = ("where", "claim", "metric", "claimed (optimized / baseline)", "hedge",
                   "stated", "measured by")


def _num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1000 or abs(x) < 0.001:
        return f"{x:.3g}"
    return f"{x:.3g}"


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


def measured(claim: Claim) -> str:
    return ", ".join(claim.measured_by) if claim.measured_by else "not mapped yet"


def table(claims: list[Claim], title: str | None = None) -> Table:
    t = Table(title=title or f"optbench audit: {len(claims)} quantitative claim(s)",
              title_justify="left")
    t.add_column("line", no_wrap=True, justify="right")
    t.add_column("quote", overflow="fold", ratio=1)
    t.add_column("metric", overflow="fold", min_width=9)
    t.add_column("readings", overflow="fold", min_width=15)
    t.add_column("hedge", overflow="fold", min_width=8)
    t.add_column("stated", no_wrap=True, min_width=11)
    for c in claims:
        t.add_row(str(c.line), c.quote, c.metric, claimed(c), c.hedge or "", c.stated)
    return t


def tables(claims: list[Claim], files) -> list[Table | str]:
    """One table per file, in the order given; a file with none, one line."""
    out: list[Table | str] = []
    for file in files:
        group = [c for c in claims if c.file == str(file)]
        out.append(table(group, f"{file}: {len(group)} quantitative claim(s)") if group
                   else f"{file}: no quantitative performance claim")
    return out


def summary_line(claims: list[Claim]) -> str:
    if not claims:
        return "no quantitative performance claim found"
    kinds = Counter(c.kind for c in claims)
    stated = Counter(c.stated for c in claims)
    return (f"{len(claims)} claim(s): " + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
            + "; " + ", ".join(f"{n} {s}" for s, n in stated.most_common()))


def _cell(text: str) -> str:
    """Text safe in a markdown table cell."""
    text = " ".join(str(text).split())
    for ch in ("\\", "|", "<", ">", "*", "_", "`", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def markdown(claims: list[Claim], limit: int = COMMENT_LIMIT) -> str:
    many = len({c.file for c in claims}) > 1
    head = ["### optbench audit", "", summary_line(claims), ""]
    rows = ["| " + " | ".join(SUMMARY_COLUMNS) + " |",
            "|" + "|".join("---" for _ in SUMMARY_COLUMNS) + "|"]
    for c in claims:
        rows.append("| " + " | ".join(_cell(x) for x in (
            where(c, many), c.quote, c.metric, claimed(c), c.hedge or "", c.stated,
            measured(c))) + " |")
    details = []
    by_file: dict[str | None, list[Claim]] = {}
    for c in claims:
        by_file.setdefault(c.file, []).append(c)
    for file, group in by_file.items():
        details += ["", f"<details><summary>{_cell(file or 'text')}: {len(group)} claim(s), "
                    "each reading</summary>", ""]
        for c in group:
            details.append(f"- line {c.line}: “{_cell(c.quote)}” ({_cell(c.metric)}, {c.kind}, "
                           f"{c.stated}{', hedge ' + _cell(c.hedge) if c.hedge else ''})")
            if c.kind == COMPLEXITY:
                details.append(f"  - {_cell(c.before)} -> {_cell(c.after)}")
            for r in c.readings:
                details.append(f"  - {_cell(_num(r.ratio_low))}"
                               + ("" if abs(r.ratio_high - r.ratio_low) < 1e-9
                                  else f" to {_cell(_num(r.ratio_high))}")
                               + f": {_cell(r.how)}")
            if not c.readings and c.kind == AMOUNT:
                details.append("  - an amount with no baseline: no ratio")
        details += ["", "</details>"]
    text = "\n".join(head + rows + details) + "\n"
    if len(text) > limit:
        note = (f"\n_(details cut: the comment would be {len(text):,} characters, over "
                f"{limit:,})_\n")
        text = "\n".join(head + rows) + "\n" + note
        if len(text) > limit:
            keep = rows[:2]
            for row in rows[2:]:
                if sum(len(r) + 1 for r in keep) + len(row) > limit - 500:
                    break
                keep.append(row)
            text = "\n".join(head + keep) + "\n" + (
                f"\n_({len(rows) - len(keep)} more row(s) cut to fit a PR comment)_\n")
    return text
