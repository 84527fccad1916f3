"""asv suites for the datasets component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

DatasetIndexedFrame = _suite("dataset.indexed_frame")
