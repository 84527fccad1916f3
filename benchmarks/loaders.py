"""asv suites for the loaders component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

LoaderDynamicWorkers = _suite("loader.dynamic_workers")
LoaderDynamicWorkersWhatif = _suite("loader.dynamic_workers_whatif")
LoaderPersistentWorkers = _suite("loader.persistent_workers_whatif")
LoaderPrefetchFactor = _suite("loader.prefetch_factor_whatif")
LoaderPinMemory = _suite("loader.pin_memory_whatif")
