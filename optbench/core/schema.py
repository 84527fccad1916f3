"""The results file as typed, immutable objects (schema version 3).

In pyperf's spirit: frozen dataclasses that load from and dump to JSON, so
the CLI, the gate and the report read named fields instead of dict keys.
The JSON layout is the one documented in core/results.py; version 1 files
(before claim revisions, the "error" verdict and the environment's library
versions) and version 2 files (before system claims and their ablation)
still load, the missing fields empty.

The engine measures into plain dicts (they cross a process pipe); the
document becomes a `Results` at the end of the run, and everything after
reads that.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Mapping

SCHEMA_VERSION = 3
READS = (1, 2, 3)
VARIANTS = ("baseline", "optimized", "best")


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


def _plain(value: Any) -> Any:
    """JSON-ready copy: mappings and tuples back to dicts and lists."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _known(cls, data: Mapping) -> tuple[dict, dict]:
    """The fields `cls` declares, and the rest (kept, written back as found)."""
    names = {f.name for f in fields(cls)}
    return ({k: v for k, v in data.items() if k in names},
            {k: v for k, v in data.items() if k not in names})


@dataclass(frozen=True)
class VariantSummary:
    """One variant's reading of the primary metric."""

    median: Any                    # seconds, bytes, a count, or a value
    n: int = 1
    samples: tuple = ()
    iqr_over_median: float | None = None  # timings only

    @classmethod
    def from_json(cls, data: Mapping) -> "VariantSummary":
        return cls(data.get("median"), data.get("n", 1), tuple(data.get("samples") or ()),
                   data.get("iqr_over_median"))

    def to_json(self) -> dict:
        out = {"median": self.median, "n": self.n, "samples": list(self.samples)}
        if self.iqr_over_median is not None:
            out["iqr_over_median"] = self.iqr_over_median
        return out


@dataclass(frozen=True)
class Reading:
    """A secondary metric: every variant's figure, and the ratio when numeric."""

    kind: str
    unit: str = ""
    description: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    samples: Mapping[str, Any] | None = None
    sampling: Mapping[str, Any] | None = None

    @classmethod
    def from_json(cls, data: Mapping) -> "Reading":
        known, _ = _known(cls, data)
        known["values"] = _frozen(known.get("values"))
        return cls(**known)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "unit": self.unit, "description": self.description,
               "values": _plain(self.values)}
        for name in ("ratio", "ci_low", "ci_high", "samples", "sampling"):
            if getattr(self, name) is not None:
                out[name] = _plain(getattr(self, name))
        return out


@dataclass(frozen=True)
class Entry:
    """One claim at one workload size on one device."""

    id: str
    verdict: str
    workload: Mapping[str, Any]               # name, size, size_unit, device
    revision: int | None = None               # None: a version 1 file
    title: str = ""
    source: str = ""
    component: str = ""
    metric: str = ""
    kind: str = ""
    unit: str = ""
    metric_description: str = ""
    headline: bool = False
    claimed: Mapping[str, Any] = field(default_factory=dict)  # text, ratio_low/high, exact
    notes: str = ""
    reason: str | None = None                 # not measurable here / error: why
    variants: Mapping[str, VariantSummary] = field(default_factory=dict)
    ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    best_ratio: float | None = None
    best_ci_low: float | None = None
    best_ci_high: float | None = None
    sampling: Mapping[str, Any] | None = None
    noise: Mapping[str, Any] | None = None
    instructions: Mapping[str, Any] | None = None
    equivalent: bool | str | None = None
    equivalence: Mapping[str, Any] | None = None
    secondary: Mapping[str, Reading] = field(default_factory=dict)
    # What no interval catches: a timed call as cheap as an empty one, a time
    # that does not grow with the workload (core/sanity.py).
    warnings: tuple[str, ...] = ()
    # A system claim's design, cells and per-switch effects (core/ablation.py).
    ablation: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys a newer optbench wrote

    @property
    def size(self) -> int:
        return self.workload.get("size")

    @property
    def device(self) -> str:
        return self.workload.get("device", "cpu")

    @property
    def key(self) -> str:
        return f"{self.id} @ {self.size} {self.device}"

    def variant(self, name: str) -> VariantSummary | None:
        return self.variants.get(name)

    @classmethod
    def from_json(cls, data: Mapping) -> "Entry":
        known, rest = _known(cls, data)
        variants = {v: VariantSummary.from_json(rest.pop(v)) for v in VARIANTS
                    if isinstance(rest.get(v), Mapping)}
        known.update(
            workload=_frozen(known["workload"]), claimed=_frozen(known.get("claimed")),
            variants=_frozen(variants),
            secondary=_frozen({k: Reading.from_json(v)
                               for k, v in (known.get("secondary") or {}).items()}),
            warnings=tuple(known.get("warnings") or ()), extra=_frozen(rest))
        for name in ("sampling", "noise", "instructions", "equivalence", "ablation"):
            if known.get(name) is not None:
                known[name] = _frozen(known[name])
        return cls(**known)

    def to_json(self) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("variants", "secondary", "extra"):
                continue
            value = getattr(self, f.name)
            if value is None and f.name in ("revision", "reason", "best_ratio", "best_ci_low",
                                            "best_ci_high", "sampling", "noise", "instructions",
                                            "equivalence", "ablation") \
                    or (f.name == "warnings" and not value):
                continue
            out[f.name] = _plain(value)
        for name, summary in self.variants.items():
            out[name] = summary.to_json()
        out["secondary"] = {k: r.to_json() for k, r in self.secondary.items()}
        out.update(_plain(self.extra))
        return out


@dataclass(frozen=True)
class Results:
    """A whole results file."""

    schema_version: int
    tool: Mapping[str, Any]
    environment: Mapping[str, Any]
    run: Mapping[str, Any]
    claims: tuple[Entry, ...]

    @classmethod
    def from_json(cls, data: Mapping) -> "Results":
        """From a parsed file of any version this optbench reads; an older
        file becomes the current version (revision, libraries, ablation and
        the like absent)."""
        return cls(SCHEMA_VERSION, _frozen(data.get("tool")), _frozen(data.get("environment")),
                   _frozen(data.get("run")),
                   tuple(Entry.from_json(e) for e in data.get("claims") or ()))

    def to_json(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "tool": _plain(self.tool),
                "environment": _plain(self.environment), "run": _plain(self.run),
                "claims": [e.to_json() for e in self.claims]}

    @property
    def quick(self) -> bool | None:
        return self.run.get("quick")

    @property
    def incomplete(self) -> bool:
        return bool(self.run.get("incomplete"))
