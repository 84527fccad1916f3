"""The report's index, kept right: updated on register, rebuilt on remove
and reload (positions shift when a model is removed)."""
from __future__ import annotations

from .optimized import IndexedRegistry


class MaintainedIndexRegistry(IndexedRegistry):
    def register_model(self, model_id: str, **metadata) -> None:
        super().register_model(model_id, **metadata)
        if model_id not in self._model_id_index:
            self._model_id_index[model_id] = len(self.registry["models"]) - 1

    def remove_model(self, model_id: str) -> None:
        super().remove_model(model_id)
        self._build_index()

    def reload(self) -> None:
        super().reload()
        self._build_index()
