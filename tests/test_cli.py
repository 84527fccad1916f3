"""The CLI as a user runs it: a real process, its exit status and output."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from optbench.core import verdict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "my_claims.py"


def optbench(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "optbench", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_list_shows_every_claim_with_source(claims):
    """Per claim, its id line, then what it claims and its source (cut to
    the piped width, as a terminal would cut it)."""
    from optbench import terminal
    from optbench.core.registry import catalogue

    done = optbench("list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"optbench claims ({len(claims)})"
    listed = {c.id: c for c in catalogue()}
    for claim in claims.values():
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{claim.id}  ["))
        assert lines[at + 1] == terminal.fit(f"    {listed[claim.id].claimed} · {claim.source}",
                                             terminal.PIPED_WIDTH), claim.id


@pytest.mark.parametrize("args, names", [
    (["verify", "no.such_claim"], "no.such_claim"),
    (["verify", "--claims", "/no/such/module.py"], "/no/such/module.py"),
    (["verify", "--claims", "no_such_module_xyz"], "no_such_module_xyz"),
    (["verify", "--json", "/proc/optbench/r.json", "logger.buffered"], "/proc/optbench/r.json"),
    (["profile", "no.such_claim"], "no.such_claim"),
])
def test_bad_input_is_one_line_and_exit_2(args, names):
    done = optbench(*args)
    assert done.returncode == 2
    assert names in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_claims_module_that_fails_to_import(tmp_path):
    broken = tmp_path / "broken_claims.py"
    broken.write_text("import numpy\nraise RuntimeError('boom')\n")
    done = optbench("verify", "--claims", str(broken))
    assert done.returncode == 2
    assert "broken_claims.py" in done.stderr and "boom" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_corrupt_gate_file(tmp_path):
    bad = tmp_path / "previous.json"
    bad.write_text("{oops")
    done = optbench("verify", "--gate", str(bad), "split.shared_helper")
    assert done.returncode == 2 and "previous.json" in done.stderr
    assert "not valid JSON" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_user_claims_module_end_to_end(tmp_path):
    """The README's worked example, as the README runs it."""
    out = tmp_path / "mine.json"
    done = optbench("verify", "--claims", str(EXAMPLE), "--quick", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert "vocab.set_lookup" in done.stdout
    data = json.loads(out.read_text())
    entry = data["claims"][0]
    for key in ("id", "source", "metric", "unit", "claimed", "verdict", "workload", "variants",
                "contrasts", "equivalent", "secondary"):
        assert key in entry
    assert set(entry["variants"]) == {"baseline", "optimized"}
    assert entry["equivalent"] is True
    # Structure only: how fast a set beats a list is the verdict's business.
    optimized = entry["contrasts"]["optimized"]
    assert (optimized["of"], optimized["against"]) == ("optimized", "baseline")
    assert optimized["ci_low"] <= optimized["ratio"] <= optimized["ci_high"]
    assert entry["verdict"] in verdict.ORDER      # a measured verdict, not an error
    assert data["environment"]["cores"] >= 1


def test_gate_fails_when_an_exact_counter_got_worse(tmp_path):
    first = tmp_path / "first.json"
    assert optbench("verify", "split.shared_helper", "--quick", "--json", str(first)).returncode == 0
    same = optbench("verify", "split.shared_helper", "--quick", "--json", str(tmp_path / "b.json"),
                    "--gate", str(first))
    assert same.returncode == 0, same.stderr
    # Pretend the helper used to be one statement shorter: now it "grew".
    data = json.loads(first.read_text())
    values = data["claims"][0]["secondary"]["split_statements"]["values"]
    now = values["optimized"]
    values["optimized"] -= 1
    first.write_text(json.dumps(data))
    worse = optbench("verify", "split.shared_helper", "--quick", "--json", str(tmp_path / "c.json"),
                     "--gate", str(first))
    assert worse.returncode == 1
    assert (f"REGRESSION split.shared_helper @ 30 cpu: split_statements (optimized) grew: "
            f"{now - 1} -> {now}" in worse.stderr)
    # A full run is not compared with a quick one, in one line, unless allowed.
    data["run"]["quick"] = False
    first.write_text(json.dumps(data))
    refused = optbench("verify", "split.shared_helper", "--quick", "--json",
                       str(tmp_path / "d.json"), "--gate", str(first))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "not comparable" in refused.stderr
    allowed = optbench("verify", "split.shared_helper", "--quick", "--json",
                       str(tmp_path / "e.json"), "--gate", str(first), "--gate-allow", "mode")
    assert allowed.returncode == 1, allowed.stderr
    assert (f"REGRESSION split.shared_helper @ 30 cpu: split_statements (optimized) grew: "
            f"{now - 1} -> {now}" in allowed.stderr)
    assert "not comparable" not in allowed.stderr


def test_profile_writes_a_flamegraph_per_variant(tmp_path):
    done = optbench("profile", "predictor.enumerate_zip", "--size", "1000", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    pages = sorted(p.name for p in tmp_path.glob("*.html"))
    assert pages == [f"predictor.enumerate_zip-{v}-1000.html" for v in ("baseline", "best",
                                                                         "optimized")]


def test_a_variant_that_raises_is_named_not_traced(tmp_path):
    module = tmp_path / "raising_claims.py"
    module.write_text(EXAMPLE.read_text().replace(
        "def set_vocabulary(words):           # the code after\n    return set(words)",
        "def set_vocabulary(words):\n    return 1 / 0"))
    done = optbench("verify", "--claims", str(module), "--quick", "--json", str(tmp_path / "r.json"))
    assert done.returncode == 3   # some entries errored; the file holds them
    assert "vocab.set_lookup" in done.stderr and "ZeroDivisionError" in done.stderr
    assert "raising_claims.py" in done.stderr
    assert "Traceback" not in done.stderr


def test_selftest_grades_planted_claims(tmp_path):
    out = tmp_path / "selftest.json"
    done = optbench("selftest", "planted.exact_counter", "planted.wrong_output", "--quick",
                    "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert "planted.exact_counter" in done.stdout
    assert "\nfalse calls: 0/2 (0.0%)\n" in done.stdout
    data = json.loads(out.read_text())
    assert {e["id"] for e in data["entries"]} == {"planted.exact_counter", "planted.wrong_output"}
    assert {e["grade"]["outcome"] for e in data["entries"]} == {"right"}


@pytest.mark.parametrize("args, names", [
    (["selftest", "planted.nothing"], "planted.nothing"),
    (["verify", "--threads", "0", "logger.buffered"], "--threads 0"),
    (["selftest", "--repeat", "x"], "--repeat x"),
    (["verify", "--gate-allow", "mode,everything", "logger.buffered"], "unknown everything"),
])
def test_bad_options_name_themselves(args, names):
    done = optbench(*args)
    assert done.returncode == 2
    assert names in done.stderr and "Traceback" not in done.stderr


FAILING = Path(__file__).parent / "fixtures" / "failing_claims.py"


def test_a_run_survives_claims_that_raise_hang_or_die(tmp_path):
    import os
    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "optbench", "verify", "--claims", str(FAILING),
                           "--quick", "--case-timeout", "10", "--json", str(out)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    assert_the_failing_claims_survived(done, out)
    # Cases killed mid-way leave no work folder behind.
    assert not list(tmp_path.glob("optbench-*"))


def assert_the_failing_claims_survived(done, out: Path) -> dict[str, str]:
    """A run of failing_claims.py with --case-timeout 10 (here, or on a
    cluster: tests/test_cluster.py): each failure an error entry saying why,
    the rest measured; the error entries' reasons, by claim."""
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    entries = {e["id"]: e for e in json.loads(out.read_text())["claims"]}
    assert list(entries) == ["fail.fine_before", "fail.raises", "fail.hangs", "fail.dies",
                             "fail.not_a_number", "fail.exits", "fail.starts_a_process",
                             "fail.fine_after"]
    # A claim may start processes of its own (the child is not a daemon).
    for fine in ("fail.fine_before", "fail.starts_a_process", "fail.fine_after"):
        assert entries[fine]["verdict"] == "confirmed", entries[fine]
    reasons = {k: e.get("reason", "") for k, e in entries.items() if e["verdict"] == "error"}
    assert set(reasons) == {"fail.raises", "fail.hangs", "fail.dies", "fail.not_a_number",
                            "fail.exits"}
    assert "its process stopped: SystemExit: 3" in reasons["fail.exits"]
    assert "ValueError: the optimized variant broke [" in reasons["fail.raises"]
    assert "failing_claims.py:" in reasons["fail.raises"]            # the user's file:line
    assert "no result after 10 s" in reasons["fail.hangs"]
    assert "killed by SIGKILL" in reasons["fail.dies"]
    assert "returned 'fast', not a number" in reasons["fail.not_a_number"]
    assert "5 of 8 entries could not be measured" in done.stderr
    return reasons


def test_a_claims_list_holding_something_else_is_one_line(tmp_path):
    module = tmp_path / "odd_claims.py"
    module.write_text(f"import sys; sys.path.insert(0, {str(FAILING.parent)!r})\n"
                      "from failing_claims import NOT_CLAIMS as CLAIMS\n")
    done = optbench("list", "--claims", str(module))
    assert done.returncode == 2
    assert "odd_claims.py" in done.stderr and "item 1 (str)" in done.stderr
    assert done.stderr.count("\n") == 1


def _ctrl_c_run(tmp_path, fixture: str, marker: str) -> tuple[dict, str]:
    """verify over failing_claims' `fixture`, with Ctrl-C pressed (SIGINT to
    the whole group, as a terminal sends it) once the fixture has written
    `marker`: the results file read back, and stderr."""
    import os
    import signal
    import time

    module = tmp_path / "interrupted_claims.py"
    module.write_text(f"import sys; sys.path.insert(0, {str(FAILING.parent)!r})\n"
                      f"from failing_claims import {fixture} as CLAIMS\n")
    marker_file, out = tmp_path / marker, tmp_path / "r.json"
    run = subprocess.Popen([sys.executable, "-m", "optbench", "verify", "--claims", str(module),
                            "--quick", "--json", str(out)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "OPTBENCH_TEST_MARKER": str(marker_file)},
                           start_new_session=True,
                           # A shell's background job inherits SIGINT ignored,
                           # and Python keeps it so: give the run a terminal's.
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not marker_file.exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert marker_file.exists(), f"{fixture} never reached {marker}"
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert f"written to {out}" in stderr and "Traceback" not in stderr
    return json.loads(out.read_text()), stderr


def test_ctrl_c_writes_what_was_measured_marked_incomplete(tmp_path):
    data, _ = _ctrl_c_run(tmp_path, "SLOW", "started")
    assert data["run"]["incomplete"] is True
    assert [e["id"] for e in data["claims"]] == ["fail.fine_before"]


def test_ctrl_c_while_sampling_keeps_the_rounds_measured(tmp_path):
    """The round under way finishes, the case is kept with the interval of
    its rounds and says why it is short; no later case runs."""
    data, _ = _ctrl_c_run(tmp_path, "INTERRUPTED", "sampling")
    assert data["run"]["incomplete"] is True
    assert [e["id"] for e in data["claims"]] == ["fail.fine_before", "fail.timed"]
    timed = data["claims"][1]
    assert timed["sampling"]["stop"] == "interrupted"
    rounds = timed["sampling"]["rounds"]
    assert rounds >= 2 and len(timed["variants"]["baseline"]["samples"]) == rounds
    optimized = timed["contrasts"]["optimized"]
    assert optimized["ci_low"] <= optimized["ratio"] <= optimized["ci_high"]
    assert timed["warnings"] == [
        f"Ctrl-C stopped the sampling after {rounds} rounds: the interval is from those "
        f"rounds alone; hidden costs not read: calls_counted"]
    assert timed["secondary"] == {}


PLANTED = ROOT / "optbench" / "calibration" / "planted.py"


def test_a_timed_out_case_leaves_no_process_it_started(tmp_path):
    import os
    import psutil

    pid_file = tmp_path / "child.pid"
    done = subprocess.run([sys.executable, "-m", "optbench", "verify", "--quick", "--claims",
                           str(ROOT / "tests/fixtures/hanging_parent_claims.py"),
                           "--case-timeout", "5", "--json", str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OPTBENCH_TEST_CHILD_PID": str(pid_file)})
    assert done.returncode == 3, done.stderr
    assert "no result after 5 s" in done.stderr
    child = int(pid_file.read_text())
    try:
        psutil.Process(child).wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        psutil.Process(child).kill()
        pytest.fail("the process the case started outlived its timeout")


def test_identical_timed_code_passes_the_gate(tmp_path):
    """Two quick runs of one timed A/A claim (one implementation as both
    variants, true ratio exactly 1): whatever the verdicts do within noise,
    the gate passes (a false alarm needs two disjoint intervals in a row,
    the second from the gate's own re-measure). A/A, not the README's
    list-vs-set example: there the two variants load the machine
    differently (a memory scan against interpreter work), so a neighbour
    that comes and goes moves their ratio between runs for real."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run = ("verify", "--claims", str(PLANTED), "planted.aa_python", "--quick")
    assert optbench(*run, "--json", str(first)).returncode == 0
    again = optbench(*run, "--json", str(second), "--gate", str(first))
    assert again.returncode == 0, again.stderr
    assert "gate: nothing got worse" in again.stdout
    environment = json.loads(second.read_text())["environment"]
    assert "claims_module_git_commit" in environment   # the user's project, when in git


def test_version():
    import importlib.metadata

    done = optbench("--version")
    assert done.returncode == 0
    assert done.stdout == f"optbench {importlib.metadata.version('optbench')}\n"


def test_no_work_folders_are_left_behind(tmp_path):
    """Neither a quick verify nor a script that makes cases and forgets them
    leaves optbench-* folders in the temp folder."""
    import os
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    script = ("from optbench.core.registry import get\n"
              "c = get('callbacks.metrics_interval')\n"
              "case = c.case('optimized', 50)\n"
              "c.output(case)\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "optbench", "verify", "--quick",
                           "callbacks.metrics_interval", "logger.buffered",
                           "--json", str(tmp_path / "out" / "r.json")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_timing_of_an_emptied_queue_is_warned_about(tmp_path):
    """setup builds the queue once; the timed function drains it on its first
    call and times an empty queue after that. The verdict alone would not say."""
    out = tmp_path / "drain.json"
    done = optbench("verify", "--quick", "--claims", str(ROOT / "tests/fixtures/draining_claims.py"),
                    "--json", str(out))
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stderr.split())   # piped: warnings wrap at 100 columns
    assert "within 3x of timing an empty call" in said
    assert "does not grow with the workload" in said
    entries = json.loads(out.read_text())["claims"]
    assert any("does not grow" in w for e in entries for w in e.get("warnings", []))


def test_a_claim_whose_work_grows_draws_no_timing_warning(tmp_path):
    """The same checks stay quiet on the README's example (list vs set lookups)."""
    done = optbench("verify", "--quick", "--claims", str(EXAMPLE), "--json",
                    str(tmp_path / "mine.json"))
    assert done.returncode == 0, done.stderr
    assert "warning:" not in done.stderr, done.stderr


def test_list_and_a_mistyped_id_need_no_torch_once_the_catalogue_is_cached(tmp_path):
    """The first listing imports the claims and caches the catalogue; after
    that, list and an unknown id answer without importing torch or pandas."""
    import os

    env = {**os.environ, "OPTBENCH_CACHE_DIR": str(tmp_path)}
    probe = ("import sys; from optbench.cli import main; status = main({args}); "
             "print('heavy:', sorted(m for m in ('torch', 'pandas', 'sklearn') if m in sys.modules))")

    def run(args):
        return subprocess.run([sys.executable, "-c", probe.format(args=args)], env=env,
                              capture_output=True, text=True, timeout=600)

    first = run("['list']")
    assert "heavy: ['pandas', 'sklearn', 'torch']" in first.stdout
    assert list(tmp_path.glob("catalogue-*.json"))
    again = run("['list']")
    assert "heavy: []" in again.stdout and "logger.buffered" in again.stdout
    typo = run("['verify', 'logger.bufferd']")
    assert "heavy: []" in typo.stdout and "logger.bufferd" in typo.stderr


def test_a_reader_that_stops_reading_is_not_an_error(tmp_path):
    """`optbench verify ... | head -1`: the results are still written, the
    exit status is the run's, and nothing is printed about the pipe."""
    out = tmp_path / "r.json"
    run = subprocess.Popen([sys.executable, "-m", "optbench", "verify", "--quick",
                            "split.shared_helper", "--json", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run.stdout.close()   # gone before the table is printed: every write meets a broken pipe
    stderr = run.stderr.read()
    assert run.wait(timeout=300) == 0, stderr
    assert out.exists() and "Traceback" not in stderr and "Broken pipe" not in stderr


def test_an_error_the_users_module_causes_names_its_file_and_line(tmp_path):
    """Equivalence.exact on tensors fails inside optbench's engine; the error
    points at the user's Claim(...) instead, and says what to use."""
    fixture = ROOT / "tests" / "fixtures" / "tensor_exact_claims.py"
    done = optbench("verify", "--quick", "--claims", str(fixture), "--json",
                    str(tmp_path / "r.json"))
    assert done.returncode == 3
    error = next(line for line in done.stderr.splitlines() if line.startswith("error:"))
    assert f"[{fixture}:8]" in error          # the line that opens CLAIMS = [Claim(
    assert "Equivalence.allclose" in error and "optbench/core" not in error


def test_profiling_a_cuda_only_claim_without_cuda_is_one_clear_error(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is here")
    done = optbench("profile", "trainer.nonblocking_pinned", "-o", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip() == ("optbench: error: cannot profile here: "
                                   "trainer.nonblocking_pinned is measured on cuda only, "
                                   "not available here")


def test_a_regression_and_an_error_in_one_run_exit_1_with_both_said(tmp_path):
    """The gate's exit code wins over the errors' (3): a PR that made
    something worse must fail as a regression, whatever else broke."""
    module = tmp_path / "mixed_claims.py"
    module.write_text(f"import sys; sys.path.insert(0, {str(FAILING.parent)!r})\n"
                      f"from failing_claims import _claim\n"
                      f"CLAIMS = [_claim('fine_before', 'fine'), _claim('raises', 'raises')]\n")
    first = tmp_path / "first.json"
    done = optbench("verify", "--claims", str(module), "--quick", "--json", str(first))
    assert done.returncode == 3, done.stderr          # errors alone: 3
    data = json.loads(first.read_text())
    fine = next(e for e in data["claims"] if e["id"] == "fail.fine_before")
    fine["variants"]["optimized"]["median"] = 1      # it used to count 1: now 2 is worse
    first.write_text(json.dumps(data))
    again = optbench("verify", "--claims", str(module), "--quick", "--json",
                     str(tmp_path / "second.json"), "--gate", str(first))
    assert again.returncode == 1, again.stderr
    assert "REGRESSION fail.fine_before @ 1 cpu: count (optimized) grew: 1 -> 2" in again.stderr
    assert "error: " in again.stderr and "the optimized variant broke" in again.stderr


@pytest.mark.parametrize("args, names", [
    (["asv", "no-such-commit-xyz"], "no-such-commit-xyz"),
    (["asv", "--factor", "0.9", "HEAD"], "--factor 0.9"),
])
def test_asv_bad_input_is_one_line_and_exit_2(args, names):
    done = optbench(*args, cwd=ROOT)
    assert done.returncode == 2
    assert names in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_asv_runs_each_commit_from_a_worktree_and_fails_on_a_slowdown(tmp_path):
    """Two commits of a tiny project: the second sleeps ten times longer.
    Each runs from its own worktree (the benchmark reads the worktree's own
    module), in mirrored passes (A B B A); results land in the project's
    results folder under the commits' hashes, and asv's comparison fails
    the run."""
    from test_results import _git

    repo = tmp_path / "project"
    (repo / "benchmarks").mkdir(parents=True)
    (repo / "asv.conf.json").write_text(json.dumps({
        "version": 1, "project": "tiny", "repo": ".", "branches": ["main"],
        "environment_type": "virtualenv", "benchmark_dir": "benchmarks",
        "env_dir": ".asv/env", "results_dir": ".asv/results", "html_dir": ".asv/html"}))
    (repo / "benchmarks" / "__init__.py").write_text("")
    (repo / "benchmarks" / "bench.py").write_text(
        "import time\nfrom tiny_work import SECONDS\n\n"
        "def time_work():\n    time.sleep(SECONDS)\n"
        "time_work.repeat = (3, 5, 2.0)\ntime_work.number = 1\n")
    commits = []
    for seconds in (0.002, 0.02):
        (repo / "tiny_work.py").write_text(f"SECONDS = {seconds}\n")
        _git(repo, "init", "-q", "-b", "main") if not commits else None
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"sleep {seconds}")
        commits.append(_git(repo, "rev-parse", "HEAD"))
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "optbench", "asv", "HEAD~1", "HEAD"],
                          capture_output=True, text=True, cwd=repo, timeout=600, env=env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "slower beyond the factor" in done.stdout, done.stdout
    assert "1 benchmark(s) compared" in done.stdout, done.stdout
    results = list((repo / ".asv" / "results").glob("*/*.json"))
    recorded = {json.loads(p.read_text()).get("commit_hash") for p in results}
    assert set(commits) <= recorded
    # the worktrees are gone
    listed = subprocess.run(["git", "-C", str(repo), "worktree", "list"],
                            capture_output=True, text=True).stdout
    assert len(listed.strip().splitlines()) == 1
    # a changed benchmark is a new version: asv skips it, and the run says so
    (repo / "benchmarks" / "bench.py").write_text(
        (repo / "benchmarks" / "bench.py").read_text().replace("time.sleep(SECONDS)",
                                                               "time.sleep(SECONDS / 2)"))
    _git(repo, "commit", "-q", "-am", "half the sleep")
    done = subprocess.run([sys.executable, "-m", "optbench", "asv", "HEAD~1", "HEAD"],
                          capture_output=True, text=True, cwd=repo, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 benchmark(s) not compared (x): their version changed" in done.stdout, done.stdout
    assert "a pass in the last run like it here" in done.stdout   # the estimate
    assert "0 benchmark(s) compared" in done.stdout
