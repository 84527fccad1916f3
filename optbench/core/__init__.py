"""Measurement core: claims, instruments, statistics, verdicts, results."""
