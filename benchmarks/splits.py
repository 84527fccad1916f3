"""asv suites for the splits component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

SplitSharedHelper = _suite("split.shared_helper")
