"""asv suites for the lab_project system (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

SystemLabProject = _suite("system.lab_project")
