"""What both commits' GraphEdgeDataset do alike: insist on a node_id column and
keep the edges (src_id, dst_id) whose two ends are known nodes, as a list of
Python int pairs."""
from __future__ import annotations

from collections.abc import Container

import pandas as pd


def require_node_id(nodes: pd.DataFrame) -> None:
    if "node_id" not in nodes.columns:
        raise ValueError(f"the node table has no 'node_id' column (columns: "
                         f"{', '.join(map(str, nodes.columns))})")


def known_edges(edges: pd.DataFrame, nodes: Container) -> list[tuple[int, int]]:
    pairs = edges[["src_id", "dst_id"]].values.tolist()
    return [(s, d) for s, d in pairs if s in nodes and d in nodes]
