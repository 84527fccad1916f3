"""src/models/registry.py at 6b13c54 (before PR #6; training-system report §2.2):
a JSON file {"models": [...], "metadata": {...}}, every lookup a linear scan.

A registered model's id is its name and the registration time to the second
("mlp_classifier_20261205_014501"), so two registrations of one name within
a second get the same id: a finding about the real code. `clock` is the
codebase's `datetime.now`; workloads pass one that ticks a second per call.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Callable


class LinearScanRegistry:
    def __init__(self, registry_path: Path, clock: Callable[[], datetime] = datetime.now):
        self.registry_path = Path(registry_path)
        self.registry_path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.registry = self._load()

    def _load(self) -> dict:
        if self.registry_path.exists():
            with open(self.registry_path, encoding="utf-8") as f:
                return json.load(f)
        return {"models": [], "metadata": {"created_at": self.clock().isoformat(),
                                           "total_models": 0}}

    def _save(self) -> None:
        with open(self.registry_path, "w", encoding="utf-8") as f:
            json.dump(self.registry, f, indent=2)

    def register_model(self, model_path, model_name: str, model_type: str,
                       metrics: dict | None = None, config: dict | None = None,
                       tags: list | None = None, notes: str = "") -> str:
        now = self.clock()
        model_id = f"{model_name}_{now:%Y%m%d_%H%M%S}"
        self.registry["models"].append({
            "model_id": model_id, "model_name": model_name, "model_type": model_type,
            "model_path": str(model_path), "registered_at": now.isoformat(),
            "metrics": metrics or {}, "config": config or {}, "tags": tags or [],
            "notes": notes})
        self.registry["metadata"]["total_models"] += 1
        self._save()
        return model_id

    def get_model(self, model_id: str) -> dict | None:
        for model in self.registry["models"]:
            if model["model_id"] == model_id:
                return model
        return None

    def list_models(self, model_type: str | None = None) -> list[dict]:
        return [m for m in self.registry["models"]
                if model_type is None or m["model_type"] == model_type]

    def _candidates(self, model_type: str | None) -> list[dict]:
        # Without a filter the codebase works on the registry's own list, so
        # the sorts below reorder the registry itself.
        if model_type is None:
            return self.registry["models"]
        return [m for m in self.registry["models"] if m["model_type"] == model_type]

    def get_latest_model(self, model_type: str | None = None) -> dict | None:
        models = self._candidates(model_type)
        models.sort(key=lambda m: m["registered_at"], reverse=True)
        return models[0] if models else None

    def get_best_model(self, metric: str, model_type: str | None = None,
                       higher_is_better: bool = True) -> dict | None:
        models = [m for m in self._candidates(model_type) if metric in m.get("metrics", {})] \
            if model_type is not None else self._candidates(None)
        models.sort(key=lambda m: m.get("metrics", {}).get(metric, float("-inf")),
                    reverse=higher_is_better)
        return models[0] if models else None

    def delete_model(self, model_id: str) -> bool:
        for position, model in enumerate(self.registry["models"]):
            if model["model_id"] == model_id:
                self.registry["models"].pop(position)
                self.registry["metadata"]["total_models"] -= 1
                self._save()
                return True
        return False
