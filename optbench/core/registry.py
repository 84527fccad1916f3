"""Finds claims: the built-in components' and those of a user's own module.

Importing the built-in claims imports torch, pandas and scikit-learn (about
5 s here). Commands that only need to know which claims exist (`optbench
list`, an unknown id) read a catalogue instead: id, source, component, title,
claimed figure and variants, cached under the user's cache folder and keyed by
a hash of every source file of the package, so an edited claim is never
listed stale. A user's own module is always imported: its neighbours may
change without it.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import pkgutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .claim import Claim, Claimed
from .origin import where


class ClaimsError(Exception):
    """A claims module or claim id that cannot be used; the message names it."""


# Claim id -> the module spec that declared it, for child processes that must
# load one claim without importing every other (callgrind: torch alone takes
# 50 s to import under valgrind).
_DECLARED_IN: dict[str, str] = {}


def module_of(claim: Claim) -> str | None:
    """The module spec that declared `claim`; None for a claim built in code."""
    return _DECLARED_IN.get(claim.id)


def claims_of_module(spec: str) -> list[Claim]:
    found = _claims_in(load_module(spec), spec)
    strays = [f"item {i} ({type(c).__name__})" for i, c in enumerate(found)
              if not isinstance(c, Claim)]
    if strays:
        raise ClaimsError(f"claims module {spec}: CLAIMS holds something that is not a "
                          f"Claim: {', '.join(strays)}")
    for claim in found:
        _DECLARED_IN[claim.id] = spec
    return found


def _claims_in(module, spec: str) -> list[Claim]:
    declared = getattr(module, "CLAIMS", None)
    if declared is None:
        declared = [v for v in vars(module).values() if isinstance(v, Claim)]
    if not isinstance(declared, (list, tuple)):   # a string would list its characters
        raise ClaimsError(f"claims module {spec}: CLAIMS is a {type(declared).__name__}, "
                          f"not a list of Claim objects")
    return list(declared)


def builtin_claims() -> list[Claim]:
    """Every claims.py under optbench.components, in package order."""
    import optbench.components as components

    found = []
    for info in sorted(pkgutil.iter_modules(components.__path__), key=lambda i: i.name):
        spec = f"optbench.components.{info.name}.claims"
        # A package of shared parts only has no claims.py.
        if info.ispkg and importlib.util.find_spec(spec) is not None:
            found.extend(claims_of_module(spec))
    _save_catalogue(found)
    return found


@dataclass(frozen=True)
class Listed:
    """What `optbench list` shows of a claim, without importing its module."""

    id: str
    source: str
    component: str
    title: str
    claimed: str
    variants: tuple[str, ...]
    devices: tuple[str, ...] = ("cpu",)
    switches: tuple[str, ...] = ()     # a system's, in the order declared
    # What the audit maps a text's figures onto (audit/mapping.py): every
    # claimed range as (text, ratio_low, ratio_high, device or ""), the
    # primary metric as (name, kind, unit), the secondary metrics likewise.
    figures: tuple[tuple[str, float, float, str], ...] = ()
    metric: tuple[str, str, str] = ("", "", "")
    beside: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def of(cls, claim: Claim) -> "Listed":
        figures = {}
        for device, claimed in {"": claim.claimed, **claim.claimed_on}.items():
            for c in ([claimed] if isinstance(claimed, Claimed) else claimed.values()):
                figures[(c.text, float(c.ratio_low), float(c.ratio_high), device)] = None
        m = claim.primary
        return cls(claim.id, claim.source, claim.component, claim.title,
                   claim.claimed_at(claim.headline(quick=False)).text,
                   tuple(claim.variant_names), tuple(claim.devices),
                   tuple(s.name for s in claim.switches), tuple(figures),
                   (m.name, m.kind, m.unit),
                   tuple((s.name, s.kind, s.unit) for s in claim.secondary))


def catalogue(module: str | None = None) -> list[Listed]:
    """The claims as listed: from the cached catalogue when it matches the
    package's sources, else by importing them (which refreshes the cache)."""
    if module is None:
        cached = _load_catalogue()
        if cached is not None:
            return cached
    return [Listed.of(c) for c in claims(module)]


def check_ids(ids: list[str], module: str | None = None) -> None:
    """Raise ClaimsError for an unknown id, from the catalogue: a typo costs
    no torch import."""
    known = {c.id for c in catalogue(module)}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ClaimsError(f"unknown claim id {', '.join(unknown)}; "
                          f"`optbench list` shows the {len(known)} known ones")


def sources_hash() -> str:
    """One hash of every .py file of the installed optbench package, its
    version and Python's: any edit anywhere makes a new catalogue."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{sys.version}".encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _catalogue_path() -> Path:
    root = os.environ.get("OPTBENCH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "optbench")
    return Path(root) / f"catalogue-{sources_hash()}.json"


def _load_catalogue() -> list[Listed] | None:
    try:
        rows = json.loads(_catalogue_path().read_text(encoding="utf-8"))
        return [Listed(**{**row, "variants": tuple(row["variants"]),
                          "devices": tuple(row["devices"]),
                          "switches": tuple(row["switches"]),
                          "figures": tuple(tuple(f) for f in row["figures"]),
                          "metric": tuple(row["metric"]),
                          "beside": tuple(tuple(b) for b in row["beside"])}) for row in rows]
    except (OSError, ValueError, TypeError, KeyError):
        return None  # absent, unreadable or from an older layout: import instead


def _save_catalogue(found: list[Claim]) -> None:
    from .results import ResultsError, write_atomic

    target = _catalogue_path()
    try:
        write_atomic(target, json.dumps([asdict(Listed.of(c)) for c in found]))
        for stale in target.parent.glob("catalogue-*.json"):  # earlier sources' catalogues
            if stale != target:
                stale.unlink(missing_ok=True)
    except (ResultsError, OSError):
        pass  # a read-only home: listing stays correct, only slower


def load_module(spec: str):
    """Import a user's claims module by dotted name or by file path."""
    path = Path(spec)
    try:
        if spec.endswith(".py") or path.exists():
            if not path.is_file():
                raise ClaimsError(f"claims module {spec}: no such file")
            name = f"optbench_user_claims_{path.stem}"
            module_spec = importlib.util.spec_from_file_location(name, path.resolve())
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            # Let a user's module import its own neighbours.
            sys.path.insert(0, str(path.resolve().parent))
            module_spec.loader.exec_module(module)
            return module
        return importlib.import_module(spec)
    except ClaimsError:
        raise
    except ModuleNotFoundError as exc:
        raise ClaimsError(f"claims module {spec}: cannot import ({exc})") from None
    except SyntaxError as exc:   # its traceback ends in importlib; its text has the place
        raise ClaimsError(f"claims module {spec}: failed while importing: "
                          f"{type(exc).__name__}: {exc.msg} [{exc.filename}:{exc.lineno}]") from None
    except Exception as exc:  # a user's module may fail in any way while importing
        raise ClaimsError(f"claims module {spec}: failed while importing: "
                          f"{type(exc).__name__}: {exc} [{where(exc)}]") from None


def user_claims(spec: str) -> list[Claim]:
    found = claims_of_module(spec)
    if not found:
        raise ClaimsError(f"claims module {spec}: defines no Claim (and no CLAIMS list)")
    return found


def claims(module: str | None = None) -> list[Claim]:
    return user_claims(module) if module else builtin_claims()


def select(all_claims: list[Claim], ids: list[str]) -> list[Claim]:
    """The claims named by `ids` (all when empty), in the order given."""
    if not ids:
        return all_claims
    by_id = {c.id: c for c in all_claims}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ClaimsError(f"unknown claim id {', '.join(unknown)}; "
                          f"`optbench list` shows the {len(by_id)} known ones")
    return [by_id[i] for i in ids]


def get(claim_id: str, module: str | None = None) -> Claim:
    return select(claims(module), [claim_id])[0]
