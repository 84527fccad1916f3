"""Reading the files a report is made from, without matplotlib: a wrong
path or a foreign file is answered before the plotting library loads."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from optbench.core import results
from optbench.core.schema import Results


@dataclass
class Source:
    """One results file on the page."""

    number: int
    path: Path
    document: Results

    @property
    def label(self) -> str:
        env = self.document.environment
        commit = (env.get("git_commit") or "no commit")[:10]
        device = env.get("cuda_device") or "CPU"
        return f"#{self.number} {self.path.name} ({device}, {commit})"

    @property
    def short(self) -> str:
        """"#2 731c71549d (full)": a column header."""
        commit = (self.document.environment.get("git_commit") or "no commit")[:10]
        mode = {True: "quick", False: "full"}.get(self.document.quick, "")
        return f"#{self.number} {commit}" + (f" ({mode})" if mode else "")


def load_sources(paths: list[Path]) -> list[Source]:
    sources = []
    for number, path in enumerate(paths, 1):
        try:
            document = results.load(path)
        except results.ResultsError as exc:
            if _looks_like_pytest_benchmark(path):
                raise results.ResultsError(
                    f"{path}: a pytest-benchmark file, not optbench results: "
                    f"pass it with --benchmark-json") from None
            raise exc from None
        sources.append(Source(number, Path(path), document))
    return sources


def _looks_like_pytest_benchmark(path: Path) -> bool:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "benchmarks" in data and "machine_info" in data


def relative_href(target: Path, start: Path) -> str:
    """A link from a page in `start` to `target`."""
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


def load_benchmark_json(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise results.ResultsError(f"--benchmark-json {path}: cannot read it ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise results.ResultsError(f"--benchmark-json {path}: not a pytest-benchmark JSON file")
    return data
