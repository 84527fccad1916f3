"""asv suites generated from claims: variant and size are asv parameters.

A suite holds the claimed metric as `optbench verify` reads it:
`time_primary` (the claim's primary region) for a time, `track_<counter>`
for an exact counter, `track_<metric>` for memory (the region's retained
or peak bytes, native allocations included, read by measure_memory). The
hidden costs (time_<metric> for each timed secondary, every other counter,
and `track_peak_bytes`, the primary region's peak, unless that is the
claim) are benchmarks too with OPTBENCH_ASV_SECONDARY=1: each costs a
process and a prepared case per variant and size, so they would double a
commit's run for readings a regression of the claim rarely needs.

How asv times, set from verify's sampling plan for the mode (quick sizes:
QUICK_PRIMARY; OPTBENCH_FULL=1: FULL_PRIMARY), so the runners measure alike:
one process per variant and size (`rounds = 1`: verify measures in one),
no timed warm-up beyond setup's one call (verify's plan warms up once),
`repeat = (min rounds, max rounds, the budget's share of one variant)`.
asv re-runs setup before every sample (asv#966, asv_runner 0.3), so a
case is prepared once per process and kept: rebuilt per sample, the
workload's build was most of a benchmark's time.

There is no `peakmem_` benchmark: asv's peakmem reads the process's lifetime
maximum RSS, which the imports (torch, pandas) set. After importing the
benchmarks and running registry.index's region (560 B) it read 672 MiB
here, and the issue saw ~886 MB for every variant: a region would show
there only once it outgrew the imports.

asv names a benchmark "<module>.<class name>.<method>" and stores neither
the class's attributes nor its docstring with the results; the class name is
`suite_name(claim.id)`, so a results file maps back to a claim id through
the known ids (see optbench.report.asv_history).
"""
from __future__ import annotations

import atexit
import math
import os
import tempfile
from functools import partial
from pathlib import Path

from optbench.core.claim import Claim
from optbench.core.measure import FULL_PRIMARY, QUICK_PRIMARY, SamplingPlan, measure_memory
from optbench.core.registry import get

from .cases import FULL_SIZES_ENV, PreparedCase, prepare, runner_sizes, source_version

PARAM_NAMES = ["variant", "size"]
PEAK_BYTES = "track_peak_bytes"
THREADS = "track_torch_threads"   # the measuring setup, kept beside the results
# Set to 1 for the hidden costs' benchmarks too (each other counter, peak bytes).
SECONDARY_ENV = "OPTBENCH_ASV_SECONDARY"
# How many passes `optbench asv` makes over each commit (mirrored: A B B A):
# each pass takes its share of verify's rounds and budget, and asv appends
# its samples to the commit's earlier ones.
PASSES_ENV = "OPTBENCH_ASV_PASSES"


def secondaries_wanted() -> bool:
    return os.environ.get(SECONDARY_ENV, "").strip() not in ("", "0")


def timing_plan() -> SamplingPlan:
    """verify's plan for the claimed metric in the mode the runners are in."""
    return QUICK_PRIMARY if os.environ.get(FULL_SIZES_ENV, "") in ("", "0") else FULL_PRIMARY


def passes() -> int:
    """The passes over each commit this run is one of (OPTBENCH_ASV_PASSES,
    set by `optbench asv`; 1 for a plain `asv run`)."""
    text = os.environ.get(PASSES_ENV, "").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{PASSES_ENV}={text}: must be a whole number of at least 1")
    return int(text)


def asv_timing(claim: Claim, plan: SamplingPlan | None = None, passes_made: int = 1) -> dict:
    """asv's timing attributes from verify's plan: one process per variant
    (verify's rounds run in one), setup's warm-up call only, and the plan's
    rounds and budget, the budget shared by the claim's variants as verify
    shares it within a round, and by the passes over the commit."""
    plan = plan or timing_plan()
    share = plan.budget_seconds / len(claim.variant_names) / passes_made
    return {"rounds": 1, "warmup_time": 0.0, "sample_time": plan.min_sample_seconds,
            "repeat": (math.ceil(plan.min_rounds / passes_made),
                       math.ceil(plan.max_rounds / passes_made), share)}


# One prepared case per (claim, variant, size) in this process: asv calls
# setup before every sample, and verify times every call on one prepared state.
_PREPARED: dict[tuple[str, str, int], PreparedCase] = {}


def _prepared(claim: Claim, variant: str, size: int) -> PreparedCase:
    key = (claim.id, variant, size)
    if key not in _PREPARED:
        # In the folder asv runs the benchmark in (a fresh temporary one it
        # removes): asv's forkserver children leave by os._exit, so no exit
        # hook of theirs would remove a work folder elsewhere.
        workdir = Path(tempfile.mkdtemp(prefix=f"optbench-{claim.id}-{variant}-", dir="."))
        case = prepare(claim, variant, size, workdir=workdir.resolve())
        # One warm-up call, as verify's plan makes: a first call carries
        # one-off costs (torch's first use of an op: a 25 µs forward read
        # 1.4 ms cold here).
        case.run()
        _PREPARED[key] = case
    return _PREPARED[key]


@atexit.register
def _close_prepared() -> None:
    while _PREPARED:
        _PREPARED.popitem()[1].close()


def close_prepared(claim_id: str | None = None) -> None:
    """Drop the kept cases (of one claim, or all) and their work folders."""
    for key in [k for k in _PREPARED if claim_id in (None, k[0])]:
        _PREPARED.pop(key).close()


def suite_name(claim_id: str) -> str:
    """The class name, and so the middle of asv's benchmark names, of a claim's suite."""
    return claim_id.replace(".", "_")


def _track(metric):
    def track(self, variant, size):
        return self.prepared.run(metric)

    track.unit = metric.unit or "count"
    return track


def _time(metric):
    def time(self, variant, size):
        self.prepared.run(metric)

    return time


def _memory(metric, stat: str):
    def track(self, variant, size):
        region = partial(metric.measure, self.prepared.state)
        # The first reading of a region carries one-off costs, and asv runs
        # each variant and size in a fresh process: the region's first call
        # (torch's first-use setup: 76.6 MB, then 242 kB every call, for
        # callbacks.metrics_interval_training baseline) and its first tracked
        # call (registry.index baseline: 866 B, then 560 B every time, even
        # after 50 untracked calls). The second reading is the steady one.
        measure_memory(region)
        return getattr(measure_memory(region), f"{stat}_bytes")

    track.unit = "bytes"
    return track


def _benchmarks(claim: Claim, secondaries: bool) -> dict:
    """asv's benchmark methods for a claim: the claimed metric as verify
    reads it (time_primary; track_<counter>; track_<memory metric>, its
    retained or peak bytes), then with `secondaries` every hidden cost
    (time_<metric>, track_<counter>) and the primary region's peak bytes."""
    found: dict = {}

    def add(name: str, method) -> None:
        if name in found:
            raise ValueError(f"claim {claim.id!r}: two asv benchmarks would be named {name}; "
                             f"rename a metric")
        found[name] = method

    for metric in [claim.primary, *(claim.secondary if secondaries else ())]:
        primary = metric is claim.primary
        if metric.kind == "time":
            add("time_primary" if primary else f"time_{metric.name}", _time(metric))
        elif metric.kind == "counter":
            add(f"track_{metric.name}", _track(metric))
        elif metric.kind == "memory":
            add(f"track_{metric.name}", _memory(metric, metric.memory_stat))
    claimed_peak = claim.primary.kind == "memory" and claim.primary.memory_stat == "peak"
    if secondaries and not claimed_peak:
        add(PEAK_BYTES, _memory(claim.primary, "peak"))
    return found


def track_torch_threads():
    """The threads the runners measure with (OPTBENCH_THREADS, default 1 as
    verify's), as a case is prepared: asv keeps it beside the timings. One
    benchmark for the run (benchmarks/measuring_setup.py), not one per suite:
    it needs no case."""
    import torch

    from .cases import measuring_setup

    measuring_setup()
    return torch.get_num_threads()


track_torch_threads.unit = "threads"


def suite(claim: str | Claim, secondaries: bool | None = None) -> type:
    """The asv class of a claim (an id of the built-in claims, or a Claim);
    `secondaries` (default: OPTBENCH_ASV_SECONDARY) adds the hidden costs'
    benchmarks."""
    claim = get(claim) if isinstance(claim, str) else claim
    secondaries = secondaries_wanted() if secondaries is None else secondaries

    def setup(self, variant, size):
        self.prepared = _prepared(claim, variant, size)

    namespace = {
        "__doc__": f"{claim.id}: {claim.title} ({claim.source})",
        "claim_id": claim.id,
        "params": [claim.variant_names, runner_sizes(claim)],
        "param_names": list(PARAM_NAMES),
        "version": source_version(claim),
        "timeout": 600,
        **asv_timing(claim, passes_made=passes()),
        "setup": setup,
        **_benchmarks(claim, secondaries),
    }
    return type(suite_name(claim.id), (), namespace)
