import pytest


def pytest_collection_modifyitems(config, items):
    """Timings taken under memray tracking are 1.7-3.7x off: refuse them."""
    if config.getoption("benchmark_only", False) and config.pluginmanager.hasplugin("memray") \
            and config.getoption("memray", False):
        raise pytest.UsageError("run benchmarks with -p no:memray (memray distorts timings)")
