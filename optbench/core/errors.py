"""Errors the CLI reports in one line, kept apart so it can catch them
without importing the engine (and with it numpy, scipy and memray)."""


class MeasurementError(Exception):
    """A claim's own code raised while being measured; names claim, size and step."""


class ClusterError(Exception):
    """`--executor ray` cannot start: Ray missing, or no cluster at the address."""
