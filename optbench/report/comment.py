"""Results as a PR comment (verify --markdown, report --markdown): a summary
table, one row per claim and device, then each claim's sizes, costs and
ablation in collapsed sections, under the size GitHub accepts."""
from __future__ import annotations

from typing import Sequence

from optbench import terminal
from optbench.core import fingerprint, markdown as md, text, units
from optbench.core.schema import Entry, Results
from optbench.core.verdict import NOT_MEASURABLE, ORDER, SYMBOL

SUMMARY_COLUMNS = ("claim", "claimed", "measured (optimized / baseline)", "verdict",
                   "hidden cost")


def _by_claim(entries: Sequence[Entry]) -> dict[tuple[str, str], list[Entry]]:
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        groups.setdefault((e.id, e.device), []).append(e)
    return {k: sorted(v, key=lambda e: e.size) for k, v in groups.items()}


def _measured(entry: Entry) -> str:
    if entry.ratio is None:
        return (entry.reason or "n/a").split(";")[0]
    return f"{text.interval(entry)} @ {_size(entry)}"


def _size(entry: Entry) -> str:
    return units.size(entry.size, entry.workload.get("size_unit", ""))


def _verdict(entry: Entry) -> str:
    return f"{SYMBOL.get(entry.verdict, '?')} {entry.verdict}"


def _claimed(entry: Entry) -> str:
    c = entry.claimed
    return f"{c['text']} (≤ {c['ratio_high']:.3g})" if c else ""


def _name(claim_id: str, device: str) -> str:
    return claim_id if device == "cpu" else f"{claim_id} ({device})"


def _cost(entries: Sequence[Entry]) -> str:
    costs = text.hidden_costs(entries)
    parts = [costs[0].words() + (f" (+{len(costs) - 1} more)" if len(costs) > 1 else "")] \
        if costs else []
    changed = {text.changed_output(e) for e in entries} - {None}
    if changed:
        parts.append("output: " + "; ".join(sorted(changed)))
    return "; ".join(parts)


def _details(entries: Sequence[Entry]) -> list[str]:
    """Every size, the contrasts beside the verdict's, every hidden cost, the
    output and, for a system, its ablation as the terminal prints it."""
    body = []
    for e in entries:
        beside = "; ".join(f"{name} {text.interval(c)}" for name, c in e.other_contrasts.items()
                           if c.ratio is not None)
        figure = text.interval(e) if e.ratio is not None else (e.reason or "n/a").split(";")[0]
        line = f"- @ {md.cell(_size(e))}: {md.cell(_verdict(e))} {md.cell(figure)}"
        if beside:
            line += f"; {md.cell(beside)}"
        if e.reason and e.ratio is not None:
            line += f" ({md.cell(e.reason)})"
        body.append(line)
    costs = text.hidden_costs(entries)
    if costs:
        body.append("- hidden costs: " + md.cell("; ".join(c.words() for c in costs)))
    for e in entries:
        changed = text.changed_output(e)
        if changed:
            body.append(f"- output @ {md.cell(_size(e))}: {md.cell(changed)}")
    head = text.headline_entry(entries)
    switches = (head.ablation or {}).get("switches") or ()
    # A design of baseline and optimized only attributes nothing: no table of dashes.
    lines = terminal.ablation_lines(head, 200) if any(
        s.get("main") or s.get("shapley") for s in switches) else []
    if lines:
        body += ["", "```text", *(t.plain for t in lines), "```"]
    if head.source:
        body.append(f"- source: {md.cell(head.source)}")
    return body


def _environment(document: Results) -> str:
    env, run = document.environment or {}, document.run or {}
    cores = env.get("usable_cores") or env.get("cores")
    parts = [("quick mode" if run.get("quick") else "full mode"), env.get("cpu_model") or "",
             f"{cores} cores" if cores else "", env.get("cuda_device") or "no GPU",
             f"Python {env['python']}" if env.get("python") else "",
             f"torch {env['torch']}" if env.get("torch") else "",
             f"commit {str(env['git_commit'])[:10]}" + (" (dirty)" if env.get("git_dirty")
                                                         else "")
             if env.get("git_commit") else ""]
    return " · ".join(p for p in parts if p)


def markdown(document: Results, before: Results | None = None,
             limit: int = md.COMMENT_LIMIT) -> str:
    """The comment for `document`; with `before` (an earlier results file),
    a column of what it measured for the same claim and device."""
    groups = _by_claim(document.claims)
    earlier = _by_claim(before.claims) if before is not None else {}
    shown = {k: v for k, v in groups.items()
             if any(e.verdict != NOT_MEASURABLE for e in v)}
    unmeasurable = [k for k in groups if k not in shown]
    counts = {}
    for entries in shown.values():
        v = text.headline_entry(entries).verdict
        counts[v] = counts.get(v, 0) + 1
    tally = ", ".join(f"{SYMBOL.get(v, '?')} {counts[v]} {v}"
                      for v in sorted(counts, key=lambda v: ORDER.index(v)
                                      if v in ORDER else len(ORDER)))
    head = [f"### optbench: {len(shown)} claim(s) measured", "",
            md.cell(_environment(document)), "", tally, ""]
    columns = list(SUMMARY_COLUMNS) + (["before"] if before is not None else [])
    rows = []
    for (claim_id, device), entries in shown.items():
        h = text.headline_entry(entries)
        row = [_name(claim_id, device), _claimed(h), _measured(h), _verdict(h), _cost(entries)]
        if before is not None:
            was = earlier.get((claim_id, device))
            w = text.headline_entry(was) if was else None
            other = w is not None and h.kind == "time" and fingerprint.differs(w.machine,
                                                                                h.machine)
            row.append(("≠ another machine, not compared: " if other else "")
                       + f"{_verdict(w)} {_measured(w)}" if w else "not in the earlier file")
        rows.append(row)
    sections = []
    for (claim_id, device), entries in shown.items():
        sections += md.details(f"{_name(claim_id, device)}: "
                               f"{text.headline_entry(entries).verdict}", _details(entries))
    if unmeasurable:
        why = sorted({(groups[k][0].reason or "").split(";")[0] for k in unmeasurable})
        sections += md.details(
            f"{len(unmeasurable)} claim(s) not measurable here",
            [f"- {md.cell(', '.join(_name(*k) for k in unmeasurable))}",
             *(f"- why: {md.cell(w)}" for w in why if w)])
    return md.comment(head, md.table(columns, rows), sections, limit)
