"""What each added unit of work costs, optimized / baseline, between the sizes
of one claim in a results file (core.stats.marginal_ratio): the whole-run
ratio with what both sizes pay once taken out.

    python tools/marginal_ratio.py RESULTS.json CLAIM_ID

A reading beside the verdict, not one: it assumes the run grows linearly
between the two sizes, and says what a longer run would tend to.
"""
from __future__ import annotations

import sys
from pathlib import Path

from optbench.core import results
from optbench.core.stats import marginal_ratio


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, claim_id = Path(args[0]), args[1]
    try:
        entries = sorted((e for e in results.load(path).claims
                          if e.id == claim_id and e.variants.get("baseline")
                          and e.variants.get("optimized")), key=lambda e: e.size)
    except results.ResultsError as exc:
        print(f"marginal_ratio: {exc}", file=sys.stderr)
        return 2
    if len(entries) < 2:
        print(f"marginal_ratio: {path}: {claim_id} has fewer than two measured sizes",
              file=sys.stderr)
        return 2
    unit = entries[0].workload.get("size_unit", "")
    for small, large in zip(entries, entries[1:]):
        pair = [(list(e.variants["baseline"].samples), list(e.variants["optimized"].samples))
                for e in (small, large)]
        found = marginal_ratio(*pair)
        print(f"{claim_id} {small.size} -> {large.size} {unit}: whole run {small.ratio:.3g} -> "
              f"{large.ratio:.3g}; each added unit {found.ratio:.3g} "
              f"[{found.ci_low:.3g}, {found.ci_high:.3g}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
