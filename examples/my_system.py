"""A system claim of your own: a whole run, each change of the PR a switch.

    optbench verify --claims examples/my_system.py --quick

prints the end-to-end verdict, then each switch's effect, Shapley share,
alone and left-out factors, and whether it changes the output.
"""
import json
import random

from optbench import Claimed, Equivalence, Switch, Workload, system


def make_rows(size):                     # seeded: the same rows every run
    rng = random.Random(size)
    return [{"user": f"u{rng.randrange(size // 10)}", "clicks": rng.randrange(50)}
            for _ in range(size)]


def nightly(configuration, case):
    """The whole run; `configuration.on` says which of the PR's changes are in."""
    rows = case.data
    if "dict_totals" in configuration.on:       # change 1: one dict pass
        totals = {}
        for row in rows:
            totals[row["user"]] = totals.get(row["user"], 0) + row["clicks"]
    else:                                       # before: a scan per user
        users = sorted({row["user"] for row in rows})
        totals = {u: sum(r["clicks"] for r in rows if r["user"] == u) for u in users}
    report = dict(sorted(totals.items()))
    if "one_write" in configuration.on:          # change 2: write once
        (case.workdir / "report.json").write_text(json.dumps(report))
    else:                                       # before: rewrite per user
        for i in range(0, len(report), 10):
            (case.workdir / "report.json").write_text(json.dumps(dict(list(report.items())[:i + 10])))
    return report


SYSTEM = system(
    id="nightly.end_to_end", source="my PR #124", title="the nightly click report",
    claimed=Claimed.percent_less(50, text="50% faster nightly run"),
    switches=[Switch("dict_totals", "sum clicks in one dict pass"),
              Switch("one_write", "write the report once")],
    workload=Workload("click rows", make_rows, sizes=(20_000,), quick_sizes=(5_000,)),
    run=nightly, equivalence=Equivalence.exact("the same report"),
    isolation="in-process: pure Python, no caches or imports between runs")
