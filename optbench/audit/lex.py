"""Tokens of one block of text (a paragraph, a heading, a table cell).

A block is built from markdown-it's inline tokens: plain text, with each code
span kept whole (its numbers are code, not figures) and each soft line break
counted so that every token knows its source line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from optbench.audit import lexicon

NUM, PCT, MULT, UNIT, WORD, ARROW, DASH, SIGN, HEDGE, PUNCT, PIPE, QUOTE = (
    "NUM", "PCT", "MULT", "UNIT", "WORD", "ARROW", "DASH", "SIGN", "HEDGE", "PUNCT", "PIPE",
    "QUOTE")
CODE, CPLX, CONFIG, REF, VERSION, DATE, FRACTION = (
    "CODE", "CPLX", "CONFIG", "REF", "VERSION", "DATE", "FRACTION")


@dataclass
class Tok:
    kind: str
    start: int          # character offsets in the block's text
    end: int
    text: str
    line: int
    value: float | None = None
    norm: str = ""      # lower-case text of a word
    unit: str | None = None
    plus: bool = False  # "50+": at least
    synthetic: bool = False   # made from a word ("half", "twice", "halves")
    needs_metric: bool = False


@dataclass
class Block:
    text: str
    lines: list[int]                         # source line of each character
    code: list[tuple[int, int]] = field(default_factory=list)   # code span offsets
    tokens: list[Tok] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        if not self.lines:
            return 0
        return self.lines[min(max(offset, 0), len(self.lines) - 1)]


class BlockBuilder:
    """Text pieces in order; code spans are kept apart."""

    def __init__(self, line: int):
        self.parts: list[str] = []
        self.lines: list[int] = []
        self.code: list[tuple[int, int]] = []
        self.line = line
        self.size = 0

    def text(self, text: str) -> None:
        self.parts.append(text)
        self.lines.extend([self.line] * len(text))
        self.size += len(text)

    def code_span(self, content: str) -> None:
        start = self.size
        self.text(f"`{content}`")
        self.code.append((start, self.size))

    def newline(self) -> None:
        self.text(" ")
        self.line += 1

    def build(self) -> Block:
        block = Block("".join(self.parts), self.lines, self.code)
        block.tokens = tokenize(block)
        return block


def plain_block(text: str, line: int) -> Block:
    builder = BlockBuilder(line)
    for i, piece in enumerate(text.split("\n")):
        if i:
            builder.newline()
        builder.text(piece)
    return builder.build()


# --- the scanner ------------------------------------------------------------
_UNIT_NAMES = sorted(lexicon.UNITS, key=len, reverse=True)
_UNIT_RE = re.compile(r"(?P<sp>[ \u00a0]?)(?P<u>" + "|".join(re.escape(u) for u in _UNIT_NAMES)
                      + r")(?![A-Za-z0-9/µμ])")
_PER_SECOND_RE = re.compile(
    r"[ \u00a0](?P<w>samples|sample|tokens|images|items|examples|frames|iterations|steps"
    r"|batches|requests|queries)[ \u00a0]?(?:/|per[ \u00a0])[ \u00a0]?(?:s|sec|second)\b",
    re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]\d+)?|\.\d+(?![\d])")
_COMPLEXITY_RE = re.compile(r"O\((?:[^()]|\([^()]*\))*\)")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)|\d{4}/\d{2}/\d{2}(?!\d)|\d{1,2}:\d{2}(?::\d{2})?")
_VERSION_RE = re.compile(r"[vV]\d+(?:\.\d+)*[\w.+-]*|\d+\.\d+\.\d+[\w.+-]*")
_REF_RE = re.compile(r"#\d+|§\s?\d+(?:\.\d+)*|(?:PR|pr|GH|gh)-\d+")
_CONFIG_RE = re.compile(r"[A-Za-z_][\w.\-]*[ ]?(?:==|:=|=(?!>))[ ]?[^\s,;)\]|]+")
_ARROW_RE = re.compile(r"-{1,2}>|={1,2}>|[→⟶⇒➜➔⟹↦⇨⮕➡]")
_WORD_RE = re.compile(r"[^\W\d][\w'’]*(?:[-/][\w'’]+)*")
_DIGIT_WORD_RE = re.compile(r"[.\d][\w.'’]*(?:[-/][\w'’]+)*")
_ORDER_RE = re.compile(
    r"(?P<n>an?|one|two|three|\d+)[ \u00a0]+orders?[ \u00a0]+of[ \u00a0]+magnitude",
    re.IGNORECASE)
_HALF_RE = re.compile(r"(?:in|by)[ \u00a0]+half\b|halv(?:es|ed|ing)\b|halve\b|half\b",
                      re.IGNORECASE)
_DOUBLE_RE = re.compile(r"(?:doubles|doubled|doubling|double|twice|triples|tripled|triple"
                        r"|thrice|quadrupled|quadruples)\b", re.IGNORECASE)
_DOUBLE_VALUES = {"doubl": 2.0, "twice": 2.0, "tripl": 3.0, "thric": 3.0, "quadr": 4.0}
_FOLD_RE = re.compile(r"[ \u00a0]?-?[ \u00a0]?fold\b", re.IGNORECASE)
_MULT_RE = re.compile(r"[ \u00a0]?[x×X](?![A-Za-z0-9])")
_DIMENSION_RE = re.compile(r"[ \u00a0]?[x×][ \u00a0]?\d")
_DIMENSIONS_RE = re.compile(r"[ \u00a0]?[x×][ \u00a0]?[\d.]+(?:[ \u00a0]?[x×][ \u00a0]?[\d.]+)*")
_PERCENT_RE = re.compile(r"[ \u00a0]?%|[ \u00a0](?:percent|per cent|pct)\b", re.IGNORECASE)
_DASHES = "-–—‒"
_QUOTES = "\"“”„«»'‘’"


def tokenize(block: Block) -> list[Tok]:
    text, out = block.text, []
    code_at = {start: end for start, end in block.code}
    i, n = 0, len(text)

    def add(kind, start, end, **kw):
        out.append(Tok(kind, start, end, text[start:end], block.line_at(start), **kw))

    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if i in code_at:
            end = code_at[i]
            inner = text[i + 1:end - 1].strip()
            add(CPLX if _COMPLEXITY_RE.fullmatch(inner) else CODE, i, end)
            i = end
            continue
        prev = text[i - 1] if i else " "
        boundary = not (prev.isalnum() or prev in "_.#")
        m = boundary and _COMPLEXITY_RE.match(text, i)
        if m and m.group(0) and ch == "O":
            add(CPLX, i, m.end())
            i = m.end()
            continue
        if boundary and (m := _ORDER_RE.match(text, i)):
            count = m.group("n").lower()
            power = 1 if count in ("a", "an", "one") else (
                lexicon.NUMBER_WORDS.get(count) or int(count))
            add(NUM, i, m.end(), value=10.0 ** power, synthetic=True)
            add(MULT, m.end(), m.end())
            i = m.end()
            continue
        if boundary and (m := _HALF_RE.match(text, i)):
            # "half the memory", "halves", "cuts it in half": 2x less.
            add(NUM, i, m.end(), value=2.0, synthetic=True, needs_metric=True)
            add(MULT, m.end(), m.end())
            add(WORD, m.end(), m.end(), norm="fewer", synthetic=True)
            i = m.end()
            continue
        if boundary and (m := _DOUBLE_RE.match(text, i)):
            word = m.group(0).lower()
            value = next(v for k, v in _DOUBLE_VALUES.items() if word.startswith(k))
            add(NUM, i, m.end(), value=value, synthetic=True, needs_metric=True)
            add(MULT, m.end(), m.end())
            i = m.end()
            continue
        if boundary and ch.isdecimal():
            if (m := _DATE_RE.match(text, i)):
                add(DATE, i, m.end())
                i = m.end()
                continue
            if (m := _VERSION_RE.match(text, i)):
                add(VERSION, i, m.end())
                i = m.end()
                continue
        if ch in "vV" and boundary and (m := _VERSION_RE.match(text, i)) and m.end() > i + 1 \
                and text[i + 1].isdecimal():
            add(VERSION, i, m.end())
            i = m.end()
            continue
        if (m := _REF_RE.match(text, i)) and boundary:
            add(REF, i, m.end())
            i = m.end()
            continue
        if ch.isalpha() or ch == "_":
            m = _CONFIG_RE.match(text, i)
            if m and boundary:
                add(CONFIG, i, m.end())
                i = m.end()
                continue
        if (m := _ARROW_RE.match(text, i)):
            add(ARROW, i, m.end())
            i = m.end()
            continue
        if ch in "+-−" and i + 1 < n and (text[i + 1].isdecimal() or
                                          (text[i + 1] == "." and text[i + 2:i + 3].isdecimal())) \
                and (prev.isspace() or prev in "([|:=/" + _QUOTES) :
            add(SIGN, i, i + 1, norm="-" if ch in "-−" else "+")
            i += 1
            continue
        if ch == "±":
            add(HEDGE, i, i + 1, norm="±")
            i += 1
            continue
        if ch.isdecimal() or (ch == "." and text[i + 1:i + 2].isdecimal() and boundary):
            i = _number(text, i, block, out, boundary)
            continue
        if ch.isalpha() or ch == "_":
            m = _WORD_RE.match(text, i)
            word = m.group(0)
            low = word.lower()
            if low in lexicon.FOLD_WORDS:
                add(NUM, i, m.end(), value=float(lexicon.FOLD_WORDS[low]), synthetic=True)
                add(MULT, m.end(), m.end())
            elif low in lexicon.NUMBER_WORDS and boundary:
                add(NUM, i, m.end(), value=float(lexicon.NUMBER_WORDS[low]), synthetic=True)
            elif "-fold" in low and low.split("-fold")[0] in lexicon.NUMBER_WORDS:
                add(NUM, i, m.end(), value=float(lexicon.NUMBER_WORDS[low.split("-fold")[0]]),
                    synthetic=True)
                add(MULT, m.end(), m.end())
            else:
                add(WORD, i, m.end(), norm=low)
            i = m.end()
            continue
        two = text[i:i + 2]
        if two in (">=", "<="):
            add(HEDGE, i, i + 2, norm=lexicon.HEDGE_SYMBOLS[two])
            i += 2
            continue
        if ch in lexicon.HEDGE_SYMBOLS:
            add(HEDGE, i, i + 1, norm=lexicon.HEDGE_SYMBOLS[ch])
            i += 1
            continue
        if ch in _DASHES:
            add(DASH, i, i + 1, norm=ch)
        elif ch == "|":
            add(PIPE, i, i + 1)
        elif ch in _QUOTES:
            add(QUOTE, i, i + 1)
        else:
            add(PUNCT, i, i + 1, norm=ch)
        i += 1
    return out


def _number(text: str, i: int, block: Block, out: list[Tok], boundary: bool) -> int:
    def add(kind, start, end, **kw):
        out.append(Tok(kind, start, end, text[start:end], block.line_at(start), **kw))

    if not boundary:   # glued to a word: "A100", "fp16", "x86"
        m = _DIGIT_WORD_RE.match(text, i)
        add(WORD, i, m.end(), norm=m.group(0).lower())
        return m.end()
    m = _NUMBER_RE.match(text, i)
    raw = m.group(0)
    j = m.end()
    # A fraction or a ratio written with a slash ("18/18", "25/30") is a count, not a figure.
    if text[j:j + 1] == "/" and text[j + 1:j + 2].isdecimal():
        f = re.compile(r"/[\d,.]+").match(text, j)
        add(FRACTION, i, f.end())
        return f.end()
    if _DIMENSION_RE.match(text, j):          # "224x224", "3 x 3"
        d = _DIMENSIONS_RE.match(text, j)
        add(WORD, i, d.end(), norm=text[i:d.end()].lower())
        return d.end()
    value = float(raw.replace(",", ""))
    scale = re.compile(r"([kKM])(?![A-Za-z0-9])").match(text, j)
    if scale:
        value *= 1e3 if scale.group(1) in "kK" else 1e6
        j = scale.end()
    plus = text[j:j + 1] == "+" and not text[j + 1:j + 2].isdecimal()
    tok = Tok(NUM, i, j + plus, text[i:j + plus], block.line_at(i), value=value, plus=plus)
    j += plus
    if (u := _UNIT_RE.match(text, j)) and not (u.group("sp") and u.group("u") in ("B", "h")):
        out.append(tok)
        add(UNIT, u.start("u"), u.end(), unit=u.group("u"))
        return u.end()
    if (p := _PER_SECOND_RE.match(text, j)):
        out.append(tok)
        add(UNIT, p.start("w"), p.end(), unit=f"{p.group('w').lower()}/s"
            if f"{p.group('w').lower()}/s" in lexicon.UNITS else "samples/s")
        return p.end()
    if (p := _PERCENT_RE.match(text, j)):
        out.append(tok)
        add(PCT, p.start() + (1 if p.group(0)[0].isspace() else 0), p.end())
        return p.end()
    if (x := _MULT_RE.match(text, j)) or (x := _FOLD_RE.match(text, j)):
        out.append(tok)
        add(MULT, x.start() + (1 if x.group(0)[0].isspace() else 0), x.end())
        return x.end()
    if text[j:j + 1].isalpha() or text[j:j + 1] == "_":   # "1st", "3D", "55b2dd8's"
        m = _DIGIT_WORD_RE.match(text, i)
        add(WORD, i, m.end(), norm=m.group(0).lower())
        return m.end()
    out.append(tok)
    return j
