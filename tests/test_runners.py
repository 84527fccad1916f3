"""pytest-benchmark and asv read the same claims as the CLI."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from optbench.core.registry import builtin_claims
from optbench.runners.cases import iter_cases

ROOT = Path(__file__).resolve().parent.parent


def test_every_claim_has_an_asv_suite():
    named = "".join(p.read_text() for p in (ROOT / "benchmarks").glob("*.py"))
    for claim in builtin_claims():
        assert f'_suite("{claim.id}")' in named, claim.id


def test_asv_suite_is_parametrised_by_variant_and_size():
    from optbench.runners.asv_suite import suite
    cls = suite("logger.buffered")
    assert cls.param_names == ["variant", "size"]
    assert cls.params[0] == ["baseline", "optimized", "best"]
    assert hasattr(cls, "track_write_syscalls") and hasattr(cls, "peakmem_primary")
    bench = cls()
    bench.setup("optimized", 1000)
    try:
        assert bench.track_write_syscalls("optimized", 1000) == 100
    finally:
        bench.teardown("optimized", 1000)


def test_asv_version_keeps_when_a_variant_changes_and_moves_with_the_harness(monkeypatch):
    """asv discards results of other versions: a change to optimized.py is
    the step asv must show on one graph, a change to how it is measured is
    a new history."""
    from optbench.core.registry import get
    from optbench.runners import cases

    claim = get("logger.buffered")
    before = cases.source_version(claim)
    real = Path.read_bytes

    def edited(name):
        def read_bytes(path):
            data = real(path)
            return data + b"\n# edited\n" if path.name == name and "loggers" in path.parts else data
        return read_bytes

    monkeypatch.setattr(Path, "read_bytes", edited("optimized.py"))
    assert cases.source_version(claim) == before
    monkeypatch.setattr(Path, "read_bytes", edited("claims.py"))
    assert cases.source_version(claim) != before
    monkeypatch.setattr(Path, "read_bytes", real)
    from dataclasses import replace
    assert cases.source_version(replace(claim, revision=claim.revision + 1)) != before


def test_pytest_benchmark_cases_cover_every_claim_variant_and_size():
    ids = {(c.id, v, s) for c, v, s in iter_cases()}
    for claim in builtin_claims():
        for variant in claim.variant_names:
            for size in claim.sizes(quick=True):
                assert (claim.id, variant, size) in ids


def test_pytest_benchmark_only_runs_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--benchmark-only", "-p", "no:memray", "-q",
         "-k", "split.shared_helper", "--benchmark-max-time=0.05", "--benchmark-min-rounds=2",
         f"--benchmark-json={out}", str(ROOT / "tests" / "benchmarks")],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:]
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert {b["extra_info"]["variant"] for b in benchmarks} == {"baseline", "optimized", "best"}
    assert all(b["group"].startswith("split.shared_helper @ ") for b in benchmarks)
    assert all("failed_label_sets" in b["extra_info"] for b in benchmarks)


def test_asv_check_passes():
    asv = [sys.executable, "-m", "asv"]
    subprocess.run([*asv, "machine", "--yes"], capture_output=True, cwd=ROOT, timeout=120)
    done = subprocess.run([*asv, "check", "--python=same"], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "No problems found" in done.stdout
