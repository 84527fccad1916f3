"""What every runner needs from a claim: its cases, prepared and cleaned up."""
from __future__ import annotations

import functools
import hashlib
import inspect
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from optbench.core import registry
from optbench.core.claim import Claim, Metric
from optbench.core.measure import cuda_available, synchronized
from optbench.core.registry import ClaimsError, builtin_claims

# Runners benchmark the quick sizes unless asked for all of them.
FULL_SIZES_ENV = "OPTBENCH_FULL"
# A user's claims module for the runners (pytest-benchmark, asv), named as
# `optbench verify --claims` names it: a module name or a .py path.
CLAIMS_ENV = "OPTBENCH_CLAIMS"
# torch's intra-op threads for the runners, as `optbench verify --threads`
# sets them (default the same: 1). Unpinned, pytest-benchmark read one torch
# claim's baseline 445x its optimized with a busy neighbour (issue 26).
THREADS_ENV = "OPTBENCH_THREADS"


def runner_threads() -> int:
    """The thread count OPTBENCH_THREADS asks for, else verify's default."""
    from optbench.core.engine import DEFAULT_THREADS

    spec = os.environ.get(THREADS_ENV, "").strip()
    if not spec:
        return DEFAULT_THREADS
    if not spec.isdigit() or int(spec) < 1:
        raise ClaimsError(f"{THREADS_ENV}={spec}: give a whole number of threads, 1 or more")
    return int(spec)


def measuring_setup() -> dict[str, Any]:
    """What every runner measures with, as verify does: torch's intra-op
    threads set (the count returned, for the runner's output). The collector:
    verify keeps it off while timing; asv's timer (timeit) does so itself and
    pytest-benchmark is told to (tests/benchmarks/conftest.py)."""
    import torch

    threads = runner_threads()
    torch.set_num_threads(threads)
    return {"torch_threads": threads}


def env_claims(relative_to: Path | None = None) -> list[Claim] | None:
    """The claims of the module OPTBENCH_CLAIMS names; None when it is unset.

    A relative .py path is read from the current folder, else from
    `relative_to`: asv runs each benchmark in a temporary folder, so its
    suite passes the folder holding asv.conf.json. Raises ClaimsError naming
    the variable and its value when the module cannot be used.
    """
    spec = os.environ.get(CLAIMS_ENV, "").strip()
    if not spec:
        return None
    path = Path(spec)
    if (relative_to is not None and spec.endswith(".py") and not path.is_absolute()
            and not path.exists() and (relative_to / path).is_file()):
        path = relative_to / path
    try:
        return _claims_of(str(path.resolve()) if path.is_file() else spec)
    except ClaimsError as exc:
        raise ClaimsError(f"{CLAIMS_ENV}={spec}: {exc}") from None


@functools.lru_cache(maxsize=None)
def _claims_of(spec: str) -> list[Claim]:
    # Once per process: a .py file is executed anew on every load, and each
    # runner asks for the claims more than once.
    return registry.claims(spec)


def runner_claims() -> list[Claim]:
    """What the runners benchmark: OPTBENCH_CLAIMS's claims instead of the
    built-in ones when it is set."""
    from_env = env_claims()
    return builtin_claims() if from_env is None else from_env


def runner_sizes(claim: Claim) -> list[int]:
    return claim.sizes(quick=os.environ.get(FULL_SIZES_ENV, "") in ("", "0"))


@dataclass
class PreparedCase:
    claim: Claim
    variant: str
    size: int
    state: Any
    workdir: Path
    device: str = "cpu"

    def run(self, metric: Metric | None = None):
        body = functools.partial((metric or self.claim.primary).measure, self.state)
        # On CUDA the region ends when its kernels do, not at their launch.
        return (synchronized(body) if self.device == "cuda" else body)()

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


class Unavailable(NotImplementedError):
    """A claim whose required modules are missing here. A NotImplementedError,
    which asv reads as "skip this benchmark"; pytest skips it too."""


def runner_device(claim: Claim) -> str:
    """Where the runners measure a claim: the CPU when the claim is measured
    there, else CUDA when this machine has it."""
    if "cpu" in claim.devices:
        return "cpu"
    if "cuda" in claim.devices and cuda_available():
        return "cuda"
    raise Unavailable(f"{claim.id} is measured on {', '.join(claim.devices)} only, "
                      f"not available here")


def prepare(claim: Claim, variant: str, size: int, data: Any = None,
            workdir: Path | None = None) -> PreparedCase:
    if claim.missing():
        raise Unavailable(f"{claim.id} needs {', '.join(claim.missing())}, not installed here")
    device = runner_device(claim)
    measuring_setup()   # before setup: a workload built with other threads times otherwise
    case = claim.case(variant, size, device=device, data=data, workdir=workdir)
    return PreparedCase(claim, variant, size, claim.setup(case), case.workdir, device)


def iter_cases(claims: list[Claim] | None = None) -> Iterator[tuple[Claim, str, int]]:
    for claim in runner_claims() if claims is None else claims:
        for size in runner_sizes(claim):
            for variant in claim.variant_names:
                yield claim, variant, size


def timed_metric(claim: Claim) -> Metric | None:
    """The region a timing runner times: the claimed metric when it is a
    time, else the claim's first timed hidden cost (a counter claim's
    counted region is counted once per case and read after: timing it read
    0.5 µs for a 175 ms collate); None when the claim times nothing."""
    return next((m for m in (claim.primary, *claim.secondary) if m.kind == "time"), None)


def counters(claim: Claim) -> list[Metric]:
    """The exact counters of a claim, primary first."""
    metrics = [claim.primary, *claim.secondary]
    return [m for m in metrics if m.kind == "counter"]


def variant_files(claims: list[Claim] | None = None) -> set[Path]:
    """The source files that hold the built-in claims' variants: the code
    being measured, as opposed to the harness that measures it."""
    files = set()
    for claim in claims or builtin_claims():
        for implementation in claim.variants.values():
            try:
                files.add(Path(inspect.getsourcefile(implementation)).resolve())
            except TypeError:  # a builtin or an instance: no file of its own
                continue
    return files


# Files that cannot change what a runner measures: the CLI, the report, the
# terminal's output and asv's commit driver.
_NOT_MEASURING = ("cli.py", "__main__.py", "terminal.py", "report/", "runners/asv_commits.py")


def _code_only(path: Path) -> bytes:
    """A source file's code without its docstrings and comments (ast drops
    comments), so rewording one keeps asv's history."""
    import ast

    tree = ast.parse(path.read_bytes(), filename=str(path))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree).encode()


def source_version(claim: Claim) -> str:
    """asv's version of a claim's suite: changes when what is measured and
    how changes, not when the code under test does.

    It hashes the claim's id and revision and the code (docstrings and
    comments dropped) of every optbench source file except those holding
    variants (baseline.py, optimized.py, best.py and their kin, of every
    claim) and those that measure nothing (_NOT_MEASURING): the harness, the
    claims' definitions, the workloads and the runners. A commit that only
    changes a variant keeps the version, so asv shows it as a step on the
    same graph instead of starting a new history (asv discards results of
    other versions, and its comparison of two commits skips them, marked x).
    A user's claims module (OPTBENCH_CLAIMS) is not hashed: it holds the
    variants too, so only its claims' revision starts a new history.
    """
    digest = hashlib.sha256(f"{claim.id}:{claim.revision}".encode())
    package = Path(__file__).resolve().parent.parent
    measured = variant_files()
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if path.resolve() in measured or name.startswith(_NOT_MEASURING):
            continue
        digest.update(name.encode())
        digest.update(_code_only(path))
    return digest.hexdigest()[:16]
