"""GitHub-flavoured markdown for PR comments: escaped table cells, collapsible
sections, and a comment cut to the size GitHub accepts (verify's, report's
and audit's --markdown all build theirs from these)."""
from __future__ import annotations

from typing import Sequence

# GitHub refuses a comment body over 65,536 characters; keep clear of it.
COMMENT_LIMIT = 60_000


def cell(text) -> str:
    """Text safe in a table cell: one line, and nothing that markdown or the
    table would read as syntax (a "|" would start a new column)."""
    text = " ".join(str(text).split())
    for ch in ("\\", "|", "<", ">", "*", "_", "`", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A table's lines; cells are escaped here."""
    return (["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
            + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows])


def details(summary: str, body: Sequence[str]) -> list[str]:
    """A collapsed section: `summary` is escaped, `body` is markdown as is
    (the blank lines around it make GitHub render it)."""
    return ["", f"<details><summary>{cell(summary)}</summary>", "", *body, "", "</details>"]


def comment(head: Sequence[str], rows: Sequence[str], sections: Sequence[str],
            limit: int = COMMENT_LIMIT) -> str:
    """head, then the summary table's lines (`rows`, its two header lines
    first), then the collapsed sections, cut to `limit` characters: the
    details go first, then the table's last rows, each cut said in the text."""
    text = "\n".join([*head, *rows, *sections]) + "\n"
    if len(text) <= limit:
        return text
    note = f"\n_(details cut: the comment would be {len(text):,} characters, over {limit:,})_\n"
    text = "\n".join([*head, *rows]) + "\n" + note
    if len(text) <= limit:
        return text
    keep = list(rows[:2])
    size = sum(len(line) + 1 for line in head)
    for row in rows[2:]:
        if size + sum(len(r) + 1 for r in keep) + len(row) > limit - 500:
            break
        keep.append(row)
    return "\n".join([*head, *keep]) + "\n" + (
        f"\n_({len(rows) - len(keep)} more row(s) cut to fit a PR comment)_\n")
