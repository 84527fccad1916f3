"""optbench audit: the quantitative claims of a PR's own words, read as ratios.

The corpus (tests/fixtures/pr_texts/, annotated in expected.json) is text
written for these tests; the five reports are docs/sources' pages. Nothing
here starts torch: the whole file runs in a few seconds.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from optbench import cli
from optbench.audit import (ASSERTION, EXPECTATION, MEASUREMENT, AuditInputError, audit_files,
                            parse_file, parse_text, to_json)
from optbench.audit import render, score

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "pr_texts"
SOURCES = ROOT / "docs" / "sources"
REPORTS = ["lab-project-pr-summary.md", "lab-project-optimizations-doc.md", "pharmagen.md",
           "training-system.md", "video-pipeline.md"]
SPEC = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
SNIPPETS = sorted(k for k in SPEC if not k.startswith("_"))


def readings(claim):
    return sorted((round(r.ratio_low, 4), round(r.ratio_high, 4)) for r in claim.readings)


def want(*texts):
    return sorted(tuple(round(x, 4) for x in score.reading(t)) for t in texts)


def one(text, **kw):
    found = parse_text(text, **kw)
    assert len(found) == 1, [c.quote for c in found]
    return found[0]


# --- the corpus -------------------------------------------------------------

def test_the_corpus_is_large_and_varied():
    """At least 30 texts, markdown and plain, with tables, unicode, code, and
    distractors of every kind the issue names; each annotated distractor is
    really in its text (an annotation that drifted from its text proves
    nothing)."""
    assert len(SNIPPETS) >= 30
    assert {Path(n).suffix for n in SNIPPETS} == {".md", ".txt"}
    texts = {n: (CORPUS / n).read_text(encoding="utf-8") for n in SNIPPETS}
    everything = "\n".join(texts.values())
    for needle in ("→", "⇒", "×", "−", "–", "|---", "```", "O(N)", "instead of", "between",
                   "from 7-9x", "ten times", "halves", "#412", "18/18", "2024-03-15",
                   "v1.2.3", "RTX 3090", "A100", "batch_size=32", "default: 128",
                   "num_workers 2 -> 8", "2M rows", "1000 images", "batch of 64",
                   "chunk size 250", "torch 2.1", "should", "expected", "up to", "at least"):
        assert needle.lower() in everything.lower(), needle
    for name in SNIPPETS:
        for distractor in SPEC[name]["distractors"]:
            assert distractor in texts[name], (name, distractor)
    assert sum(len(SPEC[n]["claims"]) for n in SNIPPETS) >= 90


@pytest.mark.parametrize("name", SNIPPETS)
def test_corpus_snippet(name):
    """Each claim found on its line and read as annotated; nothing else listed."""
    s = score.score_file(CORPUS / name, SPEC[name])
    assert not s.missed, [w["figure"] for w in s.missed]
    assert not s.misread, [(w["figure"], d) for w, _, d in s.misread]
    assert not s.wrongly_listed, [c.quote for c in s.wrongly_listed]
    assert s.found == s.read_right == s.expected


def test_corpus_score_script_prints_the_figures(capsys):
    status = score.main([str(CORPUS)])
    out = capsys.readouterr().out.strip().splitlines()[-1]
    t = score.totals(score.score_corpus(CORPUS))
    assert out == (f"corpus: {t['texts']} texts, {t['claims']} claims, {t['found']} found, "
                   f"{t['read_right']} read right, {t['non_claims_listed']} non-claims "
                   f"wrongly listed ({t['distractors']} distractors annotated)")
    assert status == 0 and t["found"] == t["read_right"] == t["claims"]


BLIND = ROOT / "tests" / "fixtures" / "pr_texts_blind"


def test_the_blind_corpus_scores_at_least_what_it_first_scored():
    """12 texts a helper wrote and annotated without reading the parser
    (issue 23's held-out set). Its first score, before any change: 35 of 47
    found, 30 read right, 4 non-claims listed; with "ours" as an after
    column: 37, 30, 2. Some misses are its annotation's conventions (a
    table's delta read beside the pair, a complexity's metric); the rest are
    the parser's gaps (README, "optbench audit"). A floor, so a change that
    loses any shows here."""
    t = score.totals(score.score_corpus(BLIND))
    assert (t["texts"], t["claims"], t["distractors"]) == (12, 47, 87)
    assert t["found"] >= 37 and t["read_right"] >= 30 and t["non_claims_listed"] <= 2


def test_the_scorer_counts_a_wrong_reading_a_miss_and_a_false_listing(tmp_path):
    """The score is not vacuous: a wrong annotation shows up in each count."""
    (tmp_path / "a.md").write_text("Step time 2.1 s -> 1.5 s.\n\nBumps torch 2.0 -> 2.1.\n"
                                   "It is 30% faster.\n")
    spec = {"a.md": {"claims": [
        {"line": 1, "figure": "2.1 s -> 1.5 s", "metric": "time", "kind": "ratio",
         "readings": ["0.5"], "hedge": None, "stated": "measurement"},
        {"line": 3, "figure": "torch", "metric": "time", "kind": "ratio", "readings": [],
         "hedge": None, "stated": "assertion"}], "distractors": ["torch 2.0 -> 2.1"]}}
    (tmp_path / "expected.json").write_text(json.dumps(spec))
    t = score.totals(score.score_corpus(tmp_path))
    assert t == {"texts": 1, "claims": 2, "found": 1, "read_right": 0, "non_claims_listed": 1,
                 "distractors": 1}


# --- the grammar, one figure at a time -----------------------------------------

@pytest.mark.parametrize("text, metric, expected", [
    ("30% faster", "time", ["0.7", "1/1.3"]),
    ("+12% tokens/s", "throughput", ["1/1.12"]),
    ("3,200 -> 5,100 samples/s", "throughput", ["3200/5100"]),
    ("2.1 s -> 1.5 s", "time", ["1.5/2.1"]),
    ("10x fewer I/O", "file I/O", ["0.1"]),
    ("30-50% less memory", "memory", ["0.5..0.7"]),
    ("2-4x faster", "time", ["0.25..0.5"]),
    ("reduces decodes from 7-9x to 3x", "decodes", ["3/9..3/7"]),
    ("10× fewer decodes", "decodes", ["0.1"]),
    ("3-fold lower latency", "latency", ["1/3"]),
    ("latency −25%", "latency", ["0.75"]),
    ("peak memory 12 GB ⇒ 9 GB", "memory", ["0.75"]),
    ("step time 500 ms → 0.4 s", "time", ["0.8"]),
    ("2–3× speedup", "time", ["1/3..0.5"]),
    ("ten times fewer writes", "writes", ["0.1"]),
    ("half the memory", "memory", ["0.5"]),
    ("twice as fast", "time", ["0.5"]),
    ("an order of magnitude fewer opens", "file I/O", ["0.1"]),
    ("30% slower", "time", ["1.3", "1/0.7"]),
    ("20% lower throughput", "throughput", ["1/0.8"]),
    ("epoch takes 41 s instead of 58 s", "time", ["41/58"]),
    ("between 20 and 30% less memory", "memory", ["0.7..0.8"]),
    ("memory usage reduced by 30%", "memory", ["0.7"]),
    ("a speedup of 3x", "time", ["1/3"]),
])
def test_each_form_reads_as_the_issue_says(text, metric, expected):
    c = one(text)
    assert c.metric == metric
    assert readings(c) == want(*expected), [r.how for r in c.readings]


@pytest.mark.parametrize("text, hedge", [
    ("~10x fewer writes", "~"), ("up to 90% fewer opens", "up to"),
    ("at least 20% faster", "at least"), ("roughly 2x faster", "roughly"),
    ("about 30% less memory", "about"), ("≈2× throughput", "~"), ("≥ 2x faster", "at least"),
    ("50+ lines removed", "at least"), ("nearly 3x faster", "nearly"),
])
def test_hedges(text, hedge):
    assert one(text).hedge == hedge


@pytest.mark.parametrize("text, stated", [
    ("It should be 30% faster.", EXPECTATION),
    ("We expect 2x fewer writes.", EXPECTATION),
    ("Estimated: 20% less memory.", EXPECTATION),
    ("This will cut latency by 15%.", EXPECTATION),
    ("A potential 15% gain in throughput.", EXPECTATION),
    ("Step time 2.1 s -> 1.5 s.", MEASUREMENT),
    ("It is 30% faster.", ASSERTION),
])
def test_stated(text, stated):
    assert one(text).stated == stated


def test_a_measurement_and_its_percentage_are_one_claim_read_two_ways():
    c = one("Validation: 2.1 s -> 1.5 s (30% faster).")
    assert c.stated == MEASUREMENT and c.metric == "time"
    assert readings(c) == want("1.5/2.1", "0.7", "1/1.3")
    assert [r.how for r in c.readings][0].startswith("time 2.1 s -> 1.5 s")


def test_two_figures_in_one_sentence_keep_their_own_metrics():
    found = parse_text("The step got 30% faster and memory went 12 GB -> 8 GB, so writes "
                       "are 10x fewer.")
    assert [(c.metric, readings(c)) for c in found] == [
        ("time", want("0.7", "1/1.3")), ("memory", want("8/12")), ("writes", want("0.1"))]


def test_complexity_and_code_size_are_their_own_kinds():
    c, s = parse_text("Lookups: O(N) → O(1). 50+ lines of code eliminated.")
    assert (c.kind, c.metric, c.before, c.after, c.readings) == (
        "complexity", "complexity", "O(N)", "O(1)", [])
    assert (s.kind, s.metric, s.hedge, s.readings) == ("code size", "lines of code", "at least",
                                                      [])
    assert s.amount == "50+ lines of code"
    shrink = one("The module shrinks from 412 to 230 lines.")
    assert shrink.kind == "code size" and readings(shrink) == want("230/412")


@pytest.mark.parametrize("text", [
    "torch 2.1", "Upgrade torch 2.0 -> 2.1", "python 3.10 → 3.11", "v1.2.3", "2024-03-15",
    "from 2021 to 2023", "Fixes #123", "PR #45 and §4", "18/18 tests pass",
    "coverage 91% -> 94%", "on 2M rows", "1000 images", "a batch of 64", "on an A100",
    "RTX 3090 -> RTX 4090", "batch_size=32", "default: 128", "num_workers 2 -> 8",
    "chunk size 250", "4 -> 2 workers per loader", "batch size 32 -> 64",
    "learning rate 10x lower", "10x larger batch size", "lr 1e-3 -> 5e-4",
    "`x = 3x faster`", "80% of the time is spent in the collator", "GPU utilization is 45%",
    "the 6th of 10", "(each within ±1.5%)", "at 224x224", "10K+ samples", "over 50+ epochs",
    "writes them every 10 messages", "a 7B model", "8 GPUs on 2 nodes",
])
def test_what_is_not_a_performance_claim(text):
    assert parse_text(text) == [], [c.quote for c in parse_text(text)]


def test_markdown_code_is_skipped_but_plain_text_indentation_is_not():
    text = "Intro.\n\n```\n3x faster\n```\n\n    5x faster\n\nNow 2x faster.\n"
    assert [(c.line, c.quote) for c in parse_text(text)] == [(9, "2x faster")]
    assert [(c.line, c.quote) for c in parse_text(text, plain=True)] == [
        (7, "5x faster"), (9, "2x faster")]


def test_lines_are_the_source_lines_in_paragraphs_lists_and_tables():
    text = ("First line of a paragraph\nthat goes on: 30% faster\n\n- item\n- item 2x faster\n\n"
            "| a | b |\n|---|---|\n| x | y |\n| memory | 40% less |\n")
    assert [c.line for c in parse_text(text)] == [2, 5, 10]


def test_a_table_is_read_by_its_before_and_after_columns():
    text = ("| Benchmark | Baseline | This PR | Speedup |\n|---|---|---|---|\n"
            "| step (ms) | 120 | 80 | 1.5x |\n| tokens/s | 1,000 | 1,250 | |\n"
            "| num_workers | 2 | 8 | |\n| torch | 2.0 | 2.1 | |\n")
    found = parse_text(text)
    assert [(c.line, c.metric, c.stated) for c in found] == [
        (3, "time", MEASUREMENT), (4, "throughput", MEASUREMENT)]
    assert readings(found[0]) == want("80/120", "1/1.5")
    assert readings(found[1]) == want("1000/1250")


# --- the five reports ---------------------------------------------------------

# (report, words that pick the row's line, words the claim's quote holds, metric,
#  readings, hedge, stated)
REPORT_FIGURES = [
    ("lab-project-pr-summary.md", '"~10x reduction in file I/O operations"',
     "~10x reduction in file I/O operations", "file I/O", ["0.1"], "~", ASSERTION),
    ("lab-project-pr-summary.md", '"30-50% memory reduction for large datasets"',
     "30-50% memory reduction", "memory", ["0.5..0.7"], None, ASSERTION),
    ("lab-project-pr-summary.md", '"Up to 90% reduction in image I/O for repeated images"',
     "Up to 90% reduction in image I/O", "image I/O", ["0.1"], "up to", ASSERTION),
    ("lab-project-pr-summary.md", '"5-10% faster iteration time"', "5-10% faster",
     "time", ["0.9..0.95", "1/1.1..1/1.05"], None, ASSERTION),
    ("lab-project-pr-summary.md", '"File I/O Operations \\| 10x fewer"', "10x fewer",
     "file I/O", ["0.1"], None, ASSERTION),
    ("lab-project-pr-summary.md", '"Memory Usage \\| 30-50% reduction"', "30-50% reduction",
     "memory", ["0.5..0.7"], None, ASSERTION),
    ("lab-project-pr-summary.md", '"Image I/O \\| Up to 90% reduction"', "Up to 90% reduction",
     "image I/O", ["0.1"], "up to", ASSERTION),
    ("lab-project-pr-summary.md", '"Training Iteration \\| 5-10% faster"', "5-10% faster",
     "time", ["0.9..0.95", "1/1.1..1/1.05"], None, ASSERTION),
    ("lab-project-optimizations-doc.md", '"~10x reduction in file I/O operations during',
     "~10x reduction in file I/O operations", "file I/O", ["0.1"], "~", ASSERTION),
    ("lab-project-optimizations-doc.md", '"Buffered Logging \\| ~10x fewer file operations"',
     "~10x fewer file operations", "file I/O", ["0.1"], "~", ASSERTION),
    ("lab-project-optimizations-doc.md", '30-50% less memory for large datasets"',
     "30-50% less memory", "memory", ["0.5..0.7"], None, ASSERTION),
    ("lab-project-optimizations-doc.md", '"Image Caching \\| Up to 90% reduction in image I/O',
     "Up to 90% reduction in image I/O", "image I/O", ["0.1"], "up to", ASSERTION),
    ("lab-project-optimizations-doc.md", '"Training Loop \\| 5-10% faster iteration time"',
     "5-10% faster iteration time", "time", ["0.9..0.95", "1/1.1..1/1.05"], None, ASSERTION),
    ("training-system.md", '| Executive Summary | "30% faster validation loops"',
     "30% faster", "time", ["0.7", "1/1.3"], None, ASSERTION),
    ("training-system.md", '"~40% reduction in file I/O operations via buffered writes"',
     "~40% reduction in file I/O operations", "file I/O", ["0.6"], "~", ASSERTION),
    ("training-system.md", '"O(N) → O(1) lookups in model registry"', "O(N) → O(1)",
     "complexity", [], None, ASSERTION),
    ("training-system.md", '| Executive Summary | "50+ lines of code eliminated',
     "50+ lines of code eliminated", "lines of code", [], "at least", ASSERTION),
    ("training-system.md", '"~30% faster validation on large datasets"', "~30% faster",
     "time", ["0.7", "1/1.3"], "~", ASSERTION),
    ("training-system.md", "(10K+ samples): **20-30% faster**", "20-30% faster", "time",
     ["0.7..0.8", "1/1.3..1/1.2"], None, ASSERTION),
    ("training-system.md", '"GPU training: **25-35% faster** validation"', "25-35% faster",
     "time", ["0.65..0.75", "1/1.35..1/1.25"], None, ASSERTION),
    ("training-system.md", '"Validation with errors: **60-80% faster**"', "60-80% faster",
     "time", ["0.2..0.4", "1/1.8..1/1.6"], None, ASSERTION),
    ("training-system.md", '"Large image datasets: **10-15% faster** overall"',
     "10-15% faster", "time", ["0.85..0.9", "1/1.15..1/1.1"], None, ASSERTION),
    ("training-system.md", '"80% reduction in file writes (every 5 epochs',
     "80% reduction in file writes", "writes", ["0.2"], None, ASSERTION),
    ("training-system.md", '"Training runs: **5-10% faster** (50+ epochs)"', "5-10% faster",
     "time", ["0.9..0.95", "1/1.1..1/1.05"], None, ASSERTION),
    ("training-system.md", '"Reduced disk wear: **80% fewer writes**"', "80% fewer writes",
     "writes", ["0.2"], None, ASSERTION),
    ("training-system.md", '"Marginal (2-3% faster) but cleaner code"', "2-3% faster",
     "time", ["0.97..0.98", "1/1.03..1/1.02"], None, ASSERTION),
    ("training-system.md", '"Code Reduction: **~50%** in split functions"',
     "Code Reduction: ~50%", "lines of code", ["0.5"], "~", ASSERTION),
    ("training-system.md", '"100 models: **~100x faster** lookups"', "~100x faster",
     "time", ["0.01"], "~", ASSERTION),
    ("training-system.md", '"1000 models: **~1000x faster** lookups"', "~1000x faster",
     "time", ["0.001"], "~", ASSERTION),
    ("training-system.md", '"Validation loop (1000 samples) \\| 2.1s', "2.1s | 1.5s", "time",
     ["1.5/2.1", "0.7", "1/1.3"], None, MEASUREMENT),
    ("training-system.md", '"Image validation (100 images) \\| 15s', "15s | 8s", "time",
     ["8/15", "0.53", "1/1.47"], None, MEASUREMENT),
    ("training-system.md", '"Model registry lookup (100 models)', "0.5ms | 0.005ms", "time",
     ["0.01", "0.01"], None, MEASUREMENT),
    ("training-system.md", '"Metrics logging (50 epochs)', "50 writes | 10 writes", "writes",
     ["0.2", "0.2"], None, MEASUREMENT),
    ("training-system.md", '| §4 | Tabular Model', "~25 seconds for 50 epochs", "time",
     ["25/30", "0.83", "1/1.17"], "~", MEASUREMENT),
    ("training-system.md", '"Validation loops: **25-30% faster**"', "25-30% faster", "time",
     ["0.7..0.75", "1/1.3..1/1.25"], None, ASSERTION),
    ("training-system.md", '"Overall training: **10-15% faster**"', "10-15% faster", "time",
     ["0.85..0.9", "1/1.15..1/1.1"], None, ASSERTION),
    ("training-system.md", '"Validation: Early stopping reduces worst-case by 80%"',
     "reduces worst-case by 80%", "time", ["0.2"], None, ASSERTION),
    ("training-system.md", '| §8 | "**80% reduction** in file I/O operations"',
     "80% reduction in file I/O operations", "file I/O", ["0.2"], None, ASSERTION),
    ("training-system.md", '"**100x faster** model registry lookups"', "100x faster",
     "time", ["0.01"], None, ASSERTION),
    ("pharmagen.md", '"GPU Optimizations (1.5-3x speedup)"', "1.5-3x speedup", "time",
     ["1/3..1/1.5"], None, ASSERTION),
    ("pharmagen.md", '"40-50% memory reduction"', "40-50% memory reduction", "memory",
     ["0.5..0.6"], None, ASSERTION),
    ("pharmagen.md", '"1.5-3x faster training on modern GPUs"', "1.5-3x faster", "time",
     ["1/3..1/1.5"], None, ASSERTION),
    ("pharmagen.md", '8x faster matrix ops"', "8x faster", "time", ["0.125"], None, ASSERTION),
    ("pharmagen.md", '| GPU 3 | "15-20% faster data loading"', "15-20% faster data loading",
     "time", ["0.8..0.85", "1/1.2..1/1.15"], None, ASSERTION),
    ("pharmagen.md", '"Memory Optimizations (30-50% reduction)"',
     "Memory Optimizations (30-50% reduction)", "memory", ["0.5..0.7"], None, ASSERTION),
    ("pharmagen.md", '"CPU Optimizations (10-30% improvement)"', "10-30% improvement", "time",
     ["0.7..0.9", "1/1.3..1/1.1"], None, ASSERTION),
    ("pharmagen.md", '"`regex=False` for literal replacement"; "10-100x speedup"',
     "10-100x speedup", "time", ["0.01..0.1"], None, ASSERTION),
    ("pharmagen.md", '"Faster string preprocessing"; "10-100x speedup"', "10-100x speedup",
     "time", ["0.01..0.1"], None, ASSERTION),
    ("pharmagen.md", '"Training Speed \\| 2-4x faster"', "2-4x faster", "time", ["0.25..0.5"],
     None, EXPECTATION),
    ("pharmagen.md", '"GPU Memory \\| 30-50% reduction"', "30-50% reduction", "memory",
     ["0.5..0.7"], None, EXPECTATION),
    ("pharmagen.md", '"Data Loading \\| 15-20% faster"', "15-20% faster", "time",
     ["0.8..0.85", "1/1.2..1/1.15"], None, EXPECTATION),
    ("pharmagen.md", '"CPU Efficiency \\| 10-30% better"', "10-30% better", "CPU efficiency",
     ["0.7..0.9", "1/1.3..1/1.1"], None, EXPECTATION),
    ("pharmagen.md", '"Preprocessing \\| 10-100x faster"', "10-100x faster", "time",
     ["0.01..0.1"], None, EXPECTATION),
    ("pharmagen.md", "3x speedup from AMP + TF32", "3x speedup", "time", ["1/3"], None,
     ASSERTION),
    ("pharmagen.md", "2x speedup from AMP", "2x speedup", "time", ["0.5"], None, ASSERTION),
    ("pharmagen.md", "1.2-1.5x from workers + vectorization", "1.2-1.5x", "time",
     ["1/1.5..1/1.2"], None, ASSERTION),
    ("video-pipeline.md", '"60-70% reduction in video decodes (from 7-9x to 3x per video)"',
     "60-70% reduction in video decodes (from 7-9x to 3x per video)", "decodes",
     ["0.3..0.4", "3/9..3/7"], None, MEASUREMENT),
    ("video-pipeline.md", "3 video decodes per video (60-70% reduction)", "60-70% reduction",
     "decodes", ["0.3..0.4"], None, ASSERTION),
]


@pytest.fixture(scope="module")
def audited():
    return {name: parse_file(SOURCES / name) for name in REPORTS}


def _line_of(name: str, words: str) -> int:
    lines = (SOURCES / name).read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if words in line]
    assert hits, f"{name}: no line holds {words!r} (the report's page changed?)"
    return hits[0]


@pytest.mark.parametrize("name, row, figure, metric, expected, hedge, stated", REPORT_FIGURES,
                         ids=[f"{r[0].split('.')[0]}:{r[2][:30]}" for r in REPORT_FIGURES])
def test_report_figure_found_and_read(audited, name, row, figure, metric, expected, hedge,
                                      stated):
    line = _line_of(name, row)
    on_line = [c for c in audited[name] if c.line == line and figure in c.quote]
    assert on_line, (line, [c.quote for c in audited[name] if c.line == line])
    c = on_line[0]
    assert (c.metric, c.hedge, c.stated) == (metric, hedge, stated)
    assert readings(c) == want(*expected), [r.how for r in c.readings]


_FIGURE = re.compile(r"\d[\d.,]*(?:-\d[\d.,]*)?\s?(?:%|x\b|×)|\d\s?s?\s?(?:->|→)|O\(")


def _claimed_figures_rows(name: str):
    """Each quoted phrase with a figure in the report page's "Claimed
    figures" table, with its line."""
    lines = (SOURCES / name).read_text(encoding="utf-8").splitlines()
    start = lines.index("## Claimed figures")
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("#"):
            break
        if not lines[i].startswith("|") or lines[i].startswith("|---"):
            continue
        cells = re.split(r"(?<!\\)\|", lines[i])
        quoted = cells[2] if len(cells) > 2 else ""
        for phrase in re.findall(r'"([^"]+)"', quoted):
            if _FIGURE.search(phrase):
                yield i + 1, phrase.replace("\\|", "|").replace("**", "")


@pytest.mark.parametrize("name", REPORTS)
def test_every_figure_the_claimed_figures_table_quotes_is_found(audited, name):
    """Not only the figures listed above: every quoted phrase with a figure
    in the page's table, found by a claim on its row whose quote holds it."""
    rows = list(_claimed_figures_rows(name))
    assert len(rows) >= 2
    for line, phrase in rows:
        figures = [m.group(0) for m in _FIGURE.finditer(phrase)]
        quotes = " ".join(c.quote for c in audited[name] if c.line == line)
        for figure in figures:
            assert figure in quotes, (name, line, phrase, figure, quotes)


@pytest.mark.parametrize("words", [
    "250", "momentum", "prefetch_factor", "10K+", "50+ epochs", "§", "every 5 epochs",
    "num_workers", "4 -> 2 workers", "2.3.3", "EPOCHS", "12,842", "89,197", "batches of 64",
    "0.391", "6.32e-5", "1,280", "test_size", "Sapphire", "18601bf", "[0.9",
])
def test_no_report_lists_a_non_claim(audited, words):
    listed = [c.quote for found in audited.values() for c in found if words in c.quote]
    assert not listed, listed


def test_the_reports_audit_is_deterministic():
    paths = [SOURCES / n for n in REPORTS]
    assert to_json(audit_files(paths)) == to_json(audit_files(paths))


# --- the command --------------------------------------------------------------

def _reports():
    return [str(SOURCES / n) for n in REPORTS]


def test_cli_table(capsys):
    assert cli.main(["audit", str(CORPUS / "02-percent-faster.md")]) == 0
    out = capsys.readouterr().out
    for column in ("line", "quote", "metric", "readings", "hedge", "stated"):
        assert column in out
    assert "~30% faster" in out and "x0.7 or x0.769" in out
    assert "1 claim(s): 1 ratio; 1 assertion" in out


def test_cli_table_per_file(capsys, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("Nothing measured here: torch 2.1, 18/18 tests.\n")
    assert cli.main(["audit", str(empty), *_reports()[:2]]) == 0
    out = capsys.readouterr().out
    assert f"{empty}: no quantitative performance claim" in out
    for name in REPORTS[:2]:
        n = len(parse_file(SOURCES / name))
        assert f"{SOURCES / name}: {n} quantitative claim(s)" in out


def test_cli_json_writes_the_list_atomically(tmp_path, capsys):
    out = tmp_path / "deep" / "claims.json"
    assert cli.main(["audit", *_reports(), "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == len(audit_files(_reports())) > 50
    assert {"file", "line", "section", "quote", "metric", "kind", "readings", "hedge",
            "stated", "measured_by", "measured"} <= set(data[0])
    assert any(c["measured_by"] for c in data) and not all(c["measured_by"] for c in data)
    assert all({"ratio_low", "ratio_high", "how"} == set(r) for c in data for r in c["readings"])
    assert [p.name for p in out.parent.iterdir()] == ["claims.json"]   # no temporary left
    # stderr wraps at 100 columns: a long temporary path goes to the next line.
    assert f"claims written to {out}" in " ".join(capsys.readouterr().err.split())


def test_cli_markdown_renders_as_a_table_with_one_row_per_claim(capsys):
    assert cli.main(["audit", *_reports(), "--markdown"]) == 0
    text = capsys.readouterr().out
    claims = audit_files(_reports())
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    start = next(i for i, t in enumerate(tokens) if t.type == "table_open")
    end = next(i for i, t in enumerate(tokens) if t.type == "table_close")
    table = tokens[start:end]
    header = [table[i + 1].content for i, t in enumerate(table)
              if t.type == "th_open"]
    assert header == list(render.SUMMARY_COLUMNS)
    rows = [t for t in table if t.type == "tr_open"]
    assert len(rows) - 1 == len(claims)
    cells = [table[i + 1].content for i, t in enumerate(table) if t.type == "td_open"]
    # a quote with pipes (a table row quoted in a cell) stays in its cell
    assert "Validation loop (1000 samples) | 2.1s | 1.5s | 30% faster" in cells
    assert text.count("<details>") == len(REPORTS) == text.count("</details>")
    assert len(text) < render.COMMENT_LIMIT


def test_markdown_stays_under_a_pr_comments_size():
    claims = parse_text("\n\n".join(f"Case {i}: 2.{i % 10} s -> 1.5 s." for i in range(3000)))
    text = render.markdown(claims)
    assert len(text) <= render.COMMENT_LIMIT and "cut" in text


def _run(*args):
    return subprocess.run([sys.executable, "-m", "optbench", "audit", *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_a_missing_or_unreadable_file_is_one_line_and_exit_2(tmp_path):
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00 30% faster")
    cases = [(tmp_path / "no-such.md", "no such file"), (tmp_path, "is a folder"),
             (binary, "not UTF-8")]
    for path, why in cases:
        done = _run(str(CORPUS / "02-percent-faster.md"), str(path))
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""            # nothing printed before the bad file is named
        err = done.stderr.strip().splitlines()
        assert len(err) == 1 and str(path) in err[0] and why in err[0], err
        assert "Traceback" not in done.stderr


def test_read_errors_name_the_file():
    with pytest.raises(AuditInputError, match="nowhere.md: no such file"):
        audit_files(["nowhere.md"])
