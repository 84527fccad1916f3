"""A claim is data: what is compared, on what, how, and what the report said.

Every runner (the CLI's verdicts, pytest-benchmark, asv, memray profiles)
reads these objects; none of them defines a benchmark of its own.
"""
from __future__ import annotations

import atexit
import importlib.util
import math
import shutil
import operator
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Sequence, Union

from .design import KINDS as DESIGN_KINDS, Design, Switch, check_switches, configuration, make_design
from .origin import caller_outside_optbench
from .same import difference, same

MetricKind = Literal["time", "memory", "counter", "value"]

# The two variants every claim compares; "best" is optional.
BASELINE = "baseline"
OPTIMIZED = "optimized"
BEST = "best"
VARIANT_ORDER = (BASELINE, OPTIMIZED, BEST)


Number = Union[int, float, str, Fraction]


def exact(x: Number) -> Fraction:
    """A report's figure as an exact fraction: 80 is 80, 2.5 is 5/2 (not 2.4999...).

    Floats go through their shortest decimal text, which is what the report
    wrote; binary float arithmetic would turn "80% fewer" into 0.19999999999999996
    and make an exact counter that lands on the figure miss it.
    """
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


@dataclass(frozen=True)
class Claimed:
    """The report's figure as a range of ratio = optimized / baseline, exactly.

    Lower is better for every primary metric (seconds, bytes, writes,
    failures), so "10x fewer" is ratio <= 1/10 and "30-50% less" is
    1/2 <= ratio <= 7/10. A claim is reached when the measured ratio is at
    or below `ratio_high`, the smallest gain the report asserts. Both ends
    are `Fraction`s built from the report's numbers, so 50 -> 10 writes is
    exactly "80% fewer".
    """

    text: str
    ratio_low: Fraction
    ratio_high: Fraction

    # "~N" tolerance: a measured factor within 25% of N still reaches "~N".
    APPROX = Fraction(5, 4)

    @classmethod
    def times_fewer(cls, low: Number, high: Number | None = None, *, approx: bool = False,
                    text: str) -> "Claimed":
        """"~10x fewer", "1.5-3x faster": baseline/optimized between low and high."""
        low = exact(low)
        high = low if high is None else exact(high)
        slack = cls.APPROX if approx else Fraction(1)
        return cls(text, 1 / (high * slack), slack / low)

    @classmethod
    def percent_less(cls, low: Number, high: Number | None = None, *, text: str) -> "Claimed":
        """"30-50% less", "30% faster": the metric falls by low..high percent."""
        low = exact(low)
        high = low if high is None else exact(high)
        return cls(text, 1 - high / 100, 1 - low / 100)

    @classmethod
    def before_after(cls, before: Number, after: Number, *, text: str) -> "Claimed":
        """A report's own measurement, "2.1 s -> 1.5 s": exactly after / before."""
        measured = exact(after) / exact(before)
        return cls(text, measured, measured)

    @classmethod
    def spanning(cls, *readings: "Claimed", text: str) -> "Claimed":
        """One gain stated several ways ("30% faster", "2.1 s -> 1.5 s", "20-30%
        on large datasets"): the range every statement falls in, so none of the
        report's own figures is read as short of its claim."""
        return cls(text, min(r.ratio_low for r in readings),
                   max(r.ratio_high for r in readings))

    @classmethod
    def eliminated(cls, *, text: str) -> "Claimed":
        """"works on small datasets": the optimized count (of failures) is zero."""
        return cls(text, Fraction(0), Fraction(0))

    def as_dict(self) -> dict:
        return {"text": self.text, "ratio_low": float(self.ratio_low),
                "ratio_high": float(self.ratio_high),
                "exact": f"{self.ratio_low} .. {self.ratio_high}"}


@dataclass(frozen=True)
class Case:
    """One variant of one claim at one workload size, ready to measure."""

    claim: "Claim"
    variant: str
    implementation: Any
    size: int
    device: str
    data: Any
    workdir: Path


@dataclass(frozen=True)
class Metric:
    """One measured quantity of a prepared case.

    `measure(state)` is the region: for "time" it is the body that gets
    timed (its return value is ignored), for "memory" the region whose peak
    and retained bytes are taken, for "counter" and "value" a function that
    returns the exact figure itself (counters instrument the I/O they count).
    """

    name: str
    kind: MetricKind
    unit: str
    measure: Callable[[Any], Any]
    description: str = ""
    # For memory metrics: "retained" (held when the region ends) or "peak".
    memory_stat: Literal["retained", "peak"] = "peak"


@dataclass(frozen=True)
class Workload:
    """A seeded data generator and the sizes a claim is measured at.

    `make(size)` must be deterministic: same size, same data, every run.
    """

    name: str
    make: Callable[[int], Any]
    sizes: Sequence[int]
    quick_sizes: Sequence[int]
    size_unit: str = "items"


@dataclass(frozen=True)
class Equivalence:
    """How the optimized output must relate to the baseline's.

    `compare(baseline_output, other_output)` returns True when equal within
    the stated tolerance. `declared_change` is a behaviour change the report
    itself states (e.g. "stops after 5 errors"): such a claim is judged on
    its metric and the change is shown, not counted against it.
    """

    description: str
    compare: Callable[[Any, Any], bool]
    declared_change: str | None = None
    # Whether every difference between two outputs is the declared change
    # (e.g. equal wherever the declared rule does not apply); a difference
    # outside it is an undeclared change. None: any difference is declared.
    only_declared: Callable[[Any, Any], bool] | None = None
    # (rtol, atol) for describing where outputs first differ beyond it.
    tolerance: tuple[float, float] = (0.0, 0.0)

    def judge(self, baseline_output: Any, other_output: Any) -> bool | str:
        """True (equivalent), False (an undeclared change) or "declared change: ..."."""
        try:
            equal = bool(self.compare(baseline_output, other_output))
        except (RuntimeError, ValueError) as exc:
            if "ambiguous" not in str(exc):
                raise
            raise TypeError(f"equivalence {self.description!r}: == on outputs with no single "
                            f"truth value (tensors or arrays); use Equivalence.allclose, "
                            f"Equivalence.frames_equal or Equivalence.structures") from None
        if equal:
            return True
        if self.declared_change and (self.only_declared is None
                                     or self.only_declared(baseline_output, other_output)):
            return f"declared change: {self.declared_change}"
        return False

    def difference(self, baseline_output: Any, other_output: Any) -> str | None:
        """Where `other_output` first differs ("[0]['community']: int -> float"),
        None when no difference can be pointed at (a custom compare's)."""
        try:
            return difference(baseline_output, other_output, *self.tolerance)
        except Exception:  # a description is a courtesy; the verdict stands without it
            return None

    @classmethod
    def exact(cls, description: str) -> "Equivalence":
        """Outputs equal under == (plain Python values; see `structures` for
        tensors, arrays and frames, whose == has no single truth value)."""
        return cls(description, operator.eq)

    @classmethod
    def allclose(cls, rtol: float = 1e-5, atol: float = 1e-8,
                 description: str | None = None) -> "Equivalence":
        """Tensors and arrays (and containers of them) with the same shape and
        dtype whose values agree within rtol/atol, NaNs in the same places."""
        return cls(description or f"same shapes and dtypes, values within rtol={rtol:g}, "
                                  f"atol={atol:g}",
                   lambda a, b: same(a, b, rtol, atol), tolerance=(rtol, atol))

    @classmethod
    def frames_equal(cls, description: str | None = None) -> "Equivalence":
        """pandas DataFrames, Series or Indexes equal value for value, with the
        same dtypes, index and column names (pandas.testing's checks)."""
        return cls(description or "identical frames: values, dtypes, index and columns", same)

    @classmethod
    def structures(cls, rtol: float = 0.0, atol: float = 0.0,
                   description: str | None = None) -> "Equivalence":
        """Dicts, lists and tuples of tensors, arrays, frames and plain values,
        compared item by item (types too: 3 is not 3.0), exactly unless a
        tolerance is given for the floating-point leaves."""
        exactly = rtol == atol == 0
        return cls(description or ("identical structures, types and values" if exactly else
                                   f"identical structures, values within rtol={rtol:g}, "
                                   f"atol={atol:g}"),
                   lambda a, b: same(a, b, rtol, atol), tolerance=(rtol, atol))


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    component: str
    title: str
    # One range for every size, or one per size.
    claimed: Claimed | Mapping[int, Claimed]
    variants: Mapping[str, Any]
    workload: Workload
    setup: Callable[[Case], Any]
    primary: Metric
    output: Callable[[Case], Any]
    equivalence: Equivalence
    secondary: Sequence[Metric] = ()
    headline_size: int | None = None
    devices: Sequence[str] = ("cpu",)
    notes: str = ""
    # Bumped by hand when a claim's meaning changes without its code changing.
    revision: int = 1
    # Where the report gives a device its own figure ("25-35% faster on GPU"):
    # device -> range(s) as in `claimed`, used instead of it on that device.
    claimed_on: Mapping[str, Claimed | Mapping[int, Claimed]] = field(default_factory=dict)
    # Modules the workload needs beyond optbench's own dependencies (pyarrow
    # for Arrow-backed strings); without them the claim is "not measurable here".
    requires: Sequence[str] = ()
    # "file:line" of the Claim(...) call: where an error with no line of the
    # user's own in its traceback (an equivalence misused) is pointed to.
    defined_at: str = field(default_factory=caller_outside_optbench, compare=False, repr=False)
    # A system claim (core/system.py): the PR's changes, each a switch; its
    # variants are configurations of them, and a run measures a design of
    # configurations, not just the baseline and optimized.
    switches: Sequence[Switch] = ()
    # How each sample of a system runs: "in-process", or "fresh process" where
    # state leaks between configurations (imports, caches, allocator); why.
    isolation: str = ""
    # The design quick mode measures for this system when the run names none
    # (None: the screen): "none" where one run costs seconds and the screen's
    # 2k+2 cells would not fit quick mode's minutes. Full mode runs the full design,
    # or `full_design` where a cell takes minutes (system.video's 16 cells: 26 min,
    # so full mode's case timeout would stop the run before its first reading).
    quick_design: str | None = None
    full_design: str | None = None
    # Where the library or the codebase itself says both sides run the same
    # configuration (a default equal to the "optimized" setting, a flag
    # ignored without an accelerator): no_op(device) reads that fact at run
    # time and returns it in words, or None where the sides differ. The
    # verdict is then "no-op", whatever the interval's noise reads.
    no_op: Callable[[str], str | None] | None = None

    def __post_init__(self) -> None:
        for needed in (BASELINE, OPTIMIZED):
            if needed not in self.variants:
                raise ValueError(f"claim {self.id!r}: no {needed!r} variant")
        unknown = set(self.variants) - set(VARIANT_ORDER)
        if unknown:
            raise ValueError(f"claim {self.id!r}: unknown variants {sorted(unknown)}")
        if self.switches:
            check_switches(self.switches, self.id)
        for name in ("quick_design", "full_design"):
            kind = getattr(self, name)
            if kind is not None and kind not in DESIGN_KINDS:
                raise ValueError(f"claim {self.id!r}: {name} {kind!r} is not "
                                 f"one of {', '.join(DESIGN_KINDS)}")
        sizes = set(self.workload.sizes) | set(self.workload.quick_sizes)
        for device, claimed in {"": self.claimed, **self.claimed_on}.items():
            if not isinstance(claimed, Claimed):
                missing = sorted(sizes - set(claimed))
                if missing:
                    where = f" on {device}" if device else ""
                    raise ValueError(f"claim {self.id!r}: no claimed range{where} for sizes "
                                     f"{missing}")
        stray = set(self.claimed_on) - set(self.devices)
        if stray:
            raise ValueError(f"claim {self.id!r}: claimed ranges for devices it is not "
                             f"measured on: {sorted(stray)}")

    def missing(self) -> list[str]:
        """The modules in `requires` this Python cannot import."""
        return [m for m in self.requires if importlib.util.find_spec(m) is None]

    @property
    def variant_names(self) -> list[str]:
        return [v for v in VARIANT_ORDER if v in self.variants]

    @property
    def contrasts(self) -> list[tuple[str, str, str]]:
        """The named comparisons of the primary metric, (name, of, against):
        every variant but the baseline, against the baseline, named after it.
        The verdict reads the one named "optimized"; a system's per-switch
        effects are its ablation's (core/ablation.py)."""
        return [(v, v, BASELINE) for v in self.variant_names if v != BASELINE]

    @property
    def is_system(self) -> bool:
        return bool(self.switches)

    def design(self, kind: str) -> Design:
        """The configurations a run of `kind` (none / screen / full) measures."""
        return make_design(self.switches, kind, self.id)

    def measured_variants(self, design: str | None = None) -> list[str]:
        """What a run measures: the variants, or for a system the cells of
        its design (baseline and optimized first) and its best, if any."""
        if not self.is_system or design is None:
            return self.variant_names
        cells = [c.name for c in self.design(design).configurations]
        return cells + [v for v in self.variant_names if v not in cells]

    def implementation(self, variant: str) -> Any:
        """A variant's implementation; for a system, any configuration of its
        switches by name ("baseline", "optimized", "a+b")."""
        if variant in self.variants:
            return self.variants[variant]
        if self.is_system:
            names = [s.name for s in self.switches]
            on = variant.split("+")
            if all(n in names for n in on):
                return configuration(self.switches, on)
        raise KeyError(f"claim {self.id!r} has no variant {variant!r}; "
                       f"it has {', '.join(self.variant_names)}")

    def claimed_at(self, size: int, device: str = "cpu") -> Claimed:
        claimed = self.claimed_on.get(device, self.claimed)
        if isinstance(claimed, Claimed):
            return claimed
        return claimed[size]

    def sizes(self, quick: bool) -> list[int]:
        return list(self.workload.quick_sizes if quick else self.workload.sizes)

    def headline(self, quick: bool) -> int:
        """The size the claim is judged at: its declared one, when measured."""
        sizes = self.sizes(quick)
        return self.headline_size if self.headline_size in sizes else sizes[-1]

    def case(self, variant: str, size: int, device: str = "cpu", data: Any = None,
             workdir: Path | None = None) -> Case:
        """A case for `variant` at `size`; `data` may be shared between variants."""
        implementation = self.implementation(variant)
        if data is None:
            data = self.workload.make(size)
        if workdir is None:
            workdir = scratch_folder(f"optbench-{self.id}-{variant}-")
        return Case(self, variant, implementation, size, device, data, workdir)


# Work folders made for cases, removed when the interpreter exits, whoever
# forgot to: the engine removes its own as soon as a case is measured, but a
# test or a user's script that calls claim.case() need not. (Forked children
# leave through os._exit, so they never remove their parent's folders.)
_SCRATCH: list[Path] = []


def scratch_folder(prefix: str) -> Path:
    """A temporary folder removed when the interpreter exits (and, under the
    engine, with the claim's scratch folder by the parent process)."""
    if not _SCRATCH:
        atexit.register(_remove_scratch)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    _SCRATCH.append(folder)
    return folder


def _remove_scratch() -> None:
    for folder in _SCRATCH:
        shutil.rmtree(folder, ignore_errors=True)


def ratio(optimized: float, baseline: float) -> float | Fraction:
    """optimized / baseline, with 0/0 meaning "no change" (both counted none).

    Two whole counts give an exact Fraction (50 -> 10 is exactly 1/5), so a
    counter that lands on a claimed boundary is judged on it, not near it.
    """
    if baseline == 0:
        return 1.0 if optimized == 0 else math.inf
    if _is_count(optimized) and _is_count(baseline):
        return Fraction(int(optimized), int(baseline))
    return optimized / baseline


def _is_count(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) or (
        isinstance(x, float) and x.is_integer())


def pick_variant(variants: Mapping[str, Any], name: str, component: str) -> Any:
    """A component's implementation by variant name, for users' own code."""
    try:
        return variants[name]
    except KeyError:
        raise KeyError(f"{component} has no variant {name!r}; it has "
                       f"{', '.join(v for v in VARIANT_ORDER if v in variants)}") from None


def pick_claim_variant(by_claim: Mapping[str, Mapping[str, Any]], claim: str, name: str,
                       component: str) -> Any:
    """The same, for a component with several claims, each with its variants."""
    if claim not in by_claim:
        raise KeyError(f"{component} has no claim {claim!r}; it has {', '.join(by_claim)}")
    return pick_variant(by_claim[claim], name, f"{component} ({claim})")
