import pytest

from optbench.core.registry import ClaimsError
from optbench.runners.cases import runner_claims


def pytest_collectstart(collector):
    """A bad OPTBENCH_CLAIMS is a usage error, said once, before test_claims.py
    imports the claims (pytest would show a collection traceback)."""
    if isinstance(collector, pytest.Module):
        try:
            runner_claims()
        except ClaimsError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_collection_modifyitems(config, items):
    """Timings taken under memray tracking are off by 1.1-9x, differently per
    variant (README, "pytest-benchmark, asv, memray"): refuse them."""
    if config.getoption("benchmark_only", False) and config.pluginmanager.hasplugin("memray") \
            and config.getoption("memray", False):
        raise pytest.UsageError("run benchmarks with -p no:memray (memray distorts timings)")
