"""What a newcomer tripped on (issue 26), each fixed: the input named, the
error said before the slow part, the run's facts read when they happen."""
import subprocess
import sys
from pathlib import Path

import pytest

from optbench.core import registry, results

ROOT = Path(__file__).resolve().parent.parent


def test_a_claims_list_that_is_a_string_is_said_to_be_one(tmp_path):
    module = tmp_path / "vocab_claims.py"
    module.write_text('CLAIMS = "vocab"\n')
    with pytest.raises(registry.ClaimsError) as info:
        registry.claims_of_module(str(module))
    assert str(info.value) == (f"claims module {module}: CLAIMS is a str, not a list of Claim "
                               "objects")


def test_a_syntax_error_is_placed_in_the_users_file(tmp_path):
    module = tmp_path / "broken_claims.py"
    module.write_text("x = 1\ndef f(:\n    pass\n")
    with pytest.raises(registry.ClaimsError) as info:
        registry.load_module(str(module))
    message = str(info.value)
    assert message.startswith(f"claims module {module}: failed while importing: SyntaxError: ")
    assert message.endswith(f"[{module}:2]") and "frozen importlib" not in message


def test_a_results_path_under_a_file_names_the_file(tmp_path):
    blocker = tmp_path / "passwd"
    blocker.write_text("root:x:0:0\n")
    with pytest.raises(results.ResultsError) as info:
        results.write_atomic(blocker / "x.json", "{}")
    assert str(info.value) == f"cannot write {blocker / 'x.json'}: {blocker} is a file, not a folder"
    done = subprocess.run([sys.executable, "-m", "optbench", "verify", "registry.index",
                           "--quick", "--json", str(blocker / "deeper" / "x.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"optbench: error: --json {blocker / 'deeper' / 'x.json'}: "
                                   f"cannot write there ({blocker} is a file, not a folder)")


def test_profile_refuses_an_unwritable_folder_before_importing_torch(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    probe = ("import sys\nfrom optbench.cli import main\n"
             f"code = main(['profile', 'registry.index', '-o', {str(blocker / 'out')!r}])\n"
             "print(code, 'torch' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.stdout.split() == ["2", "False"], done.stderr
    assert f"-o {blocker / 'out' / 'registry.index.html'}: cannot write there" in done.stderr


def test_report_refuses_a_profiles_folder_that_is_not_there(tmp_path):
    from optbench.cli import main
    from optbench.core.schema import SCHEMA_VERSION, Results

    doc = tmp_path / "r.json"
    results.save(Results.from_json({"schema_version": SCHEMA_VERSION, "claims": []}), doc)
    assert main(["report", str(doc), "-o", str(tmp_path / "out"),
                 "--profiles", str(tmp_path / "no-such-folder")]) == 2


def test_an_incomplete_run_says_so_in_the_report(tmp_path):
    from optbench.core.schema import SCHEMA_VERSION, Results
    from optbench.report import write_report

    doc = tmp_path / "stopped.json"
    results.save(Results.from_json({"schema_version": SCHEMA_VERSION, "claims": [],
                                    "run": {"quick": True, "incomplete": True}}), doc)
    html = write_report([doc], tmp_path / "out").read_text()
    assert "is an incomplete run</strong> (stopped by Ctrl-C)" in html
    results.save(Results.from_json({"schema_version": SCHEMA_VERSION, "claims": [],
                                    "run": {"quick": True}}), doc)
    assert "incomplete run" not in write_report([doc], tmp_path / "out2").read_text()


def test_the_environment_is_read_as_the_run_starts(monkeypatch):
    """Its load average and timestamp are the start's, not the end's."""
    from optbench.core import engine
    from optbench.core.registry import builtin_claims

    order = []
    real = results.environment
    monkeypatch.setattr(results, "environment",
                        lambda *a: order.append("environment") or real(*a))
    claim = next(c for c in builtin_claims() if c.id == "split.shared_helper")
    real_setup = claim.setup
    from dataclasses import replace
    watched = replace(claim, setup=lambda case: order.append("measure") or real_setup(case),
                      workload=replace(claim.workload, quick_sizes=claim.workload.quick_sizes[:1]))
    engine.run([watched], engine.RunOptions(quick=True, isolate=False, instructions=False))
    assert order[0] == "environment" and order.count("environment") == 1 and "measure" in order


def test_piped_notes_wrap_at_the_tables_width_and_lose_no_word():
    from optbench import terminal

    note = ("note: system.pharmagen @ 1,000: interval ±7.0% is wider than 5% (sampling stopped "
            "(budget) after 6 rounds, 513.3 s; noisy machine: rerun on a quieter machine) "
            "and a_very_long_identifier_that_cannot_be_broken_anywhere")
    lines = terminal.wrapped(note).splitlines()
    assert len(lines) > 1 and all(len(line) <= terminal.PIPED_WIDTH for line in lines)
    assert all(line.startswith("    ") for line in lines[1:])
    assert " ".join(note.split()) == " ".join(" ".join(lines).split())


def test_the_summary_says_what_it_counts_and_fits_a_1400_pixel_window(tmp_path):
    """75 entries of a committed quick run: the summary's rows are labelled against
    the file's entries, and the table needs no horizontal scroll bar."""
    import json

    from test_report import CHROMIUM, needs_chromium  # noqa: F401  (the skip marker's reason)
    from optbench.report import write_report

    source = ROOT / "docs/quick/2026-12-07-quick-all-9251ddb.json"
    page = write_report([source], tmp_path / "out")
    html = page.read_text()
    entries = len(json.loads(source.read_text())["claims"])
    assert f"holds {entries} entries" in html and "rows: one per claim and device" in html
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox",
                                                                     "--disable-gpu"])
        try:
            view = browser.new_page(viewport={"width": 1400, "height": 900})
            view.goto(page.resolve().as_uri(), wait_until="load")
            overflow = view.evaluate("""() => { const t = document.querySelector('#summary');
                return t.scrollWidth - t.parentElement.clientWidth; }""")
            headers = view.eval_on_selector_all("#summary th", "hs => hs.map(h => h.innerText)")
        finally:
            browser.close()
    assert overflow <= 0, f"the summary overflows by {overflow} px"
    assert "at other sizes" in [" ".join(h.split()) for h in headers]
