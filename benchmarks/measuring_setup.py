"""What every suite measures with (torch's threads, OPTBENCH_THREADS), read once a run."""
from optbench.runners.asv_suite import track_torch_threads  # noqa: F401  (asv finds it here)
