"""The results file: schema, environment, atomic write, load (the gate is core/gate.py).

Schema (version 4; core/schema.py holds the typed objects), one JSON object:
  schema_version  4 (older files still load: version 1 has no revision, no
                  "error" verdict, no libraries in the environment; version
                  2 no system claims, no "design" in run, no ablation;
                  version 3 each variant's summary as a top-level key and
                  the ratios as flat ratio / ci_low / ci_high and best_ratio
                  / best_ci_low / best_ci_high fields)
  tool            {"name": "optbench", "version": ...}
  environment     python, platform, cpu_model, cpu_flags (the ones that
                  matter for ML kernels), cores (logical), usable_cores
                  (affinity), torch, cuda_device (null without CUDA),
                  git_commit (null when unknown), git_dirty (uncommitted changes
                  to tracked files; null when unknown), libraries {name:
                  version or null} (numpy, pandas, pyarrow, scikit-learn, torch,
                  torchvision, opencv-python-headless, pillow, memray, scipy),
                  pandas_string_storage ("python" or "pyarrow": what a str
                  column gets by default), load_average_at_start [1, 5, 15 min],
                  timestamp (UTC ISO 8601; both read as the run starts); with a claims module given as a
                  file: claims_module_git_commit and claims_module_git_dirty
                  (the git state of the project it lives in; null outside git)
  run             {"quick": bool, "claims_module": str|null, "torch_threads": int,
                   "order_seed": int, "instructions": bool (callgrind witness on),
                   "isolated": bool (each claim in its own process),
                   "case_timeout": seconds, "design": "none"|"screen"|"full"
                   (which configurations of a system's switches were
                   measured), "incomplete": true (only when
                   Ctrl-C stopped the run; the entries are those measured)}
  claims          a list with one entry per claim x workload size x device:
    id, revision (the claim's, bumped when its meaning changes; the gate
    refuses to compare two revisions), title, source, component, metric,
    kind, unit, headline (is this the
    claim's headline size), claimed {text, ratio_low, ratio_high, exact (the
    range as fractions, e.g. "0 .. 1/5")}, verdict (confirmed, partial,
    inconclusive, no effect, refuted, not measurable here, error),
    workload {name, size, size_unit, device},
    variants {baseline / optimized / best: {median, samples, n,
        iqr_over_median} for time, {median, samples, n} for memory (bytes)
        and counters},
    contrasts {name: {of, against, ratio, ci_low, ci_high}}: each variant
        against the baseline, named after it (of / against; lower is
        better); the verdict is decided on "optimized", the others ("best")
        are shown beside it and guarded by the gate,
    noise {interval_half_width, wide_interval, noisy_samples, floor (the
        noise floor the verdict used: 0.01 for time, 0 otherwise)},
    sampling (timed metrics) {rounds, stop ("settled", "precise", "budget",
        "max rounds"), seconds, inner_loops {variant: calls per run},
        order_seed, empty_call_seconds (an empty call timed in the same
        rounds: the yardstick of core/sanity.py)},
    instructions (timed CPU primaries with the callgrind witness on)
        {tool, per_call {variant: instructions}, repeats, ratio (the
        verdict contrast's), ratios {contrast: ratio}, agrees_with_time,
        note (when they disagree)} or {unavailable: why},
    equivalent (true, false, or the declared behaviour change as text),
    equivalence {description, per_variant {variant: true|false|text}},
    secondary {metric: {kind, unit, description, values {variant: figure},
               ratio, ci_low, ci_high, sampling (timed ones)}},
    reason (set when verdict is "not measurable here" or "error": why; for an
        error, the claim, size, step and the user's file:line),
    ablation (system claims only; core/ablation.py) {design {kind,
        description, switches, cells, aliases}, cells {name: {on, median,
        rounds, equivalent, error}}, total {factor, ci_low, ci_high, log}
        (geometric mean of the per-round optimized/baseline ratios),
        switches [{name, description, commit, main, shapley (with share),
        add_one_in, leave_one_out: {factor, ci_low, ci_high, log,
        significant}, changes_output}], interactions [{switches, factor,
        ci_low, ci_high, significant, effect, text}], variation {shares,
        residual}, cannot [what the measured cells could not give], isolation},
    warnings (present when a timing looks like it measured nothing: a call
        as cheap as an empty one, a time that does not grow with a 10x
        larger workload; see core/sanity.py)
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import Any


from .schema import READS, SCHEMA_VERSION, Results

_INTERESTING_FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "f16c")


class ResultsError(Exception):
    """A results file that cannot be read or written; the message names it."""


def cpu_info() -> tuple[str, list[str]]:
    model, flags = platform.processor() or platform.machine(), []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model in ("", platform.machine(), platform.processor()):
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                present = set(value.split())
                flags = [f for f in _INTERESTING_FLAGS if f in present]
    except OSError:
        pass
    return model, flags


def git_commit(where: Path | None = None) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where or Path.cwd(),
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


# Libraries whose version can decide a verdict (a pandas string backend, a
# torch kernel); the gate warns when one differs between two runs.
LIBRARIES = ("numpy", "pandas", "pyarrow", "scikit-learn", "torch", "torchvision",
             "opencv-python-headless", "pillow", "memray", "scipy")


def library_versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _pandas_string_storage() -> str | None:
    """The storage pandas gives a str column by default (python or pyarrow)."""
    try:
        import pandas as pd

        return getattr(pd.Series(["a"]).dtype, "storage", "object")
    except Exception:  # pandas absent or too old to say: not a reason to fail a run
        return None


def git_state(where: Path | None = None) -> dict[str, Any]:
    """The commit and whether the work tree had changes beside it."""
    commit = git_commit(where)
    if commit is None:
        return {"commit": None, "dirty": None}
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                             cwd=where or Path.cwd(), capture_output=True, text=True, timeout=5)
        dirty = bool(out.stdout.strip()) if out.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        dirty = None
    return {"commit": commit, "dirty": dirty}


def usable_cores() -> int | None:
    """The cores this process may run on (its affinity), else all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def cuda_device() -> str | None:
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def environment(claims_module: str | None = None) -> dict[str, Any]:
    """The machine and software a run measured on. For a user's claims
    module given as a file, also the git state of the project it lives in."""
    import torch

    model, flags = cpu_info()
    usable, cuda = usable_cores(), cuda_device()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": model,
        "cpu_flags": flags,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "torch": torch.__version__,
        "cuda_device": cuda,
        "git_commit": git_commit(),
        "git_dirty": git_state()["dirty"],
        "libraries": library_versions(),
        "pandas_string_storage": _pandas_string_storage(),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        **_claims_module_git(claims_module),
    }


def _claims_module_git(claims_module: str | None) -> dict[str, Any]:
    if not claims_module or not Path(claims_module).is_file():
        return {}
    state = git_state(Path(claims_module).resolve().parent)
    return {"claims_module_git_commit": state["commit"], "claims_module_git_dirty": state["dirty"]}


def file_in_the_way(path: Path) -> Path | None:
    """A file where `path` needs a folder (mkdir would say only "File exists");
    None when there is none or a parent cannot be looked at (the write then
    says why)."""
    try:
        return next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)
    except OSError:
        return None


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename over `path`."""
    path = Path(path)
    blocking = file_in_the_way(path)
    if blocking is not None:
        raise ResultsError(f"cannot write {path}: {blocking} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ResultsError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        # mkstemp makes the file private; give it the permissions open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ResultsError(f"cannot write {path}: {exc.strerror or exc}") from None


def save(results: Results | dict, path: Path) -> None:
    """Write a results file (or another optbench document, such as the
    selftest's, given as a plain dict) atomically."""
    data = results.to_json() if isinstance(results, Results) else results
    write_atomic(path, json.dumps(data, indent=2, sort_keys=False, allow_nan=True) + "\n")


def load(path: Path) -> Results:
    """Read and check a results file of any version this optbench reads;
    every failure names the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ResultsError(f"{path}: not an optbench results file (no schema_version)")
    if data["schema_version"] not in READS:
        raise ResultsError(f"{path}: schema_version {data['schema_version']!r} is not one "
                           f"this optbench reads ({', '.join(map(str, READS))})")
    claims = data.get("claims")
    if not isinstance(claims, list) or not all(
            isinstance(c, dict) and {"id", "verdict", "workload"} <= c.keys() for c in claims):
        raise ResultsError(f"{path}: 'claims' is not a list of claim entries")
    try:
        return Results.from_json(data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ResultsError(f"{path}: a claim entry does not fit the schema: {exc}") from None
