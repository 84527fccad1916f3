"""The mutation score of optbench/core, per module, from mutmut's own records.

    mutmut run $(python tools/mutation_score.py --targets)   # what the score covers
    python tools/mutation_score.py [--survivors]            # the table (README)
    mutmut run $(cat SURVIVORS-NAMES)                       # a rerun of the survivors only
    python tools/mutation_score.py --earlier docs/mutation/DATE-survivors.txt

mutmut regenerates its records when it runs again: after a rerun of the
survivors alone, every other mutant reads "not checked". `--earlier` takes
those from the earlier full run's --survivors list: a mutant listed there
keeps its listed status, one not listed was caught then (the tests have only
grown since).

The score covers the modules whose rules decide verdicts and the gate
(gate, verdict, stats, results, schema) and, of engine.py and measure.py,
the sampling and stop logic (the functions in SAMPLING). A mutant counts as
caught when the unit tests fail on it or it runs past mutmut's timeout; one
no selected test reaches ("no tests") counts as missed, like a survivor.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "optbench" / "core"
WHOLE = ("gate", "verdict", "stats", "results", "schema")
SAMPLING = {
    "engine": ("x_stop_rule", "x_measure_metric", "xǁRunOptionsǁsampling",
               "xǁRunOptionsǁdesign_for"),
    "measure": ("xǁSamplingPlanǁlooks", "x_time_interleaved", "x__calibrate",
                "x__quiet_gc", "xǁTimedSamplesǁrecord", "xǁ_StopRequestǁ"),
}
# "check was interrupted by user": the mutant raised KeyboardInterrupt inside a
# test (the Ctrl-C tests send one), which ends pytest as Ctrl-C would: the
# tests did not pass on it.
CAUGHT = ("killed", "timeout", "interrupted")
INTERRUPTED = "check was interrupted by user"
COLUMNS = ("killed", "timeout", "interrupted", "survived", "no tests", "not checked")


def targets() -> list[str]:
    """mutmut's mutant-name globs for what the score covers."""
    names = [f"optbench.core.{m}.*" for m in WHOLE]
    for module, functions in SAMPLING.items():
        names += [f"optbench.core.{module}.{f}*" for f in functions]
    return names


def _covered(module: str, key: str) -> bool:
    if module in WHOLE:
        return True
    function = key.rsplit(".", 1)[1]
    return any(function.startswith(f) for f in SAMPLING.get(module, ()))


def statuses(earlier: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """module -> {mutant name: status}, for the covered mutants mutmut has
    recorded; those it did not check this time from `earlier` (see --earlier)."""
    found = {}
    for module in (*WHOLE, *SAMPLING):
        meta = MUTANTS / f"{module}.py.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        found[module] = {k: "interrupted" if status_by_exit_code[c] == INTERRUPTED
                         else status_by_exit_code[c]
                         for k, c in codes.items() if _covered(module, k)}
        if earlier is not None:
            for name, status in found[module].items():
                if status == "not checked":
                    found[module][name] = earlier.get(name, "killed")
    return found


def read_survivors(path: Path) -> dict[str, str]:
    """A --survivors list ("status: name" lines after the table) as {name: status}."""
    listed = {}
    for line in path.read_text().splitlines():
        status, sep, name = line.partition(": ")
        if sep and name.startswith("optbench."):
            listed[name] = status
    return listed


def table(found: dict[str, dict[str, str]]) -> list[str]:
    rows = ["| module | " + " | ".join(COLUMNS) + " | score |",
            "|---|" + "---|" * (len(COLUMNS) + 1)]
    total = Counter()
    for module, by_mutant in found.items():
        counts = Counter(by_mutant.values())
        total += counts
        rows.append(_row(module if module in WHOLE else f"{module} (sampling, stop)", counts))
    rows.append(_row("**all**", total))
    return rows


def _row(name: str, counts: Counter) -> str:
    checked = sum(counts[c] for c in COLUMNS if c != "not checked")
    score = sum(counts[c] for c in CAUGHT) / checked if checked else float("nan")
    other = sum(v for k, v in counts.items() if k not in COLUMNS)
    cells = [str(counts[c]) for c in COLUMNS]
    if other:
        cells[-1] += f" (+{other} other)"
    return f"| {name} | " + " | ".join(cells) + f" | {score:.1%} |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", action="store_true",
                        help="print the mutant-name globs to give `mutmut run`")
    parser.add_argument("--survivors", action="store_true",
                        help="also list every mutant not caught")
    parser.add_argument("--earlier", type=Path, metavar="SURVIVORS_LIST",
                        help="an earlier full run's --survivors output: mutants this run did "
                             "not check keep that run's status")
    args = parser.parse_args(argv)
    if args.targets:
        print(" ".join(targets()))
        return 0
    if args.earlier is not None and not args.earlier.is_file():
        print(f"--earlier {args.earlier}: no such file", file=sys.stderr)
        return 2
    found = statuses(read_survivors(args.earlier) if args.earlier else None)
    if not found:
        print(f"no mutmut records under {MUTANTS}: run mutmut first", file=sys.stderr)
        return 2
    print("\n".join(table(found)))
    if args.survivors:
        for by_mutant in found.values():
            for name, status in sorted(by_mutant.items()):
                if status not in CAUGHT:
                    print(f"{status}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
