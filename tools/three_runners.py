"""The three ways in, timed on one claim: does pytest-benchmark's and asv's
optimized/baseline ratio fall within verify's interval's spread?

    python tools/three_runners.py                        # the fixture torch claim, as the machine is
    python tools/three_runners.py --neighbour            # with one core kept busy (NumPy matmuls)
    python tools/three_runners.py --claims M --claim ID --size N --json out.json

verify gives the ratio and its 95% interval from interleaved rounds;
pytest-benchmark and asv each time every variant on its own, so they give a
point ratio of medians. "Agrees" means that point lies within verify's
interval widened by its own half-width on each side (the spread two honest
readings of one ratio can show). The figures are a benchmark, printed and
written, never asserted: README, "pytest-benchmark, asv, memray", carries
them with the machine and the load. asv runs with --python=same (this
environment; `asv machine --yes` once), so no commit is built.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = "tests/fixtures/torch_mode_claims.py"
NEIGHBOUR = ("import os; os.environ['OMP_NUM_THREADS'] = '1'\n"
             "import numpy as np\na = np.random.rand(600, 600)\nwhile True: a @ a\n")


def _run(command: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed ({done.returncode}):\n"
                         f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def verify(claims: str, claim: str, env: dict, out: Path) -> dict:
    _run([sys.executable, "-m", "optbench", "verify", "--quick", "--claims", claims, claim,
          "--json", str(out)], env, 900)
    entry = next(e for e in json.loads(out.read_text())["claims"] if e["id"] == claim)
    contrast = entry["contrasts"]["optimized"]
    return {"ratio": contrast["ratio"], "ci_low": contrast["ci_low"],
            "ci_high": contrast["ci_high"], "verdict": entry["verdict"],
            "control": (entry.get("sampling") or {}).get("control")}


def pytest_benchmark(claims: str, claim: str, size: int, env: dict, out: Path) -> dict:
    _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:memray",
          "tests/benchmarks", "--benchmark-only", "-k", claim, "--benchmark-json", str(out)],
         {**env, "OPTBENCH_CLAIMS": claims}, 900)
    medians = {b["extra_info"]["variant"]: b["stats"]["median"]
               for b in json.loads(out.read_text())["benchmarks"]
               if b["extra_info"]["claim"] == claim and b["extra_info"]["size"] == size}
    return {"medians": medians, "ratio": medians["optimized"] / medians["baseline"]}


def asv(claims: str, claim: str, size: int, env: dict) -> dict:
    """asv run in this environment (--python=same), read back with asv's own
    reader of its newest results file."""
    import itertools

    from asv.results import Results

    env = {**env, "OPTBENCH_CLAIMS": claims}
    _run([sys.executable, "-m", "asv", "machine", "--yes"], env, 120)
    # --python=same saves results only under a commit hash given to it
    head = _run(["git", "rev-parse", "HEAD"], env, 60).stdout.strip()
    _run([sys.executable, "-m", "asv", "run", "--python=same", "-b", "user_claims",
          "--set-commit-hash", head], env, 1800)
    written = list((ROOT / ".asv" / "results").glob(f"*/{head[:8]}-*.json"))
    if not written:
        raise SystemExit(f"asv wrote no results for {head[:8]} under .asv/results")
    results = Results.load(str(written[0]))
    name = next(n for n in results.get_all_result_keys()
                if n.startswith("user_claims.") and n.endswith(".time_primary"))
    params = results.get_result_params(name)
    medians = {}
    for combo, value in zip(itertools.product(*params), results.get_result_value(name, params)):
        variant, at = (c.strip("'") for c in combo)
        if int(at) == size:
            medians[variant] = value
    return {"medians": medians, "ratio": medians["optimized"] / medians["baseline"]}


def agrees(point: float, reading: dict) -> bool:
    half = (reading["ci_high"] - reading["ci_low"]) / 2
    return reading["ci_low"] - half <= point <= reading["ci_high"] + half


@contextlib.contextmanager
def neighbour(on: bool):
    if not on:
        yield
        return
    busy = subprocess.Popen([sys.executable, "-c", NEIGHBOUR],
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        yield
    finally:
        busy.kill()
        busy.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", default=FIXTURE)
    parser.add_argument("--claim", default="mlp.inference_mode")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--neighbour", action="store_true",
                        help="keep one core busy while the runners time")
    parser.add_argument("--no-asv", action="store_true", help="leave asv out")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    env = {**os.environ}
    with tempfile.TemporaryDirectory() as tmp, neighbour(args.neighbour):
        tmp = Path(tmp)
        readings = {"verify": verify(args.claims, args.claim, env, tmp / "verify.json"),
                    "pytest-benchmark": pytest_benchmark(args.claims, args.claim, args.size,
                                                         env, tmp / "bench.json")}
        if not args.no_asv:
            readings["asv"] = asv(args.claims, args.claim, args.size, env)
    base = readings["verify"]
    for name, reading in readings.items():
        if name != "verify":
            reading["agrees_with_verify"] = agrees(reading["ratio"], base)
    print(f"{args.claim} @ {args.size}, {'busy neighbour' if args.neighbour else 'as the machine is'}:")
    print(f"  verify            {base['ratio']:.3f} [{base['ci_low']:.3f}, {base['ci_high']:.3f}] "
          f"({base['verdict']})")
    for name, reading in readings.items():
        if name != "verify":
            print(f"  {name:<17} {reading['ratio']:.3f}  "
                  f"{'agrees' if reading['agrees_with_verify'] else 'DISAGREES'}")
    if args.json:
        args.json.write_text(json.dumps({"claim": args.claim, "size": args.size,
                                         "neighbour": args.neighbour,
                                         "readings": readings}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
