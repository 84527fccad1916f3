"""asv suites generated from claims: variant and size are asv parameters.

A suite has `time_primary` (the claim's primary region), `peakmem_primary`
(the process's peak RSS during it, which asv measures; compare deltas, the
torch import dominates) and one `track_<counter>` per exact counter.
"""
from __future__ import annotations

from optbench.core.registry import get

from .cases import counters, prepare, runner_sizes, source_version


def _track(metric):
    def track(self, variant, size):
        return self.prepared.run(metric)

    track.unit = metric.unit or "count"
    return track


def suite(claim_id: str) -> type:
    claim = get(claim_id)

    def setup(self, variant, size):
        self.prepared = prepare(claim, variant, size)

    def teardown(self, variant, size):
        self.prepared.close()

    def time_primary(self, variant, size):
        self.prepared.run()

    def peakmem_primary(self, variant, size):
        self.prepared.run()

    namespace = {
        "__doc__": f"{claim.id}: {claim.title} ({claim.source})",
        "params": [claim.variant_names, runner_sizes(claim)],
        "param_names": ["variant", "size"],
        "version": source_version(claim),
        "timeout": 600,
        "setup": setup, "teardown": teardown,
        "time_primary": time_primary, "peakmem_primary": peakmem_primary,
    }
    for metric in counters(claim):
        namespace[f"track_{metric.name}"] = _track(metric)
    return type(claim.id.replace(".", "_"), (), namespace)
