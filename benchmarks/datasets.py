"""asv suites for the datasets component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

DatasetIndexedFrame = _suite("dataset.indexed_frame")
DatasetIndexedFrameObjectStrings = _suite("dataset.indexed_frame_object_strings")
DatasetIndexedFrameNumericWhatif = _suite("dataset.indexed_frame_numeric_whatif")
