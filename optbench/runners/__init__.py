"""Thin adapters from claims to pytest-benchmark, asv and memray."""
