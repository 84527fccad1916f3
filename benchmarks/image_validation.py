"""asv suites for the image_validation component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

ImageValidationEarlyStop = _suite("image_validation.early_stop")
ImageValidationEarlyStopWhatif = _suite("image_validation.early_stop_whatif")
ImageValidationEarlyStopClean = _suite("image_validation.early_stop_clean")
ImageValidationEarlyStopHalf = _suite("image_validation.early_stop_half")
