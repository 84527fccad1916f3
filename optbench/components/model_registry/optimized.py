"""src/models/registry.py after PR #6 (2bb072b, the same at 29be98f; training-system
report §2.2): a dict from model_id to the model's position in
registry["models"], built when the registry loads and extended by
register_model; get_model reads it. Not saved: the JSON is unchanged.

Nothing else keeps it: delete_model shifts every later model one position
down, and an unfiltered get_latest_model sorts the registry's own list
(newest first), and the index then points at other models (or past the
end: IndexError). get_best_model sorts a filtered copy and leaves it right.
That is the committed code; the kept index is in best.py.
"""
from __future__ import annotations

from .baseline import LinearScanRegistry


class IndexedRegistry(LinearScanRegistry):
    def __init__(self, registry_path, **kwargs):
        super().__init__(registry_path, **kwargs)
        self._build_index()

    def _build_index(self) -> None:
        self._model_id_index = {m["model_id"]: position
                                for position, m in enumerate(self.registry["models"])}

    def register_model(self, *args, **kwargs) -> str:
        model_id = super().register_model(*args, **kwargs)
        # The last position: a second id of the same second points here too.
        self._model_id_index[model_id] = len(self.registry["models"]) - 1
        return model_id

    def get_model(self, model_id: str) -> dict | None:
        position = self._model_id_index.get(model_id)
        if position is None:
            return None
        return self.registry["models"][position]
