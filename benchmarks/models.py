"""asv suites for the models component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

ModelsVariableAr = _suite("models.variable_ar")
FusionMaskedPoolClamp = _suite("fusion.masked_pool_clamp")
