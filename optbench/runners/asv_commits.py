"""asv across commits, without building an environment per commit.

`asv run A..B` builds a virtualenv with the project's dependencies for its
environment (torch, triton and CUDA packages: over 5 GB) and then installs
each commit into it. This runs each commit from a git worktree instead, in
the project's own environment: asv's `--python=same` with the worktree's
source first on the path (ASV_PYTHONPATH) and `--set-commit-hash`, every
result in the project's `.asv/results`, so `asv publish`, `asv compare` and
`optbench report` read them as asv's own. With two or more commits, asv's
comparison of the first with the last decides the exit status, as `asv
continuous` does: 1 when a benchmark got slower by more than `factor`.

The commits run one after the other (asv does not interleave them either):
a change smaller than the machine's drift between the two runs is not
told apart from none. For a verdict on one change, `optbench verify`
interleaves baseline and optimized within a run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from optbench.core.registry import ClaimsError

from .asv_suite import PASSES_ENV, SECONDARY_ENV
from .cases import FULL_SIZES_ENV

CONFIG = "asv.conf.json"


class CommitsError(ClaimsError):
    """A commit, a folder or asv itself cannot be used: said in one line."""


@dataclass
class CommitRun:
    commit: str
    seconds: float   # its passes together


def _git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True)
    if done.returncode:
        raise CommitsError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                           else f"git {' '.join(args)} failed")
    return done.stdout.strip()


def resolve(project: Path, names: list[str]) -> list[str]:
    """Each name (a hash, a branch, HEAD~2) as its full commit hash."""
    found = []
    for name in names:
        try:
            found.append(_git(project, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"))
        except CommitsError:
            raise CommitsError(f"commit {name}: not a commit of the repository at "
                               f"{project}") from None
    return found


def _asv_config(project: Path) -> dict:
    from asv import util

    path = project / CONFIG
    if not path.is_file():
        raise CommitsError(f"{path}: no asv configuration here (run from the project's root)")
    return util.load_json(str(path), js_comments=True)


def _results_dir(project: Path, config: dict) -> Path:
    return (project / config.get("results_dir", "results")).resolve()


def _machine_name() -> str | None:
    path = Path.home() / ".asv-machine.json"
    try:
        machines = [k for k in json.loads(path.read_text()) if k != "version"]
    except (OSError, ValueError):
        return None
    return machines[0] if len(machines) == 1 else None


# The last run's pace, beside asv's results folder (not in it: tools that
# read every results file there would take it for one).
TIMES = "optbench-asv-times.json"


def _settings(bench, quick, secondaries, full_sizes, passes) -> dict:
    return {"bench": bench, "quick": quick, "secondaries": secondaries,
            "full_sizes": full_sizes, "passes": passes}


def last_pass_seconds(results_dir: Path, settings: dict) -> float | None:
    """How long one pass over one commit took in the last run with these
    settings (optbench asv records it): the estimate for this run."""
    try:
        recorded = json.loads((results_dir.parent / TIMES).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("settings") != settings:
        return None
    seconds = recorded.get("seconds_per_pass")
    return seconds if isinstance(seconds, (int, float)) and seconds > 0 else None


def _record_pace(results_dir: Path, settings: dict, seconds: list[float]) -> None:
    from optbench.core.results import write_atomic

    write_atomic(results_dir.parent / TIMES, json.dumps(
        {"settings": settings, "seconds_per_pass": sum(seconds) / len(seconds)}))


def _worktree_config(config: dict, project: Path, tree: Path, results_dir: Path) -> Path:
    """The project's asv configuration with the worktree's benchmarks and
    the project's results folder, as absolute paths."""
    local = dict(config, repo=str(project), benchmark_dir=str(tree / config.get(
        "benchmark_dir", "benchmarks")), results_dir=str(results_dir),
        html_dir=str((project / config.get("html_dir", "html")).resolve()),
        env_dir=str(tree / ".asv" / "env"))
    path = tree / ".optbench-asv.conf.json"
    path.write_text(json.dumps(local, indent=2))
    return path


def pass_order(commits: list[str], passes: int) -> list[tuple[int, str]]:
    """(pass, commit) in run order: mirrored passes (A B, B A, A B ...), so
    a drift of the machine over the run falls on every commit alike."""
    order = []
    for number in range(1, passes + 1):
        order += [(number, c) for c in (commits if number % 2 else commits[::-1])]
    return order


def run_commits(project: Path, names: list[str], bench: str | None = None,
                quick: bool = False, secondaries: bool = False, full_sizes: bool = False,
                passes: int = 2, say: Callable[[str], None] = print) -> list[CommitRun]:
    """asv run of each commit from its own worktree, in `passes` mirrored
    passes (each with its share of the samples, appended to the commit's
    earlier ones; a single commit takes one pass); asv's output goes to the
    terminal. Returns each commit's time, its passes together."""
    project = project.resolve()
    config = _asv_config(project)
    commits = resolve(project, names)
    passes = 1 if len(set(commits)) < 2 else passes
    results_dir = _results_dir(project, config)
    asv = [sys.executable, "-m", "asv"]
    if _machine_name() is None and not (Path.home() / ".asv-machine.json").exists():
        say("asv has no machine file yet: `asv machine --yes` writes one (~/.asv-machine.json)")
        subprocess.run([*asv, "machine", "--yes"], cwd=project, check=False,
                       capture_output=True)
    order = pass_order(list(dict.fromkeys(commits)), passes)
    settings = _settings(bench, quick, secondaries, full_sizes, passes)
    per_pass = last_pass_seconds(results_dir, settings)
    if per_pass:
        say(f"{len(commits)} commit(s), {passes} pass(es) each: {per_pass / 60:.1f} min a pass "
            f"in the last run like it here, so about {len(order) * per_pass / 60:.0f} min")
    env = {**os.environ, SECONDARY_ENV: "1" if secondaries else "0",
           FULL_SIZES_ENV: "1" if full_sizes else "0", PASSES_ENV: str(passes)}
    seconds = dict.fromkeys(commits, 0.0)
    pass_seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="optbench-asv-commits-") as scratch:
        trees: dict[str, Path] = {}
        try:
            for step, (number, commit) in enumerate(order, 1):
                if commit not in trees:
                    trees[commit] = Path(scratch) / commit[:12]
                    _git(project, "worktree", "add", "--detach", str(trees[commit]), commit)
                tree = trees[commit]
                conf = _worktree_config(config, project, tree, results_dir)
                command = [*asv, "--config", str(conf), "run", "--python=same",
                           "--set-commit-hash", commit, "--launch-method=forkserver"]
                # the first pass replaces an earlier run's results; later ones add to it
                command += ["--append-samples"] if number > 1 else ["--record-samples"]
                command += ["--quick"] if quick else []
                command += ["-b", bench] if bench else []
                say(f"pass {number} of {passes}, commit {commit[:8]} "
                    f"({_git(project, 'log', '-1', '--format=%s', commit)[:60]})")
                started = time.monotonic()
                done = subprocess.run(command, cwd=tree,
                                      env={**env, "ASV_PYTHONPATH": str(tree)})
                took = time.monotonic() - started
                seconds[commit] += took
                pass_seconds.append(took)
                left = (len(order) - step) * (sum(seconds.values()) / step)
                say(f"commit {commit[:8]}, pass {number}: {took / 60:.1f} min"
                    + (f"; about {left / 60:.0f} min left" if left else ""))
                if done.returncode:
                    raise CommitsError(f"asv run failed on {commit[:8]} (exit {done.returncode})")
        finally:
            for tree in trees.values():
                _git(project, "worktree", "remove", "--force", str(tree))
    _record_pace(results_dir, settings, pass_seconds)
    return [CommitRun(commit, seconds[commit]) for commit in commits]


@dataclass
class Comparison:
    worsened: bool          # a benchmark slower by more than the factor (asv's '+')
    compared: int           # benchmarks recorded at both commits with one version
    version_changed: list[str]   # recorded at both, versions differ: asv skips them ('x')


def _versions(results_dir: Path, machine: str | None, commit: str) -> dict[str, str]:
    from asv.results import iter_results_for_machine_and_hash

    found: dict[str, str] = {}
    for result in (iter_results_for_machine_and_hash(str(results_dir), machine, commit)
                   if machine else ()):
        found.update({k: v for k, v in result.benchmark_version.items() if v})
    return found


def compare(project: Path, base: str, head: str, factor: float = 1.1,
            split: bool = False) -> Comparison:
    """asv's own comparison table of two recorded commits, and what it could
    compare: a benchmark whose version changed between them (the harness or
    the claim changed, not only the code under test) is marked x and never
    fails the comparison, so a run that compared nothing says so."""
    from asv.commands.compare import Compare
    from asv.config import Config

    project = project.resolve()
    base, head = resolve(project, [base, head])
    previous = os.getcwd()
    os.chdir(project)   # asv reads the configuration's relative paths from here
    try:
        conf = Config.load(CONFIG)
        worsened, _improved = Compare.print_table(
            conf, base, head, factor=factor, split=split, only_changed=False,
            sort="ratio", machine=_machine_name(), use_stats=True)
    finally:
        os.chdir(previous)
    results_dir = _results_dir(project, _asv_config(project))
    before = _versions(results_dir, _machine_name(), base)
    after = _versions(results_dir, _machine_name(), head)
    both = before.keys() & after.keys()
    changed = sorted(name for name in both if before[name] != after[name])
    return Comparison(bool(worsened), len(both) - len(changed), changed)
