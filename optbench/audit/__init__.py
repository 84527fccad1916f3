"""optbench audit: the quantitative performance claims a PR description or a
report makes, each read as ratios optimized / baseline.

    from optbench.audit import audit_files, parse_text
    claims = parse_text(open("PR.md").read())

Standard library plus markdown-it-py (rich's own dependency, see parse.py);
offline and deterministic. mapping.py names the optbench claims that
measure each figure (`measured_by`) and, with results, what they measured.
"""
from __future__ import annotations

import json
from pathlib import Path

from optbench.audit import mapping
from optbench.audit.parse import (AMOUNT, ASSERTION, CODE_SIZE, COMPLEXITY, EXPECTATION,
                                  MARKDOWN_SUFFIXES, MEASUREMENT, RATIO, Claim, Reading,
                                  parse_text)

__all__ = ["AMOUNT", "ASSERTION", "AuditInputError", "CODE_SIZE", "COMPLEXITY", "Claim",
           "EXPECTATION", "MEASUREMENT", "RATIO", "Reading", "audit_files", "parse_file",
           "parse_text", "to_json"]


class AuditInputError(Exception):
    """A file that cannot be read: the message names it, in one line."""


def read_text(path: Path) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AuditInputError(f"audit: {path}: no such file") from None
    except IsADirectoryError:
        raise AuditInputError(f"audit: {path}: is a folder, not a file") from None
    except OSError as exc:
        raise AuditInputError(f"audit: {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AuditInputError(f"audit: {path}: not UTF-8 text (byte {exc.start})") from None


def parse_file(path: Path, under: str | None = None) -> list[Claim]:
    """A .md (or .markdown) file is read as markdown; anything else as plain
    text (markdown's indented code blocks off, so an indented line still
    counts)."""
    path = Path(path)
    text = read_text(path)
    return parse_text(text, plain=path.suffix.lower() not in MARKDOWN_SUFFIXES, file=str(path),
                      under=under)


def audit_files(paths, catalogue=None, source: str | None = None,
                under: str | None = None) -> list[Claim]:
    """Every file read first, so that a bad one is reported before any output.
    With a catalogue (registry.catalogue()), each claim's measured_by names
    the claims that measure it, cited as `source` or by the name each file
    declares (mapping.report_name)."""
    texts = [(Path(p), read_text(Path(p))) for p in paths]
    claims: list[Claim] = []
    for path, text in texts:
        claims += parse_text(text, plain=path.suffix.lower() not in MARKDOWN_SUFFIXES,
                             file=str(path), under=under)
    if catalogue is not None:
        reports = {str(path): source or mapping.report_name(text, path) for path, text in texts}
        mapping.map_claims(claims, reports, list(catalogue))
    return claims


def to_json(claims: list[Claim]) -> str:
    return json.dumps([c.to_dict() for c in claims], indent=2, ensure_ascii=False) + "\n"
