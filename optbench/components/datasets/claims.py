"""dataset.indexed_frame: "30-50% memory reduction for large datasets"
(Lab_Project PR summary §2, Lab_Project optimizations doc §3), on the
codebase's own graph (loader/graph_edge_dataset.py at b05ebe4 -> 18601bf).

The real node table is five string columns (docs/sources/lab-project-code.md):
the dict of dicts holds one dict per node over strings the table already
holds, and the pretraining script keeps its `nodes_df` alive for the whole
run, so what the dataset adds on top of that live table is the store's cost.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.workloads import lab_graph
from optbench.workloads.graphs import COMMUNITIES, node_edge_tables

from . import VARIANTS

TIMED_ITEMS = 100
COMPARED_ITEMS = 300


def _setup(case: Case):
    nodes, edges = case.data
    dataset = case.implementation(nodes, edges)
    rng = np.random.default_rng(0)
    return case, dataset, rng.integers(0, len(dataset), TIMED_ITEMS)


def _build(state):
    """Construct the dataset from the table the script loaded. The script
    keeps that table alive for the whole run (train_model's argument and a
    module global), so the table is not the dataset's cost; what it builds
    beside it is, whether it copies (to_dict's per-node dicts, a set_index
    without copy-on-write) or shares."""
    case, _, _ = state
    nodes, edges = case.data
    return case.implementation(nodes, edges)


def _build_own_copy(state):
    """The what-if's reading: construct from a table of its own (deep copy),
    so what the dataset keeps of the table counts and what it drops does not."""
    case, _, _ = state
    nodes, edges = case.data
    return case.implementation(nodes.copy(deep=True), edges)


def _serving(build):
    """Construct, then serve items as an epoch does: what a variant builds
    lazily on first access (.loc's hash table over the node index) is part of
    what it holds for the rest of training. Serving the first TIMED_ITEMS
    items builds it; a whole epoch adds only a fixed ~19 KB of pandas caches
    (a test checks at 5,000 nodes)."""
    def build_and_serve(state):
        _, _, indices = state
        dataset = build(state)
        for i in indices:
            dataset[i]
        return dataset
    return build_and_serve


def _get_items(state) -> None:
    _, dataset, indices = state
    for i in indices:
        dataset[i]


def _community_type(state) -> str:
    _, dataset, _ = state
    return type(dataset[0][0]["community"]).__name__


def _community_as_embedding_index(state) -> str:
    """The integer column used downstream as a model reads it: the index into
    an embedding table (one row per community)."""
    import torch

    _, dataset, _ = state
    anchor, positive = dataset[0]
    table = torch.nn.Embedding(COMMUNITIES, 4)
    try:
        table(torch.tensor([anchor["community"], positive["community"]]))
    except (RuntimeError, IndexError, TypeError) as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0].split(' (while')[0]}"
    return "works"


def _typed(value):
    """A value with its type; NaN as a marker (NaN != NaN)."""
    return type(value), ("NaN" if isinstance(value, float) and value != value else value)


def _same_items(a: list[tuple], b: list[tuple]) -> bool:
    """Equal value for value AND type for type: 3.0 == 3 in Python, but a
    float where the code downstream expects an int is a changed output."""
    def typed(item: tuple) -> tuple:
        return tuple({k: _typed(v) for k, v in side.items()} for side in item)

    return len(a) == len(b) and all(typed(x) == typed(y) for x, y in zip(a, b))


def _items(case: Case) -> list[tuple]:
    nodes, edges = case.data
    dataset = case.implementation(nodes, edges)
    step = max(len(dataset) // COMPARED_ITEMS, 1)
    return [dataset[i] for i in range(0, len(dataset), step)]


def _csv_tables(strings: str):
    """The Lab_Project graph as pretrain's load_data gets it: both tables
    written to CSV and read back with pd.read_csv. `strings`: "inferred"
    (the installed pandas's default: a str dtype on pandas 3) or "object"
    (Python str objects in object columns, as pandas 2.3.3, the repository's
    pin, reads them)."""
    def make(size: int):
        nodes, edges = lab_graph.graph(size)
        text = {name: table.to_csv(index=False) for name, table in
                (("nodes", nodes), ("edges", edges))}
        dtype = ({c: object for c in nodes.columns if c != "node_id"}
                 if strings == "object" else None)
        return (pd.read_csv(io.StringIO(text["nodes"]), dtype=dtype),
                pd.read_csv(io.StringIO(text["edges"])))
    return make


# Lab_Project PR summary §2: "30-50% memory reduction for large datasets";
# Lab_Project optimizations doc's table: "30-50% less memory for large datasets".
CLAIMED = Claimed.percent_less(30, 50, text="30-50% memory reduction for large datasets")
EQUIVALENCE = Equivalence("items equal field for field, types included (an int that comes "
                          "back as a float is a changed output)", _same_items)
FOLLOWS = ("Follows loader/graph_edge_dataset.py at b05ebe4 (to_dict(orient='index')) and "
           "18601bf (set_index, .loc[].to_dict() per item; later commits change comments "
           "only): items are (anchor, positive) node dicts, edges the (src_id, dst_id) pairs "
           "with both ends known. ")
EPOCH_NOTE = ("An epoch is 89,197 items (1,393 batches of 64 edges, 128 node dicts), served in "
              "the DataLoader's 4 workers: multiply get_item_time by 2 x edges / "
              f"{TIMED_ITEMS} for its order. ")


def _claim(claim_id: str, title: str, strings: str, notes: str) -> Claim:
    serve = _serving(_build)
    return Claim(
        id=claim_id,
        source="Lab_Project PR summary §2; Lab_Project optimizations doc §3",
        component="datasets",
        title=title,
        claimed=CLAIMED,
        variants=VARIANTS,
        workload=Workload(
            f"Lab_Project's graph ({lab_graph.NODES:,} nodes: node_id and 5 string columns, "
            f"entity, short_name, summary, thumbnail_url, image_path; "
            f"{lab_graph.EDGES:,} heavy-tailed edges), through CSV and pd.read_csv, strings "
            + ("as the installed pandas reads them" if strings == "inferred"
               else "as Python objects (pandas 2.3.3, the repository's pin)")
            + "; 100,000 nodes is a scale-up the codebase does not have",
            _csv_tables(strings), sizes=(lab_graph.NODES, 100_000),
            quick_sizes=(lab_graph.NODES,), size_unit="nodes"),
        setup=_setup,
        primary=Metric("node_store_bytes", "memory", "bytes", serve,
                       f"heap bytes the dataset holds beside the loaded table once built and "
                       f"serving items ({TIMED_ITEMS} served; the edge list, the same at both "
                       f"commits, included; memray, native allocations included)",
                       memory_stat="retained"),
        secondary=(
            # The same region as the primary's, so one memray pass gives both.
            Metric("build_peak_bytes", "memory", "bytes", serve,
                   "peak heap bytes while the dataset is constructed and serves its first "
                   "items (.loc's hash table included)", memory_stat="peak"),
            Metric("get_item_time", "time", "s", _get_items,
                   f"{TIMED_ITEMS} __getitem__ calls at random edges: the hidden cost"),
        ),
        output=_items,
        equivalence=EQUIVALENCE,
        headline_size=lab_graph.NODES,
        revision=2,
        notes=FOLLOWS + EPOCH_NOTE + notes,
    )


CLAIM = _claim(
    "dataset.indexed_frame",
    "Indexed DataFrame with .loc[] per item instead of a dict of node dicts, on the "
    "codebase's graph",
    "inferred",
    "On pandas 3 a string column is one Arrow-backed str array: to_dict makes a Python str "
    "for every cell, .loc's rows share the array. The whole process holds frozen CLIP "
    "weights of ~0.6 GB at full scale, so the store is a few MB of it "
    "(system.lab_project measures the run).")

OBJECT_STRINGS = _claim(
    "dataset.indexed_frame_object_strings",
    "the same, with the node table's strings as Python objects (pandas 2.3.3, the "
    "repository's pin)",
    "object",
    "Object columns hold Python str objects the per-node dicts share, so the dict of dicts "
    "costs its dicts only.")

NUMERIC_WHATIF = Claim(
    id="dataset.indexed_frame_numeric_whatif",
    source="Lab_Project PR summary §2; Lab_Project optimizations doc §3",
    component="datasets",
    title="what-if: the same change on a numeric node table (8 float features and an int "
          "column), which the codebase never loads",
    claimed=CLAIMED,
    variants=VARIANTS,
    workload=Workload("what-if: graph nodes (8 float features + int community), 2 edges per "
                      "node; Lab_Project's table is all strings", node_edge_tables,
                      sizes=(10_000, 100_000, 1_000_000), quick_sizes=(10_000,),
                      size_unit="nodes"),
    setup=_setup,
    primary=Metric("node_store_bytes", "memory", "bytes", _serving(_build_own_copy),
                   f"heap bytes the dataset holds once built from a table of its own and "
                   f"serving items ({TIMED_ITEMS} served; memray, native allocations "
                   f"included)", memory_stat="retained"),
    secondary=(
        Metric("build_peak_bytes", "memory", "bytes", _serving(_build_own_copy),
               "peak heap bytes while the dataset is constructed and serves its first "
               "items (.loc's hash table included)", memory_stat="peak"),
        Metric("get_item_time", "time", "s", _get_items,
               f"{TIMED_ITEMS} __getitem__ calls at random edges: the hidden cost"),
        Metric("community_value_type", "value", "", _community_type,
               "Python type of the integer 'community' column in an item"),
        Metric("community_as_embedding_index", "value", "", _community_as_embedding_index,
               "an item's community ids used as indices into an nn.Embedding, as a model "
               "reads them"),
    ),
    output=_items,
    equivalence=EQUIVALENCE,
    headline_size=1_000_000,
    revision=2,
    notes="What-if (revision 1 of dataset.indexed_frame, built from the reports' text): a .loc "
          "row of float and int columns is one float64 Series, so 'community' comes back as a "
          "float, which the equivalence check counts as a changed output. The codebase's "
          "table has no numeric column, so this does not happen there. " + FOLLOWS,
)

CLAIMS = [CLAIM, OBJECT_STRINGS, NUMERIC_WHATIF]
