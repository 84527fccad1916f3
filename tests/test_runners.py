"""pytest-benchmark and asv read the same claims as the CLI."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from optbench.core.registry import ClaimsError, builtin_claims
from optbench.runners import cases
from optbench.runners.cases import CLAIMS_ENV, iter_cases

ROOT = Path(__file__).resolve().parent.parent
USER_CLAIMS = "examples/my_claims.py"


@pytest.fixture(autouse=True)
def builtin_claims_only(monkeypatch):
    """A developer's own OPTBENCH_CLAIMS must not change what these tests see."""
    monkeypatch.delenv(CLAIMS_ENV, raising=False)


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != CLAIMS_ENV}
    return {**env, **extra}


def test_every_claim_has_an_asv_suite():
    named = "".join(p.read_text() for p in (ROOT / "benchmarks").glob("*.py"))
    for claim in builtin_claims():
        assert f'_suite("{claim.id}")' in named, claim.id


@pytest.fixture
def asv_folder(tmp_path, monkeypatch):
    """asv runs a benchmark in a fresh temporary folder: cases' work folders go there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.usefixtures("asv_folder")
def test_asv_suite_is_parametrised_by_variant_and_size():
    from optbench.runners.asv_suite import close_prepared, suite
    cls = suite("logger.buffered")
    assert cls.param_names == ["variant", "size"]
    assert cls.params[0] == ["baseline", "optimized", "best"]
    assert hasattr(cls, "track_write_syscalls") and cls.claim_id == "logger.buffered"
    bench = cls()
    bench.setup("optimized", 20)
    try:
        assert bench.track_write_syscalls("optimized", 20) == 21   # 20 epochs' flushes + the last
    finally:
        close_prepared("logger.buffered")


def test_asv_times_the_claimed_metric_by_default_and_the_hidden_costs_when_asked(monkeypatch):
    """A commit's default suite: time_primary, and the claimed counter or
    memory reading; every other counter and peak bytes with the setting."""
    from optbench.runners import asv_suite

    monkeypatch.delenv(asv_suite.SECONDARY_ENV, raising=False)
    def benchmarks(cls):
        return {n for n in vars(cls) if n.startswith(("time_", "track_"))}

    # A memory claim: the bytes verify reads (indexed_frame's retained store), not a timing.
    assert benchmarks(asv_suite.suite("dataset.indexed_frame")) == {"track_node_store_bytes"}
    assert benchmarks(asv_suite.suite("registry.index")) == {"time_primary"}
    # A counter claim: its counter; the time of a counted (cached) read means nothing.
    assert benchmarks(asv_suite.suite("logger.buffered")) == {"track_write_syscalls"}
    monkeypatch.setenv(asv_suite.SECONDARY_ENV, "1")
    every = benchmarks(asv_suite.suite("logger.buffered"))
    assert {"track_write_syscalls", "track_file_opens", "time_time_per_100_calls",
            asv_suite.PEAK_BYTES} <= every
    assert not any("caller_kwargs_mutated" in n for n in every)   # a value, not a number
    assert {"track_node_store_bytes", "track_build_peak_bytes", "time_get_item_time",
            asv_suite.PEAK_BYTES} == benchmarks(asv_suite.suite("dataset.indexed_frame"))


def test_asv_times_as_verifys_plan_for_the_mode(monkeypatch):
    from optbench.core.measure import FULL_PRIMARY, QUICK_PRIMARY
    from optbench.runners import asv_suite
    from optbench.runners.cases import FULL_SIZES_ENV

    monkeypatch.delenv(FULL_SIZES_ENV, raising=False)
    cls = asv_suite.suite("logger.buffered")   # three variants share the budget
    assert (cls.rounds, cls.warmup_time, cls.sample_time) == (1, 0.0,
                                                            QUICK_PRIMARY.min_sample_seconds)
    assert cls.repeat == (QUICK_PRIMARY.min_rounds, QUICK_PRIMARY.max_rounds,
                          QUICK_PRIMARY.budget_seconds / 3)
    monkeypatch.setenv(FULL_SIZES_ENV, "1")
    assert asv_suite.suite("registry.index").repeat == (
        FULL_PRIMARY.min_rounds, FULL_PRIMARY.max_rounds, FULL_PRIMARY.budget_seconds / 3)
    # two passes over a commit (optbench asv's A B B A) share the rounds and the budget
    monkeypatch.setenv(asv_suite.PASSES_ENV, "2")
    assert asv_suite.suite("registry.index").repeat == (
        FULL_PRIMARY.min_rounds // 2, FULL_PRIMARY.max_rounds // 2,
        FULL_PRIMARY.budget_seconds / 3 / 2)
    monkeypatch.setenv(asv_suite.PASSES_ENV, "two")
    with pytest.raises(ValueError, match="OPTBENCH_ASV_PASSES=two"):
        asv_suite.suite("registry.index")


def test_asv_prepares_a_case_once_per_process_though_setup_runs_every_sample(claims, asv_folder):
    """asv_runner re-runs setup before each sample; the case (its workload,
    its warm-up) is built once, as verify times every call on one state."""
    from dataclasses import replace

    from optbench.runners import asv_suite

    built = []
    claim = claims["registry.index"]
    counted = replace(claim, id="counted.setup", setup=lambda case: built.append(1) or
                      claim.setup(case))
    bench = asv_suite.suite(counted)()
    try:
        for _ in range(3):
            bench.setup("baseline", 100)
            bench.time_primary("baseline", 100)
        assert built == [1]
        bench.setup("optimized", 100)
        assert built == [1, 1]
        workdir = bench.prepared.workdir
        assert workdir.parent == asv_folder
    finally:
        asv_suite.close_prepared("counted.setup")
    assert not workdir.exists() and not [k for k in asv_suite._PREPARED if k[0] == "counted.setup"]


def _peak_bytes(claim_id: str, variant: str, size: int, calls: int = 1) -> list[int]:
    from optbench.runners.asv_suite import close_prepared, suite
    bench = suite(claim_id, secondaries=True)()
    bench.setup(variant, size)
    try:
        return [bench.track_peak_bytes(variant, size) for _ in range(calls)]
    finally:
        close_prepared(claim_id)


@pytest.mark.usefixtures("asv_folder")
def test_asv_memory_is_the_regions_own_peak_not_the_process_rss():
    """track_peak_bytes is memray's peak of the primary region, not the
    process's lifetime RSS that asv's peakmem_ reads (hundreds of MB: the
    imports), and the first reading's one-off costs are left out."""
    from optbench.runners.asv_suite import suite
    cls = suite("registry.index", secondaries=True)
    assert cls.track_peak_bytes.unit == "bytes" and not hasattr(cls, "peakmem_primary")
    # 866 B on a process's first reading, 560 B on every one after.
    first, again = _peak_bytes("registry.index", "baseline", 100, calls=2)
    assert first == again < 2_000
    # best buffers the 1,000 messages in memory; baseline writes each at once.
    [buffered], [unbuffered] = (_peak_bytes("logger.buffered", v, 1000)
                                for v in ("best", "baseline"))
    assert buffered > 10 * unbuffered


def test_asv_suite_refuses_a_counter_that_would_replace_its_memory_reading():
    from dataclasses import replace
    from optbench.core.registry import get
    from optbench.runners.asv_suite import suite
    claim = get("logger.buffered")
    clash = replace(claim, secondary=[replace(m, name="peak_bytes") if m.kind == "counter" else m
                                      for m in claim.secondary])
    with pytest.raises(ValueError, match="track_peak_bytes"):
        suite(clash, secondaries=True)


def test_asv_version_keeps_when_a_variant_changes_and_moves_with_the_harness(monkeypatch):
    """asv discards results of other versions: a change to optimized.py is
    the step asv must show on one graph, a change to how it is measured is
    a new history."""
    from optbench.core.registry import get
    from optbench.runners import cases

    claim = get("logger.buffered")
    before = cases.source_version(claim)
    real = Path.read_bytes

    def edited(name, tail):
        def read_bytes(path):
            data = real(path)
            return data + tail if path.name == name and "loggers" in path.parts else data
        return read_bytes

    monkeypatch.setattr(Path, "read_bytes", edited("optimized.py", b"\nX = 1\n"))
    assert cases.source_version(claim) == before
    # reworded comments and docstrings measure the same
    monkeypatch.setattr(Path, "read_bytes", edited("claims.py", b"\n# edited\n"))
    assert cases.source_version(claim) == before
    monkeypatch.setattr(Path, "read_bytes", edited("claims.py", b"\nX = 1\n"))
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
    # registry.index: three variants, a timed claimed metric and exact counters beside it
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--benchmark-only", "-p", "no:memray", "-q",
         "-k", "registry.index", "--benchmark-max-time=0.05", "--benchmark-min-rounds=2",
         f"--benchmark-json={out}", str(ROOT / "tests" / "benchmarks")],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=_env())
    assert done.returncode == 0, done.stdout[-2000:]
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert {b["extra_info"]["variant"] for b in benchmarks} == {"baseline", "optimized", "best"}
    assert all(b["group"].startswith("registry.index @ ") for b in benchmarks)
    assert {b["extra_info"]["metric"] for b in benchmarks} == {"lookup_time"}
    # the hidden cost beside each timing is the exact count verify reads
    from test_components import measure
    claims = {c.id: c for c in builtin_claims()}
    for b in benchmarks:
        info = b["extra_info"]
        assert info["wrong_lookups_after_updates"] == measure(
            claims, "registry.index", info["variant"], info["size"],
            "wrong_lookups_after_updates"), b["group"]


def test_pytest_benchmark_skips_a_claim_that_times_nothing(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--benchmark-only", "-p", "no:memray", "-q", "-rs",
         "-k", "split.shared_helper", f"--benchmark-json={out}",
         str(ROOT / "tests" / "benchmarks")],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=_env())
    assert done.returncode == 0, done.stdout[-2000:]
    assert "split.shared_helper times nothing" in done.stdout


def test_user_claims_run_through_pytest_benchmark_instead_of_the_builtin_ones(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--benchmark-only", "-p", "no:memray", "-q",
         "--benchmark-max-time=0.01", "--benchmark-min-rounds=1", f"--benchmark-json={out}",
         "tests/benchmarks"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env=_env(OPTBENCH_CLAIMS=USER_CLAIMS))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert {(b["extra_info"]["claim"], b["extra_info"]["variant"]) for b in benchmarks} == {
        ("vocab.set_lookup", "baseline"), ("vocab.set_lookup", "optimized")}


@pytest.mark.parametrize("value, says", [
    ("examples/no_such_claims.py", "no such file"),
    ("no_such_package.claims", "cannot import"),
])
def test_a_bad_optbench_claims_is_one_usage_error(value, says):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--benchmark-only", "-p", "no:memray", "-q",
         "tests/benchmarks"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=_env(OPTBENCH_CLAIMS=value))
    output = done.stdout + done.stderr
    assert done.returncode == 4, output  # pytest's usage error
    assert f"ERROR: OPTBENCH_CLAIMS={value}: " in output and says in output
    assert "Traceback" not in output


def test_runner_claims_follow_optbench_claims(monkeypatch):
    monkeypatch.setenv(CLAIMS_ENV, USER_CLAIMS)
    monkeypatch.chdir(ROOT)
    assert [c.id for c in cases.runner_claims()] == ["vocab.set_lookup"]
    assert {c.id for c, _, _ in iter_cases()} == {"vocab.set_lookup"}
    monkeypatch.setenv(CLAIMS_ENV, "optbench.no_such_module")
    with pytest.raises(ClaimsError, match=r"^OPTBENCH_CLAIMS=optbench.no_such_module: "):
        cases.runner_claims()


def _import_user_claims_suite():
    """benchmarks/user_claims.py as asv imports it: anew, by its path."""
    spec = importlib.util.spec_from_file_location("asv_user_claims_under_test",
                                                  ROOT / "benchmarks" / "user_claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {k: v for k, v in vars(module).items() if not k.startswith("_")}


def test_asv_user_claims_suite_is_empty_without_optbench_claims():
    assert _import_user_claims_suite() == {}


def test_asv_user_claims_suite_builds_a_class_per_claim_from_asvs_temporary_folder(
        monkeypatch, tmp_path):
    """asv runs each benchmark in a temporary folder: a path relative to the
    project still works there."""
    monkeypatch.setenv(CLAIMS_ENV, USER_CLAIMS)
    monkeypatch.chdir(tmp_path)
    suites = _import_user_claims_suite()
    assert list(suites) == ["vocab_set_lookup"]
    cls = suites["vocab_set_lookup"]
    assert cls.__name__ == "vocab_set_lookup" and cls.claim_id == "vocab.set_lookup"
    assert cls.params == [["baseline", "optimized"], [1_000]]
    from optbench.runners.asv_suite import close_prepared
    bench = cls()
    bench.setup("optimized", 1_000)
    try:
        bench.time_primary("optimized", 1_000)
    finally:
        close_prepared("vocab.set_lookup")


# What `asv check` runs (asv_runner's check: discover, then each benchmark's
# check()) and what `asv run` discovers, in one process: the suite imports
# in about 35 s here, and `asv check` plus a separate discovery imported it
# three times (94 s of the test suite).
_ASV_CHECK_AND_DISCOVER = """
import json, sys
from asv_runner._aux import update_sys_path
from asv_runner.discovery import disc_benchmarks
root, out = sys.argv[1:]
update_sys_path(root)
found = list(disc_benchmarks(root))
failed = [b.name for b in found if not b.check(root)]
json.dump({"names": [b.name for b in found], "failed": failed}, open(out, "w"))
"""


def test_asv_check_passes_with_the_users_claims_too(tmp_path):
    env = _env(OPTBENCH_CLAIMS=USER_CLAIMS, HOME=str(tmp_path))
    listed = tmp_path / "benchmarks.json"
    # From a temporary folder, as asv runs it.
    done = subprocess.run([sys.executable, "-c", _ASV_CHECK_AND_DISCOVER,
                           str(ROOT / "benchmarks"), str(listed)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(listed.read_text())
    assert report["failed"] == [], done.stdout[-2000:] + done.stderr[-2000:]
    names = set(report["names"])
    assert {n for n in names if n.startswith("user_claims.")} == {
        "user_claims.vocab_set_lookup.time_primary"}
    # The default suite: the claimed metric (a memory claim's peak bytes, a
    # counter claim's counter), the hidden costs left to OPTBENCH_ASV_SECONDARY.
    assert "datasets.dataset_indexed_frame.track_node_store_bytes" in names
    assert "model_registry.registry_index.track_peak_bytes" not in names
    assert "measuring_setup.track_torch_threads" in names


def test_runners_skip_a_claim_measured_only_on_hardware_this_machine_lacks(claims):
    """A CUDA-only claim is Unavailable (a skip in pytest-benchmark and asv)
    without CUDA, never measured on the CPU in its place."""
    import torch

    from optbench.runners.cases import Unavailable, prepare, runner_device

    claim = claims["trainer.tf32"]
    if torch.cuda.is_available():
        assert runner_device(claim) == "cuda"
    else:
        with pytest.raises(Unavailable, match="trainer.tf32 is measured on cuda only"):
            prepare(claim, "baseline", claim.sizes(quick=True)[0])
    assert runner_device(claims["trainer.amp"]) == "cpu"


def test_the_runners_measure_with_verifys_threads(monkeypatch, claims):
    """pytest-benchmark and asv cases are prepared with verify's torch thread
    count (OPTBENCH_THREADS to change it), whatever the process had."""
    import torch

    from optbench.core.engine import DEFAULT_THREADS
    from optbench.core.registry import ClaimsError
    from optbench.runners import asv_suite
    from optbench.runners.cases import THREADS_ENV, measuring_setup, prepare

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        monkeypatch.delenv(THREADS_ENV, raising=False)
        prepare(claims["registry.index"], "baseline", 100).close()
        assert torch.get_num_threads() == DEFAULT_THREADS == 1
        monkeypatch.setenv(THREADS_ENV, "2")
        assert measuring_setup() == {"torch_threads": 2} and torch.get_num_threads() == 2
        monkeypatch.setenv(THREADS_ENV, "two")
        with pytest.raises(ClaimsError, match=f"{THREADS_ENV}=two: give a whole number"):
            measuring_setup()
        monkeypatch.setenv(THREADS_ENV, "1")
        assert asv_suite.track_torch_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_pytest_benchmark_times_as_verify_does(tmp_path):
    """The collector off while timing, one warm-up call, the threads recorded."""
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:memray", "tests/benchmarks", "--benchmark-only",
                           "-k", "registry.index-baseline-100", "--benchmark-json", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    benches = json.loads(out.read_text())["benchmarks"]
    assert benches and {b["extra_info"]["claim"] for b in benches} == {"registry.index"}
    for bench in benches:
        assert bench["options"]["disable_gc"] is True and bench["options"]["warmup"] == 1
        assert bench["extra_info"]["torch_threads"] == 1


@pytest.mark.usefixtures("asv_folder")
def test_an_asv_suite_warms_its_region_up_once_in_setup(claims):
    """asv --quick times one call; the first call of a region carries one-off
    costs (a 25 µs torch forward read 1.4 ms cold), so setup calls it once, as
    verify's plan warms up once."""
    from dataclasses import replace

    from optbench.core.claim import Metric
    from optbench.runners import asv_suite

    calls = []
    claim = claims["registry.index"]
    counted = replace(claim, id="counted.index", primary=Metric(
        "lookup_time", "time", "s", lambda state: calls.append(1) or claim.primary.measure(state)))
    suite = asv_suite.suite(counted)()
    suite.setup("baseline", 100)
    try:
        assert len(calls) == 1
        suite.time_primary("baseline", 100)
        suite.setup("baseline", 100)   # asv's setup before the next sample: no second warm-up
        assert len(calls) == 2
    finally:
        asv_suite.close_prepared("counted.index")


def test_a_bad_thread_count_for_the_runners_is_one_line_naming_it():
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:memray", "tests/benchmarks", "--benchmark-only",
                           "-k", "registry"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "OPTBENCH_THREADS": "two"})
    assert done.returncode == 4   # pytest's usage error
    assert "OPTBENCH_THREADS=two: give a whole number of threads, 1 or more" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_the_three_runner_comparison_times_one_claim_by_each_runner(tmp_path):
    """tools/three_runners.py: verify's interval and pytest-benchmark's ratio
    of medians on the fixture torch claim, side by side (asv left out here: it
    needs `asv machine`). Whether they agree is a measured figure (README),
    not asserted: it depends on the machine's load."""
    out = tmp_path / "three.json"
    done = subprocess.run([sys.executable, "tools/three_runners.py", "--no-asv", "--json",
                           str(out)], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(out.read_text())
    verify, bench = found["readings"]["verify"], found["readings"]["pytest-benchmark"]
    assert verify["ci_low"] <= verify["ratio"] <= verify["ci_high"] and verify["control"]
    assert set(bench["medians"]) == {"baseline", "optimized"}
    assert bench["ratio"] == pytest.approx(bench["medians"]["optimized"]
                                           / bench["medians"]["baseline"])
    assert isinstance(bench["agrees_with_verify"], bool)
    assert "mlp.inference_mode @ 32" in done.stdout


def test_optbench_asv_mirrors_its_passes_over_the_commits():
    from optbench.runners.asv_commits import pass_order

    assert pass_order(["a", "b"], 2) == [(1, "a"), (1, "b"), (2, "b"), (2, "a")]
    assert pass_order(["a", "b", "c"], 3) == [(1, "a"), (1, "b"), (1, "c"), (2, "c"),
                                              (2, "b"), (2, "a"), (3, "a"), (3, "b"), (3, "c")]
    assert pass_order(["a"], 1) == [(1, "a")]
