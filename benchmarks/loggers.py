"""asv suites for the loggers component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

LoggerBuffered = _suite("logger.buffered")
LoggerBuffered18601bf = _suite("logger.buffered_18601bf")
LoggerBufferedStreamWhatif = _suite("logger.buffered_stream_whatif")
