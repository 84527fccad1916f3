"""asv suites for the pharmagen system (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

SystemPharmagen = _suite("system.pharmagen")
