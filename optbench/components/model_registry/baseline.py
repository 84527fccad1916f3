"""src/models/registry.py before the report (training-system report §2.2): linear scans."""
from __future__ import annotations

import json
from pathlib import Path


class LinearScanRegistry:
    def __init__(self, registry_path: Path):
        self.registry_path = Path(registry_path)
        self.registry = self._load()

    def _load(self) -> dict:
        if self.registry_path.exists():
            with open(self.registry_path, encoding="utf-8") as f:
                return json.load(f)
        return {"models": []}

    def _save(self) -> None:
        with open(self.registry_path, "w", encoding="utf-8") as f:
            json.dump(self.registry, f, indent=2)

    def get_model(self, model_id: str) -> dict | None:
        for model in self.registry["models"]:
            if model["model_id"] == model_id:
                return model
        return None

    def register_model(self, model_id: str, **metadata) -> None:
        existing = self.get_model(model_id)
        if existing is not None:
            existing.update(metadata)
        else:
            self.registry["models"].append({"model_id": model_id, **metadata})
        self._save()

    def remove_model(self, model_id: str) -> None:
        self.registry["models"] = [m for m in self.registry["models"]
                                   if m["model_id"] != model_id]
        self._save()

    def reload(self) -> None:
        self.registry = self._load()
