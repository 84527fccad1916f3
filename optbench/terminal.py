"""The verdict table as a terminal (or a CI log) shows it.

Grouped by claim: a claim's line names it, its metric and its claimed
figure; each entry (one size, one device) is one line below it that never
wraps; a last line gives the claim's worst hidden cost and any changed
output, so the table alone does not mislead. Lines are cut at word
boundaries to the width (100 columns when piped), never inside an id or a
number; `--wide` prints everything uncut, with more columns.
"""
from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from optbench.core import text, units, verdict
from optbench.core.schema import Entry

PIPED_WIDTH = 100
HEADLINE = "★"
STYLE = {verdict.CONFIRMED: "green", verdict.PARTIAL: "yellow", verdict.REFUTED: "red",
         verdict.ERROR: "bold red", verdict.INCONCLUSIVE: "magenta"}


def fit(line: str, width: int) -> str:
    """`line` cut to `width` at a space, with "…" where words were dropped."""
    if len(line) <= width:
        return line
    cut = line[:width - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ·,") + " …"


CHANGED = "CHANGED"
COLUMNS = ("", "size", "verdict", "ratio [95% CI]", "best", "output")
WIDE_COLUMNS = COLUMNS + ("instructions", "sampling")


def _equivalence(entry: Entry) -> str:
    if entry.equivalent is None:
        return ""
    if entry.equivalent is True:
        return "same"
    if isinstance(entry.equivalent, str):
        return "declared"
    return CHANGED


def _measured(entry: Entry) -> str:
    if entry.ratio is None:
        return entry.reason.split(";")[0] if entry.reason and entry.verdict != verdict.ERROR \
            else ("see below" if entry.verdict == verdict.ERROR else "n/a")
    if entry.ci_low == entry.ci_high:
        return f"{entry.ratio:.3g} exact"
    return f"{entry.ratio:.3g} [{entry.ci_low:.3g}, {entry.ci_high:.3g}]"


def _best(entry: Entry, wide: bool) -> str:
    """The contrasts beside the verdict's (best's ratio); their intervals
    only with --wide (the report has them)."""
    shown = []
    for name, c in entry.other_contrasts.items():
        if c.ratio is None:
            continue
        figure = (f"{c.ratio:.3g}" if not wide or c.ci_low == c.ci_high
                  else f"{c.ratio:.3g} [{c.ci_low:.3g}, {c.ci_high:.3g}]")
        shown.append(figure if name == "best" else f"{name} {figure}")
    return "; ".join(shown)


def _verdict(entry: Entry, wide: bool) -> str:
    word = entry.verdict
    if word == verdict.NOT_MEASURABLE and not wide:
        word = "not measurable"  # "here" and why: the ratio column says it
    return f"{verdict.SYMBOL.get(entry.verdict, '?')} {word}"


def _cells(entry: Entry, wide: bool) -> list[str]:
    size = units.size(entry.size, entry.workload.get("size_unit", ""))
    if entry.device != "cpu":
        size += f" {entry.device}"
    cells = [HEADLINE if entry.headline else "", size, _verdict(entry, wide),
             _measured(entry), _best(entry, wide), _equivalence(entry)]
    if wide:
        cells += [text.instructions(entry), text.sampling(entry)]
    return cells


def _claim_line(first: Entry) -> str:
    claimed = first.claimed
    return (f"{first.id} · {first.metric} · claimed ≤ {claimed['ratio_high']:.3g}: "
            f"{claimed['text']}")


def _cost_parts(entries: Sequence[Entry], wide: bool) -> list[str]:
    """The claim's worst hidden cost and what its output changed, as texts."""
    parts = []
    costs = text.hidden_costs(entries)
    if costs:
        shown = costs if wide else costs[:1]
        more = f" (+{len(costs) - 1} more)" if len(costs) > 1 and not wide else ""
        parts.append("hidden cost: " + "; ".join(c.words() for c in shown) + more)
    same = sorted({e.reason for e in entries if e.verdict == verdict.NO_OP and e.reason})
    if same:
        parts.append("no-op: " + "; ".join(same))
    changed = {text.changed_output(e) for e in entries} - {None}
    if changed:
        parts.append("output: " + "; ".join(sorted(changed)))
    return parts


def verdict_lines(entries: Sequence[Entry], width: int = PIPED_WIDTH,
                  wide: bool = False) -> list[Text]:
    """The table as lines of styled text, each at most `width` columns
    (unless `wide`)."""
    limit = 10 ** 6 if wide else width
    header = WIDE_COLUMNS if wide else COLUMNS
    rows = [_cells(e, wide) for e in entries]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = [Text(fit("optbench verdicts · ratio = optimized / baseline, lower is better · "
                      f"{HEADLINE} the claim's headline size", limit), style="bold"),
             _row(list(header), widths, limit, style="dim")]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(entries):
        groups.setdefault((e.id, e.metric), []).append(i)
    for indices in groups.values():
        group = [entries[i] for i in indices]
        lines.append(Text(fit(_claim_line(group[0]), limit), style="bold"))
        for i in indices:
            lines.append(_row(rows[i], widths, limit, verdict_style=STYLE.get(
                entries[i].verdict, "")))
        for e in group:
            lines.extend(ablation_lines(e, limit))
        parts = _cost_parts(group, wide)
        together = "   " + " · ".join(parts)
        # One line when both fit; else a line each, so a cut cost never hides
        # a changed output.
        for part in ([together] if len(together) <= limit or len(parts) < 2
                     else ["   " + p for p in parts]) if parts else []:
            lines.append(Text(fit(part, limit), style="yellow"))
    return lines


ABLATION_COLUMNS = ("switch", "effect ±95%", "Shapley ±95%", "share", "of s saved",
                    "alone", "left out", "output")


def _factor(effect, with_interval: bool = True) -> str:
    if not effect:
        return "-"
    if not with_interval:
        return f"{effect['factor']:.3g}"
    half = (effect["ci_high"] - effect["ci_low"]) / (2 * effect["factor"])
    return f"{effect['factor']:.3g} ±{half:.1%}"


def _share(x) -> str:
    if x is None:
        return "-"
    return "0%" if abs(x) < 0.005 else f"{x:.0%}"   # never "-0%"


def _output_word(changes) -> str:
    return {True: CHANGED, False: "same", None: "?"}[changes]


def ablation_lines(entry: Entry, limit: int) -> list[Text]:
    """A system entry's attribution: per switch its main effect, Shapley
    factor and share of the end-to-end change (all as factors on time,
    lower is faster, or on the exact count a system is judged on) and of
    the seconds (or the count) saved, alone and left out, whether it
    changes the output;
    then the named interactions and what the design could not give."""
    found = entry.ablation
    if not found or not found.get("switches"):
        return []
    rows = [[s["name"], _factor(s.get("main")), _factor(s.get("shapley")),
             _share((s.get("shapley") or {}).get("share")),
             _share((s.get("shapley") or {}).get("share_of_seconds")),
             _factor(s.get("add_one_in"), False), _factor(s.get("leave_one_out"), False),
             _output_word(s.get("changes_output"))] for s in found["switches"]]
    columns = ABLATION_COLUMNS if entry.kind == "time" else tuple(
        f"of {entry.unit} saved" if c == "of s saved" else c for c in ABLATION_COLUMNS)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(columns)]

    def line(cells, style=""):
        return Text(fit("     " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip(),
                        limit), style=style)

    total = found.get("total")
    design = found["design"]
    rounds = {c.get("rounds") for c in found["cells"].values() if c.get("rounds")}
    head = (f"   ablation · {design['description']}"
            + (" · exact counts" if entry.kind != "time" else
               f" · {max(rounds)} rounds" if rounds else "")
            + (f" · end to end {_factor(total)}" if total else ""))
    out = [Text(fit(head, limit), style="bold"), line(columns, "dim")]
    for cells in rows:
        out.append(line(cells))
    for inter in found.get("interactions") or ():
        if inter.get("text"):
            out.append(Text(fit(f"     interaction: {inter['text']} "
                                f"({_factor(inter)})", limit), style="yellow"))
    for alias in design.get("aliases") or ():
        out.append(Text(fit(f"     aliased: {alias}", limit), style="dim"))
    for cell, row in found["cells"].items():
        if row.get("error"):
            out.append(Text(fit(f"     cell {cell} failed: {row['error']}", limit),
                            style="red"))
    for why in found.get("cannot") or ():
        out.append(Text(fit(f"     not computed: {why}", limit), style="dim"))
    return out


def _row(cells: list[str], widths: list[int], limit: int, style: str = "",
         verdict_style: str = "") -> Text:
    """One aligned line: the size right-aligned, the rest left; trailing
    empty cells dropped; a long last cell (a reason) cut at a word."""
    last = max((j for j, c in enumerate(cells) if c), default=0)
    line = Text(" ", style=style)
    for j, cell in enumerate(cells[:last + 1]):
        padded = cell.rjust(widths[j]) if j == 1 else cell.ljust(widths[j])
        cell_style = verdict_style if j == 2 else ("bold red" if cell == CHANGED else "")
        line.append(padded if j < last else cell, style=cell_style)
        if j < last:
            line.append("  ")
    if len(line.plain) > limit:
        line = Text(fit(line.plain, limit), style=style)
    return line


def claim_lines(listed, width: int = PIPED_WIDTH) -> list[Text]:
    """`optbench list`: per claim, its id, component and variants on one line,
    then what it claims and where the claim comes from."""
    lines = [Text(f"optbench claims ({len(listed)})", style="bold")]
    for claim in listed:
        devices = "" if claim.devices == ("cpu",) else \
            "  · " + ("CUDA only" if claim.devices == ("cuda",) else
                      " and ".join(d.upper() for d in claim.devices))
        what = (f"switches: {', '.join(claim.switches)}"
                if claim.switches else ", ".join(claim.variants))
        lines.append(Text(fit(f"{claim.id}  [{claim.component}]  {what}{devices}", width),
                          style="bold"))
        lines.append(Text(fit(f"    {claim.claimed} · {claim.source}", width)))
    return lines


def wrapped(line: str, width: int = PIPED_WIDTH) -> str:
    """A progress, note or warning line for output that is not a terminal:
    wrapped at `width` (as the table is cut to it), the rest indented, never
    cut: a note's last words are often its advice."""
    import textwrap

    return textwrap.fill(line, width, subsequent_indent="    ", break_long_words=False,
                         break_on_hyphens=False)


def progress_line(done: int, total: int, entry: Entry, seconds: float, elapsed: float) -> str:
    """One line per finished case, for output that is not a terminal (CI logs)."""
    size = units.size(entry.size, entry.workload.get("size_unit", ""))
    return (f"[{done}/{total}] {entry.id} @ {size} {entry.device}: "
            f"{verdict.SYMBOL.get(entry.verdict, '?')} {entry.verdict} "
            f"({seconds:.1f} s; {_clock(elapsed)} elapsed)")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
