"""`optbench profile ID`: a memray capture and flamegraph of each variant."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import memray

from optbench.core.claim import Claim
from optbench.core.results import ResultsError

from .cases import prepare, runner_device


def profile_claim(claim: Claim, size: int, output: Path) -> list[tuple[str, Path]]:
    """Run each variant's primary region once under memray; write flamegraphs."""
    runner_device(claim)   # Unavailable before any folder or workload is made for it
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"-o {output}: cannot create it ({exc.strerror})") from None
    data = claim.workload.make(size)
    made = []
    for variant in claim.variant_names:
        stem = f"{claim.id}-{variant}-{size}"
        capture, html = output / f"{stem}.bin", output / f"{stem}.html"
        capture.unlink(missing_ok=True)
        prepared = prepare(claim, variant, size, data)
        try:
            with memray.Tracker(capture):
                prepared.run()
        finally:
            prepared.close()
        done = subprocess.run([sys.executable, "-m", "memray", "flamegraph", "-f", "-o",
                               str(html), str(capture)], capture_output=True, text=True)
        if done.returncode != 0:
            raise ResultsError(f"memray flamegraph {capture}: {done.stderr.strip()}")
        made.append((variant, html))
    return made
