"""A noise-free witness: instructions per call, counted by valgrind's callgrind.

Time on a shared 2-core machine moves with whatever else runs; the number of
instructions a region executes does not (callgrind gave the same total twice,
once with the other core loaded). So beside each timed ratio optbench can show
the instruction ratio of the same region, the way CodSpeed and
torch.utils.benchmark's collect_callgrind do.

How: one child process per claim runs under
`valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no`, so the
interpreter's start-up and imports run uninstrumented. For each size and
variant the child prepares the case, runs the region once to warm it up,
then switches instrumentation and collection on (a two-function C library
built once with gcc from valgrind's callgrind.h: client requests are inline
assembly, which ctypes cannot issue), runs the region `repeats` times,
switches them off and dumps the counts under a label. Nothing else is
counted. PYTHONHASHSEED is fixed so set and dict layouts repeat.

Instructions are not time: I/O, sleeping, threads, cache misses and memory
bandwidth cost time without instructions. Where the two ratios disagree the
results say so; neither is picked.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TOGGLE_SOURCE = """\
#include <valgrind/callgrind.h>
void optbench_collect_on(void) {
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
}
void optbench_collect_off(const char *label) {
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
}
"""
CALLGRIND_HEADER = Path("/usr/include/valgrind/callgrind.h")
# The same child run twice gives the same totals to ~0.001% (6,896,536 and
# 6,896,557), and with the collector off one counted call agrees with three
# within 0.3%: one counted call after an uninstrumented warm-up is enough.
DEFAULT_REPEATS = 1
# A region runs this many times slower counted, about; used to skip sizes
# whose count would take longer than the witness budget.
CALLGRIND_SLOWDOWN = 100
# Code valgrind runs but does not count (imports, the workload, setup, the
# warm-up call) runs about this many times slower than natively, and the
# child's start (Python, torch and the claims module imported under
# valgrind) takes about this long: the witness budget is estimated from both
# before it starts (engine._affordable). The start is the README's 50 s torch
# import under valgrind plus margin; the x20 is an estimate, not yet measured here.
UNCOUNTED_SLOWDOWN = 20
STARTUP_SECONDS = 60.0   # torch's import alone took 50 s under valgrind (README)
CHILD_TIMEOUT = 1800


class WitnessUnavailable(Exception):
    """callgrind cannot be used here; the message says what is missing."""


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "optbench"


def toggle_library() -> Path:
    """The compiled client-request library, built once per source text."""
    if shutil.which("valgrind") is None:
        raise WitnessUnavailable("valgrind is not installed (Debian: apt-get install valgrind)")
    if not CALLGRIND_HEADER.exists():
        raise WitnessUnavailable(f"{CALLGRIND_HEADER} is missing (valgrind's headers)")
    digest = hashlib.sha256(TOGGLE_SOURCE.encode()).hexdigest()[:12]
    library = _cache_dir() / f"callgrind-toggle-{digest}.so"
    if library.exists():
        return library
    if shutil.which("gcc") is None:
        raise WitnessUnavailable("gcc is not installed (needed once, to build the toggle)")
    library.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=library.parent) as tmp:
        source = Path(tmp) / "toggle.c"
        source.write_text(TOGGLE_SOURCE)
        built = Path(tmp) / "toggle.so"
        done = subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(built), str(source)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise WitnessUnavailable(f"gcc could not build the callgrind toggle: "
                                     f"{done.stderr.strip().splitlines()[-1:]}")
        os.replace(built, library)  # atomic: a concurrent build finds a whole file
    return library


def count(module: str, claim_id: str, metric_name: str, sizes: list[int],
          variants: list[str], repeats: int = DEFAULT_REPEATS, threads: int = 1,
          timeout: float = CHILD_TIMEOUT) -> dict[int, dict[str, float]]:
    """Instructions per call of `metric_name`'s region, {size: {variant: n}}.

    `module` is the claims module that declares the claim (a dotted name or a
    .py path): the child imports only that, not every built-in claim.
    `threads` is the run's torch/OpenMP thread count: idle OpenMP workers
    spin, and callgrind counts the spinning as work (a planted 1/3 read 0.21
    before the child's threads were pinned).
    """
    library = toggle_library()
    spec = {"module": module, "claim": claim_id, "metric": metric_name, "sizes": sizes,
            "variants": variants, "repeats": repeats, "library": str(library),
            "threads": threads}
    with tempfile.TemporaryDirectory(prefix="optbench-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": str(threads)}
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
             f"--callgrind-out-file={out}", sys.executable, "-m", "optbench.core.instructions"],
            input=json.dumps(spec), capture_output=True, text=True, env=env,
            timeout=timeout)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if not line.startswith("==")]
            raise RuntimeError(f"callgrind child for {claim_id} failed: "
                               f"{lines[-1] if lines else done.returncode}")
        counted = _read_dumps(Path(tmp))
    found: dict[int, dict[str, float]] = {}
    for size in sizes:
        for variant in variants:
            label = _label(size, variant)
            if label not in counted:
                raise RuntimeError(f"callgrind child for {claim_id}: no dump for {label}")
            found.setdefault(size, {})[variant] = counted[label] / repeats
    return found


def _label(size: int, variant: str) -> str:
    return f"optbench:{size}:{variant}"


_DESC = re.compile(r"^desc: Trigger: Client Request: (\S+)", re.M)
_TOTALS = re.compile(r"^(?:totals|summary): (\d+)", re.M)


def _read_dumps(folder: Path) -> dict[str, int]:
    """{label: instructions} from every dump file callgrind wrote."""
    counted = {}
    for dump in folder.glob("callgrind.out*"):
        text = dump.read_text(errors="replace")
        label, total = _DESC.search(text), _TOTALS.search(text)
        if label and total:
            counted[label.group(1)] = int(total.group(1))
    return counted


def _child_main() -> None:
    """Runs under callgrind: prepare, warm up, count each region."""
    import ctypes

    from optbench.core.registry import claims_of_module

    spec = json.load(sys.stdin)
    toggle = ctypes.CDLL(spec["library"])
    claim = next(c for c in claims_of_module(spec["module"]) if c.id == spec["claim"])
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(spec["threads"])
    metric = next(m for m in (claim.primary, *claim.secondary) if m.name == spec["metric"])
    for size in spec["sizes"]:
        data = claim.workload.make(size)
        for variant in spec["variants"]:
            case = claim.case(variant, size, data=data)
            try:
                state: Any = claim.setup(case)
                metric.measure(state)
                # As the timed runs are (measure.time_interleaved): the cyclic
                # collector off, so its passes do not land in one call and not
                # another (they moved single-call ratios by 1.5%).
                gc.collect()
                gc.disable()
                toggle.optbench_collect_on()
                for _ in range(spec["repeats"]):
                    metric.measure(state)
                toggle.optbench_collect_off(_label(size, variant).encode())
                gc.enable()
            finally:
                shutil.rmtree(case.workdir, ignore_errors=True)


if __name__ == "__main__":
    _child_main()
