"""The grammar: quantitative performance claims in a PR description or report.

What it reads, over the tokens of lex.py, block by block (a paragraph, a
heading, a list item, a table cell):

- a quantity: [hedge] [sign] number [% | x | -fold | times | unit]
  [(- | – | to) number [...]] or "between a and b"; hedges are words ("up
  to", "at least", "roughly") or signs ("~", "≥", a trailing "+");
- a transition: "a -> b", "a → b", "a ⇒ b", "from a to b", "a down to b",
  "b instead of a", "b (was a)", "b, down from a": a measurement, read as
  after / before of a lower-is-better quantity (before / after of a rate);
- a relative figure: a percentage or multiplier with a direction word on its
  right ("30% faster", "10x fewer file I/O", "30-50% memory reduction") or on
  its left ("reduces worst-case by 80%", "speedup of 3x", "Improvement:
  17%"), or a sign ("+12% tokens/s"); number words ("ten times", "half",
  "twice as fast", "an order of magnitude");
- complexity ("O(N) -> O(1)") and code size ("50+ lines eliminated") as their
  own kinds; an absolute saving ("saves 2 GB") as an amount;
- the metric a figure names, from the nouns beside it, its unit, or its
  table row's label; with none, "faster" means time.

What it leaves out: a figure with no direction and no transition (workload
sizes, counts, hardware and version numbers), a transition of a setting
("num_workers 2 -> 8", "4 -> 2 workers") or of a version ("torch 2.0 ->
2.1"), years, fractions ("18/18 tests"), references ("#123", "§4"), and
everything inside code (spans and blocks).

Markdown is walked with markdown-it-py (already installed: rich depends on
it) rather than by regular expressions over lines: its block map gives each
paragraph's, heading's and table row's line, code blocks and HTML come out
as their own tokens to skip, table cells come split (with "\\|" kept as a
literal pipe), and inline code spans come apart from the text. pint and
quantulum3 are not used: the units a PR names are few (lexicon.UNITS), a
unit here only sets a figure's scale and its metric, and quantulum3 would
add a dependency and a trained classifier for a job a table does. No
network, no model: the same text always gives the same claims.

How a claim is stated: "expectation" when its sentence says so ("should",
"will", "expected", "estimated", "potential"), or its heading, table header
or row label does with a strong word ("Expected gains"); else "measurement"
for a before/after pair (a transition, a table's before/after columns, a
pipe row) or a figure in a column headed "measured"/"results"; else
"assertion": a figure stated with nothing behind it.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from markdown_it import MarkdownIt

from optbench.audit import lexicon
from optbench.audit.lex import (ARROW, CODE, CONFIG, CPLX, DASH, HEDGE, MULT, NUM, PCT, PIPE,
                                PUNCT, QUOTE, SIGN, UNIT, VERSION, WORD, Block, BlockBuilder,
                                Tok)
from optbench.audit.lexicon import FASTER, HIGHER, LESS, LOWER, MORE, SLOWER

MEASUREMENT, EXPECTATION, ASSERTION = "measurement", "expectation", "assertion"
RATIO, COMPLEXITY, CODE_SIZE, AMOUNT = "ratio", "complexity", "code size", "amount"
UNSPECIFIED = "unspecified"


@dataclass
class Reading:
    ratio_low: float
    ratio_high: float
    how: str


@dataclass
class Claim:
    """One quantitative claim as the text states it.

    readings: the claimed figure as ratios optimized / baseline of a
    lower-is-better quantity; more than one where the words allow more than
    one reading ("30% faster": 0.7 of the time, or 1.3x the rate). Empty for
    complexity, and for an amount or a code size with no baseline to divide
    by. measured_by: the optbench claims that measure it (audit/mapping.py
    fills it in).
    """
    line: int
    quote: str
    metric: str
    kind: str
    readings: list[Reading]
    hedge: str | None
    stated: str
    file: str | None = None
    before: str | None = None
    after: str | None = None
    amount: str | None = None
    # The section it sits in: a table's "§" column where it has one (the
    # report pages' tables), else the nearest heading; what a claim's source
    # names after the report ("training-system report §1.3").
    section: str | None = None
    measured_by: list = field(default_factory=list)
    # With results (audit --results): what each of measured_by measured.
    measured: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in ("file", "line", "section", "quote", "metric", "kind",
                                  "readings", "hedge", "stated", "before", "after", "amount",
                                  "measured_by", "measured")}


# --- internal ---------------------------------------------------------------

@dataclass
class Qty:
    start: int           # token indices [start, end)
    end: int
    low: float
    high: float
    form: str            # "plain" | "pct" | "mult"
    unit: str | None
    hedge: str | None
    sign: str | None
    needs_metric: bool = False


@dataclass
class Found:
    """A claim inside one block, before it becomes a Claim."""
    start: int           # token span
    end: int
    metric: str
    kind: str
    readings: list[Reading]
    hedge: str | None
    pair: bool = False            # a before/after figure pair
    metric_source: str = "text"   # "text", "unit", "context", "default"
    before: str | None = None
    after: str | None = None
    amount: str | None = None
    merged: bool = False
    orientation: str = LOWER


@dataclass
class Context:
    """What a block's surroundings say: its table row's label and the
    column's header (for the metric and the direction), and the text whose
    words make a figure an expectation or a measurement."""
    label: list[Tok] = field(default_factory=list)
    header: list[Tok] = field(default_factory=list)
    expectation_text: str = ""
    measured: bool = False
    row_metric: tuple[str, str] | None = None   # a table row's before/after pair's


_SENTENCE_END = {".", "!", "?", ";"}
# verbs that link a noun to its figure: "step time changes by", "calls drop from"
_LINKING = {"is", "are", "was", "were", "goes", "go", "went", "gone", "from", "by", "changes",
            "changed", "change", "now", "takes", "took", "bumped", "raised", "raises",
            "moves", "moved", "becomes", "became"}
# "down 1.3 GB (from 10.4 GB)": the figure is the change, not the new value
_DIFFERENCE_WORDS = {"down": -1, "up": 1, "less": -1, "fewer": -1, "more": 1, "saves": -1,
                     "saved": -1, "cuts": -1, "by": -1}
_CLAUSE_WORDS = {"although", "but", "while", "whereas", "and", "or", "because", "though",
                 "yet", "so"}
_ABBREVIATIONS = {"e.g", "i.e", "vs", "approx", "ca", "etc", "cf", "fig", "no", "est"}


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1000 or abs(x) < 0.001:
        return f"{x:.3g}"
    return f"{x:.4g}"


class Grammar:
    def __init__(self, block: Block, context: Context | None = None):
        self.b = block
        self.T = block.tokens
        self.ctx = context or Context()
        self.used = [False] * len(self.T)
        self.metric_used = [False] * len(self.T)
        self.sentence = self._sentences()
        self.pairs: list[Found] = []

    # --- helpers ----------------------------------------------------------
    def _sentences(self) -> list[int]:
        ids, current = [], 0
        for i, t in enumerate(self.T):
            ids.append(current)
            if t.kind == PUNCT and t.norm in _SENTENCE_END:
                prev = self.T[i - 1] if i else None
                after = self.b.text[t.end:t.end + 1]
                if t.norm == "." and (after not in ("", " ", "\n", "\"", "”", ")")
                                      or (prev is not None and prev.kind == WORD and (
                                          prev.norm in _ABBREVIATIONS or len(prev.norm) == 1))):
                    continue
                current += 1
        return ids

    def word(self, i: int) -> str:
        if 0 <= i < len(self.T) and self.T[i].kind == WORD:
            return self.T[i].norm
        return ""

    def words_at(self, i: int, phrases):
        """The longest phrase of words starting at token i: (value, length)."""
        for words, value in phrases:
            if all(self.word(i + k) == w for k, w in enumerate(words)):
                return value, len(words)
        return None

    def direction_at(self, i: int):
        hit = self.words_at(i, lexicon.DIRECTION_PHRASES)
        if hit and self.word(i) == "up" and self.word(i + 1) == "to":
            return None          # "up to": a hedge
        if hit and self.word(i) in ("more", "less", "fewer") and self.word(i + 1) == "than" \
                and self._is_num(i + 2):
            return None          # "more than 5": a hedge
        if hit and self.word(i) == "down" and self.word(i + 1) in ("to", "from"):
            return None          # a transition's word
        return hit

    def direction_ending_at(self, j: int):
        for words, value in lexicon.DIRECTION_PHRASES:
            start = j - len(words) + 1
            if start >= 0 and all(self.word(start + k) == w for k, w in enumerate(words)):
                if self.direction_at(start):
                    return value, start
        return None

    def metric_at(self, i: int):
        """(metric, orientation, end) of the metric phrase starting at token i."""
        if not (0 <= i < len(self.T)) or self.T[i].kind != WORD:
            return None
        words, k = [], i
        while k < len(self.T) and self.T[k].kind == WORD and len(words) < 5:
            words.append(self.T[k].norm)
            k += 1
        joined = " ".join(words)
        for metric, orientation, regex in lexicon.METRIC_RES:
            m = regex.match(joined)
            if m:
                n = m.group(0).count(" ") + 1
                return metric, orientation, i + n
        return None

    def config_at(self, i: int):
        if not (0 <= i < len(self.T)):
            return None
        t = self.T[i]
        if t.kind == CONFIG:
            return i + 1
        if t.kind != WORD:
            return None
        words, k = [], i
        while k < len(self.T) and self.T[k].kind == WORD and len(words) < 3:
            words.append(self.T[k].norm)
            k += 1
        m = lexicon.CONFIG_PATTERNS.match(" ".join(words))
        return i + m.group(0).count(" ") + 1 if m else None

    def _is_num(self, i: int) -> bool:
        return 0 <= i < len(self.T) and self.T[i].kind in (NUM, SIGN)

    def boundary(self, i: int) -> bool:
        t = self.T[i]
        return t.kind == PUNCT and t.norm in _SENTENCE_END and self.sentence[i] != (
            self.sentence[i + 1] if i + 1 < len(self.T) else -1)

    def same_sentence(self, i: int, j: int) -> bool:
        return self.sentence[i] == self.sentence[j]

    # --- quantities -------------------------------------------------------
    def qty(self, i: int, allow_to: bool = True) -> Qty | None:
        T, n = self.T, len(self.T)
        j, hedge = i, None
        if j < n and T[j].kind == HEDGE:
            if T[j].norm == "±":
                return None
            hedge = T[j].norm
            j += 1
        elif (h := self.words_at(j, lexicon.HEDGE_PHRASES)) and (
                self._is_num(j + h[1]) or (self.word(j + h[1]) in ("a", "an")
                                           and self._is_num(j + h[1] + 1))):
            hedge, j = h[0], j + h[1]
            if self.word(j) in ("a", "an"):      # "something like a 1.3x speedup"
                j += 1
            if j < n and T[j].kind == HEDGE and T[j].norm != "±":
                j += 1
        if self.word(j) == "between" and j + 3 < n and T[j + 1].kind == NUM \
                and self.word(j + 2) == "and" and T[j + 3].kind == NUM:
            a = self._number_with_suffix(j + 1)
            b = self._number_with_suffix(j + 3)
            form = b[1] if b[1] != "plain" else a[1]
            unit = b[2] or a[2]
            lo, hi = sorted((a[0], b[0]))
            return Qty(i, b[3], lo, hi, form, unit, hedge, None)
        sign = None
        if j < n and T[j].kind == SIGN:
            sign = T[j].norm
            j += 1
        if j >= n or T[j].kind != NUM:
            return None
        first = T[j]
        v1, form1, unit1, j = self._number_with_suffix(j)
        low = high = v1
        form, unit = form1, unit1
        # a range: "30-50%", "2–4x", "2 to 4x"
        if j + 1 < n and T[j + 1].kind == NUM and not first.plus:
            sep = T[j]
            is_range = (sep.kind == DASH and (sep.norm != "-" or (
                sep.start == T[j - 1].end and T[j + 1].start == sep.end))) or (
                allow_to and sep.kind == WORD and sep.norm == "to")
            if is_range:
                v2, form2, unit2, k = self._number_with_suffix(j + 1)
                compatible = (form1 == "plain" or form2 == "plain" or form1 == form2) and (
                    not unit1 or not unit2 or _unit_family(unit1) == _unit_family(unit2))
                if compatible and v1 * _scale(unit1, unit2) <= v2 and not (
                        sep.kind == WORD and form1 == form2 == "plain" and not unit2):
                    high = v2
                    form = form2 if form2 != "plain" else form1
                    unit = unit2 or unit1
                    if unit1 and unit2 and unit1 != unit2:
                        low = v1 * _scale(unit1, unit2)
                    j = k
        if hedge is None and (first.plus or T[j - 1].plus):
            hedge = "at least"
        if sign == "-" and form == "plain":
            return None
        return Qty(i, j, low, high, form, unit, hedge, sign, needs_metric=first.needs_metric)

    def _number_with_suffix(self, j: int):
        T, n = self.T, len(self.T)
        value = T[j].value
        j += 1
        if j < n and T[j].kind == PCT:
            return value, "pct", None, j + 1
        if j < n and T[j].kind == MULT:
            return value, "mult", None, j + 1
        if j < n and T[j].kind == WORD and T[j].norm == "times" and (
                self.direction_at(j + 1) or self.word(j + 1) in ("as", "the")):
            return value, "mult", None, j + 1
        if j < n and T[j].kind == UNIT:
            return value, "plain", T[j].unit, j + 1
        return value, "plain", None, j

    # --- the finders ------------------------------------------------------
    def find(self) -> list[Found]:
        found: list[Found] = []
        found += self.complexity()
        found += self.pseudo_row()
        found += self.transitions()
        found += self.amounts()
        found += self.relatives()
        found.sort(key=lambda f: f.start)
        return self.merge(found)

    def mark(self, start: int, end: int) -> None:
        for k in range(start, end):
            self.used[k] = True

    def free(self, start: int, end: int) -> bool:
        return not any(self.used[start:end])

    # complexity: "O(N) -> O(1)", "from O(N) to O(1)", "O(1) instead of O(N)"
    def complexity(self) -> list[Found]:
        out, T = [], self.T
        for i, t in enumerate(T):
            if t.kind != CPLX or self.used[i]:
                continue
            start = i - 1 if self.word(i - 1) == "from" else i
            k = i + 1
            while k < len(T) and T[k].kind == WORD and k - i <= 2 and not (
                    T[k].norm in ("to", "instead")):
                k += 1
            reverse = False
            if k < len(T) and T[k].kind == ARROW:
                k += 1
            elif self.word(k) == "to":
                k += 1
            elif self.word(k) == "instead" and self.word(k + 1) == "of":
                k += 2
                reverse = True
            else:
                continue
            if k >= len(T) or T[k].kind != CPLX:
                continue
            first, second = t.text.strip("`"), T[k].text.strip("`")
            before, after = (second, first) if reverse else (first, second)
            end = k + 1
            m = self.metric_at(end)
            if m and m[0] != "complexity":
                end = m[2]
            self.mark(start, end)
            out.append(Found(start, end, "complexity", COMPLEXITY, [], None,
                             before=before, after=after))
        return out

    def skip_between(self, k: int) -> tuple[int, list]:
        """Past quotes, a metric or setting noun and a workload phrase ("for
        50 epochs", "per video") between a figure and its transition word."""
        T, nouns, start = self.T, [], k
        for _ in range(6):
            if k >= len(T):
                break
            if T[k].kind == QUOTE:
                k += 1
                continue
            if (c := self.config_at(k)) and not self.metric_at(k):
                nouns.append(("config", k))
                k = c
                continue
            if (m := self.metric_at(k)):
                nouns.append((m, k))
                k = m[2]
                continue
            if self.word(k) in lexicon.SKIPPABLE_BETWEEN:
                k2 = k + 1
                if k2 < len(T) and T[k2].kind == NUM:
                    k2 += 1
                words = 0
                while k2 < len(T) and T[k2].kind == WORD and words < 2 and not (
                        self.direction_at(k2) or T[k2].norm in ("to", "down", "instead")):
                    k2 += 1
                    words += 1
                if words:
                    k = k2
                    continue
            break
        return (k, nouns) if k > start else (start, [])

    def connector(self, k: int):
        """A transition word at k: (length, reversed?)."""
        T = self.T
        if k < len(T) and T[k].kind == ARROW:
            return 1
        if self.word(k) == "down" and self.word(k + 1) == "to":
            return 2
        return None

    def transitions(self) -> list[Found]:
        out, T = [], self.T
        for i in range(len(T)):
            if self.used[i]:
                continue
            hit = None
            if self.word(i) == "from":
                q1 = self.qty(i + 1, allow_to=False)
                if q1:
                    k, nouns = self.skip_between(q1.end)
                    length = 1 if self.word(k) == "to" else self.connector(k)
                    if length:
                        k2, _ = self.skip_between(k + length)
                        q2 = self.qty(k2, allow_to=True)
                        if q2:
                            hit = (i, q1, q2, q2.end, nouns)
            elif T[i].kind in (NUM, SIGN, HEDGE) or self.words_at(i, lexicon.HEDGE_PHRASES):
                q1 = self.qty(i, allow_to=False)
                if q1:
                    k, nouns = self.skip_between(q1.end)
                    length = self.connector(k)
                    if length:
                        k2, _ = self.skip_between(k + length)
                        q2 = self.qty(k2, allow_to=False)
                        if q2:
                            hit = (i, q1, q2, q2.end, nouns)
                    else:
                        # "1.5 s instead of 2.1 s", "1.5 s (was 2.1 s)", "1.5 s, down from 2.1 s",
                        # "3 decodes per video instead of 8"
                        k, nouns = self.skip_between(q1.end)
                        while k < len(T) and (T[k].kind == QUOTE or (
                                T[k].kind == PUNCT and T[k].norm in ",(")):
                            k += 1
                        back = None
                        if self.word(k) == "instead" and self.word(k + 1) == "of":
                            back = k + 2
                        elif self.word(k) in ("was", "previously", "formerly") or (
                                self.word(k) == "from" and T[k - 1].kind == PUNCT
                                and T[k - 1].norm == "("):
                            back = k + 1
                        elif self.word(k) in ("down", "up") and self.word(k + 1) == "from":
                            back = k + 2
                        if back is not None:
                            q0 = self.qty(back, allow_to=False)
                            if q0 and (q0.unit is None) == (q1.unit is None):
                                end = q0.end
                                if end < len(T) and T[end].kind == PUNCT and T[end].norm == ")":
                                    end += 1
                                diff = self.word(q1.start - 1)
                                if diff in _DIFFERENCE_WORDS:
                                    q1 = _difference(q0, q1, _DIFFERENCE_WORDS[diff])
                                    start = q1.start - 1
                                else:
                                    start = i
                                if q1 is not None:
                                    hit = (start, q0, q1, end, nouns)
            if not hit:
                continue
            start, before, after, end, nouns = hit
            if not self.free(start, end):
                continue
            f = self.transition_claim(start, before, after, end, nouns)
            if f:
                self.mark(f.start, f.end)
                self.pairs.append(f)
                out.append(f)
        return out

    def _left_noun(self, i: int, reach: int = 4):
        """The nearest metric or setting noun ending left of token i, in
        the same sentence: ("metric", (metric, orientation, start)) or
        ("config", start) or None. Crosses commas, brackets, colons, pipes;
        a longer phrase wins over a shorter one that ends at the same token."""
        best = None          # (kind, payload, end)
        j = i - 1
        while j >= max(0, i - 1 - 3 * reach):
            t = self.T[j]
            if self.boundary(j) or t.kind in (NUM, ARROW, CPLX):
                break
            if t.kind == CONFIG:
                if best is None:
                    best = ("config", j, j + 1)
                break
            if t.kind == WORD and not self.metric_used[j]:
                m = self.metric_at(j)
                if m and m[2] <= i:
                    if best is None or m[2] >= best[2]:
                        best = ("metric", (m[0], m[1], j), m[2])
                elif not m:
                    c = self.config_at(j)
                    if c and c <= i and (best is None or c > best[2]):
                        best = ("config", j, c)
            if best is not None and j < best[2] - 5:
                break
            j -= 1
        if best is None:
            return None
        gap = [self.T[k] for k in range(best[2], i)
               if self.T[k].kind == WORD and self.T[k].norm not in lexicon.FILLERS
               and self.T[k].norm not in _LINKING and not self.direction_at(k)]
        if len(gap) > reach:
            return None
        if best[0] == "config" and gap:
            return None      # a setting two words away names something else
        return best[0], best[1]

    def transition_claim(self, start, before: Qty, after: Qty, end, nouns) -> Found | None:
        T = self.T
        if before.form != after.form:
            if not (before.form == "mult" and after.form == "plain"):
                return None
        u1, u2 = before.unit, after.unit
        if u1 and u2 and _unit_family(u1) != _unit_family(u2):
            return None
        unit = u2 or u1
        b_lo, b_hi = before.low, before.high
        if u1 and u2 and u1 != u2:
            s = _scale(u1, u2)
            b_lo, b_hi = b_lo * s, b_hi * s
        if b_lo <= 0 or after.low < 0:
            return None
        plain = before.form == "plain" and not unit
        if plain and all(float(v).is_integer() and 1900 <= v <= 2100
                         for v in (b_lo, b_hi, after.low, after.high)):
            return None      # years
        # versions and hardware: "torch 2.0 -> 2.1", "RTX 3090 -> 4090"
        if plain and start and (T[start - 1].kind == VERSION or (T[start - 1].kind == WORD and (
                T[start - 1].norm in lexicon.VERSION_WORDS
                or T[start - 1].norm in lexicon.HARDWARE_WORDS))):
            return None
        if any(kind == "config" for kind, _ in nouns):
            return None
        metric, orientation, source = None, LOWER, "text"
        between = [m for m, _ in nouns if m != "config"]
        right = self.metric_at(end) if end < len(T) else None
        right_config = self.config_at(end) if end < len(T) else None
        if right_config and not right:
            return None      # "4 -> 2 workers"
        left = self._left_noun(start)
        if left and left[0] == "config" and not (unit and any(
                T[k].kind == WORD for k in range(self.config_at(left[1]) or left[1], start))):
            return None      # "num_workers 2 -> 8", "epochs: 44 -> 21", "timeout 30 s -> 60 s"
        if left and left[0] == "config":
            left = None      # "epoch takes 41 s instead of 58 s": a time, not a setting
        if between:
            metric, orientation = between[0][0], between[0][1]
        elif right:
            metric, orientation = right[0], right[1]
            for k in range(end, right[2]):
                self.metric_used[k] = True
            end = right[2]
        elif left:
            metric, orientation = left[1][0], left[1][1]
            bracket = any(T[k].kind == PUNCT and T[k].norm == "(" for k in range(left[1][2], start))
            closes = end < len(T) and T[end].kind == PUNCT and T[end].norm == ")"
            if start - left[1][2] <= 4 and (not bracket or closes):
                start = left[1][2]      # "writes go 44 -> 21", "peak (64.81 -> 64.80 MB)"
            for k in range(left[1][2], self.metric_at(left[1][2])[2]):
                self.metric_used[k] = True
        if metric is None and (m := self._context_metric()):
            metric, orientation, source = m[0], m[1], "context"
        if unit:
            family = _unit_family(unit)
            unit_metric = "throughput" if family.startswith("throughput") else \
                lexicon.UNIT_FAMILY_METRIC.get(family)
            unit_orientation = HIGHER if unit_metric == "throughput" else LOWER
            if metric is None or not _compatible_unit_metric(unit_metric, metric):
                metric, orientation, source = unit_metric, unit_orientation, "unit"
        elif source == "context":
            return None      # a bare pair of numbers needs its noun beside it
        if metric is None or metric == "complexity":
            return None      # a change of some number: no perf figure named
        if before.form == "pct" and not metric:
            return None
        # trailing "per video", "for 50 epochs"
        k = end
        if self.word(k) in ("per", "for") and k + 1 < len(T):
            k2 = k + 1 + (T[k + 1].kind == NUM)
            if k2 < len(T) and T[k2].kind == WORD:
                end = k2 + 1
        if end < len(T) and T[end].kind == PUNCT and T[end].norm == ")" and any(
                T[x].norm == "(" for x in range(start, end)):
            end += 1
        readings = [_pair_reading(metric, orientation, (b_lo, b_hi), (after.low, after.high),
                                  self._span_text(before.start, before.end),
                                  self._span_text(after.start, after.end))]
        kind = CODE_SIZE if metric == "lines of code" else RATIO
        return Found(start, end, metric, kind, readings, before.hedge or after.hedge, pair=True,
                     metric_source=source, orientation=orientation)

    def _span_text(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        return " ".join(self.b.text[self.T[start].start:self.T[end - 1].end].split())

    # pseudo-rows: "Validation loop (1000 samples) | 2.1s | 1.5s | 30% faster"
    def pseudo_row(self) -> list[Found]:
        """Rows written with pipes, one per source line, outside a table (or
        quoted in a cell): the first two adjacent cells that are one figure
        each are its before and after."""
        T = self.T
        out = []
        for line in sorted({t.line for t in T}):
            idx = [k for k, t in enumerate(T) if t.line == line]
            lo, hi = idx[0], idx[-1] + 1
            found = self._pseudo_row(lo, hi)
            if found:
                out.append(found)
        return out

    def _pseudo_row(self, lo: int, hi: int) -> Found | None:
        T = self.T
        pipes = [i for i in range(lo, hi) if T[i].kind == PIPE]
        if len(pipes) < 2:
            return None
        bounds = [lo - 1] + pipes + [hi]
        segments = [(bounds[k] + 1, bounds[k + 1]) for k in range(len(bounds) - 1)]
        for k in range(len(segments) - 1):
            (s1, e1), (s2, e2) = segments[k], segments[k + 1]
            a = self.single(s1, e1)
            b = self.single(s2, e2)
            if not (a and b) or not self.free(s1, e2):
                continue
            label_start = segments[0][0] if k > 0 else s1
            label = [t for t in T[label_start:s1] if t.kind in (WORD, PUNCT)]
            f = pair_claim(self, a, b, label, [])
            if f is None:
                continue
            f.start, f.end = label_start, segments[-1][1]
            while f.start < f.end and T[f.start].kind in (QUOTE, PIPE):
                f.start += 1
            last = f.end
            while last > f.start and T[last - 1].kind in (QUOTE, PIPE, PUNCT):
                last -= 1
            f.end = max(last, e2)
            self.mark(s1, e2)
            self.pairs.append(f)
            return f
        return None

    def single(self, s: int, e: int):
        """A segment that is one quantity, maybe with its noun: (Qty, noun)."""
        T = self.T
        while s < e and T[s].kind in (QUOTE, PUNCT):
            s += 1
        while e > s and T[e - 1].kind in (QUOTE, PUNCT):
            e -= 1
        if s >= e:
            return None
        q = self.qty(s, allow_to=True)
        if not q or q.form == "pct":
            return None
        rest = q.end
        noun = None
        if rest < e:
            m = self.metric_at(rest)
            c = self.config_at(rest)
            if m:
                noun = m
                rest = m[2]
            elif c:
                return None
            if self.word(rest) == "per" and rest + 1 < e:
                rest += 2
        if rest != e:
            return None
        return q, noun

    def amounts(self) -> list[Found]:
        """Code size ("50+ lines of code eliminated"), and savings with no
        baseline ("saves 2 GB", "400 ms faster", "3 fewer decodes")."""
        out, T = [], self.T
        for i in range(len(T)):
            if self.used[i] or T[i].kind not in (NUM, HEDGE, WORD):
                continue
            q = self.qty(i)
            if not q or q.form != "plain" or not self.free(q.start, q.end) or q.needs_metric:
                continue
            unit_metric = None
            if q.unit:
                fam = _unit_family(q.unit)
                unit_metric = lexicon.UNIT_FAMILY_METRIC.get(fam)
            noun = self.metric_at(q.end)
            direction, dstart, dend = None, None, None
            end = q.end
            if noun and noun[0] in lexicon.COUNTED:
                end = noun[2]
                # "341 lines of dead code deleted", "50+ lines of code eliminated"
                for k in range(end, min(len(T), end + 5)):
                    if self.boundary(k) or T[k].kind in (NUM, PUNCT):
                        break
                    d = self.direction_at(k)
                    if d and d[0] == LESS:
                        direction, dstart, dend = d[0], k, k + d[1]
                        break
            elif unit_metric and (d := self.direction_at(q.end)):
                direction, dstart, dend = d[0], q.end, q.end + d[1]      # "400 ms faster"
            elif (d := self.direction_at(q.end)) and d[0] == LESS and \
                    (m := self.metric_at(q.end + d[1])) and m[0] in lexicon.COUNTED:
                direction, dstart, dend = d[0], q.end, q.end + d[1]      # "3 fewer decodes"
                noun = m
                end = m[2]
            if direction is None:
                # "saves 2 GB", "removes 50+ lines", "reduces memory by 3 GB"
                left = self._left_direction(q.start)
                if left and left[0] == LESS and (unit_metric or (noun and noun[0] in
                                                                 lexicon.COUNTED)):
                    direction, dstart, dend = left[0], left[1], left[1] + 1
                    if noun and noun[0] in lexicon.COUNTED:
                        end = noun[2]
            if direction is None:
                continue
            metric = noun[0] if noun else None
            if metric is None and dend is not None:
                after = self.metric_at(dend)
                if after:
                    metric = after[0]
                    dend = after[2]
            if metric is None:
                left_metric = self._left_noun(min(q.start, dstart))
                if left_metric and left_metric[0] == "metric":
                    metric = left_metric[1][0]
            metric = metric or unit_metric or UNSPECIFIED
            if metric == UNSPECIFIED:
                continue
            span_start, span_end = min(q.start, dstart), max(end, dend)
            readings, kind = [], (CODE_SIZE if metric == "lines of code" else AMOUNT)
            # "saves 112 opens of 1,746": a ratio after all
            k = span_end
            if self.word(k) == "of" and k + 1 < len(T) and T[k + 1].kind == NUM \
                    and T[k + 1].value and T[k + 1].value > q.high:
                total = T[k + 1].value
                readings = [Reading((total - q.high) / total, (total - q.low) / total,
                                    f"{metric} {_fmt(total)} -> {_fmt(total - q.high)}: "
                                    f"{_fmt(q.high)} of {_fmt(total)} saved")]
                kind = CODE_SIZE if metric == "lines of code" else RATIO
                span_end = k + 2
            self.mark(span_start, span_end)
            out.append(Found(span_start, span_end, metric, kind, readings, q.hedge,
                             amount=self._span_text(q.start, end)))
        return out

    def _left_direction(self, start: int):
        """A direction word left of a figure: right beside it ("saves
        40%"), or ending in a connector ("reduces worst-case by 80%",
        "speedup of 3x", "Improvement: 17%"). (type, index)."""
        T = self.T
        k = start - 1
        while k >= 0 and T[k].kind == QUOTE:
            k -= 1
        if k < 0:
            return None
        adjacent = self.direction_ending_at(k)
        if adjacent:
            return adjacent[0], adjacent[1]
        tk = T[k]
        if not ((tk.kind == WORD and tk.norm in lexicon.LEFT_CONNECTORS)
                or (tk.kind == PUNCT and tk.norm == ":") or tk.kind == PIPE):
            return None
        for j in range(k - 1, max(-1, k - 8), -1):
            if self.boundary(j) or T[j].kind in (NUM, ARROW, PIPE) or self.used[j] or (
                    T[j].kind == PUNCT and T[j].norm in ",()") or self.word(j) in _CLAUSE_WORDS:
                return None
            d = self.direction_ending_at(j)
            if d:
                return d[0], d[1]
        return None

    def relatives(self) -> list[Found]:
        out, T = [], self.T
        for i in range(len(T)):
            if self.used[i]:
                continue
            q = self.qty(i)
            if not q or q.form == "plain" or not self.free(q.start, q.end):
                continue
            f = self.relative_claim(q)
            if f:
                self.mark(f.start, f.end)
                out.append(f)
        return out

    def metric_right(self, k: int, steps: int = 3, adjective: bool = True):
        """A metric phrase starting at k, past fillers and one adjective
        ("in the image I/O", "less activation memory"): (metric, orientation,
        start, end), or ("config", k) where a setting comes first."""
        T, skipped = self.T, 0
        while k < len(T) and steps >= 0:
            m = self.metric_at(k)
            if m:
                return m[0], m[1], k, m[2]
            if self.config_at(k):
                return ("config", k)
            if T[k].kind != WORD or self.direction_at(k):
                return None
            if T[k].norm in lexicon.FILLERS:
                k += 1
                steps -= 1
                continue
            if adjective and skipped == 0 and self.metric_at(k + 1) \
                    and T[k].norm not in _CLAUSE_WORDS \
                    and T[k].norm not in _LINKING and T[k].norm.isalpha():
                skipped = 1
                k += 1
                continue
            return None
        return None

    def relative_claim(self, q: Qty) -> Found | None:
        T = self.T
        direction, dstart, dend, between = None, None, None, None
        k, steps = q.end, 0
        while k < len(T) and steps < 4 and not self.used[k]:
            d = self.direction_at(k)
            if d:
                direction, dstart, dend = d[0], k, k + d[1]
                break
            m = self.metric_at(k)
            if m and between is None and steps < 3:
                between = (m, k)
                k = m[2]
                steps += 1
                continue
            if T[k].kind == WORD and T[k].norm in ("overall", "total", "end-to-end", "the",
                                                   "average", "median", "mean"):
                k += 1
                steps += 1
                continue
            if T[k].kind == QUOTE:
                k += 1
                continue
            break
        if direction is None:
            between = None
            left = self._left_direction(q.start)
            if left:
                direction, dstart = left
                dend = dstart + 1
        metric = orientation = None
        source = "text"
        mstart = mend = None
        if between:
            (metric, orientation, mend), mstart = between[0], between[1]
        if direction is None:
            # "2x the throughput", "+12% tokens/s", "−25% latency", "doubles throughput",
            # "212 -> 148 ms (-30%)"
            right = self.metric_right(q.end, steps=1, adjective=False)
            pair = self._pair_before(q.start)
            if right and right[0] != "config" and (q.form == "mult" or q.sign):
                direction = LESS if q.sign == "-" else MORE
                metric, orientation, mstart, mend = right
            elif q.sign and (left := self._left_noun(q.start, reach=3)) and left[0] == "metric":
                direction = LESS if q.sign == "-" else MORE
                metric, orientation = left[1][0], left[1][1]
                mstart = left[1][2]
                mend = self.metric_at(mstart)[2]
            elif q.sign and pair is not None:
                direction = LESS if q.sign == "-" else MORE
                metric, orientation, source = pair.metric, pair.orientation, "pair"
            elif self._alone() and (d := self._context_direction()):
                direction = d
            elif q.sign and self._alone() and self.ctx.row_metric:
                direction = LESS if q.sign == "-" else MORE
                (metric, orientation), source = self.ctx.row_metric, "pair"
            elif q.sign and self._alone() and self._context_metric():
                direction = LESS if q.sign == "-" else MORE
            else:
                return None
        if metric is None:
            # "10x fewer file I/O", "reduction in image I/O"; with the direction on the
            # left, the figure's own right: "saves 40% of the preprocessing time"
            at = dend if dstart is not None and dstart >= q.end else q.end
            right = self.metric_right(at)
            if right and right[0] == "config":
                if direction in (LESS, MORE):
                    return None            # "10x larger batch size"
            elif right:
                metric, orientation, mstart, mend = right
        if metric is None:
            left = self._left_noun(q.start)
            if left and left[0] == "config":
                if direction in (LESS, MORE):
                    return None            # "learning rate 10x lower"
            elif left:
                metric, orientation = left[1][0], left[1][1]
                first = q.start if dstart is None else min(q.start, dstart)
                lend = self.metric_at(left[1][2])[2]
                gap = [k for k in range(lend, first) if T[k].kind == WORD
                       and T[k].norm not in lexicon.FILLERS and T[k].norm not in _LINKING
                       and not self.direction_at(k)]
                if len(gap) <= 1:
                    mstart, mend = left[1][2], lend
        if metric is None and direction in (LESS, MORE) and (m := self._context_metric()):
            metric, orientation = m
            source = "context"
        if metric is None:
            if direction in (FASTER, SLOWER):
                metric, orientation, source = "time", LOWER, "default"
            else:
                metric, orientation, source = UNSPECIFIED, LOWER, "default"
        if metric == UNSPECIFIED and (direction == MORE or q.needs_metric):
            return None
        if metric == "complexity":
            return None
        if mstart is not None:
            for x in range(mstart, mend):
                self.metric_used[x] = True
        readings = _relative_readings(direction, q, metric, orientation)
        if not readings:
            return None
        start = min(x for x in (q.start, dstart, mstart) if x is not None)
        end = max(x for x in (q.end, dend, mend) if x is not None)
        # a closing bracket that belongs to the quote's opening one
        if end < len(T) and T[end].kind == PUNCT and T[end].norm == ")" and any(
                T[x].kind == PUNCT and T[x].norm == "(" for x in range(start, end)):
            end += 1
        kind = CODE_SIZE if metric == "lines of code" else RATIO
        return Found(start, end, metric, kind, readings, q.hedge, metric_source=source,
                     orientation=orientation)

    def _pair_before(self, start: int):
        """The transition right before a bracket that holds this figure."""
        k = start - 1
        if k < 1 or not (self.T[k].kind == PUNCT and self.T[k].norm == "("):
            return None
        return next((f for f in self.pairs if f.end in (k, k + 1) or f.end == k - 0), None)

    def _alone(self) -> bool:
        """A table cell that holds little but the figure (its header or row
        label then says what the figure is)."""
        if not (self.ctx.header or self.ctx.label):
            return False
        words = [t for t in self.T if t.kind == WORD]
        return len(words) <= 2

    def _context_direction(self):
        for toks in (self.ctx.header, self.ctx.label):
            g = Grammar(_tokens_block(toks))
            for k in range(len(g.T)):
                d = g.direction_at(k)
                if d:
                    return d[0]
        return None

    def _context_metric(self):
        for toks in (self.ctx.label, self.ctx.header):
            g = Grammar(_tokens_block(toks))
            for k in range(len(g.T)):
                if g.config_at(k) and not g.metric_at(k):
                    return None
                m = g.metric_at(k)
                if m:
                    return m[0], m[1]
        return None

    # merge a relative figure into the transition it restates:
    # "2.1 s -> 1.5 s (30% faster)", "60-70% fewer decodes (from 7-9x to 3x)"
    def merge(self, found: list[Found]) -> list[Found]:
        pairs = [f for f in found if f.pair]
        for r in found:
            if r.pair or r.kind not in (RATIO, CODE_SIZE) or not r.readings:
                continue
            for p in pairs:
                if not _metrics_merge(p, r):
                    continue
                if self._adjacent(p, r) or self._adjacent(r, p) or self._in_row(p, r):
                    # readings in the order the text gives them
                    p.readings = (r.readings + p.readings) if r.start < p.start \
                        else (p.readings + r.readings)
                    p.hedge = p.hedge or r.hedge
                    p.start, p.end = min(p.start, r.start), max(p.end, r.end)
                    inside = self.T[p.start:p.end]
                    opened = sum(t.kind == PUNCT and t.norm == "(" for t in inside) - sum(
                        t.kind == PUNCT and t.norm == ")" for t in inside)
                    if opened > 0 and p.end < len(self.T) and self.T[p.end].norm == ")":
                        p.end += 1      # "... decodes (from 7-9x to 3x per video)"
                    r.merged = True
                    break
        return [f for f in found if not f.merged]

    def _adjacent(self, first: Found, second: Found) -> bool:
        if not self.same_sentence(first.end - 1, second.start) and not \
                self.same_sentence(first.start, second.end - 1):
            return False
        if second.start < first.end:
            return first.start <= second.start     # overlapping: one figure, read twice
        gap = self.T[first.end:second.start]
        words = [t for t in gap if t.kind == WORD]
        return len(gap) <= 6 and len(words) <= 2 and not any(
            t.kind in (NUM, ARROW, CPLX, PIPE) or t.norm in _CLAUSE_WORDS for t in gap)

    def _in_row(self, p: Found, r: Found) -> bool:
        return any(t.kind == PIPE for t in self.T[p.start:p.end]) and r.start >= p.start \
            and r.end <= p.end + 1


def _difference(before: Qty, change: Qty, sign: int) -> Qty | None:
    """The value after a change stated as a difference from `before`."""
    scale = _scale(change.unit, before.unit) if change.unit and before.unit else 1.0
    lo = before.low + sign * change.high * scale
    hi = before.high + sign * change.low * scale
    if lo <= 0 or hi <= 0 or before.form != change.form:
        return None
    return Qty(change.start, change.end, min(lo, hi), max(lo, hi), change.form,
               before.unit or change.unit, change.hedge, None)


def _tokens_block(toks: list[Tok]) -> Block:
    block = Block("", [], [], list(toks))
    return block


def _metrics_merge(p: Found, r: Found) -> bool:
    """May r restate p's figure? The same metric, or r names none of its own
    ("(80% reduction)" beside "50 writes -> 10 writes"); "faster" only restates
    a time, latency or rate."""
    if r.metric == p.metric or r.metric == UNSPECIFIED:
        return True
    if r.metric_source == "default":
        return p.metric in lexicon.SPEED_GROUP
    if r.metric_source in ("context", "pair"):
        return True
    return r.metric in lexicon.SPEED_GROUP and p.metric in lexicon.SPEED_GROUP


def pair_claim(g: Grammar, before, after, label: list[Tok], header: list[Tok],
               header_unit: str | None = None) -> Found | None:
    """A before/after pair of single figures (a table row, a pseudo-row)."""
    (qb, nb), (qa, na) = before, after
    if qb.form != qa.form and not {qb.form, qa.form} <= {"plain", "mult"}:
        return None
    u1, u2 = qb.unit or header_unit, qa.unit or header_unit
    if u1 and u2 and _unit_family(u1) != _unit_family(u2):
        return None
    unit = u2 or u1
    b_lo, b_hi = qb.low, qb.high
    if u1 and u2 and u1 != u2:
        s = _scale(u1, u2)
        b_lo, b_hi = b_lo * s, b_hi * s
    if b_lo <= 0:
        return None
    lg = Grammar(_tokens_block(label))
    for k in range(len(lg.T)):
        t = lg.T[k]
        if t.kind == VERSION or (t.kind == WORD and t.norm in lexicon.VERSION_WORDS):
            return None
    metric = orientation = None
    for noun in (na, nb):
        if noun:
            metric, orientation = noun[0], noun[1]
            break
    if metric is None:
        # the label's head, not its workload in brackets ("Validation loop (1000 samples)")
        head = []
        for t in label:
            if t.kind == PUNCT and t.norm in "([":
                break
            head.append(t)
        for toks in (head, header):
            tg = Grammar(_tokens_block(toks))
            for k in range(len(tg.T)):
                if tg.config_at(k) and not tg.metric_at(k):
                    return None
                m = tg.metric_at(k)
                if m:
                    metric, orientation = m[0], m[1]
                    break
            if metric:
                break
    if unit:
        fam = _unit_family(unit)
        unit_metric = "throughput" if fam.startswith("throughput") else \
            lexicon.UNIT_FAMILY_METRIC.get(fam)
        if metric is None or not _compatible_unit_metric(unit_metric, metric):
            metric = unit_metric
            orientation = HIGHER if unit_metric == "throughput" else LOWER
    if metric is None or metric == "complexity":
        return None
    reading = _pair_reading(metric, orientation, (b_lo, b_hi), (qa.low, qa.high),
                            g._span_text(qb.start, qb.end), g._span_text(qa.start, qa.end))
    kind = CODE_SIZE if metric == "lines of code" else RATIO
    return Found(qb.start, qa.end, metric, kind, [reading], qb.hedge or qa.hedge, pair=True,
                 metric_source="text", orientation=orientation or LOWER)


def _unit_family(unit: str) -> str:
    return lexicon.UNITS[unit][0] if unit in lexicon.UNITS else unit


def _scale(u_from: str | None, u_to: str | None) -> float:
    """Factor turning a value in u_from into u_to (1 when either is None)."""
    if not u_from or not u_to or u_from not in lexicon.UNITS or u_to not in lexicon.UNITS:
        return 1.0
    return lexicon.UNITS[u_from][1] / lexicon.UNITS[u_to][1]


def _compatible_unit_metric(unit_metric: str | None, metric: str) -> bool:
    if unit_metric == "time":
        return metric in ("time", "latency", "CPU time")
    if unit_metric == "memory":
        return metric in ("memory", "disk space")
    if unit_metric == "throughput":
        return metric == "throughput"
    return False


def _pair_reading(metric, orientation, before, after, before_text, after_text) -> Reading:
    (b_lo, b_hi), (a_lo, a_hi) = before, after
    if orientation == HIGHER:
        lo, hi = b_lo / a_hi, b_hi / a_lo if a_lo else float("inf")
        how = f"{metric} {before_text} -> {after_text}: time x before/after"
    else:
        lo, hi = a_lo / b_hi, a_hi / b_lo
        how = f"{metric} {before_text} -> {after_text}: after/before"
    return Reading(lo, hi, how)


def _relative_readings(direction: str, q: Qty, metric: str, orientation: str) -> list[Reading]:
    lo, hi, out = q.low, q.high, []
    what = "time" if metric in (UNSPECIFIED, "throughput", "CPU efficiency",
                                "GPU utilization") else metric
    rate = "throughput" if metric in ("time", "latency", "throughput", UNSPECIFIED,
                                      "CPU time") else f"{metric} (higher is better)"

    def rng(a, b):
        a, b = sorted((a, b))
        return (_fmt(a) if abs(a - b) < 1e-12 else f"{_fmt(a)}-{_fmt(b)}")

    def add(a, b, how):
        a, b = sorted((a, b))
        if b < 0 or a < 0:
            return
        out.append(Reading(a, b, how))

    if q.form == "pct":
        p_lo, p_hi = lo / 100, hi / 100
        text = rng(lo, hi) + "%"
        if direction == FASTER:
            if orientation == HIGHER and metric not in ("time",):
                add(1 / (1 + p_hi), 1 / (1 + p_lo),
                    f"{rate} x {rng(1 + p_lo, 1 + p_hi)}, so time x 1/{rng(1 + p_lo, 1 + p_hi)}")
                if p_hi < 1:
                    add(1 - p_hi, 1 - p_lo, f"time x {rng(1 - p_hi, 1 - p_lo)} ({text} less time)")
            else:
                if p_hi < 1:
                    add(1 - p_hi, 1 - p_lo,
                        f"{what} x {rng(1 - p_hi, 1 - p_lo)} ({text} less {what})")
                add(1 / (1 + p_hi), 1 / (1 + p_lo),
                    f"{rate} x {rng(1 + p_lo, 1 + p_hi)}, so {what} x 1/{rng(1 + p_lo, 1 + p_hi)}")
        elif direction == SLOWER:
            add(1 + p_lo, 1 + p_hi, f"{what} x {rng(1 + p_lo, 1 + p_hi)} ({text} more {what})")
            if p_hi < 1:
                add(1 / (1 - p_lo), 1 / (1 - p_hi),
                    f"{rate} x {rng(1 - p_hi, 1 - p_lo)}, so {what} x 1/{rng(1 - p_hi, 1 - p_lo)}")
        elif direction == LESS:
            if orientation == HIGHER:
                if p_hi < 1:
                    add(1 / (1 - p_lo), 1 / (1 - p_hi),
                        f"{metric} x {rng(1 - p_hi, 1 - p_lo)} (a loss), so time x "
                        f"1/{rng(1 - p_hi, 1 - p_lo)}")
            elif p_hi <= 1:
                add(1 - p_hi, 1 - p_lo, f"{what} x {rng(1 - p_hi, 1 - p_lo)} ({text} less)")
        elif direction == MORE:
            if orientation == HIGHER:
                add(1 / (1 + p_hi), 1 / (1 + p_lo),
                    f"{metric} x {rng(1 + p_lo, 1 + p_hi)}, so time x 1/{rng(1 + p_lo, 1 + p_hi)}")
            else:
                add(1 + p_lo, 1 + p_hi, f"{what} x {rng(1 + p_lo, 1 + p_hi)} ({text} more, a cost)")
    else:   # a multiplier
        if lo <= 0:
            return []
        text = rng(lo, hi) + "x"
        if direction == FASTER:
            add(1 / hi, 1 / lo, f"{what} x 1/{rng(lo, hi)} ({text} as fast)")
        elif direction == SLOWER:
            add(lo, hi, f"{what} x {rng(lo, hi)} ({text} slower)")
        elif direction == LESS:
            if orientation == HIGHER:
                add(lo, hi, f"{metric} x 1/{rng(lo, hi)} (a loss), so time x {rng(lo, hi)}")
            else:
                add(1 / hi, 1 / lo, f"{what} x 1/{rng(lo, hi)} ({text} less)")
        elif direction == MORE:
            if orientation == HIGHER:
                add(1 / hi, 1 / lo, f"{metric} x {rng(lo, hi)}, so time x 1/{rng(lo, hi)}")
            else:
                add(lo, hi, f"{what} x {rng(lo, hi)} (a cost)")
    return out


# --- documents --------------------------------------------------------------

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mdx"}


def _markdown(plain: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": not plain}).enable("table")
    if plain:
        md.disable("code")          # plain text: an indented line is not code
    return md


def parse_text(text: str, *, plain: bool = False, file: str | None = None,
               under: str | None = None) -> list[Claim]:
    """Every quantitative performance claim in `text`, in order; with
    `under`, only those under a heading whose words hold it (any case): a
    page that quotes a report in one section and says its own figures in
    the others."""
    tokens = _markdown(plain).parse(text)
    claims: list[Claim] = []
    headings: list[tuple[int, str]] = []
    lead, depth = None, 0     # a list's lead-in paragraph and the list's depth
    i = 0

    def skipped() -> bool:
        return under is not None and not any(under.lower() in h[1].lower() for h in headings)

    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1:])
            inline = tokens[i + 1]
            headings = [h for h in headings if h[0] < level] + [(level, inline.content)]
            if skipped():
                i += 3
                continue
            block = _inline_block(inline)
            claims += _sectioned(_claims_of(
                block, Context(expectation_text=_heading_text(headings[:-1])), file),
                _section(headings))
            i += 3
            continue
        section = _section(headings)
        if tok.type == "table_open":
            j = i
            while tokens[j].type != "table_close":
                j += 1
            if not skipped():
                claims += _table_claims(tokens[i:j + 1], _heading_text(headings), file, section)
            i = j + 1
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if lead is not None and depth < lead[1]:
                lead = None
        if tok.type == "inline" and not skipped():
            block = _inline_block(tok)
            claims += _sectioned(_claims_of(
                block, Context(label=lead[0] if lead else [],
                               expectation_text=_heading_text(headings)), file), section)
            # "Latency (p95), before → after:" names what the list below it measures
            follows = tokens[i + 2].type if i + 2 < len(tokens) else ""
            if tok.content.rstrip().endswith(":") and follows in ("bullet_list_open",
                                                                 "ordered_list_open"):
                lead = (block.tokens, depth + 1)
        i += 1
    return claims


def _heading_text(headings) -> str:
    return " ".join(h[1] for h in headings)


def _section(headings) -> str | None:
    return " ".join(headings[-1][1].replace("*", "").split()) if headings else None


def _sectioned(claims: list[Claim], section: str | None) -> list[Claim]:
    for c in claims:
        c.section = section
    return claims


# A table whose first column names sections: "| § | claim | ... |".
_SECTION_HEADERS = {"§", "section", "sec.", "sec"}


def _inline_block(inline) -> Block:
    builder = BlockBuilder((inline.map[0] if inline.map else 0) + 1)
    for child in inline.children or []:
        if child.type == "text":
            builder.text(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            builder.newline()
        elif child.type == "code_inline":
            builder.code_span(child.content)
        elif child.type == "image":
            builder.text(child.content)
        elif child.type == "html_inline":
            builder.text(" ")
    return builder.build()


def _claims_of(block: Block, ctx: Context, file: str | None) -> list[Claim]:
    g = Grammar(block, ctx)
    return [_to_claim(g, f, ctx, file) for f in g.find()]


def _to_claim(g: Grammar, f: Found, ctx: Context, file: str | None) -> Claim:
    T = g.T
    quote = " ".join(g.b.text[T[f.start].start:T[f.end - 1].end].split())
    quote = _trim_quote(quote)
    line = T[f.start].line
    sentence = g.sentence[f.start]
    words = " ".join(t.text for k, t in enumerate(T)
                     if g.sentence[k] == sentence and t.kind not in (CODE, CONFIG))
    if lexicon.EXPECTATION.search(words) or lexicon.EXPECTATION_CONTEXT.search(
            ctx.expectation_text):
        stated = EXPECTATION
    elif f.pair or ctx.measured:
        stated = MEASUREMENT
    else:
        stated = ASSERTION
    return Claim(line=line, quote=quote, metric=f.metric, kind=f.kind, readings=f.readings,
                 hedge=f.hedge, stated=stated, file=file, before=f.before, after=f.after,
                 amount=f.amount)


def _trim_quote(quote: str) -> str:
    quote = quote.strip()
    for _ in range(3):
        before = quote
        if quote[:1] in "\"“”'‘’" and quote.count(quote[0]) % 2 == 1:
            quote = quote[1:].strip()
        if quote[-1:] in "\"“”'‘’" and quote.count(quote[-1]) % 2 == 1:
            quote = quote[:-1].strip()
        if quote.endswith(")") and quote.count("(") < quote.count(")"):
            quote = quote[:-1].strip()
        if quote.startswith("(") and quote.count("(") > quote.count(")"):
            quote = quote[1:].strip()
        if quote.endswith(("(", ",", ":", "|")):
            quote = quote[:-1].strip()
        if quote == before:
            break
    return quote


# --- tables -----------------------------------------------------------------

def _table_claims(tokens, heading_text: str, file: str | None,
                  section: str | None = None) -> list[Claim]:
    rows: list[tuple[int, list[Block]]] = []
    current: list[Block] | None = None
    line = 0
    for tok in tokens:
        if tok.type == "tr_open":
            current = []
            line = (tok.map[0] if tok.map else 0) + 1
        elif tok.type == "inline" and current is not None:
            block = _inline_block(tok)
            if not tok.map:
                block = _relined(block, line)
            current.append(block)
        elif tok.type == "tr_close" and current is not None:
            rows.append((line, current))
            current = None
    if not rows:
        return []
    header = rows[0][1]
    body = rows[1:]
    header_texts = [h.text for h in header]
    before_col = next((c for c, h in enumerate(header_texts)
                       if lexicon.BEFORE_HEADER.search(h)
                       and not lexicon.AFTER_HEADER.search(h)), None)
    after_col = next((c for c, h in enumerate(header_texts)
                      if lexicon.AFTER_HEADER.search(h) and c != before_col
                      and not lexicon.BEFORE_HEADER.search(h)), None)
    if before_col is None or after_col is None:
        before_col = after_col = None
    measured_cols = {c for c, h in enumerate(header_texts) if lexicon.MEASURED_HEADER.search(h)}
    claims: list[Claim] = []
    # the header row itself may hold a figure ("| Speedup (2.1x) |"): rare; skipped.
    for line, cells in body:
        label_col = next((c for c in range(len(cells)) if c not in (before_col, after_col)), 0)
        label = cells[label_col].tokens if cells else []
        expect_text = " ".join([heading_text, *header_texts,
                                cells[label_col].text if cells else ""])
        pair = None
        if before_col is not None and max(before_col, after_col) < len(cells):
            pair = _row_pair(cells, before_col, after_col, label, header, line, file)
            if pair is not None and lexicon.EXPECTATION_CONTEXT.search(expect_text):
                pair[0].stated = EXPECTATION
        row_claims: list[Claim] = []
        for c, cell in enumerate(cells):
            if pair is not None and c in (before_col, after_col):
                continue
            ctx = Context(label=label if c != label_col else [],
                          header=header[c].tokens if c < len(header) else [],
                          expectation_text=expect_text,
                          measured=c in measured_cols or pair is not None,
                          row_metric=(pair[1].metric, pair[1].orientation) if pair else None)
            g = Grammar(cell, ctx)
            for f in g.find():
                claim = _to_claim(g, f, ctx, file)
                if pair is not None and not f.pair and f.kind in (RATIO, CODE_SIZE) \
                        and _metrics_merge(pair[1], f):
                    pair[0].readings.extend(claim.readings)
                    pair[0].hedge = pair[0].hedge or claim.hedge
                    continue
                row_claims.append(claim)
        if pair is not None:
            row_claims.insert(0, pair[0])
        row_section = section
        if header_texts and header_texts[0].strip().lower() in _SECTION_HEADERS and cells:
            row_section = " ".join(cells[0].text.replace("*", "").split()) or section
        claims += _sectioned(row_claims, row_section)
    return claims


def _relined(block: Block, line: int) -> Block:
    block.lines = [line] * len(block.text)
    for t in block.tokens:
        t.line = line
    return block


def _row_pair(cells, before_col, after_col, label, header, line, file):
    """The row's before and after cells as one measured claim."""
    bc, ac = cells[before_col], cells[after_col]
    header_unit = None
    label_text = " ".join(t.text for t in label)
    for text in [header[c].text for c in (before_col, after_col) if c < len(header)] + [
            label_text]:
        m = re.search(r"[(\[]\s*([^)\]]+?)\s*[)\]]", text)
        if m and m.group(1) in lexicon.UNITS:
            header_unit = m.group(1)      # "Baseline (ms)", "step (ms)"
            break
    label_header = header[0].tokens if header else []
    # Both figures live in different blocks: join them in one grammar's text.
    joined = BlockBuilder(line)
    joined.text(bc.text)
    joined.text(" | ")
    joined.text(ac.text)
    jb = joined.build()
    jg = Grammar(jb)
    pipe = next((k for k, t in enumerate(jg.T) if t.kind == PIPE
                 and t.start == len(bc.text) + 1), None)
    if pipe is None:
        return None
    qb = jg.single(0, pipe) or _leading(jg, 0, pipe)
    qa = jg.single(pipe + 1, len(jg.T)) or _leading(jg, pipe + 1, len(jg.T))
    if not (qa and qb):
        return None
    f = pair_claim(jg, qb, qa, label, label_header, header_unit)
    if f is None:
        return None
    quote = " | ".join(c.text.strip() for c in cells if c.text.strip())
    claim = Claim(line=line, quote=" ".join(quote.split()), metric=f.metric, kind=f.kind,
                  readings=f.readings, hedge=f.hedge, stated=MEASUREMENT, file=file)
    return claim, f


def _leading(g: Grammar, s: int = 0, e: int | None = None):
    """The first quantity of a cell, with the noun after it ("7-9 video
    decodes per video")."""
    e = len(g.T) if e is None else e
    k = s
    while k < e and g.T[k].kind in (QUOTE, PUNCT):
        k += 1
    q = g.qty(k) if k < e else None
    if not q or q.form == "pct":
        return None
    noun = g.metric_at(q.end) if q.end < e else None
    if noun is None:
        return None          # "4 (stage 1) + 0 + 11 = 15": a sum, not a figure
    return q, noun
