"""Columns as NumPy arrays plus a hash index from node id to row.

As small as the indexed DataFrame (the same arrays, no per-node dicts),
without .loc's per-call cost (a Series built for every row), and each
column keeps its own type: strings stay str, a missing string stays NaN, an
integer column comes back as int (a .loc row of mixed numeric columns is
one float Series).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .edges import known_edges, require_node_id


def _python(value):
    """A NumPy scalar as the Python value to_dict gives; str and NaN as they are."""
    return value.item() if isinstance(value, np.generic) else value


class ColumnArrayEdgeDataset:
    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame):
        require_node_id(nodes)
        self._index = pd.Index(nodes["node_id"].to_numpy())
        self._columns = [c for c in nodes.columns if c != "node_id"]
        self._arrays = [nodes[c].to_numpy() for c in self._columns]
        self.edges = known_edges(edges, self._index)

    def __len__(self) -> int:
        return len(self.edges)

    def _row(self, node_id) -> dict:
        row = self._index.get_loc(node_id)
        return {c: _python(a[row]) for c, a in zip(self._columns, self._arrays)}

    def __getitem__(self, idx: int) -> tuple[dict, dict]:
        src, dst = self.edges[idx]
        return self._row(src), self._row(dst)
