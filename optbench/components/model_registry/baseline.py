"""src/models/registry.py at 6b13c54 (before PR #6; training-system report §2.2):
a JSON file {"models": [...], "metadata": {"created_at", "total_models"}},
every lookup a linear scan, the whole file rewritten (indent 2) on each
register and delete.

Behaviour kept as the codebase has it:

* A model's id is its name and the registration time to the second
  ("mlp_classifier_20261205_014501"), so two registrations of one name
  within a second get the same id and get_model finds only the first. The
  id and `registered_at` come from two separate clock readings, so they
  can fall in different seconds. `clock` stands for the codebase's
  `datetime.now`; the workloads pass one that ticks a second per reading.
* `metrics` has no default and is stored as given; `notes` of None is "".
* get_latest_model with neither a name nor a type filter sorts the
  registry's own list in place (newest first); with a filter it sorts a
  filtered copy. get_best_model always drops the models lacking the metric
  first, so it sorts a new list and never reorders the registry.
* list_models with no filter returns the registry's own list, not a copy.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Callable


class LinearScanRegistry:
    def __init__(self, registry_path: Path = Path("artifacts/models/registry.json"),
                 clock: Callable[[], datetime] = datetime.now):
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

    def register_model(self, model_path, model_name: str, model_type: str, metrics: dict,
                       config: dict | None = None, tags: list | None = None,
                       notes: str | None = None) -> str:
        model_id = f"{model_name}_{self.clock():%Y%m%d_%H%M%S}"
        self.registry["models"].append({
            "model_id": model_id, "model_name": model_name, "model_type": model_type,
            "model_path": str(model_path), "registered_at": self.clock().isoformat(),
            "metrics": metrics, "config": config or {}, "tags": tags or [],
            "notes": notes or ""})
        self.registry["metadata"]["total_models"] += 1
        self._save()
        return model_id

    def get_model(self, model_id: str) -> dict | None:
        for model in self.registry["models"]:
            if model["model_id"] == model_id:
                return model
        return None

    def _filtered(self, model_name: str | None, model_type: str | None) -> list[dict]:
        # No filter: the registry's own list (the sort below then reorders it).
        models = self.registry["models"]
        if model_name:
            models = [m for m in models if m["model_name"] == model_name]
        if model_type:
            models = [m for m in models if m["model_type"] == model_type]
        return models

    def get_latest_model(self, model_name: str | None = None,
                         model_type: str | None = None) -> dict | None:
        models = self._filtered(model_name, model_type)
        if not models:
            return None
        models.sort(key=lambda m: m["registered_at"], reverse=True)
        return models[0]

    def get_best_model(self, metric_name: str, higher_is_better: bool = True,
                       model_name: str | None = None,
                       model_type: str | None = None) -> dict | None:
        models = [m for m in self._filtered(model_name, model_type)
                  if metric_name in m.get("metrics", {})]   # always a new list
        if not models:
            return None
        models.sort(key=lambda m: m["metrics"][metric_name], reverse=higher_is_better)
        return models[0]

    def list_models(self, model_name: str | None = None, model_type: str | None = None,
                    tags: list | None = None) -> list[dict]:
        models = self._filtered(model_name, model_type)
        if tags:
            models = [m for m in models if any(t in m.get("tags", []) for t in tags)]
        return models

    def delete_model(self, model_id: str) -> bool:
        for position, model in enumerate(self.registry["models"]):
            if model["model_id"] == model_id:
                self.registry["models"].pop(position)
                self.registry["metadata"]["total_models"] -= 1
                self._save()
                return True
        return False

    def get_summary(self) -> dict:
        types: dict[str, int] = {}
        for model in self.registry["models"]:
            types[model["model_type"]] = types.get(model["model_type"], 0) + 1
        return {"total_models": len(self.registry["models"]), "model_types": types,
                "registry_path": str(self.registry_path)}
