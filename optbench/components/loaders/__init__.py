"""DataLoaders as the reports configure them (factory.py), over the
collator's image files and an in-memory dataset (datasets.py); one claim
per setting (claims.py), each variant a `LoaderSettings`."""
from optbench.core.claim import pick_claim_variant

from .factory import LoaderSettings

# loader.dynamic_workers: Pharmagen's loaders, 4a1e100f's 4 workers -> 3cd3227b's
# min(cpu_count(), 8); best: the CPUs this process may use (affinity and cgroup
# quota), capped at 8.
DYNAMIC_WORKERS_VARIANTS = {"baseline": LoaderSettings(num_workers=4),
                            "optimized": LoaderSettings(num_workers="report"),
                            "best": LoaderSettings(num_workers="usable")}
# loader.dynamic_workers_whatif: the formula against no workers at all, over image files.
DYNAMIC_WORKERS_WHATIF_VARIANTS = {"baseline": LoaderSettings(),
                                   "optimized": LoaderSettings(num_workers="report"),
                                   "best": LoaderSettings(num_workers="usable")}
# The other settings, each alone on a loader with 2 workers (or none for pinning).
PERSISTENT_WORKERS_VARIANTS = {"baseline": LoaderSettings(num_workers=2),
                               "optimized": LoaderSettings(num_workers=2,
                                                           persistent_workers=True)}
PREFETCH_FACTOR_VARIANTS = {"baseline": LoaderSettings(num_workers=2),
                            "optimized": LoaderSettings(num_workers=2, prefetch_factor=2)}
PIN_MEMORY_VARIANTS = {"baseline": LoaderSettings(), "optimized": LoaderSettings(pin_memory=True)}

_BY_CLAIM = {"dynamic_workers": DYNAMIC_WORKERS_VARIANTS,
             "dynamic_workers_whatif": DYNAMIC_WORKERS_WHATIF_VARIANTS,
             "persistent_workers": PERSISTENT_WORKERS_VARIANTS,
             "prefetch_factor": PREFETCH_FACTOR_VARIANTS, "pin_memory": PIN_MEMORY_VARIANTS}


def get(variant: str, claim: str = "dynamic_workers"):
    return pick_claim_variant(_BY_CLAIM, claim, variant, "loaders")
