"""asv suites for the model_registry component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

RegistryIndex = _suite("registry.index")
