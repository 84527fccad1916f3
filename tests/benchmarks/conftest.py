import pytest

from optbench.core.registry import ClaimsError
from optbench.runners.cases import runner_claims, runner_threads


def pytest_configure(config):
    """As `optbench verify` times: the collector off during the timed calls,
    and one warm-up call before timing (verify's plan), unless the command
    line asks otherwise."""
    given = " ".join(config.invocation_params.args)
    if hasattr(config.option, "benchmark_disable_gc"):
        config.option.benchmark_disable_gc = True
    if hasattr(config.option, "benchmark_warmup") and "--benchmark-warmup" not in given:
        config.option.benchmark_warmup = True
        config.option.benchmark_warmup_iterations = 1


def pytest_collectstart(collector):
    """A bad OPTBENCH_CLAIMS or OPTBENCH_THREADS is a usage error, said once,
    before test_claims.py imports the claims (pytest would show a collection
    traceback, or one failure per case)."""
    if isinstance(collector, pytest.Module):
        try:
            runner_threads()
            runner_claims()
        except ClaimsError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_collection_modifyitems(config, items):
    """Timings taken under memray tracking are off by 1.1-9x, differently per
    variant (README, "pytest-benchmark, asv, memray"): refuse them."""
    if config.getoption("benchmark_only", False) and config.pluginmanager.hasplugin("memray") \
            and config.getoption("memray", False):
        raise pytest.UsageError("run benchmarks with -p no:memray (memray distorts timings)")
