"""The PR's index, kept right: rebuilt whenever positions move (a delete, a
sort of the registry's own list), so every lookup agrees with the scan."""
from __future__ import annotations

from .optimized import IndexedRegistry


class MaintainedIndexRegistry(IndexedRegistry):
    def get_latest_model(self, model_type=None):
        found = super().get_latest_model(model_type)
        self._build_index()
        return found

    def get_best_model(self, metric, model_type=None, higher_is_better=True):
        found = super().get_best_model(metric, model_type, higher_is_better)
        self._build_index()
        return found

    def delete_model(self, model_id: str) -> bool:
        deleted = super().delete_model(model_id)
        self._build_index()
        return deleted
