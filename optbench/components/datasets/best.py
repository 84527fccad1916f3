"""Columns as NumPy arrays plus a hash index from node id to row.

As small as the indexed DataFrame (the same arrays, no per-node dicts),
without .loc's per-call cost (a Series built for every row), and each
column keeps its own dtype, so an integer column comes back as int, not
upcast to float as a .loc row of mixed columns is.
"""
from __future__ import annotations

import pandas as pd


class ColumnArrayEdgeDataset:
    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame):
        self._index = pd.Index(nodes["node_id"].to_numpy())
        self._columns = [c for c in nodes.columns if c != "node_id"]
        self._arrays = [nodes[c].to_numpy() for c in self._columns]
        self.src = edges["src"].to_numpy()
        self.dst = edges["dst"].to_numpy()

    def __len__(self) -> int:
        return len(self.src)

    def _row(self, node_id) -> dict:
        row = self._index.get_loc(node_id)
        return {c: a[row].item() for c, a in zip(self._columns, self._arrays)}

    def __getitem__(self, idx: int) -> dict:
        return {"src": self._row(self.src[idx]), "dst": self._row(self.dst[idx])}
