"""asv suites for the whole training-system run (generated from its claim)."""
from optbench.runners.asv_suite import suite as _suite

SystemTrainingSystem = _suite("system.training_system")
