"""Planted-effect claims: variants that do known amounts of the same work.

Each variant repeats one fixed unit of work (pure Python, NumPy or torch,
~0.25 ms a unit) a set number of times, so the true ratio of two variants is
the ratio of their repeat counts, known before anything is measured. Units
are large on purpose: each call has a fixed cost of ~1-2 µs (the call, the
first unit's cold start), which at 0.05 ms units moved the true time ratio
of "6 -> 2 matmuls" to 0.34 instead of 1/3 and made intervals that were
right look wrong. callgrind's instruction ratio (`optbench selftest
--instructions`) checks the planted figures.
A/A claims use one implementation as both variants: their true ratio is
exactly 1. The verdict each one must get is not written here: `expected`
reads it off the verdict rule with a zero-width interval at the true ratio.

Used by `optbench selftest` to measure interval coverage and false-call
rates; it is also an ordinary claims module
(`optbench verify --claims optbench.calibration.planted`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.design import Configuration, Switch
from optbench.core.system import system

TWO_X = Claimed.times_fewer(2, text="2x faster")
THIRTY_PERCENT = Claimed.percent_less(30, text="30% faster")
ONE_AND_HALF_TO_THREE = Claimed.times_fewer("1.5", 3, text="1.5-3x faster")
TWO_TO_THREE_PERCENT = Claimed.percent_less(2, 3, text="2-3% faster")
EIGHTY_PERCENT_FEWER = Claimed.percent_less(80, text="80% fewer writes (50 -> 10)")
HALF_MEMORY = Claimed.percent_less(30, 50, text="30-50% less memory")

_FLOATS = [((i * 7919) % 1000) / 1000.0 for i in range(6000)]
_ARRAY = np.linspace(0.0, 1.0, 60_000)


def python_unit() -> float:
    total = 0.0
    for x in _FLOATS:
        total += x * x
    return total


def numpy_unit() -> float:
    return float(np.cumsum(_ARRAY).sum())


_torch_operands: list = []


def torch_unit() -> float:
    import torch

    if not _torch_operands:
        generator = torch.Generator().manual_seed(0)
        _torch_operands.extend(torch.rand(192, 192, generator=generator) for _ in range(2))
    a, b = _torch_operands
    return float(torch.mm(a, b)[0, 0])


@dataclass(frozen=True)
class Repeat:
    """`unit` done `times` times: the planted amount of work."""

    unit: Callable[[], float]
    times: int
    # A planted bug: the same work, a different answer.
    off_by: float = 0.0

    def __call__(self) -> float:
        result = 0.0
        for _ in range(self.times):
            result = self.unit()
        return result + self.off_by


def _setup(case: Case):
    return case.implementation


def _run(implementation):
    return implementation()


def _output(case: Case):
    return case.implementation()


def _nothing_to_compare(case: Case) -> None:
    """Counts and allocations are the metric itself, not an answer."""


def _planted_claim(claim_id: str, title: str, claimed: Claimed, baseline, optimized,
                   primary: Metric, output: Callable[[Case], object] = _output) -> Claim:
    return Claim(
        id=claim_id, source="planted (optbench calibration)", component="calibration",
        title=title, claimed=claimed, variants={"baseline": baseline, "optimized": optimized},
        workload=Workload("planted work (no data)", lambda size: None, sizes=(1,),
                          quick_sizes=(1,), size_unit="unit"),
        setup=_setup, primary=primary, output=output,
        equivalence=Equivalence.exact("the same answer"))


def _timed(claim_id: str, title: str, claimed: Claimed, baseline: Repeat, optimized: Repeat
           ) -> Claim:
    return _planted_claim(claim_id, title, claimed, baseline, optimized,
                          Metric("time", "time", "s", _run, title))


def _counted_writes(writes: int) -> Callable[[], int]:
    return lambda: writes


def _allocate(megabytes: int) -> Callable[[], np.ndarray]:
    return lambda: np.ones(megabytes * 131_072)


@dataclass(frozen=True)
class Planted:
    claim: Claim
    true_ratio: Fraction
    changes_output: bool = False
    # Systems: each switch's true Shapley value, as a factor on time.
    true_shapley: dict[str, float] | None = None
    # Systems: the switches whose change alters the output.
    output_switches: tuple[str, ...] = ()


def _aa(claim_id: str, unit: Callable[[], float], claimed: Claimed) -> Planted:
    same = Repeat(unit, 4)
    return Planted(_timed(claim_id, f"A/A: {unit.__name__} x4 as both variants", claimed,
                          same, same), Fraction(1))


def _gain(claim_id: str, unit: Callable[[], float], base: int, opt: int, claimed: Claimed,
          off_by: float = 0.0) -> Planted:
    title = f"{unit.__name__} x{base} -> x{opt}" + (" (different answer)" if off_by else "")
    return Planted(_timed(claim_id, title, claimed, Repeat(unit, base), Repeat(unit, opt, off_by)),
                   Fraction(opt, base), changes_output=bool(off_by))


PLANTED = [
    _aa("planted.aa_python", python_unit, TWO_X),
    _aa("planted.aa_numpy", numpy_unit, THIRTY_PERCENT),
    _aa("planted.aa_torch", torch_unit, TWO_X),
    _gain("planted.gain_4x", python_unit, 8, 2, TWO_X),
    _gain("planted.near_reached", python_unit, 20, 9, TWO_X),
    _gain("planted.near_short", python_unit, 20, 11, TWO_X),
    _gain("planted.short", numpy_unit, 10, 8, TWO_X),
    _gain("planted.small_gain", python_unit, 20, 19, TWO_TO_THREE_PERCENT),
    _gain("planted.torch_3x", torch_unit, 6, 2, ONE_AND_HALF_TO_THREE),
    _gain("planted.slower", python_unit, 8, 10, TWO_X),
    _gain("planted.wrong_output", python_unit, 8, 2, TWO_X, off_by=1.0),
    Planted(_planted_claim(
        "planted.exact_counter", "50 -> 10 counted writes against '80% fewer'",
        EIGHTY_PERCENT_FEWER, _counted_writes(50), _counted_writes(10),
        Metric("writes", "counter", "writes", _run, "planted write count"),
        _nothing_to_compare), Fraction(1, 5)),
    Planted(_planted_claim(
        "planted.memory_half", "8 MiB -> 4 MiB kept against '30-50% less'", HALF_MEMORY,
        _allocate(8), _allocate(4),
        Metric("kept_bytes", "memory", "bytes", _run, "an array kept", memory_stat="retained"),
        _nothing_to_compare), Fraction(1, 2)),
]


# Planted systems: each switch changes the number of work units a whole run
# does, so every cell's true time, each switch's true Shapley value and each
# interaction are known. Units: a run of the baseline is 32 python units.
SYSTEM_UNITS = 32
HALF_THE_TIME = Claimed.percent_less(50, text="50% faster end to end")


def _system_units(on: frozenset) -> Fraction:
    units = Fraction(SYSTEM_UNITS)
    if "halves" in on:
        units /= 2                       # alone: half the work
    if {"pair_a", "pair_b"} <= on:
        units *= Fraction(3, 4)          # a quarter less, only with both on
    if "fast" in on:
        units /= 2
    return units


def _system_run(configuration: Configuration, case: Case) -> float:
    units = _system_units(configuration.on)
    answer = Repeat(python_unit, int(units))()
    return answer + (1.0 if "buggy" in configuration.on else 0.0)


def _planted_system(claim_id: str, title: str, claimed: Claimed, switches: list[Switch],
                    true_shapley: dict[str, float], output_switches: tuple[str, ...] = ()
                    ) -> Planted:
    names = frozenset(s.name for s in switches)
    claim = system(
        id=claim_id, source="planted (optbench calibration)", component="calibration",
        title=title, claimed=claimed, switches=switches,
        workload=Workload("planted work (no data)", lambda size: None, sizes=(1,),
                          quick_sizes=(1,), size_unit="unit"),
        run=_system_run, equivalence=Equivalence.exact("the same answer"),
        isolation="in-process: pure Python work with no state between runs")
    return Planted(claim, _system_units(names) / SYSTEM_UNITS,
                   changes_output=bool(output_switches), true_shapley=true_shapley,
                   output_switches=output_switches)


# True Shapley values: "halves" owns its 1/2; the pair's 3/4 is theirs
# together, split evenly (sqrt(3/4) each); "idle" does nothing.
PLANTED_SYSTEMS = [
    _planted_system(
        "planted.system", "a run with a halving switch, an idle one and a pair that "
        "saves a quarter only together", HALF_THE_TIME,
        [Switch("halves", "does half the work"), Switch("idle", "changes nothing"),
         Switch("pair_a", "saves a quarter with pair_b"),
         Switch("pair_b", "saves a quarter with pair_a")],
        {"halves": 0.5, "idle": 1.0, "pair_a": 0.75 ** 0.5, "pair_b": 0.75 ** 0.5}),
    _planted_system(
        "planted.system_wrong_output", "a run whose second switch is faster for nothing "
        "but changes the answer", TWO_X,
        [Switch("fast", "does half the work"), Switch("buggy", "adds 1 to the answer")],
        {"fast": 0.5, "buggy": 1.0}, output_switches=("buggy",)),
]
PLANTED = PLANTED + PLANTED_SYSTEMS

CLAIMS = [p.claim for p in PLANTED]
BY_ID = {p.claim.id: p for p in PLANTED}
