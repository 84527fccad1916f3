"""What the Ray path costs and what two nodes buy, measured on this machine.

    python tools/cluster_timing.py overhead [--cases 4,16] [--repeats 3] [--json OUT]
    python tools/cluster_timing.py split [VERIFY ARGS...] [--json OUT]

overhead: a claims module of trivial counted cases (one case each, nothing
to measure but the machinery), run by `optbench verify` locally and with
`--executor ray` on a cluster on this machine (one node holding both
CPUs), at two case counts, interleaved. The slope of wall time over the
case count is the cost per case, the intercept the fixed cost of a run.

split: `optbench verify --quick` (or VERIFY ARGS) on a cluster of one node
of 2 CPUs and on one of two nodes of 1 CPU each: the wall times, and
whether the verdicts agree.

Figures are printed and written, never asserted. Both start their
clusters with optbench.core.cluster.LocalCluster (as tests/test_cluster.py).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optbench.core.cluster import LocalCluster  # noqa: E402
from optbench.core.results import cpu_info, write_atomic  # noqa: E402

TRIVIAL = '''"""{count} trivial counted claims: a case that measures nothing."""
from optbench import Claim, Claimed, Equivalence, Metric, Workload

CLAIMS = [Claim(id=f"trivial.case_{{i}}", source="tools", component="tools", title="nothing",
                claimed=Claimed.percent_less(50, text="50% fewer"),
                variants={{"baseline": object(), "optimized": object()}},
                workload=Workload("nothing", lambda size: None, sizes=(1,), quick_sizes=(1,)),
                setup=lambda case: 10 if case.variant == "baseline" else 2,
                primary=Metric("count", "counter", "", lambda state: state),
                output=lambda case: 0, equivalence=Equivalence.exact("same"))
          for i in range({count})]
'''


def _verify(args: list[str], out: Path) -> tuple[float, dict]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "optbench", "verify", *args, "--json", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - started
    if done.returncode not in (0, 3):   # 3: some entries are errors, still a run
        raise SystemExit(f"verify {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr[-3000:]}")
    return wall, json.loads(out.read_text())


def _fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares: wall = fixed + per_case * cases."""
    slope, intercept = statistics.linear_regression([p[0] for p in points],
                                                    [p[1] for p in points])
    return intercept, slope


def _machine() -> dict:
    model, flags = cpu_info()
    return {"cpu_model": model, "cpu_flags": flags, "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": list(os.getloadavg())}


def overhead(counts: list[int], repeats: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="optbench-overhead-"))
    modules = {}
    for count in counts:
        modules[count] = work / f"trivial_{count}.py"
        modules[count].write_text(TRIVIAL.format(count=count))
    walls: dict[str, list[tuple[int, float]]] = {"local": [], "ray": []}
    with LocalCluster(nodes=1, cpus=os.cpu_count() or 1) as cluster:
        for repeat in range(repeats):
            order = [(c, e) for c in counts for e in ("local", "ray")]
            if repeat % 2:
                order.reverse()   # mirrored rounds: a drift in load hits both alike
            for count, executor in order:
                extra = ["--executor", "ray", "--address", cluster.address] \
                    if executor == "ray" else []
                wall, _ = _verify(["--quick", "--claims", str(modules[count]), *extra],
                                  work / "r.json")
                walls[executor].append((count, wall))
                print(f"{executor:5} {count:3} cases: {wall:6.2f} s", flush=True)
    out = {"counts": counts, "repeats": repeats, "walls": walls}
    for executor, points in walls.items():
        fixed, per_case = _fit(points)
        out[executor] = {"fixed_seconds": fixed, "per_case_seconds": per_case}
        print(f"{executor}: {fixed:.2f} s a run + {per_case:.3f} s a case")
    out["ray_extra_per_case_seconds"] = (out["ray"]["per_case_seconds"]
                                         - out["local"]["per_case_seconds"])
    out["ray_extra_fixed_seconds"] = out["ray"]["fixed_seconds"] - out["local"]["fixed_seconds"]
    return out


def split(verify_args: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix="optbench-split-"))
    runs = {}
    for name, nodes, cpus in (("one node of 2 CPUs", 1, 2), ("two nodes of 1 CPU", 2, 1)):
        with LocalCluster(nodes=nodes, cpus=cpus) as cluster:
            wall, document = _verify([*verify_args, "--executor", "ray", "--address",
                                      cluster.address], work / f"{nodes}.json")
        verdicts = {f"{e['id']} @ {e['workload']['size']} {e['workload']['device']}":
                    e["verdict"] for e in document["claims"]}
        # How wide the timed entries' intervals are: a neighbour on the other core widens them.
        widths = [e["noise"]["interval_half_width"] for e in document["claims"]
                  if e.get("kind") == "time"
                  and (e.get("noise") or {}).get("interval_half_width") is not None]
        runs[name] = {"wall_seconds": wall, "entries": len(verdicts), "verdicts": verdicts,
                      "timed_half_width_median": statistics.median(widths) if widths else None,
                      "timed_half_width_mean": statistics.mean(widths) if widths else None}
        print(f"{name}: {wall / 60:.1f} min, {len(verdicts)} entries; timed intervals "
              f"±{runs[name]['timed_half_width_median'] or 0:.1%} (median)", flush=True)
    one, two = (r["verdicts"] for r in runs.values())
    differ = {k: [one[k], two.get(k)] for k in one if one[k] != two.get(k)}
    print(f"verdicts that differ: {len(differ)} of {len(one)}")
    for key, (a, b) in differ.items():
        print(f"  {key}: {a} -> {b}")
    return {"verify_args": verify_args, "runs": runs, "verdicts_that_differ": differ}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p_over = sub.add_parser("overhead")
    p_over.add_argument("--cases", default="4,16")
    p_over.add_argument("--repeats", type=int, default=3)
    p_over.add_argument("--json", type=Path)
    p_split = sub.add_parser("split")
    p_split.add_argument("--json", type=Path)
    args, rest = parser.parse_known_args()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if args.what == "overhead":
        result = overhead([int(c) for c in args.cases.split(",")], args.repeats)
    else:
        result = split(rest or ["--quick"])
    result = {"what": args.what, "started": started, "machine": _machine(), **result}
    if args.json:
        write_atomic(args.json, json.dumps(result, indent=1) + "\n")
        print(f"written to {args.json}")


if __name__ == "__main__":
    main()
