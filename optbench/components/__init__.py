"""One subpackage per component: baseline.py, optimized.py, [best.py], claims.py."""
