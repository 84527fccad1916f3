"""Graph node and edge tables, seeded."""
from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20261123
FEATURES = 8
COMMUNITIES = 50


def node_edge_tables(nodes: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes with 8 float features and an int community; twice as many edges.

    Node ids are sparse and shuffled, as ids from a database are, so no
    variant can treat them as row positions.
    """
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(nodes, dtype=np.int64) * 7 + 3)
    table = {"node_id": ids}
    features = rng.standard_normal((nodes, FEATURES))
    for j in range(FEATURES):
        table[f"f{j}"] = features[:, j]
    table["community"] = rng.integers(0, COMMUNITIES, nodes)
    edges = pd.DataFrame({"src_id": ids[rng.integers(0, nodes, 2 * nodes)],
                          "dst_id": ids[rng.integers(0, nodes, 2 * nodes)]})
    return pd.DataFrame(table), edges
