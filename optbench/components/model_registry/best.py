"""The PR's index, kept right: rebuilt whenever positions move (a delete, an
unfiltered get_latest_model, which sorts the registry's own list), and
pointing at an id's first entry as the scan does when two registrations in
one second share an id (the committed index points at the last). Every
lookup agrees with the scan. A caller that reorders the list an unfiltered
list_models returns (the registry's own) still leaves it stale."""
from __future__ import annotations

from .baseline import LinearScanRegistry
from .optimized import IndexedRegistry


class MaintainedIndexRegistry(IndexedRegistry):
    def _build_index(self) -> None:
        self._model_id_index = {}
        for position, model in enumerate(self.registry["models"]):
            self._model_id_index.setdefault(model["model_id"], position)

    def register_model(self, *args, **kwargs) -> str:
        model_id = LinearScanRegistry.register_model(self, *args, **kwargs)
        self._model_id_index.setdefault(model_id, len(self.registry["models"]) - 1)
        return model_id

    def get_latest_model(self, model_name=None, model_type=None):
        found = super().get_latest_model(model_name, model_type)
        if not model_name and not model_type:
            self._build_index()
        return found

    def delete_model(self, model_id: str) -> bool:
        deleted = super().delete_model(model_id)
        if deleted:
            self._build_index()
        return deleted
