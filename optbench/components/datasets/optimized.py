"""Lab_Project loader/graph_edge_dataset.py after the report (Lab_Project PR summary §2,
Lab_Project optimizations doc §3): the indexed DataFrame is kept, and each item's row becomes a
dict on access through .loc[]."""
from __future__ import annotations

import pandas as pd


class IndexedFrameEdgeDataset:
    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame):
        self.nodes_df = nodes.set_index("node_id")
        self.src = edges["src"].to_numpy()
        self.dst = edges["dst"].to_numpy()

    def __len__(self) -> int:
        return len(self.src)

    def __getitem__(self, idx: int) -> dict:
        return {"src": self.nodes_df.loc[self.src[idx]].to_dict(),
                "dst": self.nodes_df.loc[self.dst[idx]].to_dict()}
