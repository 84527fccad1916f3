"""Lab_Project loader/graph_edge_dataset.py at b05ebe4, before the PR (Lab_Project PR
summary §2, Lab_Project optimizations doc §3): the node table becomes a dict of node
dicts when the dataset is built; the edge list is kept as (src_id, dst_id) pairs whose
two ends are both known nodes, and an item is the pair's two node dicts (the same dict
objects every time)."""
from __future__ import annotations

import pandas as pd

from .edges import known_edges, require_node_id


class DictNodeEdgeDataset:
    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame):
        require_node_id(nodes)
        self.nodes_map = nodes.set_index("node_id").to_dict(orient="index")
        self.edges = known_edges(edges, self.nodes_map)

    def __len__(self) -> int:
        return len(self.edges)

    def __getitem__(self, idx: int) -> tuple[dict, dict]:
        src, dst = self.edges[idx]
        return self.nodes_map[src], self.nodes_map[dst]
