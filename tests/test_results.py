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
