"""Results files: atomic writes, clear errors naming the file, the environment."""
import json
import os
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from optbench.core import results
from optbench.core.schema import SCHEMA_VERSION, Results

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _document(verdict="confirmed", writes=100):
    return Results.from_json({"schema_version": SCHEMA_VERSION, "environment": {}, "claims": [{
        "id": "logger.buffered", "revision": 1, "verdict": verdict, "kind": "counter",
        "metric": "write_syscalls", "workload": {"size": 1000, "device": "cpu"},
        "optimized": {"median": writes},
        "secondary": {"file_opens": {"kind": "counter", "values": {"optimized": 100}}},
    }]})


def test_save_is_atomic_and_loads_back(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "r.json"
    results.save(_document(), path)
    assert results.load(path) == _document()
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temp file left
    # A save that fails at the rename (a full disk) leaves the old file whole.
    def full_disk(*_):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(results.ResultsError, match=f"cannot write {path}: No space left"):
        results.save(_document(writes=5), path)
    assert results.load(path) == _document()
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]


def test_a_saved_file_has_the_permissions_open_would_give(tmp_path):
    umask = os.umask(0o022)
    try:
        results.save(_document(), tmp_path / "r.json")
    finally:
        os.umask(umask)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644


def test_a_folder_that_cannot_be_made_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(results.ResultsError, match=f"cannot write {blocker / 'r.json'}"):
        results.save(_document(), blocker / "r.json")


def test_results_are_typed_and_immutable():
    entry = _document().claims[0]
    assert entry.key == "logger.buffered @ 1000 cpu"
    assert entry.variant("optimized").median == 100
    assert entry.secondary["file_opens"].values["optimized"] == 100
    with pytest.raises(FrozenInstanceError):
        entry.verdict = "refuted"
    with pytest.raises(TypeError):
        entry.secondary["file_opens"].values["optimized"] = 1


@pytest.mark.parametrize("name", sorted(p.name for p in (DOCS / "reread").glob("*.json")))
def test_version_1_files_still_load_and_round_trip(name, tmp_path):
    """The committed results (docs/reread) are schema version 1: they load
    into the typed objects, and writing them back loses nothing they hold."""
    path = DOCS / "reread" / name
    loaded = results.load(path)
    assert loaded.schema_version == SCHEMA_VERSION and loaded.claims
    assert all(e.revision is None for e in loaded.claims)  # version 1 had none
    again = tmp_path / "again.json"
    results.save(loaded, again)
    assert json.loads(again.read_text())["schema_version"] == SCHEMA_VERSION == 4
    assert results.load(again) == loaded
    raw = json.loads(path.read_text())["claims"][0]
    assert loaded.claims[0].variant("optimized").median == raw["optimized"]["median"]
    assert loaded.claims[0].to_json()["secondary"].keys() == raw["secondary"].keys()


@pytest.mark.parametrize("name", ["images/2026-11-24-images-full.json",
                                  "training-system/2026-12-06-full-intel-xeon.json"])
def test_version_2_and_3_flat_ratios_become_named_contrasts(name, tmp_path):
    """Versions 2 and 3 wrote the optimized and best ratios as flat fields and each
    variant's summary as a top-level key: they load as the "optimized" and
    "best" contrasts against the baseline and the variants mapping, keep
    every figure, and nothing of them is left over as an unknown key."""
    path = DOCS / name
    raw = json.loads(path.read_text())
    assert raw["schema_version"] in (2, 3)
    loaded = results.load(path)
    with_best = 0
    for entry, old in zip(loaded.claims, raw["claims"]):
        assert entry.ratio == old.get("ratio") and entry.ci_high == old.get("ci_high")
        assert set(entry.variants) == {v for v in ("baseline", "optimized", "best") if v in old}
        if old.get("best_ratio") is not None:
            with_best += 1
            best = entry.contrasts["best"]
            assert (best.of, best.against) == ("best", "baseline")
            assert (best.ratio, best.ci_low, best.ci_high) == (
                old["best_ratio"], old["best_ci_low"], old["best_ci_high"])
        else:
            assert "best" not in entry.contrasts
        assert not set(entry.extra) & {"ratio", "best_ratio", "best_ci_low", "baseline", "best"}
    assert with_best or "training-system" in name
    results.save(loaded, tmp_path / "again.json")
    assert results.load(tmp_path / "again.json") == loaded


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"benchmarks": []}', "not an optbench results file"),
    ('{"schema_version": 99, "claims": []}', "schema_version 99"),
    ('{"schema_version": 1, "claims": [1, 2]}', "not a list of claim entries"),
])
def test_bad_files_get_one_clear_error_naming_them(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(results.ResultsError, match=message) as info:
        results.load(path)
    assert str(path) in str(info.value)


def test_environment_names_the_machine():
    import datetime
    import platform

    import torch

    env = results.environment()
    assert env["python"] == platform.python_version()
    assert env["torch"] == torch.__version__
    assert env["cores"] == os.cpu_count() and 1 <= env["usable_cores"] <= os.cpu_count()
    assert isinstance(env["cpu_model"], str) and env["cpu_model"]
    assert env["cuda_device"] == (torch.cuda.get_device_name(0) if torch.cuda.is_available()
                                  else None)
    assert len(env["load_average_at_start"]) == 3
    assert datetime.datetime.fromisoformat(env["timestamp"]).tzinfo is not None
    assert env["libraries"]["numpy"] == __import__("numpy").__version__
    for key in ("git_commit", "git_dirty", "pandas_string_storage"):
        assert key in env
    json.dumps(env)


def test_the_cpu_is_named_from_proc_cpuinfo(tmp_path, monkeypatch):
    """The first "model name" and the first "flags" line, the flags kept in
    the order optbench lists them."""
    import platform
    from pathlib import Path as RealPath

    fake = tmp_path / "cpuinfo"
    fake.write_text("processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\n"
                    "flags\t\t: fpu avx2 sse fma avx\n\nprocessor\t: 1\n"
                    "model name\t: Other CPU\nflags\t\t: avx512f\n")
    monkeypatch.setattr(results, "Path", lambda p: fake if p == "/proc/cpuinfo" else RealPath(p))
    monkeypatch.setattr(platform, "processor", lambda: "")
    assert results.cpu_info() == ("Example CPU @ 2.0GHz", ["avx", "avx2", "fma"])
    monkeypatch.setattr(results, "Path", lambda p: tmp_path / "missing")
    assert results.cpu_info() == (platform.machine(), [])


def test_an_entry_writes_only_what_it_has():
    """None fields and empty warnings are left out; the rest as named; a
    newer optbench's extra keys back at the top level."""
    from optbench.core.schema import Contrast, Entry

    bare = Entry("c", "confirmed", {"size": 1, "device": "cpu"})
    assert bare.to_json() == {
        "id": "c", "verdict": "confirmed", "workload": {"size": 1, "device": "cpu"},
        "title": "", "source": "", "component": "", "metric": "", "kind": "", "unit": "",
        "metric_description": "", "headline": False, "claimed": {}, "notes": "",
        "equivalent": None, "variants": {}, "contrasts": {}, "secondary": {}}
    full = Entry("c", "error", {"size": 1}, revision=2, reason="boom", warnings=("w",),
                 sampling={"rounds": 3}, noise={"floor": 0.01}, instructions={"a": 1},
                 equivalence={"per_variant": {}}, ablation={"cells": {}},
                 extra={"future": 1})
    out = full.to_json()
    assert {k: out[k] for k in ("revision", "reason", "warnings", "sampling", "noise",
                                "instructions", "equivalence", "ablation", "future")} == {
        "revision": 2, "reason": "boom", "warnings": ["w"], "sampling": {"rounds": 3},
        "noise": {"floor": 0.01}, "instructions": {"a": 1}, "equivalence": {"per_variant": {}},
        "ablation": {"cells": {}}, "future": 1}
    assert "extra" not in out
    assert Contrast("best", "baseline", 0.5, 0.4, 0.6).to_json() == {
        "of": "best", "against": "baseline", "ratio": 0.5, "ci_low": 0.4, "ci_high": 0.6}
    added = bare.with_contrast("best", ratio=0.5)
    assert added.contrasts["best"] == Contrast("best", "baseline", 0.5)
    changed = added.with_contrast("best", ci_low=0.4)
    assert changed.contrasts["best"] == Contrast("best", "baseline", 0.5, 0.4)


# --- the environment readers: git, pandas, the machine (from mutation survivors) ---

def _git(repo, *args):
    import subprocess

    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, "GIT_AUTHOR_NAME": "t",
                                          "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                                          "GIT_COMMITTER_EMAIL": "t@t"}).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """A git repository with one commit of claims.py."""
    where = tmp_path / "project"
    where.mkdir()
    _git(where, "init", "-q")
    (where / "claims.py").write_text("CLAIMS = []\n")
    _git(where, "add", "claims.py")
    _git(where, "commit", "-q", "-m", "first")
    return where


def test_git_state_reads_the_commit_and_whether_tracked_files_changed(repo, tmp_path):
    head = (repo / ".git" / _git(repo, "symbolic-ref", "HEAD")).read_text().strip()
    assert len(head) == 40
    assert results.git_commit(repo) == head
    assert results.git_state(repo) == {"commit": head, "dirty": False}
    (repo / "notes.txt").write_text("untracked")        # untracked files are not a change
    assert results.git_state(repo) == {"commit": head, "dirty": False}
    (repo / "claims.py").write_text("CLAIMS = [1]\n")   # a tracked file changed
    assert results.git_state(repo) == {"commit": head, "dirty": True}
    outside = tmp_path / "outside"
    outside.mkdir()
    assert results.git_commit(outside) is None
    assert results.git_state(outside) == {"commit": None, "dirty": None}


def test_git_is_asked_in_the_current_folder_when_none_is_given(repo, monkeypatch):
    monkeypatch.chdir(repo)
    head = _git(repo, "rev-parse", "HEAD")
    assert results.git_commit() == head
    (repo / "claims.py").write_text("changed\n")
    assert results.git_state() == {"commit": head, "dirty": True}


def test_a_git_that_fails_or_hangs_leaves_the_state_unknown(repo, monkeypatch):
    """git missing, hung (each call is given at most 5 s) or failing for
    status only: the run goes on with null fields, never a traceback."""
    import subprocess

    real_run, asked = subprocess.run, []
    head = _git(repo, "rev-parse", "HEAD")

    def recording(args, **kwargs):
        asked.append((args, kwargs))
        assert 0 < kwargs["timeout"] <= 5  # a hung git cannot stall a run
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording)
    results.git_state(repo)
    assert [a[0][1] for a in asked] == ["rev-parse", "status"]
    assert all(k["cwd"] == repo for _, k in asked)

    def hung(args, **kwargs):
        raise subprocess.TimeoutExpired(args, kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", hung)
    assert results.git_commit(repo) is None
    assert results.git_state(repo) == {"commit": None, "dirty": None}

    def missing(args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory: 'git'")

    monkeypatch.setattr(subprocess, "run", missing)
    assert results.git_state(repo) == {"commit": None, "dirty": None}

    for failure in (hung, missing, lambda args, **kw: subprocess.CompletedProcess(args, 128, "", "")):
        def status_fails(args, failure=failure, **kwargs):
            return real_run(args, **kwargs) if args[1] == "rev-parse" else failure(args, **kwargs)

        monkeypatch.setattr(subprocess, "run", status_fails)
        assert results.git_state(repo) == {"commit": head, "dirty": None}

    monkeypatch.setattr(subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
        args, 1, "0" * 40 + "\n", "fatal"))
    assert results.git_commit(repo) is None  # a failing rev-parse's output is not a commit
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
        args, 0, "\n", ""))
    assert results.git_commit(repo) is None  # nor is an empty one


def test_a_claims_module_file_records_the_git_state_of_its_project(repo, tmp_path):
    head = _git(repo, "rev-parse", "HEAD")
    module = str(repo / "claims.py")
    assert results._claims_module_git(module) == {
        "claims_module_git_commit": head, "claims_module_git_dirty": False}
    env = results.environment(module)
    assert (env["claims_module_git_commit"], env["claims_module_git_dirty"]) == (head, False)
    # A module name (not a file), a folder, a missing file or none: nothing recorded.
    for not_a_file in (None, "", "optbench.examples", str(repo), str(repo / "gone.py")):
        assert results._claims_module_git(not_a_file) == {}
    assert "claims_module_git_commit" not in results.environment()


def test_the_pandas_string_storage_is_what_a_str_column_gets():
    import sys

    import pandas as pd

    with pd.option_context("mode.string_storage", "python"):
        assert results._pandas_string_storage() == "python"
    with pd.option_context("mode.string_storage", "pyarrow"):
        assert results._pandas_string_storage() == "pyarrow"
    with pytest.warns(Warning), pd.option_context("future.infer_string", False):
        assert results._pandas_string_storage() == "object"  # pandas 2's object columns
    saved = sys.modules["pandas"]
    sys.modules["pandas"] = None  # pandas not installed: unknown, not a failed run
    try:
        assert results._pandas_string_storage() is None
    finally:
        sys.modules["pandas"] = saved


def test_the_environment_records_exactly_its_fields(monkeypatch):
    import platform

    import torch

    env = results.environment()
    assert set(env) == {
        "python", "platform", "cpu_model", "cpu_flags", "cores", "usable_cores", "torch",
        "cuda_device", "git_commit", "git_dirty", "libraries", "pandas_string_storage",
        "load_average_at_start", "timestamp"}
    assert env["platform"] == platform.platform()
    assert (env["cpu_model"], env["cpu_flags"]) == results.cpu_info()
    assert env["usable_cores"] == len(os.sched_getaffinity(0))
    assert list(env["libraries"]) == list(results.LIBRARIES)
    # Where the OS cannot say (no affinity, no load average), the fallbacks.
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.delattr(os, "getloadavg")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: f"GPU number {index}")
    env = results.environment()
    assert env["usable_cores"] == os.cpu_count()
    assert env["load_average_at_start"] is None
    assert env["cuda_device"] == "GPU number 0"


def test_a_library_not_installed_reads_none(monkeypatch):
    monkeypatch.setattr(results, "LIBRARIES", ("numpy", "no-such-library-optbench"))
    assert results.library_versions() == {
        "numpy": __import__("numpy").__version__, "no-such-library-optbench": None}


def test_a_model_name_holding_a_colon_and_an_empty_platform_name(tmp_path, monkeypatch):
    import platform
    from pathlib import Path as RealPath

    fake = tmp_path / "cpuinfo"
    fake.write_text("model name\t: Vendor CPU: rev 2\nflags\t\t: avx\n")
    monkeypatch.setattr(results, "Path", lambda p: fake if p == "/proc/cpuinfo" else RealPath(p))
    monkeypatch.setattr(platform, "processor", lambda: "")
    monkeypatch.setattr(platform, "machine", lambda: "")
    assert results.cpu_info() == ("Vendor CPU: rev 2", ["avx"])


# --- write_atomic, save and load: the exact behaviour and messages ---

def test_the_temporary_file_is_hidden_beside_the_target(tmp_path, monkeypatch):
    """Renamed over the target from the same folder (so the rename is atomic,
    never across file systems), named so that no glob for *.json picks it up."""
    real_replace, renamed = os.replace, []

    def recording(src, dst):
        renamed.append((Path(src), Path(dst)))
        assert Path(src).read_text(encoding="utf-8") == "µs\n"  # whole before the rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording)
    target = tmp_path / "a" / "b" / "r.json"  # folders made, however deep
    results.write_atomic(target, "µs\n")
    [(src, dst)] = renamed
    assert dst == target and src.parent == target.parent
    assert src.name.startswith(".r.json.") and src.name.endswith(".tmp")
    assert target.read_bytes() == "µs\n".encode("utf-8")


def test_a_write_error_without_errno_still_names_its_cause(tmp_path, monkeypatch):
    def odd(*_):
        raise OSError("the disk went away")

    monkeypatch.setattr(os, "replace", odd)
    with pytest.raises(results.ResultsError) as info:
        results.write_atomic(tmp_path / "r.json", "x")
    assert str(info.value) == f"cannot write {tmp_path / 'r.json'}: the disk went away"
    assert list(tmp_path.iterdir()) == []


def test_save_writes_indented_json_in_the_given_order_with_nan(tmp_path):
    path = tmp_path / "doc.json"
    results.save({"zeta": 1, "alpha": [float("nan")]}, path)  # a plain document
    assert path.read_text() == '{\n  "zeta": 1,\n  "alpha": [\n    NaN\n  ]\n}\n'


def test_load_messages_name_the_file_exactly(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(results.ResultsError) as info:
        results.load(missing)
    assert str(info.value) == f"{missing}: no such results file"
    with pytest.raises(results.ResultsError) as info:
        results.load(tmp_path)  # a folder
    assert str(info.value).startswith(f"{tmp_path}: cannot read: ")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 99, "claims": []}')
    with pytest.raises(results.ResultsError) as info:
        results.load(bad)
    assert str(info.value) == (f"{bad}: schema_version 99 is not one this optbench reads "
                               "(1, 2, 3, 4)")
    bad.write_text('{"schema_version": 4, "claims": [{"id": "a", "verdict": "confirmed", '
                   '"workload": 5}]}')
    with pytest.raises(results.ResultsError) as info:
        results.load(bad)
    assert str(info.value) == (f"{bad}: a claim entry does not fit the schema: "
                               "'int' object is not iterable")


def test_an_entry_with_only_the_required_keys_loads(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"schema_version": 4, "claims": [{"id": "a", "verdict": "confirmed", '
                    '"workload": {"size": 1, "device": "cpu"}}]}')
    [entry] = results.load(path).claims
    assert (entry.id, entry.verdict, entry.workload["size"]) == ("a", "confirmed", 1)


def test_every_mapping_of_an_entry_and_a_file_is_read_only():
    """A loaded results file is a record of what was measured: no reader
    (the gate, the report) can change it by accident."""
    from optbench.core.schema import Contrast, Entry, Reading, VariantSummary

    entry = Entry("c", "confirmed", {"size": 1}, claimed={"text": "x"},
                  variants={"baseline": VariantSummary(1)}, contrasts={"optimized": Contrast(
                      "optimized", "baseline", 0.5)}, sampling={"rounds": 3},
                  noise={"floor": 0.01}, instructions={"tool": "callgrind"},
                  equivalence={"per_variant": {}}, ablation={"cells": {}},
                  secondary={"opens": Reading("counter", values={"baseline": 1})},
                  extra={"future": 1}, warnings=["w"])
    for name in ("workload", "claimed", "variants", "contrasts", "sampling", "noise",
                 "instructions", "equivalence", "secondary", "ablation", "extra"):
        with pytest.raises(TypeError):
            getattr(entry, name)["new"] = 1
    assert entry.warnings == ("w",)
    reading = Reading("counter", values={"a": 1}, samples={"a": [1]}, sampling={"rounds": 1})
    for name in ("values", "samples", "sampling"):
        with pytest.raises(TypeError):
            getattr(reading, name)["new"] = 1
    doc = Results.from_json({"schema_version": 4, "tool": {"name": "optbench"},
                             "environment": {"python": "3"}, "run": {"quick": True},
                             "claims": [entry.to_json()]})
    for name in ("tool", "environment", "run"):
        with pytest.raises(TypeError):
            getattr(doc, name)["new"] = 1
    assert isinstance(doc.claims, tuple) and doc.tool == {"name": "optbench"}
    [again] = doc.claims
    assert again.warnings == ("w",) and again.extra == {"future": 1}


def test_a_variant_summary_and_a_file_keep_every_field_and_freeze_their_lists():
    from optbench.core.schema import VariantSummary

    summary = VariantSummary(2.5, 5, [1, 2, 2.5, 3, 4], 0.4)
    assert summary.samples == (1, 2, 2.5, 3, 4)
    assert VariantSummary.from_json(summary.to_json()) == summary
    assert VariantSummary.from_json({"median": 7}) == VariantSummary(7, 1, (), None)
    doc = Results(4, {}, {}, {}, [])
    assert doc.claims == ()
