"""dataset.indexed_frame: "30-50% memory reduction for large datasets" (seed 000 §2, 001 §3)."""
from __future__ import annotations

import numpy as np

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads.graphs import node_edge_tables

from . import VARIANTS

TIMED_ITEMS = 100
COMPARED_ITEMS = 300


def _setup(case: Case):
    nodes, edges = case.data
    dataset = case.implementation(nodes, edges)
    rng = np.random.default_rng(0)
    return case, dataset, rng.integers(0, len(dataset), TIMED_ITEMS)


def _build(state):
    """Construct the dataset from a node table of its own, as the real code
    does when it loads the CSV: what it keeps of that table counts, what it
    drops does not (with copy-on-write a shared table would hide both)."""
    case, _, _ = state
    nodes, edges = case.data
    return case.implementation(nodes.copy(deep=True), edges)


def _get_items(state) -> None:
    _, dataset, indices = state
    for i in indices:
        dataset[i]


def _community_type(state) -> str:
    _, dataset, _ = state
    return type(dataset[0]["src"]["community"]).__name__


def _items(case: Case) -> list[dict]:
    nodes, edges = case.data
    dataset = case.implementation(nodes, edges)
    step = max(len(dataset) // COMPARED_ITEMS, 1)
    return [dataset[i] for i in range(0, len(dataset), step)]


CLAIM = Claim(
    id="dataset.indexed_frame",
    source="seed 000 §2; seed 001 §3",
    component="datasets",
    title="Indexed DataFrame with .loc[] per item instead of a dict of node dicts",
    # Seed 000: "30-50% memory reduction for large datasets"; seed 001: "30-50% less memory".
    claimed=Claimed.percent_less(30, 50, text="30-50% memory reduction for large datasets"),
    variants=VARIANTS,
    workload=Workload("graph nodes (8 float features + int community), 2 edges per node",
                      node_edge_tables, sizes=(10_000, 100_000, 1_000_000),
                      quick_sizes=(10_000, 100_000), size_unit="nodes"),
    setup=_setup,
    primary=Metric("node_store_bytes", "memory", "bytes", _build,
                   "heap bytes the dataset holds after construction (memray, native "
                   "allocations included)", memory_stat="retained"),
    secondary=(
        Metric("build_peak_bytes", "memory", "bytes", _build,
               "peak heap bytes while the dataset is constructed", memory_stat="peak"),
        Metric("get_item_time", "time", "s", _get_items,
               f"{TIMED_ITEMS} __getitem__ calls at random edges: the hidden cost"),
        Metric("community_value_type", "value", "", _community_type,
               "Python type of the integer 'community' column in an item"),
    ),
    output=_items,
    equivalence=Equivalence.exact("items equal value for value (== on every field)"),
    headline_size=1_000_000,
    notes="An epoch costs len(dataset) __getitem__ calls: multiply get_item_time by "
          "2 x nodes / 100 for its order of magnitude.",
)

CLAIMS = [CLAIM]
