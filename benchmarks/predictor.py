"""asv suites for the predictor component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

PredictorEnumerateZip = _suite("predictor.enumerate_zip")
