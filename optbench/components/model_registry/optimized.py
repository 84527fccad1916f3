"""src/models/registry.py after the report (seed 002 §2.2): a dict index
from model_id to the model's position in registry["models"], built at load
(`_build_index`, as the report shows it) and kept up to date on register,
remove and reload."""
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
