"""The results file as typed, immutable objects (schema version 4).

In pyperf's spirit: frozen dataclasses that load from and dump to JSON, so
the engine, the CLI, the gate and the report read named fields instead of
dict keys. The engine builds an `Entry` where it measures one; a forked
child sends `entry.to_json()` down its pipe and the parent reads it back
with `Entry.from_json` (pyperf's `Run` travels the same way).

The JSON layout is the one documented in core/results.py. Older files
still load, the missing fields empty: version 1 (before claim revisions,
the "error" verdict and the environment's library versions), version 2
(before system claims and their ablation) and version 3 (each variant's
summary as a top-level key, and the optimized and best ratios as
`ratio` / `best_ratio` fields, before named contrasts).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Mapping

from .claim import BASELINE, OPTIMIZED, VARIANT_ORDER

SCHEMA_VERSION = 4
READS = (1, 2, 3, 4)
# The contrast a verdict is decided on; the others (best against baseline)
# are shown beside it and guarded by the gate, but decide nothing.
VERDICT_CONTRAST = OPTIMIZED


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


def _frozen_fields(obj, *names: str) -> None:
    """Mappings given to a frozen object's constructor, frozen: an entry
    built by the engine is as immutable as one loaded from a file."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and not isinstance(value, MappingProxyType):
            object.__setattr__(obj, name, _frozen(value))


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "samples", tuple(self.samples))

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

    def __post_init__(self) -> None:
        _frozen_fields(self, "values", "samples", "sampling")

    @classmethod
    def from_json(cls, data: Mapping) -> "Reading":
        known, _ = _known(cls, data)
        return cls(**known)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "unit": self.unit, "description": self.description,
               "values": _plain(self.values)}
        for name in ("ratio", "ci_low", "ci_high", "samples", "sampling"):
            if getattr(self, name) is not None:
                out[name] = _plain(getattr(self, name))
        return out


@dataclass(frozen=True)
class Contrast:
    """One named comparison of the primary metric: `of` / `against` (lower
    is better), with its 95% interval; equal ends are an exact reading."""

    of: str
    against: str = BASELINE
    ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @classmethod
    def from_json(cls, data: Mapping) -> "Contrast":
        known, _ = _known(cls, data)
        return cls(**known)

    def to_json(self) -> dict:
        return {"of": self.of, "against": self.against, "ratio": self.ratio,
                "ci_low": self.ci_low, "ci_high": self.ci_high}


# Version 3 wrote the optimized and best contrasts as flat fields.
_FLAT_CONTRASTS = {OPTIMIZED: "", "best": "best_"}


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
    # Named comparisons of the primary metric: every variant against the
    # baseline, keyed by the variant's name ("optimized", "best").
    contrasts: Mapping[str, Contrast] = field(default_factory=dict)
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
    # The machine it was measured on (core/fingerprint.py): its facts and
    # their fingerprint; {} in files older than fingerprints.
    machine: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys a newer optbench wrote

    def __post_init__(self) -> None:
        _frozen_fields(self, "workload", "claimed", "variants", "contrasts", "sampling", "noise",
                       "instructions", "equivalence", "secondary", "ablation", "machine",
                       "extra")
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @property
    def verdict_contrast(self) -> Contrast | None:
        return self.contrasts.get(VERDICT_CONTRAST)

    # The verdict contrast's figures: what the verdict was decided on.
    @property
    def ratio(self) -> float | None:
        return self.verdict_contrast.ratio if self.verdict_contrast else None

    @property
    def ci_low(self) -> float | None:
        return self.verdict_contrast.ci_low if self.verdict_contrast else None

    @property
    def ci_high(self) -> float | None:
        return self.verdict_contrast.ci_high if self.verdict_contrast else None

    @property
    def other_contrasts(self) -> dict[str, Contrast]:
        """The contrasts shown beside the verdict's (best against baseline)."""
        return {n: c for n, c in self.contrasts.items() if n != VERDICT_CONTRAST}

    def with_contrast(self, name: str, **figures) -> "Entry":
        """This entry with contrast `name`'s figures changed (`ratio=`, `ci_low=`...)."""
        from dataclasses import replace

        contrasts = dict(self.contrasts)
        contrasts[name] = replace(contrasts.get(name) or Contrast(name), **figures)
        return replace(self, contrasts=contrasts)

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
        if isinstance(known.get("variants"), Mapping):
            variants = known["variants"]
        else:   # version 1-3: each variant's summary a top-level key
            variants = {v: rest.pop(v) for v in VARIANT_ORDER if isinstance(rest.get(v), Mapping)}
        if isinstance(known.get("contrasts"), Mapping):
            contrasts = {n: Contrast.from_json(c) for n, c in known["contrasts"].items()}
        else:   # version 1-3: flat ratio / best_ratio fields
            contrasts = {}
            for name, prefix in _FLAT_CONTRASTS.items():
                figures = [rest.pop(f"{prefix}{end}", None) for end in ("ratio", "ci_low",
                                                                         "ci_high")]
                if any(f is not None for f in figures):
                    contrasts[name] = Contrast(name, BASELINE, *figures)
        known.update(
            variants={v: VariantSummary.from_json(s) for v, s in variants.items()},
            contrasts=contrasts,
            secondary={k: Reading.from_json(v) for k, v in (known.get("secondary") or {}).items()},
            warnings=tuple(known.get("warnings") or ()), extra=rest)
        return cls(**known)

    def to_json(self) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("variants", "contrasts", "secondary", "extra"):
                continue
            value = getattr(self, f.name)
            if value is None and f.name in ("revision", "reason", "sampling", "noise",
                                            "instructions", "equivalence", "ablation") \
                    or (f.name in ("warnings", "machine") and not value):
                continue
            out[f.name] = _plain(value)
        out["variants"] = {name: summary.to_json() for name, summary in self.variants.items()}
        out["contrasts"] = {name: c.to_json() for name, c in self.contrasts.items()}
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

    def __post_init__(self) -> None:
        _frozen_fields(self, "tool", "environment", "run")
        object.__setattr__(self, "claims", tuple(self.claims))

    @classmethod
    def from_json(cls, data: Mapping) -> "Results":
        """From a parsed file of any version this optbench reads; an older
        file becomes the current version (revision, libraries, ablation and
        the like absent)."""
        return cls(SCHEMA_VERSION, data.get("tool") or {}, data.get("environment") or {},
                   data.get("run") or {},
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
