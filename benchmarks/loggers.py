"""asv suites for the loggers component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

LoggerBuffered = _suite("logger.buffered")
LoggerBufferedStreamWhatif = _suite("logger.buffered_stream_whatif")
