"""Lab_Project loader/graph_edge_dataset.py after the PR (18601bf; comments only after
it; Lab_Project PR summary §2, Lab_Project optimizations doc §3): the node table is kept
as a DataFrame indexed by node_id, and each item's two rows become dicts on access
through .loc[]."""
from __future__ import annotations

import pandas as pd

from .edges import known_edges, require_node_id


class IndexedFrameEdgeDataset:
    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame):
        require_node_id(nodes)
        self.nodes_df = nodes.set_index("node_id")
        self.edges = known_edges(edges, set(self.nodes_df.index))  # a set for the filter only

    def __len__(self) -> int:
        return len(self.edges)

    def __getitem__(self, idx: int) -> tuple[dict, dict]:
        src, dst = self.edges[idx]
        return self.nodes_df.loc[src].to_dict(), self.nodes_df.loc[dst].to_dict()
