"""asv suites generated from claims: variant and size are asv parameters.

A suite has `time_primary` (the claim's primary region), `track_peak_bytes`
(the region's own peak heap bytes, native allocations included, read by
measure_memory as `optbench verify` reads a memory metric) and one
`track_<counter>` per exact counter.

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

from functools import partial

from optbench.core.claim import Claim
from optbench.core.measure import measure_memory
from optbench.core.registry import get

from .cases import counters, prepare, runner_sizes, source_version

PARAM_NAMES = ["variant", "size"]
PEAK_BYTES = "track_peak_bytes"
THREADS = "track_torch_threads"   # the measuring setup, kept beside the results


def suite_name(claim_id: str) -> str:
    """The class name, and so the middle of asv's benchmark names, of a claim's suite."""
    return claim_id.replace(".", "_")


def _track(metric):
    def track(self, variant, size):
        return self.prepared.run(metric)

    track.unit = metric.unit or "count"
    return track


def _track_peak_bytes(self, variant, size):
    region = partial(self.prepared.claim.primary.measure, self.prepared.state)
    # The first reading of a region carries one-off costs, and asv runs each
    # variant and size in a fresh process: the region's first call (torch's
    # first-use setup: 76.6 MB, then 242 kB every call, for
    # callbacks.metrics_interval_training baseline) and its first tracked
    # call (registry.index baseline: 866 B, then 560 B every time, even after
    # 50 untracked calls). The second reading is the steady one.
    measure_memory(region)
    return measure_memory(region).peak_bytes


_track_peak_bytes.unit = "bytes"


def _track_torch_threads(self, variant, size):
    """The threads the suite measured with (OPTBENCH_THREADS, default 1 as
    verify's): asv keeps it beside the timings."""
    import torch

    return torch.get_num_threads()


_track_torch_threads.unit = "threads"


def suite(claim: str | Claim) -> type:
    """The asv class of a claim (an id of the built-in claims, or a Claim)."""
    claim = get(claim) if isinstance(claim, str) else claim

    def setup(self, variant, size):
        self.prepared = prepare(claim, variant, size)
        # One warm-up call, as verify's plan makes: asv --quick times a single
        # call, and a first call carries one-off costs (torch's first use of an
        # op: a 25 µs forward read 1.4 ms cold here).
        self.prepared.run()

    def teardown(self, variant, size):
        self.prepared.close()

    def time_primary(self, variant, size):
        self.prepared.run()

    namespace = {
        "__doc__": f"{claim.id}: {claim.title} ({claim.source})",
        "claim_id": claim.id,
        "params": [claim.variant_names, runner_sizes(claim)],
        "param_names": list(PARAM_NAMES),
        "version": source_version(claim),
        "timeout": 600,
        "setup": setup, "teardown": teardown,
        "time_primary": time_primary, PEAK_BYTES: _track_peak_bytes,
        THREADS: _track_torch_threads,
    }
    for metric in counters(claim):
        name = f"track_{metric.name}"
        if name in namespace:
            raise ValueError(f"claim {claim.id!r}: counter {metric.name!r} would replace "
                             f"the suite's own {name}; rename the metric")
        namespace[name] = _track(metric)
    return type(suite_name(claim.id), (), namespace)
