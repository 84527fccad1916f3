"""optbench: measured, reproducible verdicts on performance claims.

The public API is small; the rest lives in optbench.core:
  Claim, Claimed, Metric, Workload, Equivalence, Case  - define a claim
  system, Switch                                       - a whole run, its PR's changes
  count_file_io, measure_memory, time_interleaved      - the instruments
  run_claims, RunOptions                               - measure claims
"""
from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.design import Switch
from optbench.core.system import system

__all__ = ["Case", "Claim", "Claimed", "Equivalence", "Metric", "Workload", "Switch", "system",
           "RunOptions",
           "run_claims", "count_file_io", "measure_memory", "time_interleaved"]

_LAZY = {"RunOptions": ("optbench.core.engine", "RunOptions"),
         "run_claims": ("optbench.core.engine", "run"),
         "count_file_io": ("optbench.core.measure", "count_file_io"),
         "measure_memory": ("optbench.core.measure", "measure_memory"),
         "time_interleaved": ("optbench.core.measure", "time_interleaved")}


def __getattr__(name):
    # Imported on first use: a crash-test child process should not pay for
    # scipy and memray just to run a logger.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'optbench' has no attribute {name!r}")
