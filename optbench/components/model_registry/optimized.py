"""src/models/registry.py after the report (training-system report §2.2), literally: a
dict index from model_id to the model's position in registry["models"],
built once in __init__ by `_build_index()` and read by `get_model`.

The report shows no upkeep: register_model, remove_model and reload are the
registry's own (inherited unchanged), so after them the index is stale. That
is the report's code, bugs and all; the maintained index is in best.py.
"""
from __future__ import annotations

from .baseline import LinearScanRegistry


class IndexedRegistry(LinearScanRegistry):
    def __init__(self, registry_path):
        super().__init__(registry_path)
        self._build_index()

    def _build_index(self) -> None:
        """Build index for fast model lookups."""
        self._model_id_index = {}
        for idx, model in enumerate(self.registry["models"]):
            self._model_id_index[model["model_id"]] = idx

    def get_model(self, model_id: str) -> dict | None:
        """O(1) lookup using index."""
        idx = self._model_id_index.get(model_id)
        if idx is not None:
            return self.registry["models"][idx]
        return None
