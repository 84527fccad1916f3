"""The HTML report, from a real `optbench verify --quick` run, opened in Chromium."""
import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optbench.report import write_report
from optbench.core.text import reading
from optbench.report.collect import scaling_marks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
QUICK_CLAIMS = ["split.shared_helper", "logger.buffered", "callbacks.metrics_interval",
                "registry.index"]


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


def _open_in_chromium(page_path: Path, screenshot: Path) -> dict:
    """Load the page headless; return console errors, page errors, dialogs, load time."""
    from playwright.sync_api import sync_playwright

    seen = {"console": [], "pageerror": [], "dialog": [], "requests": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: m.type == "error" and seen["console"].append(m.text))
            page.on("pageerror", lambda e: seen["pageerror"].append(str(e)))
            page.on("dialog", lambda d: (seen["dialog"].append(d.message), d.dismiss()))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            seen["load_ms"] = page.evaluate(
                "() => { const t = performance.getEntriesByType('navigation')[0];"
                " return t.loadEventEnd - t.startTime; }")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen


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
    assert "✔ confirmed" in html or "◐ partial" in html  # a shape beside each verdict word


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_report_loads_in_headless_chromium_without_errors(quick_run, tmp_path):
    screenshot = quick_run.parent / "report.png"
    seen = _open_in_chromium(quick_run.parent / "index.html", screenshot)
    assert seen["console"] == [] and seen["pageerror"] == []
    assert all(url.startswith(("file:", "data:")) for url in seen["requests"])
    assert screenshot.stat().st_size > 10_000
    print(f"report loaded in {seen['load_ms']:.0f} ms")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
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
    moved["verdict"] = "refuted"
    moved["optimized"]["median"] += 5
    path = tmp_path / "later.json"
    path.write_text(json.dumps(later))
    html = write_report([quick_run, path], tmp_path / "out").read_text()
    assert "What moved between files" in html
    assert "▼ worse: callbacks.metrics_interval @ 50 cpu: verdict partial -&gt; refuted" in html
    assert "metrics_saves (optimized) grew: 11 -&gt; 16" in html
    assert html.count('class="badge">moved') >= 2  # in the table and on the claim


def test_imports_pytest_benchmark_and_links_profiles_and_asv(quick_run, tmp_path):
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"machine_info": {}, "benchmarks": [{
        "group": "logger.buffered @ 1,000 messages", "stats": {"median": 0.0021, "rounds": 9},
        "extra_info": {"claim": "logger.buffered", "variant": "optimized", "size": 1000}}]}))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "logger.buffered-optimized-1000.html").write_text("<html></html>")
    asv = tmp_path / "asv" / "index.html"
    asv.parent.mkdir()
    asv.write_text("<html></html>")
    out = tmp_path / "out"
    done = optbench("report", str(quick_run), "-o", str(out), "--benchmark-json", str(bench),
                    "--profiles", str(profiles), "--asv-html", str(asv))
    assert done.returncode == 0, done.stderr
    html = (out / "index.html").read_text()
    assert "2.1 ms" in html and "rounds" in html
    assert 'href="../profiles/logger.buffered-optimized-1000.html"' in html
    assert 'href="../asv/index.html"' in html


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


def test_no_largest_gain_mark_on_a_tie():
    marks = scaling_marks([30, 150, 1500], [0.0, 0.0, 0.0], [0.0] * 3, [0.0] * 3)
    assert [m["text"] for m in marks] == []
