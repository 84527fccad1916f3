import pytest

from optbench.core.registry import builtin_claims


@pytest.fixture(scope="session")
def claims():
    return {c.id: c for c in builtin_claims()}
