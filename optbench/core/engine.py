"""Measure a claim at each of its sizes and turn the figures into entries."""
from __future__ import annotations

import contextlib
import math
import shutil
import signal
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Callable, Iterable

import numpy as np

from . import fingerprint, results, sanity, verdict
from .schema import SCHEMA_VERSION, VERDICT_CONTRAST, Contrast, Entry, Reading, Results, VariantSummary
from . import ablation, isolate
from .claim import BASELINE, Claim, Metric, ratio
from .design import FULL, KINDS, SCREEN, DesignError
from .errors import MeasurementError
from .origin import where
from .measure import (EMPTY_CALL, FEWEST_ROUNDS, FULL_PRIMARY, FULL_SECONDARY, PRECISE,
                      QUICK_PRIMARY, QUICK_SECONDARY, SETTLED, STOP_REQUEST, INTERRUPTED, SamplingPlan,
                      cuda_available, measure_memory, stop_requested, synchronized,
                      time_interleaved)
from .stats import CONFIDENCE, NOISY_IQR, WIDE_INTERVAL, iqr_over_median, ratio_interval


# torch's intra-op threads fight any other work on a 2-core machine: with a
# busy neighbour on the other core, trainer.val_accumulate's quick interval was
# ±17% and ±40% with 2 threads (samples 1.7-62 ms for one call), ±4.6% with 1
# (README, "Calibration"). One thread is the default; --threads changes it.
DEFAULT_THREADS = 1


@dataclass(frozen=True)
class RunOptions:
    quick: bool = False
    # torch intra-op threads for the whole run (recorded in the results).
    threads: int = DEFAULT_THREADS
    # Salt for the random variant order: the same seed, the same orders.
    seed: int = 0
    # Memory readings are exact to 0.01% (see measure_memory): two repeats
    # show that they agree, more would only cost time.
    memory_repeats: int = 2
    # Count instructions of each timed primary region under callgrind (the
    # noise-free witness). None: on in full mode, off in quick mode, where
    # its cost (a valgrind child per claim) would blow the budget.
    instructions: bool | None = None
    # Each claim in its own forked child process (core/isolate.py).
    isolate: bool = True
    # A case (or a claim's witness) with no result after this long is killed.
    case_timeout: float = 900.0
    # Which configurations of a system's switches are measured (core/design.py):
    # "none", "screen" or "full"; None: screen in quick mode, full otherwise.
    design: str | None = None
    # Where the cases run: "local" (this machine, one claim at a time) or
    # "ray" (each case a task on the Ray cluster at `address`; core/cluster.py).
    executor: str = "local"
    address: str | None = None

    @property
    def design_kind(self) -> str:
        """The run's design: what --design asked for, else the mode's default."""
        return self.design or (SCREEN if self.quick else FULL)

    def design_for(self, claim: Claim) -> str:
        """What this run measures of `claim`'s switches: --design when given,
        else in quick mode the claim's own quick design (or the screen)."""
        if self.design is None and self.quick and claim.quick_design:
            return claim.quick_design
        if self.design is None and not self.quick and claim.full_design:
            return claim.full_design
        return self.design_kind

    @property
    def count_instructions(self) -> bool:
        return (not self.quick) if self.instructions is None else self.instructions

    def sampling(self, primary: bool) -> SamplingPlan:
        if self.quick:
            return QUICK_PRIMARY if primary else QUICK_SECONDARY
        return FULL_PRIMARY if primary else FULL_SECONDARY


def stop_rule(plan: SamplingPlan, threshold, floor: float
              ) -> Callable[[dict[str, list[float]]], str | None]:
    """When a timed metric has enough rounds: its optimized/baseline interval
    is settled (clear of the claimed threshold and of 1 by the noise floor
    the A/A control measured, or inside the fixed floor) or precise: a 95%
    half-width, its own and the control's, within WIDE_INTERVAL (5%) and
    within half the distance from the claimed ratio to 1, so a "2-3% faster"
    claim is not left inconclusive by an interval that could never separate
    them.

    Settling is judged on a stricter interval than the reported 95% one:
    sampling looks several times, and stopping at the first look that happens
    to clear a threshold would make false calls more likely. With K looks,
    each uses 1 - 5%/K (Bonferroni), so stops for "settled" together stay
    within 5%. A stop for precision or budget does not depend on where the
    interval lies; its verdict is read off the ordinary 95% interval, so the
    worst case over both kinds of stop is about 10%. The calibration
    (README) measures what it is in practice.
    """
    look_confidence = 1 - (1 - CONFIDENCE) / len(plan.looks())
    precise = WIDE_INTERVAL if threshold is None else min(WIDE_INTERVAL, abs(1 - threshold) / 2)

    def stop(samples: dict[str, list[float]]) -> str | None:
        base, mine = samples[BASELINE], samples[VERDICT_CONTRAST]
        strict = ratio_interval(base, mine, paired=True, confidence=look_confidence)
        control = control_interval(samples)
        measured_floor = max(floor, verdict.noise_floor(
            "time", control and (control.ci_low, control.ci_high)))
        if verdict.settled(threshold, strict.ci_low, strict.ci_high, measured_floor, floor):
            return SETTLED
        # Precise only when the control is too: a wide A/A interval is a
        # floor that more rounds would lower.
        if (ratio_interval(base, mine, paired=True).relative_width <= precise
                and (control is None or control.relative_width <= precise)):
            return PRECISE
        return None

    return stop


# The A/A control: the baseline's body timed a second time in every round of
# the claimed metric, as if it were one more variant (its own inner loop, its
# own random slots). Baseline against itself is the ratio identical code
# gives in this run, under whatever load it ran; its interval sets the
# verdict's noise floor (core/verdict.py). The same prepared state, not a
# second setup: a second copy of the largest workloads would not fit, and
# the slot, drift and load noise it measures is what gave identical code a
# 2-5% "difference" (README, "Calibration"). A name no variant or cell of
# switches can take.
CONTROL = "baseline A/A"


def control_interval(samples: dict[str, list[float]]):
    """The A/A control's ratio (control / baseline) and 95% interval, or None
    when there is no control in `samples`."""
    if CONTROL not in samples:
        return None
    return ratio_interval(samples[BASELINE], samples[CONTROL], paired=True)


def measure_metric(metric: Metric, states: dict[str, Any], options: RunOptions,
                   device: str = "cpu", memory_readings: dict | None = None, *,
                   primary: bool = False, threshold=None, seed: int = 0,
                   warmed: bool = False) -> tuple[dict[str, list[float] | Any], dict | None]:
    """Samples of `metric` for each variant's prepared state, and for timed
    metrics the record of how they were sampled.

    Time: one sample per interleaved round, rounds added until the stop rule
    (for the claimed metric, against `threshold`) or the budget says stop.
    Memory: one reading per repeat, variants alternating; `memory_readings`
    lets a peak and a retained metric of the same region share one set of
    captures. Counters and values: the one exact figure.
    """
    if metric.kind == "time":
        bodies = {v: partial(metric.measure, s) for v, s in states.items()}
        if primary and BASELINE in states:
            bodies[CONTROL] = partial(metric.measure, states[BASELINE])
        plan = options.sampling(primary)
        if warmed:
            # A system's cells were each run once already; and its budget is
            # the plan's per pair of variants, for each pair of its cells.
            plan = replace(plan, warmup=0,
                           budget_seconds=plan.budget_seconds * max(1, len(states) / 2))
        empty_call = EMPTY_CALL
        if device == "cuda":   # the empty call pays the synchronize the bodies pay
            bodies = {v: synchronized(b) for v, b in bodies.items()}
            empty_call = synchronized(EMPTY_CALL)
        timed = time_interleaved(bodies, plan, stop_rule(plan, threshold,
                                                         verdict.noise_floor("time")), seed,
                                 empty_call=empty_call)
        record = timed.record()
        control = control_interval(timed.samples)
        if control is not None:
            record["control"] = {"ratio": control.ratio, "ci_low": control.ci_low,
                                 "ci_high": control.ci_high}
        return {v: xs for v, xs in timed.samples.items() if v != CONTROL}, record
    if metric.kind == "memory":
        cache = {} if memory_readings is None else memory_readings
        if metric.measure not in cache:
            taken: dict[str, list] = {v: [] for v in states}
            for _ in range(options.memory_repeats):
                for v, s in states.items():
                    taken[v].append(measure_memory(partial(metric.measure, s)))
            cache[metric.measure] = taken
        stat = f"{metric.memory_stat}_bytes"
        return {v: [float(getattr(r, stat)) for r in rs]
                for v, rs in cache[metric.measure].items()}, None
    return {v: metric.measure(s) for v, s in states.items()}, None


def order_seed(claim: Claim, size: int, metric: Metric, salt: int = 0) -> int:
    """A stable seed per claim, size and metric: the random variant order of
    a rerun is the same, so two runs differ only by the machine."""
    return zlib.crc32(f"{claim.id}:{size}:{metric.name}:{salt}".encode())


def _summary(metric: Metric, samples) -> VariantSummary:
    if isinstance(samples, list):
        return VariantSummary(float(np.median(samples)), len(samples), tuple(samples),
                              iqr_over_median(samples) if metric.kind == "time" else None)
    return VariantSummary(samples, 1, (samples,))


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _ratio_fields(metric: Metric, per_variant: dict, other: str, against: str = BASELINE
                  ) -> dict[str, float] | None:
    base, mine = per_variant[against], per_variant[other]
    if isinstance(base, list):
        est = ratio_interval(base, mine, paired=metric.kind == "time")
        return {"ratio": est.ratio, "ci_low": est.ci_low, "ci_high": est.ci_high,
                "half_width": est.relative_width}
    if _is_number(base) and _is_number(mine):
        r = ratio(mine, base)
        return {"ratio": r, "ci_low": r, "ci_high": r, "half_width": 0.0}
    return None


def _secondary_reading(metric: Metric, per_variant: dict, sampling: dict | None) -> Reading:
    values = {v: (float(np.median(s)) if isinstance(s, list) else s)
              for v, s in per_variant.items()}
    fields = _ratio_fields(metric, per_variant, VERDICT_CONTRAST) or {}
    return Reading(metric.kind, metric.unit, metric.description, values,
                   *(_finite(fields[k]) if k in fields else None
                     for k in ("ratio", "ci_low", "ci_high")),
                   samples=per_variant if metric.kind in ("time", "memory") else None,
                   sampling=sampling or None)


def _contrasts(claim: Claim, primary: dict) -> dict[str, dict[str, float] | None]:
    """Each of the claim's contrasts on the primary metric's samples: ratio,
    interval and half-width as computed (None where a figure is not a number)."""
    return {name: _ratio_fields(claim.primary, primary, of, against)
            for name, of, against in claim.contrasts}


def _finite(x: float) -> float | None:
    """JSON has no infinity: a change from zero to some is null, the values say it."""
    x = float(x)
    return x if np.isfinite(x) else None


def _equivalence(claim: Claim, cases: dict, failed: dict[str, str] | None = None
                 ) -> tuple[bool | str, dict[str, bool | str], dict[str, str]]:
    """The optimized's judgement, every variant's, and where each changed
    output first differs from the baseline's (for the reader, not the verdict).
    A system's other cells that fail here join `failed`."""
    outputs = {}
    for v, c in cases.items():
        try:
            outputs[v] = claim.output(c)
        except Exception as exc:
            if failed is None or v in (BASELINE, VERDICT_CONTRAST):
                raise
            failed[v] = f"output: {type(exc).__name__}: {exc}"
    outputs = {v: out for v, out in outputs.items() if v not in (failed or {})}
    per_variant = {v: claim.equivalence.judge(outputs[BASELINE], out)
                   for v, out in outputs.items() if v != BASELINE}
    differences = {v: found for v, judged in per_variant.items() if judged is not True
                   and (found := claim.equivalence.difference(outputs[BASELINE], outputs[v]))}
    return per_variant[VERDICT_CONTRAST], per_variant, differences


def _identity(claim: Claim, size: int, device: str, quick: bool) -> dict[str, Any]:
    """What every entry of a case says, measured or not: which claim, size and
    device, and what the report claimed there."""
    claimed = claim.claimed_at(size, device)
    return {
        "id": claim.id, "revision": claim.revision, "title": claim.title,
        "source": claim.source,
        "component": claim.component, "metric": claim.primary.name,
        "kind": claim.primary.kind, "unit": claim.primary.unit,
        "metric_description": claim.primary.description,
        "headline": size == claim.headline(quick),
        "claimed": claimed.as_dict(),
        "workload": {"name": claim.workload.name, "size": size,
                     "size_unit": claim.workload.size_unit, "device": device},
        "notes": claim.notes,
    }


def planned(claims: Iterable[Claim], options: RunOptions) -> Results:
    """The results a run will have, before anything is measured: its
    entries' identities and claimed ranges (what the gate must find
    comparable before it is worth measuring)."""
    return Results(SCHEMA_VERSION, {}, {}, {"quick": options.quick}, tuple(
        Entry(**_identity(c, size, device, options.quick), verdict="planned")
        for c in claims for size in c.sizes(options.quick) for device in c.devices))


def measure_case(claim: Claim, size: int, device: str, options: RunOptions,
                 progress: Callable[[str], None] = lambda _: None) -> Entry:
    """One results entry: every variant of `claim` at `size` on `device`."""
    # Stamped where it is measured: a case run elsewhere carries that machine.
    identity = {**_identity(claim, size, device, options.quick),
                "machine": fingerprint.machine(options.threads, options.executor)}
    reason = None
    if device == "cuda" and not cuda_available():
        reason = "needs CUDA; no CUDA device here"
    elif claim.missing():
        reason = f"needs {', '.join(claim.missing())}; not installed here"
    if reason:
        return Entry(**identity, verdict=verdict.NOT_MEASURABLE, reason=reason)
    step = "workload"
    cases: dict = {}
    reduced = None   # why the mode's default design was not measured, if it was not
    # A system's cells other than baseline and optimized that raised: the
    # rest are kept and the ablation says what it could not compute.
    failed: dict[str, str] | None = {} if claim.is_system else None
    try:
        started = time.perf_counter()
        data = claim.workload.make(size)
        names = claim.measured_variants(options.design_for(claim))
        cases = {v: claim.case(v, size, device, data=data) for v in names}
        step = "setup"
        # Full mode's default design is a default, not an ask: where it
        # cannot fit the case timeout, the next smaller design is measured
        # (screen, then baseline and optimized alone) and the entry says
        # so. A --design given is refused as asked.
        smaller = [] if options.design is not None else list(
            KINDS[:KINDS.index(options.design_for(claim))][::-1])
        too_long: list[str] = []   # each design tried, its cells and the time it needed
        whole = None               # the full design's need
        while True:
            try:
                states = _prepared(claim, cases, failed, options, progress)
                break
            except DesignTooLong as refused:
                if not smaller:
                    raise
                whole = whole or refused.needed
                too_long.append(f"design {options.design_for(claim)} ({refused.cells} cells) "
                                f"would need about {refused.needed:,.0f} s")
                options, failed = replace(options, design=smaller.pop(0)), {}
                reduced = (f"{', '.join(too_long)}, over the case timeout of "
                           f"{options.case_timeout:,.0f} s: design {options.design} was measured "
                           f"instead (--design full --case-timeout "
                           f"{math.ceil(whole * 1.5 / 60) * 60} for the whole design)")
                progress(f"setup: {reduced}")
                for case in cases.values():
                    shutil.rmtree(case.workdir, ignore_errors=True)
                names = claim.measured_variants(options.design_for(claim))
                cases = {v: claim.case(v, size, device, data=data) for v in names}
        # What the witness must pay again before it counts anything.
        setup_seconds = time.perf_counter() - started
        step = claim.primary.name
        progress(step)
        memory_readings: dict = {}
        claimed = claim.claimed_at(size, device)
        primary, sampling = measure_metric(
            claim.primary, states, options, device, memory_readings, primary=True,
            threshold=claimed.ratio_high, seed=order_seed(claim, size, claim.primary, options.seed),
            warmed=claim.is_system)
        # Hidden costs are read for the named variants only, not every cell;
        # after a Ctrl-C, not at all (the entry says so).
        named = {v: states[v] for v in claim.variant_names if v in states}
        secondary = {}
        for metric in claim.secondary:
            if stop_requested():
                break
            step = metric.name
            progress(step)
            secondary[metric.name] = _secondary_reading(metric, *measure_metric(
                metric, named, options, device, memory_readings,
                seed=order_seed(claim, size, metric, options.seed)))
        step = "equivalence"
        progress(step)
        equivalent, per_variant, differences = _equivalence(
            claim, {v: c for v, c in cases.items() if v in states}, failed)
        step = "no-op"
        no_op = claim.no_op(device) if claim.no_op else None
    except Exception as exc:
        raise MeasurementError(f"claim {claim.id} at size {size:,} ({device}), step {step}: "
                               f"{type(exc).__name__}: {exc} [{where(exc, claim.defined_at)}]") from exc
    finally:
        for case in cases.values():
            shutil.rmtree(case.workdir, ignore_errors=True)

    figures = _contrasts(claim, primary)
    if any(f is None for f in figures.values()):
        raise MeasurementError(f"claim {claim.id} at size {size:,} ({device}): primary metric "
                               f"{claim.primary.name} returned {primary[BASELINE]!r}, "
                               f"not a number")
    contrasts = {name: Contrast(of, against, *(_finite(figures[name][k])
                                               for k in ("ratio", "ci_low", "ci_high")))
                 for name, of, against in claim.contrasts}
    decided_on = figures[VERDICT_CONTRAST]   # unrounded: a ratio from zero is infinite
    half_width = decided_on["half_width"]
    summaries = {v: _summary(claim.primary, primary[v]) for v in claim.variant_names}
    noisy = [v for v, s in summaries.items() if (s.iqr_over_median or 0.0) > NOISY_IQR]
    control = (sampling or {}).get("control")
    floor = verdict.noise_floor(claim.primary.kind,
                                control and (control["ci_low"], control["ci_high"]))
    equivalence = {"description": claim.equivalence.description, "per_variant": per_variant}
    if differences:
        equivalence["differences"] = differences
    warnings = (reduced,) if reduced else ()
    if stop_requested():
        words = (f"Ctrl-C stopped the sampling after {sampling['rounds']} rounds: the interval "
                 f"is from those rounds alone" if sampling and sampling["stop"] == INTERRUPTED
                 else "Ctrl-C stopped the run during this case")
        unread = [m.name for m in claim.secondary if m.name not in secondary]
        if unread:
            words += f"; hidden costs not read: {', '.join(unread)}"
        warnings = (*warnings, words)
    return Entry(
        **identity, warnings=warnings,
        verdict=verdict.decide(claimed, decided_on["ci_low"], decided_on["ci_high"], equivalent,
                               floor, no_op),
        reason=no_op,
        variants=summaries, contrasts=contrasts,
        sampling={**sampling, "setup_seconds": round(setup_seconds, 3)} if sampling else None,
        noise={"interval_half_width": half_width, "wide_interval": half_width > WIDE_INTERVAL,
               "noisy_samples": noisy, "floor": float(floor)},
        equivalent=equivalent, equivalence=equivalence, secondary=secondary,
        ablation=(_ablation(claim, options, primary, per_variant, failed or {})
                  if claim.is_system else None))


class DesignTooLong(DesignError):
    """A design whose fewest rounds would outlast the case timeout."""

    def __init__(self, message: str, cells: int, needed: float):
        super().__init__(message)
        self.cells, self.needed = cells, needed


# A system's cell whose first run takes this many times the slower of the
# baseline's and the optimized's (and at least CELL_HANG_FLOOR seconds) is
# stopped and left out as hung: the other cells are kept.
CELL_HANG_FACTOR = 10
CELL_HANG_FLOOR = 30.0


class _CellHung(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Raise _CellHung in the code running after `seconds` (SIGALRM: the main
    thread only, and Python code or interruptible calls only; elsewhere the
    case timeout is what stops it)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise _CellHung(f"no result after {seconds:.3g} s in its first run (hung)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _prepared(claim: Claim, cases: dict, failed: dict[str, str] | None,
              options: RunOptions | None = None,
              progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Each case's state from its setup. A system's cells are also run once
    (the warm-up), each named to `progress` (a child that dies says in which
    cell): a cell that raises or hangs (CELL_HANG_FACTOR) is left out and
    named in `failed`, unless it is the baseline or the optimized, without
    which nothing stands; and a design whose fewest rounds would outlast the
    case timeout is refused in one line before they start."""
    states = {}
    trial_seconds = 0.0
    reference = 0.0   # the slower first run of the baseline and the optimized
    for v, case in cases.items():
        essential = v in (BASELINE, VERDICT_CONTRAST)
        try:
            states[v] = claim.setup(case)
            if failed is not None:
                progress(f"setup: {v}'s first run")
                limit = None if essential else max(CELL_HANG_FLOOR, CELL_HANG_FACTOR * reference)
                started = time.perf_counter()
                with _time_limit(limit):
                    claim.primary.measure(states[v])
                took = time.perf_counter() - started
                trial_seconds += took
                if essential:
                    reference = max(reference, took)
        except Exception as exc:
            if failed is None or essential:
                raise
            failed[v] = (str(exc) if isinstance(exc, _CellHung)
                         else f"{type(exc).__name__}: {exc} [{where(exc, claim.defined_at)}]")
            states.pop(v, None)
    if failed is not None and options is not None:
        # The fewest rounds run every cell twice each, then the hidden costs;
        # an exact count is read once a cell (the first run's, kept by the
        # claim), then the hidden costs of the named variants.
        needed = trial_seconds * (2 * FEWEST_ROUNDS + 2 if claim.primary.kind == "time" else 2)
        if needed > options.case_timeout:
            raise DesignTooLong(
                f"system {claim.id}: design {options.design_for(claim)} ({len(states)} cells, "
                f"{trial_seconds:.1f} s for one run of each) needs about {needed:,.0f} s, over "
                f"the case timeout of {options.case_timeout:,.0f} s: choose a smaller "
                f"--design or a longer --case-timeout", cells=len(states), needed=needed)
    return states


def _ablation(claim: Claim, options: RunOptions, primary: dict, per_variant: dict,
              failed: dict[str, str]) -> dict[str, Any]:
    """The design's cells and each switch's effect (core/ablation.py)."""
    design = claim.design(options.design_for(claim))
    exact = claim.primary.kind == "counter"   # one exact count a cell, not rounds of seconds
    cells = {c.name: ([primary[c.name]] if exact and c.name in primary else primary.get(c.name))
             for c in design.configurations}
    judged = {BASELINE: True, **per_variant}
    out = ablation.analyse(design, cells, judged, exact=exact)
    for name, why in failed.items():
        if name in out["cells"]:
            out["cells"][name]["error"] = why
    out["isolation"] = claim.isolation
    return out


class RunInterrupted(Exception):
    """Ctrl-C: `document` holds what was measured, marked incomplete."""

    def __init__(self, document: Results):
        super().__init__("interrupted")
        self.document = document


def error_entry(claim: Claim, size: int, device: str, quick: bool,
                cause: BaseException | str) -> Entry:
    """The entry of a case whose code failed: verdict "error" and why."""
    case_name = f"claim {claim.id} at size {size:,} ({device})"
    if isinstance(cause, MeasurementError):
        cause = str(cause)
    elif isinstance(cause, BaseException):
        cause = f"{case_name}: {type(cause).__name__}: {cause} [{where(cause, claim.defined_at)}]"
    else:
        cause = f"{case_name}: {cause}"
    return Entry(**_identity(claim, size, device, quick), verdict=verdict.ERROR, reason=cause)


def _no_progress(size: int, device: str) -> Callable[[str], None]:
    return lambda _: None


def measure_claim(claim: Claim, options: RunOptions,
                  on_case: Callable[[int, str], Callable[[str], None]] = _no_progress,
                  on_done: Callable[[Entry], None] = lambda _: None,
                  on_witness: Callable[[], None] = lambda: None) -> list[Entry]:
    """Every entry of `claim` in this process: each case (one that raises is an
    "error" entry), then the callgrind witness. What an executor runs."""
    measured = []
    for size in claim.sizes(options.quick):
        for device in claim.devices:
            progress = on_case(size, device)
            try:
                entry = measure_case(claim, size, device, options, progress)
            except Exception as exc:  # the claim's own code failed: an entry says so
                entry = error_entry(claim, size, device, options.quick, exc)
            on_done(entry)
            measured.append(entry)
            if stop_requested():   # Ctrl-C during that case: it is kept, no more run
                raise isolate.Interrupted(measured)
    on_witness()
    return witness(claim, measured, options)


class OneClaimAtATime:
    """Runs the claims in order, each whole (its cases, then its witness)
    through `run(claim, ...)`: the local executors."""

    name = "local"

    def run_all(self, claims: Iterable[Claim], options: RunOptions,
                on_case: Callable[[Claim, int, str], Callable[[str], None]],
                on_done: Callable[[Entry], None]) -> list[Entry]:
        """Every entry of every claim, in the claims' order; Ctrl-C raises
        isolate.Interrupted with the entries measured so far."""
        entries: list[Entry] = []
        finished: list[Entry] = []   # the current claim's cases, as each is done

        def done(entry: Entry) -> None:
            finished.append(entry)
            on_done(entry)

        try:
            for claim in claims:
                finished.clear()
                told = (lambda c: (lambda size, device: on_case(c, size, device)))(claim)
                entries.extend(sanity.check(self.run(claim, options, told, done)))
        except isolate.Interrupted as stop:
            raise isolate.Interrupted(entries + sanity.check(stop.entries)) from None
        except KeyboardInterrupt:
            raise isolate.Interrupted(entries + sanity.check(finished)) from None
        return entries

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name}


class InProcess(OneClaimAtATime):
    """Measures each claim in this process: where fork is not available, or
    for a caller that wants no child (a debugger, a profiler)."""

    def run(self, claim: Claim, options: RunOptions, on_case, on_done) -> list[Entry]:
        return measure_claim(claim, options, on_case, on_done)


class Forked(OneClaimAtATime):
    """Measures each claim in its own forked child (core/isolate.py): a claim
    that raises, hangs past the case timeout or dies gives "error" entries."""

    def run(self, claim: Claim, options: RunOptions, on_case, on_done) -> list[Entry]:
        return isolate.run_claim(claim, options, measure_claim, error_entry, on_case, on_done,
                                 options.case_timeout)


def local_executor(options: RunOptions) -> OneClaimAtATime:
    """Forked when asked for and possible, else in this process."""
    return Forked() if options.isolate and isolate.fork_available() else InProcess()


def executor_for(options: RunOptions, claims_module: str | None = None):
    """The executor `options.executor` names: this machine's (the default),
    or a Ray cluster's (core/cluster.py), where each case is a task that finds
    its claim by id in `claims_module` (the built-in claims when None)."""
    if options.executor == "ray":
        from .cluster import RayExecutor

        return RayExecutor(options.address, claims_module)
    return local_executor(options)


def one_case(claim: Claim, size: int, device: str) -> Claim:
    """`claim` narrowed to one size on one device, in either mode: what the
    gate re-measures and what a cluster's task measures."""
    return replace(claim, devices=(device,),
                   workload=replace(claim.workload, sizes=(size,), quick_sizes=(size,)),
                   claimed_on={d: c for d, c in claim.claimed_on.items() if d == device})


def witness(claim: Claim, measured: list[Entry], options: RunOptions) -> list[Entry]:
    """`measured`, with the callgrind witness on its timed CPU entries when
    asked for."""
    if not (options.count_instructions and claim.primary.kind == "time"):
        return measured
    return add_instructions(claim, measured, options.threads)


def run(claims: Iterable[Claim], options: RunOptions, claims_module: str | None = None,
        on_case: Callable[[Claim, int, str], Callable[[str], None]] | None = None,
        on_done: Callable[[Entry], None] = lambda _: None, executor=None) -> Results:
    """Measure every claim at every size and device; the whole results file.

    `executor` (default `executor_for(options)`) runs the claims: `Forked`
    puts each claim in its own child process (core/isolate.py), where one
    that raises, hangs past `options.case_timeout` or dies gives "error"
    entries, and the run goes on; `InProcess` measures here; `RayExecutor`
    (core/cluster.py) sends each case to a Ray cluster, where a task forks
    the same child. `on_case(claim, size, device)` is told when a case starts
    and returns a function told each step; `on_done(entry)` when the case is
    measured. Ctrl-C raises RunInterrupted with what was measured so far.
    """
    set_threads(options.threads)
    STOP_REQUEST.reset()
    # The machine as the run found it: its load average and the time at the start.
    environment = results.environment(claims_module)
    executor = executor or executor_for(options, claims_module)
    told = on_case or (lambda claim, size, device: (lambda _: None))
    try:
        entries = executor.run_all(claims, options, told, on_done)
    except isolate.Interrupted as stop:
        raise RunInterrupted(_document(stop.entries, options, claims_module, incomplete=True,
                                       environment=environment,
                                       executor=executor.describe())) from None
    return _document(entries, options, claims_module, environment=environment,
                     executor=executor.describe())


def remeasure(claim: Claim, size: int, device: str, options: RunOptions,
              claims_module: str | None = None) -> Entry:
    """One case measured again, in a child process of its own (the gate's
    second look at a timing that seems to have got worse), by the run's
    executor."""
    options = replace(options, instructions=False)
    executor = executor_for(options, claims_module)
    try:
        return executor.run_all([one_case(claim, size, device)], options,
                                lambda c, s, d: _no_progress(s, d), lambda _: None)[0]
    except (isolate.Interrupted, KeyboardInterrupt):
        raise RunInterrupted(_document([], options, None, incomplete=True)) from None


def _document(entries: list[Entry], options: RunOptions, claims_module: str | None,
              incomplete: bool = False, environment: dict | None = None,
              executor: dict | None = None) -> Results:
    run_info = {**(executor or {}), "quick": options.quick, "claims_module": claims_module,
                "torch_threads": options.threads, "order_seed": options.seed,
                "instructions": options.count_instructions,
                "isolated": options.isolate, "case_timeout": options.case_timeout,
                "design": options.design_kind}
    if incomplete:
        run_info["incomplete"] = True
    if environment is None:
        environment = results.environment(claims_module)
    return Results(SCHEMA_VERSION, {"name": "optbench", "version": _version()},
                   environment, run_info, tuple(entries))


# The callgrind witness gets this long per claim; larger sizes are skipped,
# saying so (preprocess.literal_replace at 1M strings took over 11 minutes).
WITNESS_BUDGET_SECONDS = 120.0


def witness_seconds(entry: Entry) -> float:
    """What counting one entry under callgrind should take: its workload and
    setup again and one warm-up call, under valgrind but not counted, then
    the counted calls. (Its child's start, importing the claims under
    valgrind, is paid once per claim: instructions.STARTUP_SECONDS.)"""
    from .instructions import CALLGRIND_SLOWDOWN, DEFAULT_REPEATS, UNCOUNTED_SLOWDOWN

    per_call = sum(s.median for s in entry.variants.values()
                   if isinstance(s.median, (int, float)))
    setup = (entry.sampling or {}).get("setup_seconds", 0.0)
    return (UNCOUNTED_SLOWDOWN * (setup + per_call)
            + CALLGRIND_SLOWDOWN * DEFAULT_REPEATS * per_call)


def _affordable(entries: list[Entry], budget: float) -> tuple[list[Entry], dict[str, str]]:
    """The entries, smallest first, whose counting fits the witness budget
    (estimated before anything starts); and for each of the others (by key)
    a line saying why it has no count."""
    from .instructions import CALLGRIND_SLOWDOWN, STARTUP_SECONDS, UNCOUNTED_SLOWDOWN

    kept, skipped, spent = [], {}, STARTUP_SECONDS
    for entry in sorted(entries, key=lambda e: e.size):
        cost = witness_seconds(entry)
        if spent + cost > budget:
            total = cost + (STARTUP_SECONDS if not kept else 0)
            skipped[entry.key] = (
                f"witness skipped: would take about {total:,.0f} s under callgrind (setup and "
                f"a warm-up ~{UNCOUNTED_SLOWDOWN}x slower under valgrind, each counted call "
                f"~{CALLGRIND_SLOWDOWN}x slower), over the witness budget of {budget:.0f} s "
                f"per claim" + (f" ({budget - spent:,.0f} s left after the smaller sizes)"
                                if kept else ""))
            continue
        kept.append(entry)
        spent += cost
    return kept, skipped


def add_instructions(claim: Claim, entries: list[Entry], threads: int,
                     budget: float = WITNESS_BUDGET_SECONDS) -> list[Entry]:
    """`entries`, each timed CPU one with the instructions per call of its
    primary region beside its time ratio, and whether the two agree (see
    core/instructions.py); or a line saying why it has no count."""
    timed_cpu = [e for e in entries if e.device == "cpu" and e.ratio is not None]
    counting, witnessed = _affordable(timed_cpu, budget)
    witnessed = {key: {"unavailable": why} for key, why in witnessed.items()}
    if counting:
        witnessed.update(_count(claim, counting, threads, budget))
    return [replace(e, instructions=witnessed[e.key]) if e.key in witnessed else e
            for e in entries]


def _count(claim: Claim, entries: list[Entry], threads: int,
           budget: float = WITNESS_BUDGET_SECONDS) -> dict[str, dict]:
    """Each entry's witness by key: its counts, or why there are none."""
    from . import instructions
    from .registry import module_of

    module = module_of(claim)
    if module is None:
        return {e.key: {"unavailable": "the claim was not loaded from a claims module, so a "
                                       "child process cannot load it"} for e in entries}
    try:
        counted = instructions.count(module, claim.id, claim.primary.name,
                                     [e.size for e in entries], claim.variant_names,
                                     threads=threads, timeout=budget)
    except instructions.WitnessUnavailable as exc:
        return {e.key: {"unavailable": str(exc)} for e in entries}
    except subprocess.TimeoutExpired:
        return {e.key: {"unavailable": f"witness stopped: it ran past the witness budget of "
                                       f"{budget:.0f} s per claim (estimated "
                                       f"{witness_seconds(e):,.0f} s for this size)"}
                for e in entries}
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        return {e.key: {"unavailable": f"callgrind failed: {exc}"} for e in entries}
    floor = float(verdict.noise_floor("time"))
    out = {}
    for entry in entries:
        per_call = counted[entry.size]
        ratios = {name: per_call[of] / per_call[against]
                  for name, of, against in claim.contrasts}
        witness = {"tool": "callgrind", "per_call": per_call,
                   "repeats": instructions.DEFAULT_REPEATS,
                   "ratio": ratios[VERDICT_CONTRAST], "ratios": ratios}
        low, high = entry.ci_low - floor, entry.ci_high + floor
        witness["agrees_with_time"] = low <= witness["ratio"] <= high
        if not witness["agrees_with_time"]:
            witness["note"] = (f"instructions say {witness['ratio']:.3g}, time says "
                               f"[{entry.ci_low:.3g}, {entry.ci_high:.3g}]: time is "
                               f"not following the work done (I/O, allocation, caches, "
                               f"threads or noise); both are shown, neither is picked")
        out[entry.key] = witness
    return out


def set_threads(threads: int) -> None:
    """torch's intra-op threads for this process (a run's, or a cluster task's)."""
    import torch

    torch.set_num_threads(threads)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("optbench")
    except PackageNotFoundError:
        return "unknown"
