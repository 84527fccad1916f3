"""asv suites for the callbacks component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

CallbacksMetricsInterval = _suite("callbacks.metrics_interval")
CallbacksMetricsIntervalSnippet = _suite("callbacks.metrics_interval_snippet")
CallbacksMetricsIntervalText = _suite("callbacks.metrics_interval_text")
CallbacksMetricsIntervalTraining = _suite("callbacks.metrics_interval_training")
