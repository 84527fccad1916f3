"""The HTML report, from a real `optbench verify --quick` run and the stored full runs
in docs/reread, opened in Chromium."""
import base64
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

import pytest
from markupsafe import escape
from matplotlib.text import Text

from optbench.core import results, text, verdict
from optbench.core.registry import builtin_claims
from optbench.core.text import reading
from optbench.report import plots, write_report
from optbench.report.collect import BETTER, NOISE, WORSE, codebase, compare_files, scaling_marks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
QUICK_CLAIMS = ["split.shared_helper", "logger.buffered", "callbacks.metrics_interval",
                "registry.index"]
# Real full runs of two commits, kept in the repository: their timings are
# fixed, so what the page says about them can be asserted exactly.
ROOT = Path(__file__).resolve().parent.parent
REREAD = ROOT / "docs" / "reread"
BEFORE = REREAD / "2026-11-24-before-d7a18c4-full.json"
AFTER = REREAD / "2026-11-24-after-731c715-full.json"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


def copied(tmp_path, *paths: Path) -> list[Path]:
    """The results files copied into tmp_path: the report never reads the repository's."""
    return [Path(shutil.copy(p, tmp_path / p.name)) for p in paths]


def optbench(*args):
    return subprocess.run([sys.executable, "-m", "optbench", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """A real quick run (four claims: exact counters and timings)."""
    out = tmp_path_factory.mktemp("run") / "results.json"
    done = optbench("verify", "--quick", "--report", "--json", str(out), *QUICK_CLAIMS)
    assert done.returncode == 0, done.stderr
    return out


@contextmanager
def _chromium(page_path: Path, seen: dict | None = None):
    """The page loaded in headless Chromium; `seen` collects console errors,
    page errors, dialogs and requests while it loads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            if seen is not None:
                page.on("console", lambda m: m.type == "error" and seen["console"].append(m.text))
                page.on("pageerror", lambda e: seen["pageerror"].append(str(e)))
                page.on("dialog", lambda d: (seen["dialog"].append(d.message), d.dismiss()))
                page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            yield page
        finally:
            browser.close()


def _open_in_chromium(page_path: Path, screenshot: Path) -> dict:
    """Load the page headless; return console errors, page errors, dialogs, load time."""
    seen = {"console": [], "pageerror": [], "dialog": [], "requests": []}
    with _chromium(page_path, seen) as page:
        seen["load_ms"] = page.evaluate(
            "() => { const t = performance.getEntriesByType('navigation')[0];"
            " return t.loadEventEnd - t.startTime; }")
        page.screenshot(path=str(screenshot), full_page=True)
    return seen


# A table as the browser lays it out: one list of cell texts per row, a cell
# spanning n columns standing in each of them, so index i is column i.
TABLE_AS_COLUMNS = """table => [...table.rows].map(row => [...row.cells].flatMap(
    cell => Array(cell.colSpan).fill(cell.innerText.trim())))"""


def _tables(page_path: Path, *selectors: str) -> dict[str, list]:
    """For each selector, every matching table read by TABLE_AS_COLUMNS."""
    with _chromium(page_path) as page:
        return {sel: page.eval_on_selector_all(sel, f"tables => tables.map({TABLE_AS_COLUMNS})")
                for sel in selectors}


def _column(table: list[list[str]], header: str) -> int:
    return table[0].index(header)


def _row(table: list[list[str]], claim: str, device: str = "cpu") -> list[str]:
    """The summary's one row of `claim` on `device` (a device other than the
    CPU is named in brackets beside the claim or its size)."""
    def device_of(row):
        named = re.search(r"\((cuda|mps|xpu)\)", " ".join(row[:4]))
        return named.group(1) if named else "cpu"

    found = [r for r in table[1:] if r[0].split()[0] == claim and device_of(r) == device]
    assert len(found) == 1, (claim, device, found)
    return found[0]


def test_verify_report_writes_a_self_contained_page(quick_run):
    page = quick_run.parent / "index.html"
    html = page.read_text()
    assert page.stat().st_size < 5 * 1024 * 1024
    # Nothing loads from anywhere: no remote src, no stylesheet link, no font import.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "@import" not in html and "<script" not in html
    for claim in QUICK_CLAIMS:
        assert f'id="claim-{claim.replace(".", "-").replace("_", "-")}"' in html
    assert "data:image/svg+xml;base64," in html
    for entry in results.load(quick_run).claims:     # a shape beside each verdict word
        assert f"{verdict.SYMBOL[entry.verdict]} {entry.verdict}" in html, entry.key


@needs_chromium
def test_report_loads_in_headless_chromium_without_errors(quick_run, tmp_path):
    screenshot = quick_run.parent / "report.png"
    seen = _open_in_chromium(quick_run.parent / "index.html", screenshot)
    assert seen["console"] == [] and seen["pageerror"] == []
    assert all(url.startswith(("file:", "data:")) for url in seen["requests"])
    assert screenshot.stat().st_size > 10_000
    print(f"report loaded in {seen['load_ms']:.0f} ms")


@needs_chromium
def test_strings_from_results_are_escaped(quick_run, tmp_path):
    hostile = json.loads(quick_run.read_text())
    entry = hostile["claims"][0]
    entry["id"] = 'evil.<script>alert("id")</script>'
    entry["title"] = '<img src=x onerror=alert("title")>'
    entry["notes"] = "</style><script>alert('notes')</script>"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile))
    page = write_report([path], tmp_path / "out")
    html = page.read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    seen = _open_in_chromium(page, tmp_path / "hostile.png")
    assert seen["dialog"] == [] and seen["pageerror"] == []


def test_two_runs_side_by_side_highlight_what_moved(quick_run, tmp_path):
    later = json.loads(quick_run.read_text())
    moved = next(e for e in later["claims"] if e["id"] == "callbacks.metrics_interval")
    saves, was = moved["variants"]["optimized"]["median"], moved["verdict"]
    # The optimized variant saves as often as the baseline: the engine's verdict for that.
    base = moved["variants"]["baseline"]["median"]
    moved["variants"]["optimized"]["median"] = base
    moved["contrasts"]["optimized"].update(ratio=1.0, ci_low=1.0, ci_high=1.0)
    claimed = {c.id: c for c in builtin_claims()}[moved["id"]].claimed_at(
        moved["workload"]["size"])
    moved["verdict"] = verdict.position(claimed.ratio_high, 1.0, 1.0)
    assert moved["verdict"] == verdict.NO_EFFECT != was
    path = tmp_path / "later.json"
    path.write_text(json.dumps(later))
    html = write_report([quick_run, path], tmp_path / "out").read_text()
    assert "What moved between files" in html
    # Exact readings are not noisy: a verdict or a counter that changed moved.
    assert f"▼ worse: verdict {was} -&gt; {verdict.NO_EFFECT}" in html
    assert f"{moved['metric']} (optimized) grew: {saves:g} -&gt; {base:g}" in html
    assert html.count('class="badge">moved') >= 2  # in the table and on the claim


def test_imports_pytest_benchmark_and_links_profiles_and_asv(quick_run, tmp_path):
    entry = next(e for e in results.load(quick_run).claims if e.id == "logger.buffered")
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"machine_info": {}, "benchmarks": [{
        "group": "logger.buffered @ 20 epochs",
        "stats": {"median": 0.0021, "iqr": 0.00004, "rounds": 9},
        "extra_info": {"claim": "logger.buffered", "variant": "optimized", "size": 20,
                       "metric": entry.metric, "file_opens": 1}}]}))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "logger.buffered-optimized-20.html").write_text("<html></html>")
    asv = tmp_path / "asv" / "index.html"
    asv.parent.mkdir()
    asv.write_text("<html></html>")
    out = tmp_path / "out"
    done = optbench("report", str(quick_run), "-o", str(out), "--benchmark-json", str(bench),
                    "--profiles", str(profiles), "--asv-html", str(asv))
    assert done.returncode == 0, done.stderr
    html = (out / "index.html").read_text()
    imported = html[html.index("<strong>pytest-benchmark</strong>"):]
    imported = imported[:imported.index("</table>")]
    # What was timed, in what unit: the primary metric's name and description.
    assert f"<strong>{entry.metric}</strong>" in imported
    assert str(escape(entry.metric_description)) in imported
    assert str(escape(f"the metric itself is in {entry.unit}")) in imported  # a count, not a time
    assert "median time per call" in imported and "20 epochs" in imported
    assert "2.1 ms" in imported and "40 µs" in imported and "file_opens = 1" in imported
    assert 'href="../profiles/logger.buffered-optimized-20.html"' in html
    assert 'href="../asv/index.html"' in html


@needs_chromium
def test_not_measurable_and_error_rows_put_their_verdict_in_the_verdict_column(tmp_path):
    document = json.loads(AFTER.read_text())
    failed = next(e for e in document["claims"]
                  if e["id"] == "registry.index" and e["workload"]["size"] == 1000)
    for variant in ("baseline", "optimized", "best"):
        del failed[variant]
    failed.update(verdict="error", ratio=None, ci_low=None, ci_high=None, best_ratio=None,
                  reason="claim registry.index at size 1,000 (cpu): RuntimeError: boom")
    path = tmp_path / "after.json"
    path.write_text(json.dumps(document))
    page = write_report([path], tmp_path / "out")
    tables = _tables(page, "#summary", "#claim-trainer-val-accumulate table.entries",
                     "#claim-registry-index table.entries")
    summary = tables["#summary"][0]
    verdict_at = _column(summary, "verdict")
    assert _row(summary, "trainer.val_accumulate", "cuda")[verdict_at].startswith(
        "– not measurable here")
    entries = tables["#claim-trainer-val-accumulate table.entries"][0]
    verdict_at = _column(entries, "verdict")
    cuda_rows = [r for r in entries[1:] if r[_column(entries, "device")] == "cuda"]
    assert len(cuda_rows) == 3
    assert all(r[verdict_at] == "– not measurable here" for r in cuda_rows)
    assert all(len(r) == len(entries[0]) for r in entries)  # no row runs past the header
    entries = tables["#claim-registry-index table.entries"][0]
    [row] = [r for r in entries if r[0] == "1,000 models"]
    assert row[_column(entries, "verdict")].startswith("! error")
    assert "RuntimeError: boom" in row[_column(entries, "optimized (median)")]


@needs_chromium
def test_summary_shows_the_worst_hidden_cost_and_changed_output_beside_the_verdict(tmp_path):
    [after] = copied(tmp_path, AFTER)
    page = write_report([after], tmp_path / "out")
    summary = _tables(page, "#summary")["#summary"][0]
    cell = _row(summary, "dataset.indexed_frame")[_column(summary, "verdict")]
    entries = [e for e in results.load(after).claims if e.id == "dataset.indexed_frame"]
    worst = text.worst_hidden_cost(entries).words()
    # Ranked by the interval's lower end: 179x at 10,000 outranks 207x at 100,000.
    assert worst == "get_item_time 179x slower @ 10,000 nodes"
    assert cell.startswith("✘ refuted")
    assert f"hidden cost: {worst} +2 more" in cell
    assert f"output: {text.changed_output(entries[-1])}" in cell
    html = page.read_text()
    link = re.search(r'<a href="#(claim-dataset-indexed-frame-costs[^"]*)"[^>]*>\+2 more</a>', html)
    listed = html[html.index(f'id="{link.group(1)}"'):]
    assert all(c.words() in listed[:listed.index("</ul>")] for c in text.hidden_costs(entries))
    assert "The one shown is the worst" in html  # the rule, under the summary


@needs_chromium
def test_two_files_give_one_row_per_claim_with_before_and_after(tmp_path):
    before, after = copied(tmp_path, BEFORE, AFTER)
    page = write_report([before, after], tmp_path / "out")
    summary = _tables(page, "#summary")["#summary"][0]
    header = summary[0]
    assert header[-1] == "before -> after" and len(header) == 5  # claim, claimed, #1, #2, move
    claims = {(e.id, e.device) for f in (before, after) for e in results.load(f).claims}
    # a heading row spanning the table above each codebase's claims
    headings = [r[0] for r in summary[1:] if len(set(r)) == 1]
    assert headings == sorted(set(headings), key=headings.index)  # each codebase once
    assert len(summary) - 1 - len(headings) == len(claims)
    assert {codebase(e.source) for f in (before, after) for e in results.load(f).claims} \
        == set(headings)
    first, second, move = 2, 3, 4
    # Intervals that overlap: within noise, whatever the point estimates did.
    registry = _row(summary, "registry.index")
    assert "refuted" in registry[first] and "refuted" in registry[second]
    assert registry[move].startswith(
        "≈ within noise: ratio 0.04961 [0.04753, 0.0568] -> 0.0491 [0.04724, 0.05218]")
    # Apart, but by less than the gate's 10%: the ratio and the flipped verdict are noise.
    trainer = _row(summary, "trainer.val_accumulate")
    assert "≈ within noise: ratio 0.7061 [0.6566, 0.7261] -> 0.5762 [0.5316, 0.6093]" \
        in trainer[move]
    assert "≈ within noise: verdict inconclusive -> confirmed" in trainer[move]
    # A real move names both intervals.
    dataset = _row(summary, "dataset.indexed_frame")
    assert "▼ worse: ratio 0.1487 [0.1487, 0.1487] -> 0.2116 [0.2116, 0.2116]" in dataset[move]
    assert "✔ confirmed" in dataset[first] and "✘ refuted" in dataset[second]
    assert "not in this file" in _row(summary, "preprocess.per_row_replace_pyarrow")[first]
    cuda = _row(summary, "trainer.val_accumulate", "cuda")
    assert "not measurable here" in cuda[first] and "not measurable here" in cuda[second]


def test_better_is_the_gates_rule_with_the_files_swapped():
    before, after = results.load(BEFORE), results.load(AFTER)
    key = "dataset.indexed_frame @ 1000000 cpu"
    assert compare_files(before, after)[key][0].direction == WORSE
    assert compare_files(after, before)[key][0].direction == BETTER
    assert compare_files(before, after)["registry.index @ 100 cpu"][0].direction == NOISE


def _svg_texts(uri: str, group_prefix: str = "") -> list[str]:
    """The <text> of a plot's SVG, within groups whose id starts with
    `group_prefix` ("ytick_": the y tick labels); svg.fonttype none keeps
    labels as text."""
    root = ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))
    svg = "{http://www.w3.org/2000/svg}"
    groups = [g for g in root.iter(f"{svg}g") if g.get("id", "").startswith(group_prefix)] \
        if group_prefix else [root]
    return ["".join(t.itertext()).strip() for g in groups for t in g.iter(f"{svg}text")
            if "".join(t.itertext()).strip()]


def _series(ratios: list[float], sizes=(10, 100, 1000), spread=0.005) -> dict:
    return {"label": "file #1", "sizes": list(sizes), "ratios": ratios,
            "lows": [r - spread for r in ratios], "highs": [r + spread for r in ratios],
            "claimed": [0.98] * len(sizes)}


@pytest.mark.parametrize("ratios", [[0.905, 0.925, 0.945], [0.0006, 0.006, 0.35], [0.3, 0.5, 0.6]])
def test_the_ratio_axis_labels_at_least_three_ticks_at_any_range(ratios):
    spread = min(ratios) / 10
    labels = _svg_texts(plots.scaling_plot([_series(ratios, spread=spread)], [], "rows"),
                        "ytick_")
    assert len(labels) >= 3, labels
    assert len(set(labels)) == len(labels)
    assert all(float(label.replace(",", "")) >= 0 for label in labels)


def test_marks_on_the_same_point_are_merged_into_one_label():
    sizes, ratios = [10, 100, 1000], [1.0, 0.4, 0.6]
    lows, highs = [0.9, 0.35, 0.55], [1.1, 0.45, 0.65]
    marks = scaling_marks(sizes, ratios, lows, highs)
    assert marks == [{"size": 100, "ratio": 0.4, "text": "gain appears, largest gain"}]
    texts = _svg_texts(plots.scaling_plot([_series(ratios)], marks, "rows"))
    assert [t for t in texts if "gain" in t] == ["gain appears, largest gain"]


def test_marks_on_neighbouring_points_do_not_overlap():
    # 50 and 52 epochs at nearly the same ratio: at the same offset, the two
    # labels would cover each other.
    sizes, ratios = [10, 50, 52, 200], [1.0, 0.5, 0.46, 1.4]
    marks = scaling_marks(sizes, ratios, [0.9, 0.49, 0.455, 1.2], [1.1, 0.51, 0.465, 1.6])
    assert [(m["size"], m["text"]) for m in marks] == [
        (50, "gain appears"), (52, "largest gain"), (200, "turns into a loss")]
    fig = plots.scaling_figure([_series(ratios, sizes, spread=0.005)], marks, "epochs")
    fig.canvas.draw()
    texts = fig.axes[0].texts
    boxes = [Text.get_window_extent(t) for t in texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert texts[1].xyann[1] > texts[0].xyann[1]  # the later one was moved up


def test_an_outlier_sample_does_not_crush_the_others():
    bulk = [0.001 + i * 0.00001 for i in range(20)]
    limit = plots.clip_limit({"baseline": [2 * x for x in bulk], "optimized": bulk + [0.05]})
    # The axis ends just past the bulk (both variants), not at the 50 ms outlier.
    assert max(2 * x for x in bulk) < limit < 0.0025
    # A variant ten times slower is a difference, not an outlier; nor is a 0.1% wobble.
    assert plots.clip_limit({"baseline": [10 * x for x in bulk], "optimized": bulk}) is None
    assert plots.clip_limit({"memory": [1000.0] * 9 + [1001.0]}) is None
    assert plots.clip_limit({"few": [1.0, 1.0, 50.0]}) is None
    uri = plots.samples_plot({"baseline": [2 * x for x in bulk], "optimized": bulk + [0.05]}, "s")
    labels = _svg_texts(uri)
    assert "1 beyond →" in labels and "max 50 ms" in labels  # counted, drawn at the edge
    assert "ms" in _svg_texts(uri)  # the axis carries its unit


@pytest.mark.parametrize("content, message", [
    ("{broken", "not valid JSON"),
    ('{"hello": "world"}', "not an optbench results file"),
    ('{"machine_info": {}, "benchmarks": []}', "pass it with --benchmark-json"),
])
def test_corrupt_or_foreign_files_get_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "input.json"
    path.write_text(content)
    done = optbench("report", str(path), "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert str(path) in done.stderr and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_scaling_marks_find_where_the_gain_appears_peaks_and_turns():
    sizes = [10, 100, 1000, 10000]
    ratios = [1.0, 0.5, 0.3, 1.4]
    lows, highs = [0.9, 0.45, 0.25, 1.2], [1.1, 0.55, 0.35, 1.6]
    marks = {m["text"]: m["size"] for m in scaling_marks(sizes, ratios, lows, highs)}
    assert marks == {"gain appears": 100, "largest gain": 1000, "turns into a loss": 10000}
    assert scaling_marks(sizes, [1.0] * 4, [0.9] * 4, [1.1] * 4) == []


def test_ratios_read_as_words():
    assert [reading(r) for r in (0.1, 0.75, 1.0, 1.25, 3.0, 0.0, None)] == [
        "10x less", "25% less", "no change", "25% more", "3x more", "none left", "n/a"]


def test_no_largest_gain_mark_on_a_tie_or_within_noise():
    marks = scaling_marks([30, 150, 1500], [0.0, 0.0, 0.0], [0.0] * 3, [0.0] * 3)
    assert [m["text"] for m in marks] == []
    # 0.9662 and 0.9663 with overlapping intervals: neither size gains most.
    marks = scaling_marks([1000, 10000], [0.9662, 0.9663], [0.9559, 0.9359], [0.9794, 0.9842])
    assert [m["text"] for m in marks] == []


def test_asv_history_is_drawn_with_its_steps_offline(tmp_path):
    """A real asv results folder (tests/fixtures/asv: four commits, the third
    of which made registry.index's optimized lookup a linear scan again):
    the claim's section draws the history in the page and lists that step."""
    out = tmp_path / "page"
    done = optbench("report", str(REREAD / "2026-11-24-after-731c715-full.json"), "-o",
                    str(out), "--asv-results", str(ROOT / "tests" / "fixtures" / "asv"))
    assert done.returncode == 0, done.stderr
    html = (out / "index.html").read_text()
    section = html[html.index('id="claim-registry-index"'):]
    section = section[:section.index("</section>")]
    assert "asv history" in section and "data:image/svg+xml;base64," in section
    steps = section[section.index('class="asv-steps"'):]
    planted = [row for row in steps.split("<tr")[1:]
               if "optimized" in row and "1,000" in row and "671414f1" in row]
    assert planted and "worse" in planted[0] and "59.1x more" in planted[0]
    assert "http" not in section  # nothing loaded from the network


def test_an_asv_folder_asked_for_by_name_that_cannot_be_read_is_one_line(tmp_path):
    done = optbench("report", str(REREAD / "2026-11-24-after-731c715-full.json"), "-o",
                    str(tmp_path), "--asv-results", str(tmp_path / "no-such-folder"))
    assert done.returncode == 2 and "no-such-folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_builtin_claim_is_grouped_under_one_of_the_four_codebases():
    from optbench.core.registry import builtin_claims

    groups = {codebase(c.source) for c in builtin_claims()}
    assert groups == {"Lab_Project", "pharmagen", "training-system", "video-pipeline"}
    assert codebase("an in-house note §2") == "an in-house note"


def test_sizes_read_as_words_singular_at_one():
    from optbench.core import units

    assert units.size(1, "predictions") == "1 prediction"
    assert units.size(150, "predictions") == "150 predictions"
    assert units.size(1, "images in the folder") == "1 image in the folder"
    assert units.size(1, "batches an epoch") == "1 batch an epoch"
    assert units.size(10_000, "rows") == "10,000 rows"
    assert units.size(1, "bytes") == "1 B"  # a scaled unit keeps its symbol


def test_a_timing_from_another_machine_is_shown_beside_not_compared():
    """The same two files, each entry stamped with its machine: with
    different fingerprints the timed ratios are 'another machine' (both
    readings, the fields that differ), the exact and memory ones still move."""
    import json as _json
    from dataclasses import replace

    from optbench.core import fingerprint
    from optbench.report.collect import OTHER_MACHINE, WORSE, compare_files

    facts = {"cpu_model": "AMD EPYC", "cpu_flags": ["avx2"], "usable_cores": 2,
             "memory_bytes": 2**34, "gpu": None, "gpu_driver": None, "torch": "2.14.1",
             "cuda": None, "threads": 1}

    def stamped(path, threads):
        doc = results.load(path)
        machine = {**facts, "threads": threads}
        machine["fingerprint"] = fingerprint.fingerprint(machine)
        return replace(doc, claims=tuple(replace(e, machine=machine) for e in doc.claims))

    moves = compare_files(stamped(BEFORE, 1), stamped(AFTER, 2))
    (timed, *_) = moves["trainer.val_accumulate @ 10000 cpu"]
    assert timed.direction == OTHER_MACHINE and "threads 1 -> 2" in timed.what
    assert "not compared" in str(timed) and str(timed).startswith("≠ another machine: ratio")
    memory = moves["dataset.indexed_frame @ 10000 cpu"][0]
    assert memory.direction == WORSE and "0.1532" in memory.what
    same = compare_files(stamped(BEFORE, 1), stamped(AFTER, 1))
    assert same["trainer.val_accumulate @ 10000 cpu"][0].direction != OTHER_MACHINE
    assert _json.dumps(stamped(AFTER, 2).claims[0].to_json()["machine"])  # written out
