"""asv suites for the monitor component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

MonitorPerformance = _suite("monitor.performance")
