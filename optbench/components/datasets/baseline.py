"""Lab_Project loader/graph_edge_dataset.py before the report (Lab_Project PR summary §2,
Lab_Project optimizations doc §3): the node table becomes a dict of dicts at construction."""
from __future__ import annotations

import pandas as pd


class DictNodeEdgeDataset:
    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame):
        self.nodes_map = nodes.set_index("node_id").to_dict(orient="index")
        self.src = edges["src"].to_numpy()
        self.dst = edges["dst"].to_numpy()

    def __len__(self) -> int:
        return len(self.src)

    def __getitem__(self, idx: int) -> dict:
        return {"src": self.nodes_map[self.src[idx]], "dst": self.nodes_map[self.dst[idx]]}
