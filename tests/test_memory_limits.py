"""pytest-memray limits a memory claim's optimized store must stay under.

On the what-if's numeric table at 100,000 nodes (200,000 edges kept as
Python int pairs, as the codebase keeps them) the baseline's dict of dicts
peaks at about 100 MB while it is built (optbench verify measures it); the
indexed DataFrame and the column arrays at about 50-55 MB. The limit sits
between the two, so the baseline's footprint fails it.
"""
import pytest

from optbench.components import datasets
from optbench.workloads.graphs import node_edge_tables

LIMIT = "75 MB"


@pytest.fixture(scope="module")
def tables():
    return node_edge_tables(100_000)


@pytest.mark.limit_memory(LIMIT)
@pytest.mark.parametrize("variant", ["optimized", "best"])
def test_node_store_fits_the_limit(tables, variant):
    nodes, edges = tables
    dataset = datasets.get(variant)(nodes.copy(deep=True), edges)
    assert len(dataset) == 200_000


def test_the_baseline_would_not_fit(tables):
    from optbench.core.measure import measure_memory

    nodes, edges = tables
    footprint = measure_memory(lambda: datasets.get("baseline")(nodes.copy(deep=True), edges))
    assert footprint.peak_bytes > 75 * 1024 * 1024
