"""asv's results read offline: series per claim, steps at the right commit,
bad files skipped with a warning, and the report's view of it."""
import base64
import json
import random
import shutil
from pathlib import Path

import pytest

asv_results = pytest.importorskip("asv.results")
from asv import util as asv_util  # noqa: E402
from asv.runner import BenchmarkResult  # noqa: E402

from optbench.report import asv_history  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "asv"
CLAIM = "vocab.set_lookup"
PREFIX = "user_claims.vocab_set_lookup"
VERSION = "v1"
PARAMS = [["'baseline'", "'optimized'"], ["1000"]]
# Six commits, a day apart; the optimized lookup halves at the fourth, and
# its peak bytes double at the fifth.
COMMITS = [f"{i:x}" * 40 for i in range(10, 16)]
DAY_MS = 86_400_000
FIRST_DATE_MS = 1_790_000_000_000


def _machine(results: Path, name: str = "testbox") -> Path:
    folder = results / name
    folder.mkdir(parents=True)
    asv_util.write_json(str(folder / "machine.json"), {"machine": name, "arch": "x86_64"},
                        api_version=1)
    return folder


def _write_results(results: Path, commit: str, date: int, values: dict[str, list],
                   version: str = VERSION, machine: str = "testbox", samples: int = 10) -> None:
    """One asv results file, written by asv's own Results API (`samples`
    timings per value; 1 is asv --quick's)."""
    run = asv_results.Results({"machine": machine, "python": "3.11"}, {}, commit, date,
                              "3.11", "existing-py", {})
    rng = random.Random(commit)
    for name, per_param in values.items():
        timed = name.endswith("time_primary")
        # Ten samples each within 1% of the value: asv derives its interval
        # (the step detector's weights) from them.
        taken = [[v * (1 + rng.uniform(-0.01, 0.01)) for _ in range(samples)] if timed else None
                 for v in per_param]
        run.add_result({"name": name, "version": version, "params": PARAMS},
                       BenchmarkResult(result=per_param, samples=taken,
                                       number=[1 if timed else None] * len(per_param),
                                       errcode=0, stderr="", profile=None),
                       record_samples=True)
    run.save(str(results))


def _history_folder(root: Path) -> Path:
    results = root / "results"
    _machine(results)
    for i, commit in enumerate(COMMITS):
        wobble = 1 + 0.005 * (-1) ** i
        _write_results(results, commit, FIRST_DATE_MS + i * DAY_MS, {
            f"{PREFIX}.time_primary": [1e-3 * wobble, (100e-6 if i < 3 else 50e-6) * wobble],
            f"{PREFIX}.track_peak_bytes": [4096, 1000 if i < 4 else 2000],
        })
    asv_util.write_json(str(results / "benchmarks.json"), {
        f"{PREFIX}.time_primary": {"unit": "seconds", "version": VERSION,
                                   "param_names": ["variant", "size"]},
        f"{PREFIX}.track_peak_bytes": {"unit": "bytes", "version": VERSION,
                                       "param_names": ["variant", "size"]},
    }, api_version=2)
    return results


def _series(history, benchmark, variant):
    [found] = [s for s in history.series if s.benchmark == benchmark and s.variant == variant]
    return found


def test_history_is_read_in_commit_order_with_units(tmp_path):
    history = asv_history.load(_history_folder(tmp_path), claim_ids=[CLAIM])
    assert history.warnings == []
    assert [c.hash for c in history.commits] == COMMITS
    assert history.claim_ids() == [CLAIM]
    timed = _series(history, "time_primary", "optimized")
    assert (timed.unit, timed.size, timed.machine, timed.env) == ("s", 1000, "testbox",
                                                                 "existing-py")
    assert [p.commit.hash for p in timed.points] == COMMITS
    assert timed.points[0].value == pytest.approx(100e-6, rel=0.02)
    assert timed.points[0].weight is not None  # asv's weight from its interval
    assert timed.points[0].commit.date.isoformat().startswith("2026-09-21")
    assert _series(history, "track_peak_bytes", "baseline").unit == "bytes"


def test_steps_are_found_at_the_commit_that_made_them(tmp_path):
    history = asv_history.load(_history_folder(tmp_path), claim_ids=[CLAIM])
    [faster] = _series(history, "time_primary", "optimized").steps
    assert (faster.before.hash, faster.after.hash) == (COMMITS[2], COMMITS[3])
    assert faster.value_before == pytest.approx(100e-6, rel=0.02)
    assert faster.value_after == pytest.approx(50e-6, rel=0.02)
    [bigger] = _series(history, "track_peak_bytes", "optimized").steps
    assert (bigger.before.hash, bigger.after.hash) == (COMMITS[3], COMMITS[4])
    assert (bigger.value_before, bigger.value_after) == (1000, 2000)
    # A 0.5% wobble is no step.
    assert _series(history, "time_primary", "baseline").steps == []
    assert _series(history, "track_peak_bytes", "baseline").steps == []


def test_foreign_and_corrupt_files_are_skipped_with_a_warning(tmp_path):
    results = _history_folder(tmp_path)
    (results / "testbox" / "broken-existing-py.json").write_text("{not json")
    (results / "testbox" / "foreign.json").write_text(json.dumps({"benchmarks": []}))
    (results / "testbox" / "newer-existing-py.json").write_text(json.dumps({"version": 99}))
    (results / "testbox" / "notes.txt").write_text("not asv's")
    stray = results / "stray"  # a folder without machine.json
    stray.mkdir()
    (stray / "aaaaaaaa-existing-py.json").write_text("{}")
    history = asv_history.load(results, claim_ids=[CLAIM])
    warned = "\n".join(history.warnings)
    for name in ("broken-existing-py.json", "foreign.json", "newer-existing-py.json", "stray/"):
        assert name in warned, warned
    assert len(history.warnings) == 4
    assert len(_series(history, "time_primary", "optimized").points) == len(COMMITS)


def test_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(asv_history.HistoryError, match="no such folder"):
        asv_history.load(tmp_path / "nothing-here", claim_ids=[CLAIM])


def test_a_bad_optbench_claims_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTBENCH_CLAIMS", "examples/no_such_claims.py")
    with pytest.raises(asv_history.HistoryError,
                       match="^OPTBENCH_CLAIMS=examples/no_such_claims.py: .*no such file"):
        asv_history.load(_history_folder(tmp_path))


def test_names_map_to_known_claim_ids_only(tmp_path):
    results = tmp_path / "results"
    _machine(results)
    _write_results(results, COMMITS[0], FIRST_DATE_MS, {
        f"{PREFIX}.time_primary": [1e-3, 1e-4],
        "somewhere_else.vocab_set_lookup.track_peak_bytes": [1, 2],  # module renamed: fine
        "mine.UnrelatedBench.time_parse": [1.0, 2.0],
        "ab.a_b_c.time_primary": [1.0, 2.0],  # a.b_c and a_b.c share this class name
    })
    history = asv_history.load(results, claim_ids=[CLAIM, "a.b_c", "a_b.c"])
    assert history.claim_ids() == [CLAIM]
    assert {s.benchmark for s in history.series} == {"time_primary", "track_peak_bytes"}
    assert history.unmapped == ["mine.UnrelatedBench.time_parse"]
    assert any("ab.a_b_c.time_primary" in w and "a.b_c, a_b.c" in w for w in history.warnings)


def test_results_of_other_benchmark_versions_are_left_out(tmp_path):
    results = _history_folder(tmp_path)
    _write_results(results, "9" * 40, FIRST_DATE_MS - DAY_MS,
                   {f"{PREFIX}.time_primary": [5.0, 5.0]}, version="old")
    history = asv_history.load(results, claim_ids=[CLAIM])
    assert "9" * 40 not in [p.commit.hash for s in history.series for p in s.points]
    assert any("other benchmark versions" in w for w in history.warnings)


def _svg(uri: str) -> str:
    assert uri.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(uri.split(",", 1)[1]).decode()


def test_claim_view_has_plots_and_steps_for_the_page(tmp_path):
    history = asv_history.load(_history_folder(tmp_path), claim_ids=[CLAIM])
    view = asv_history.claim_view(history, CLAIM)
    assert asv_history.claim_view(history, "no.such_claim") is None
    timed, memory = view["plots"]
    assert (timed["benchmark"], timed["unit"], timed["log_y"]) == ("time_primary", "s", True)
    assert (memory["benchmark"], memory["log_y"]) == ("track_peak_bytes", False)
    assert [c["short"] for c in timed["commits"]] == [c[:8] for c in COMMITS]
    assert timed["commits"][0]["date"] == "2026-09-21"
    svg = _svg(timed["uri"])
    assert COMMITS[3][:8] in svg and ">ms<" in svg  # one unit for the axis: the largest value's
    assert _svg(timed["uri"]) == _svg(asv_history.claim_view(history, CLAIM)["plots"][0]["uri"])
    steps = {(s["benchmark"], s["variant"]): s for s in view["steps"]}
    assert set(steps) == {("time_primary", "optimized"), ("track_peak_bytes", "optimized")}
    faster = steps[("time_primary", "optimized")]
    assert (faster["commit_before"], faster["commit_after"]) == (COMMITS[2][:8], COMMITS[3][:8])
    assert faster["before"].endswith("µs") and faster["change"] in ("2x less", "2.01x less")
    assert not faster["worse"] and steps[("track_peak_bytes", "optimized")]["worse"]
    json.dumps(view)  # plain data for the template


def test_no_string_from_a_results_file_is_drawn(tmp_path):
    results = tmp_path / "results"
    _machine(results, "box<script>")
    for i, commit in enumerate(["<b>x</b>", COMMITS[1]]):
        _write_results(results, commit, FIRST_DATE_MS + i * DAY_MS,
                       {f"{PREFIX}.track_tags": [1, 2]}, machine="box<script>")
    history = asv_history.load(results, claim_ids=[CLAIM])
    svg = _svg(asv_history.claim_view(history, CLAIM)["plots"][0]["uri"])
    assert "script" not in svg and "&lt;b" not in svg and "<b>" not in svg


def test_a_real_asv_run_is_read(tmp_path):
    """Files asv 0.6.6 wrote (tests/fixtures/asv; benchmarks.json cut to these
    suites, without their code): `asv run -E existing:.venv/bin/python --quick
    --set-commit-hash` for four commits of a clone, -b model_registry for the
    first, time_primary after; from the third on, the optimized get_model
    was a linear scan again (best inherits it)."""
    results = tmp_path / "results"
    shutil.copytree(FIXTURES, results)
    history = asv_history.load(results, claim_ids=["registry.index"])
    assert history.warnings == [] and history.unmapped == []
    assert {s.benchmark for s in history.series} == {
        "time_primary", "track_peak_bytes", "track_wrong_lookups_after_updates"}
    assert len(history.commits) == 4
    slower = _series_at(history, "time_primary", "optimized", 1000)
    # One sample per point (--quick) on a busy machine: the fit may split
    # noise too, but the 50x step is where the scan came back.
    [step] = [s for s in slower.steps if s.value_after > 10 * s.value_before]
    assert (step.before, step.after) == (history.commits[1], history.commits[2])
    memory = _series_at(history, "track_peak_bytes", "optimized", 100)
    assert [p.value for p in memory.points] == [584]
    assert asv_history.claim_view(history, "registry.index")["plots"]


def _series_at(history, benchmark, variant, size):
    [found] = [s for s in history.series
               if (s.benchmark, s.variant, s.size) == (benchmark, variant, size)]
    return found


def test_one_sample_per_commit_calls_no_step_it_cannot_tell(tmp_path):
    """asv --quick: one timing per commit has no interval. A 2x jump there
    (what one quick sample of unchanged code did, issue 26) is not called a
    step, and the page says so beside the plot; a 10x jump still is; an
    exact counter's doubling needs no samples."""
    results = tmp_path / "results"
    _machine(results)
    for i, commit in enumerate(COMMITS):
        _write_results(results, commit, FIRST_DATE_MS + i * DAY_MS, {
            f"{PREFIX}.time_primary": [1e-3 * (10 if i >= 4 else 1), 50e-6 * (2 if i >= 3 else 1)],
            f"{PREFIX}.track_peak_bytes": [4096, 1000 if i < 4 else 2000],
        }, samples=1)
    asv_util.write_json(str(results / "benchmarks.json"), {
        f"{PREFIX}.time_primary": {"unit": "seconds", "version": VERSION,
                                   "param_names": ["variant", "size"]},
        f"{PREFIX}.track_peak_bytes": {"unit": "bytes", "version": VERSION,
                                       "param_names": ["variant", "size"]},
    }, api_version=2)
    history = asv_history.load(results, claim_ids=[CLAIM])
    doubled = _series(history, "time_primary", "optimized")
    assert all(p.weight is None for p in doubled.points)
    assert doubled.steps == [] and len(doubled.untold) == 1
    [tenfold] = _series(history, "time_primary", "baseline").steps
    assert (tenfold.before.hash, tenfold.after.hash) == (COMMITS[3], COMMITS[4])
    [bytes_step] = _series(history, "track_peak_bytes", "optimized").steps
    assert (bytes_step.value_before, bytes_step.value_after) == (1000, 2000)
    view = asv_history.claim_view(history, CLAIM)
    timed = next(p for p in view["plots"] if p["benchmark"] == "time_primary")
    assert timed["too_few"] == ("1 jump of 5% to 3x not called a step: commits timed with one "
                                "sample each (asv --quick) are too few to tell a change from "
                                "noise")
    assert next(p for p in view["plots"] if p["benchmark"] == "track_peak_bytes")["too_few"] \
        is None
    assert [s["change"] for s in view["untold"]] and len(view["steps"]) == 2


def test_the_thread_count_asv_keeps_is_not_drawn_as_a_claims_history(tmp_path):
    from optbench.runners.asv_suite import THREADS

    results = _history_folder(tmp_path)
    _write_results(results, COMMITS[-1], FIRST_DATE_MS + 9 * DAY_MS,
                   {f"{PREFIX}.{THREADS}": [1, 1]})
    history = asv_history.load(results, claim_ids=[CLAIM])
    assert THREADS not in {s.benchmark for s in history.series}


def test_two_machines_land_in_one_history_as_one_series_each(tmp_path):
    """asv results of two machines (two folders, each with its machine.json)
    read as one history: every benchmark a series per machine, never one
    series mixing them, and each machine's steps found on its own."""
    results = _history_folder(tmp_path)
    _machine(results, "gpu-node")
    for i, commit in enumerate(COMMITS):
        _write_results(results, commit, FIRST_DATE_MS + i * DAY_MS, {
            f"{PREFIX}.time_primary": [2e-3, 400e-6],   # slower box, no step
            f"{PREFIX}.track_peak_bytes": [4096, 1000],
        }, machine="gpu-node")
    history = asv_history.load(results, claim_ids=[CLAIM])
    timed = [s for s in history.series
             if s.benchmark == "time_primary" and s.variant == "optimized"]
    assert sorted(s.machine for s in timed) == ["gpu-node", "testbox"]
    by_machine = {s.machine: s for s in timed}
    assert by_machine["gpu-node"].points[0].value == pytest.approx(400e-6, rel=0.02)
    assert by_machine["testbox"].points[0].value == pytest.approx(100e-6, rel=0.02)
    assert len(by_machine["testbox"].steps) == 1 and by_machine["gpu-node"].steps == []
