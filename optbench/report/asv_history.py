"""asv's history of the claims' suites, read offline for the report.

An asv results folder (default `.asv/results`) holds `benchmarks.json` (each
benchmark's unit, parameter names and current version, written by the last
`asv run`) and one folder per machine: `machine.json` and one
`<commit[:8]>-<environment>.json` per commit and environment. Each file is
read with asv's own reader (`asv.results.Results.load`), without git and
without running anything; a file it cannot read, or a machine folder whose
machine.json is unreadable, is skipped and named in `History.warnings`.

Series. One per claim, benchmark (time_primary, track_peak_bytes,
track_<counter>), variant, size, machine and environment, its points in
commit order. Offline there is no git graph, so commits are ordered by the
commit date asv stored with each file, then by when they were run. As
`asv publish` does, only results of a benchmark's current version count
(benchmarks.json's, else the one its newest commit ran): another version
measured something else.

Claim ids. asv stores a benchmark as "<module>.<class name>.<method>" and
keeps none of the class's attributes, so the class name, which
`asv_suite.suite_name` makes of the claim id ('.' -> '_'), is matched
against the known claim ids (the built-in ones and OPTBENCH_CLAIMS's, or
those given): exact, and robust to a renamed benchmarks module. A name two
known ids share is left out with a warning; a name no known id makes is
listed in `History.unmapped`.

Steps. Change points come from `asv.step_detect.detect_steps`, the
piecewise-constant (Potts, L1) fit asv draws on its graphs and feeds to its
regressions page, with asv's own per-point weights (`asv._stats.get_weight`,
from each result's 99% interval, as `asv publish` passes them). Not
`detect_regressions`: it reports only upward steps still present at the end
of a series (what is still regressed now), so it drops an improvement, the
step an optimizing commit makes and a claim's history must show, and a
regression fixed later. Each boundary of the fit is a step when its jump
passes the margin detect_regressions demands of one: more than both
segments' error estimates and than 5% of the level before (asv's default
`regressions_thresholds`; `load(threshold=...)` changes it). A step's
values are the two fitted levels (an L1 fit: medians), not single points.
With few commits or one sample per point (`asv run --quick`) the fit may
give each point a level of its own, and then only that margin tells a step
from noise: asv's own graphs and regressions page read such data the same.
"""
from __future__ import annotations

import ast
import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from optbench.core import text, units
from optbench.core.registry import ClaimsError, builtin_claims
from optbench.runners.asv_suite import PARAM_NAMES, PEAK_BYTES, THREADS, suite_name
from optbench.runners.cases import env_claims

from . import plots

DEFAULT_RESULTS_DIR = Path(".asv/results")
# asv's default `regressions_thresholds`: smaller jumps are not steps.
STEP_THRESHOLD = 0.05
# A timing whose levels hold a point of one sample (asv --quick: no interval,
# no weight) is a step only when it moves by this factor or more: one quick
# sample of the same code moved 2x between two commits that changed only
# tests (39.39 µs -> 78.59 µs, issue 26). Smaller jumps there are "too few
# samples to tell", said beside the plot. Counters and bytes (track_*) are
# exact: their jumps need no samples.
ONE_SAMPLE_STEP_FACTOR = 3.0
# Benchmark names, hence units, when benchmarks.json does not say.
_UNIT_BY_PREFIX = {"time_": "s", "peakmem_": "bytes", PEAK_BYTES: "bytes"}
# asv's unit names -> optbench's (core/units.py).
_ASV_UNITS = {"seconds": "s"}
_HEX = re.compile(r"[0-9a-f]{7,40}")


class HistoryError(Exception):
    """The results folder cannot be read at all; the message names it."""


@dataclass(frozen=True)
class Commit:
    hash: str
    date: datetime | None  # the commit's date, as asv stored it

    @property
    def short(self) -> str:
        return self.hash[:8]


@dataclass(frozen=True)
class Point:
    commit: Commit
    value: float | None  # None: the benchmark failed or was skipped there
    weight: float | None = None  # asv's weight, from the result's 99% interval


@dataclass(frozen=True)
class Step:
    before: Commit  # the last commit of the level before
    after: Commit  # the first commit of the new level
    value_before: float
    value_after: float


@dataclass
class Series:
    claim_id: str
    benchmark: str  # "time_primary", "track_peak_bytes", "track_<counter>"
    unit: str  # optbench's unit name: "s", "bytes", or the counter's
    variant: object
    size: object
    machine: str
    env: str
    points: list[Point] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # Jumps past the threshold not called steps: a level had one-sample points.
    untold: list[Step] = field(default_factory=list)


@dataclass
class History:
    commits: list[Commit]  # every commit with a result, in order
    series: list[Series]
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # asv names of no known claim

    def claim_ids(self) -> list[str]:
        return sorted({s.claim_id for s in self.series})

    def of_claim(self, claim_id: str) -> list[Series]:
        return [s for s in self.series if s.claim_id == claim_id]


@dataclass(frozen=True)
class _Record:
    """One benchmark of one results file."""

    name: str
    machine: str
    env: str
    commit_hash: str
    date: int | None
    started_at: int | None
    version: str | None
    params: dict
    value: float | None
    weight: float | None


def _asv():
    try:
        from asv import _stats, step_detect, util
        from asv.benchmarks import Benchmarks
        from asv.machine import Machine
        from asv.results import Results
    except ImportError as exc:  # asv is a dev extra, not a dependency
        raise HistoryError(f"reading asv results needs asv (pip install asv): {exc}") from None
    return _stats, step_detect, util, Benchmarks, Machine, Results


def known_claim_ids() -> list[str]:
    """The built-in claims' ids and those of OPTBENCH_CLAIMS's module."""
    from_env = env_claims() or []  # first: a bad value fails before torch imports
    return [c.id for c in builtin_claims() + from_env]


def load(results_dir: Path = DEFAULT_RESULTS_DIR, claim_ids: Iterable[str] | None = None,
         threshold: float = STEP_THRESHOLD) -> History:
    """Every result in `results_dir`, as per-claim series with their steps.

    `claim_ids`: the ids to map asv's names to (default: known_claim_ids(),
    which imports every built-in claim: give the report's ids to skip that).
    `threshold`: the smallest relative jump that is a step. Raises
    HistoryError when the folder is missing, asv is not installed or
    OPTBENCH_CLAIMS is bad; a file that cannot be read is a warning.
    """
    _stats, step_detect, util, Benchmarks, Machine, Results = _asv()
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise HistoryError(f"{results_dir}: no such folder (asv writes its results to "
                           f".asv/results)")
    if claim_ids is None:
        try:
            claim_ids = known_claim_ids()
        except ClaimsError as exc:
            raise HistoryError(str(exc)) from None
    warnings: list[str] = []
    declared = _read_benchmarks_json(results_dir, util, Benchmarks, warnings)
    records = list(_read_records(results_dir, util, Machine, Results, _stats, warnings))
    records = _current_versions(records, declared, warnings)

    by_suite: dict[str, list[str]] = {}
    for claim_id in claim_ids:
        ids = by_suite.setdefault(suite_name(claim_id), [])
        if claim_id not in ids:
            ids.append(claim_id)
    commits = _commit_order(records)
    series: dict[tuple, Series] = {}
    unmapped, ambiguous = set(), set()
    for record in records:
        parts = record.name.split(".")
        benchmark = parts[-1]
        if benchmark == THREADS:   # how it was measured, not a figure of a claim's
            continue
        ids = by_suite.get(parts[-2], []) if len(parts) >= 2 else []
        if len(ids) != 1:
            (ambiguous if ids else unmapped).add(record.name)
            continue
        key = (ids[0], benchmark, _hashable(record.params.get("variant")),
               _hashable(record.params.get("size")), record.machine, record.env)
        if key not in series:
            series[key] = Series(ids[0], benchmark, _unit(record.name, declared),
                                 record.params.get("variant"), record.params.get("size"),
                                 record.machine, record.env)
        series[key].points.append(Point(commits[record.commit_hash], record.value,
                                        record.weight))
    for name in sorted(ambiguous):
        warnings.append(f"{name}: its class name is that of claims "
                        f"{', '.join(by_suite[name.split('.')[-2]])}; left out")
    order = {commit_hash: i for i, commit_hash in enumerate(commits)}
    for s in series.values():
        s.points.sort(key=lambda p: order[p.commit.hash])
        s.steps, s.untold = _steps(s.points, step_detect, threshold,
                                   timed=s.benchmark.startswith("time_"))
    return History(list(commits.values()), sorted(series.values(), key=_series_order),
                   warnings, sorted(unmapped))


def _read_benchmarks_json(results_dir: Path, util, Benchmarks, warnings: list[str]) -> dict:
    path = results_dir / "benchmarks.json"
    if not path.is_file():
        return {}
    try:
        data = util.load_json(str(path), api_version=Benchmarks.api_version)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except Exception as exc:  # a foreign or damaged file: say so, read the rest
        warnings.append(f"skipped {path.name}: {exc}")
        return {}
    return {name: b for name, b in data.items() if isinstance(b, dict)}


def _read_records(results_dir: Path, util, Machine, Results, _stats, warnings: list[str]):
    for folder in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.glob("*.json") if p.name != "machine.json")
        if not files:
            continue
        try:
            machine = util.load_json(str(folder / "machine.json"),
                                     api_version=Machine.api_version)["machine"]
            if not isinstance(machine, str):
                raise ValueError("no machine name")
        except Exception as exc:  # asv skips such a folder too
            warnings.append(f"skipped {folder.name}/ ({len(files)} files): "
                            f"unreadable machine.json: {exc}")
            continue
        for path in files:
            try:
                results = Results.load(str(path), machine_name=machine)
                yield from _records_of(results, machine, _stats)
            except Exception as exc:  # a foreign or damaged file: say so, read the rest
                warnings.append(f"skipped {folder.name}/{path.name}: {exc}")


def _records_of(results, machine: str, _stats) -> list[_Record]:
    if not isinstance(results.commit_hash, str) or not results.commit_hash:
        raise ValueError("no commit hash")
    date, records = _number_or_none(results.date), []
    for name in results.get_all_result_keys():
        params = results.get_result_params(name) or []
        values = results.get_result_value(name, params)
        stats = results.get_result_stats(name, params) or [None] * len(values)
        names = PARAM_NAMES if len(params) == len(PARAM_NAMES) else [
            f"param{i}" for i in range(len(params))]
        for combination, value, stat in zip(itertools.product(*params), values, stats):
            records.append(_Record(
                name, machine, str(results.env_name), results.commit_hash, date,
                _number_or_none(results.started_at.get(name)),
                results.benchmark_version.get(name),
                dict(zip(names, (_literal(p) for p in combination))),
                _finite_or_none(value),
                _stats.get_weight(stat)))
    return records


def _current_versions(records: list[_Record], declared: dict,
                      warnings: list[str]) -> list[_Record]:
    """Only results of each benchmark's current version, as asv publish keeps."""
    current = {}
    for record in sorted(records, key=lambda r: (r.date or 0, r.started_at or 0)):
        current[record.name] = declared.get(record.name, {}).get("version", record.version)
    kept = [r for r in records if r.version is None or r.version == current[r.name]]
    if len(kept) < len(records):
        warnings.append(f"{len(records) - len(kept)} results of other benchmark versions "
                        f"left out (asv publish leaves them out too)")
    return kept


def _commit_order(records: list[_Record]) -> dict[str, Commit]:
    first: dict[str, tuple] = {}
    for r in records:
        key = (r.date if r.date is not None else math.inf, r.started_at or 0)
        first[r.commit_hash] = min(first.get(r.commit_hash, key), key)
    ordered = sorted(first, key=lambda h: (first[h], h))
    dates = {r.commit_hash: r.date for r in records}
    return {h: Commit(h, _datetime(dates[h])) for h in ordered}


def _steps(points: list[Point], step_detect, threshold: float,
           timed: bool = True) -> tuple[list[Step], list[Step]]:
    """The steps of a series, and (timed series) the jumps not called steps
    because a level beside them holds one-sample points."""
    y = [p.value for p in points]
    if sum(v is not None for v in y) < 2:
        return [], []
    segments = step_detect.detect_steps(y, [p.weight for p in points])
    steps, untold = [], []
    for (start, right, before, _, err_before), (left, end, after, _, err_after) in zip(
            segments, segments[1:]):
        if abs(after - before) > max(err_before, err_after, threshold * abs(before)):
            # right is exclusive; right - 1 is the level's last measured point.
            step = Step(points[right - 1].commit, points[left].commit, before, after)
            one_sample = timed and any(p.weight is None and p.value is not None
                                       for p in points[start:end])
            factor = max(before, after) / min(before, after) if min(before, after) > 0 \
                else math.inf
            (untold if one_sample and factor < ONE_SAMPLE_STEP_FACTOR else steps).append(step)
    return steps, untold


def _unit(name: str, declared: dict) -> str:
    unit = declared.get(name, {}).get("unit")
    if isinstance(unit, str) and unit:
        return _ASV_UNITS.get(unit, unit)
    method = name.split(".")[-1]
    return next((u for prefix, u in _UNIT_BY_PREFIX.items() if method.startswith(prefix)), "")


def _literal(param: str):
    """asv stores parameter values as their repr: "'baseline'", "1000"."""
    try:
        return ast.literal_eval(param)
    except (ValueError, SyntaxError, TypeError):
        return param


def _hashable(value):
    return value if isinstance(value, (str, int, float, type(None))) else repr(value)


def _number_or_none(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _finite_or_none(value) -> float | None:
    """A measured value; None for asv's missing (None) and skipped (NaN) ones."""
    if value is None:
        return None
    value = float(value)  # anything else is a foreign file
    return value if math.isfinite(value) else None


def _datetime(js_timestamp) -> datetime | None:
    if not isinstance(js_timestamp, (int, float)):
        return None
    return datetime.fromtimestamp(js_timestamp / 1000, tz=timezone.utc)


def _benchmark_rank(benchmark: str) -> tuple:
    return ({"time_primary": 0, PEAK_BYTES: 1}.get(benchmark, 2), benchmark)


def _series_order(s: Series) -> tuple:
    variants = list(plots.VARIANT_STYLE)
    return (s.claim_id, _benchmark_rank(s.benchmark), s.machine, s.env,
            variants.index(s.variant) if s.variant in variants else len(variants),
            str(s.variant), s.size if isinstance(s.size, int) else math.inf, str(s.size))


# --- the report's view -----------------------------------------------------------


def claim_view(history: History, claim_id: str) -> dict | None:
    """What the report shows of one claim's asv history; None when it has none.

    {"claim_id", "plots": [{"benchmark", "machine", "env", "unit", "log_y",
    "uri" (SVG data URI), "commits": [{"hash", "short", "date"}],
    "series": [{"variant", "size", "color", "marker", "linestyle", "points"}]}],
    "too_few" (what was not called a step, or None)},
    "steps": [{"benchmark", "machine", "env", "variant", "size",
    "commit_before", "commit_after", "date_before", "date_after",
    "value_before", "value_after", "before", "after", "change", "worse"}],
    "untold": [the same, for the jumps too few samples could not tell],
    "warnings": [...]}. Every benchmark here is lower-is-better (time,
    bytes, counted events), so a step up is "worse".
    """
    series = history.of_claim(claim_id)
    if not series:
        return None
    groups: dict[tuple, list[Series]] = {}
    for s in series:
        groups.setdefault((s.benchmark, s.machine, s.env), []).append(s)
    order = {c.hash: i for i, c in enumerate(history.commits)}
    plots_out, steps_out, untold_out = [], [], []
    for (benchmark, machine, env), members in groups.items():
        commits = sorted({p.commit for s in members for p in s.points},
                         key=lambda c: order[c.hash])
        styles = _styles(members)
        plots_out.append({
            "benchmark": benchmark, "machine": machine, "env": env,
            "unit": members[0].unit, "log_y": _log_y(members),
            "uri": history_plot(commits, members, styles),
            "commits": [_commit_view(c) for c in commits],
            "series": [{"variant": s.variant, "size": s.size, **style,
                        "points": sum(p.value is not None for p in s.points)}
                       for s, style in zip(members, styles)],
        })
        untold = sum(len(s.untold) for s in members)
        plots_out[-1]["too_few"] = (
            f"{untold} jump{'s' if untold > 1 else ''} of {STEP_THRESHOLD:.0%} to "
            f"{ONE_SAMPLE_STEP_FACTOR:g}x not called a step: commits timed with one sample "
            f"each (asv --quick) are too few to tell a change from noise" if untold else None)
        for s in members:
            steps_out.extend(_step_view(s, step) for step in s.steps)
            untold_out.extend(_step_view(s, step) for step in s.untold)
    return {"claim_id": claim_id, "plots": plots_out, "steps": steps_out,
            "untold": untold_out, "warnings": list(history.warnings)}


def _commit_view(commit: Commit) -> dict:
    return {"hash": commit.hash, "short": commit.short,
            "date": commit.date.date().isoformat() if commit.date else None}


def _step_view(s: Series, step: Step) -> dict:
    return {"benchmark": s.benchmark, "machine": s.machine, "env": s.env,
            "variant": s.variant, "size": s.size,
            "commit_before": step.before.short, "commit_after": step.after.short,
            "date_before": _commit_view(step.before)["date"],
            "date_after": _commit_view(step.after)["date"],
            "value_before": step.value_before, "value_after": step.value_after,
            "before": units.quantity(step.value_before, s.unit),
            "after": units.quantity(step.value_after, s.unit),
            "change": (text.reading(step.value_after / step.value_before)
                       if step.value_before else "from none"),
            "worse": step.value_after > step.value_before}


_LINESTYLES = ("-", "--", ":", "-.")


def _styles(members: list[Series]) -> list[dict]:
    """Colour by variant (the report's colours), marker and line by size."""
    sizes = sorted({_hashable(s.size) for s in members}, key=lambda v: (
        not isinstance(v, int), v if isinstance(v, int) else 0, str(v)))
    styles = []
    for s in members:
        color, _ = plots.VARIANT_STYLE.get(s.variant, ("black", "o"))
        i = sizes.index(_hashable(s.size))
        markers = plots.SERIES_MARKERS
        styles.append({"color": color, "marker": markers[i % len(markers)],
                       "linestyle": _LINESTYLES[i % len(_LINESTYLES)]})
    return styles


def _values(members: list[Series]) -> list[float]:
    return [p.value for s in members for p in s.points if p.value is not None]


def _log_y(members: list[Series]) -> bool:
    """Log scale from a decade up, as plots._ratio_axis decides."""
    values = _values(members)
    return bool(values) and min(values) > 0 and max(values) >= 10 * min(values)


def _safe_label(s: Series) -> str | None:
    """A legend label drawn inside the SVG only from optbench's own words:
    a known variant name and an integer size, nothing a file could inject."""
    if s.variant in plots.VARIANT_STYLE and isinstance(s.size, int) \
            and not isinstance(s.size, bool):
        return f"{s.variant} @ {units.number(s.size)}"
    return None


def history_plot(commits: list[Commit], members: list[Series], styles: list[dict]) -> str:
    """Values (y) against commits in order (x, short hashes), one line per
    variant and size; each step's new level ringed, its place a dashed line.
    The y axis is the report's value axis (plots._ratio_axis: log from a
    decade up), in the unit units.scale picks for the largest value."""
    plt = plots.plt
    x_of = {c.hash: i for i, c in enumerate(commits)}
    unit = members[0].unit
    divisor, shown = units.scale(unit, _values(members))
    fig, ax = plt.subplots(figsize=(6.2, 3.2))
    step_places = set()
    for s, style in zip(members, styles):
        scaled = {p.commit: math.nan if p.value is None else p.value / divisor
                  for p in s.points}
        ax.plot([x_of[c.hash] for c in scaled], list(scaled.values()), color=style["color"],
                marker=style["marker"], linestyle=style["linestyle"], markersize=4,
                linewidth=1.2, clip_on=False, label=_safe_label(s) or "_nolegend_")
        for step in s.steps:
            after = x_of[step.after.hash]
            step_places.add((x_of[step.before.hash] + after) / 2)
            ax.scatter([after], [scaled[step.after]], s=90, facecolors="none",
                       edgecolors=style["color"], linewidths=1.2, zorder=3)
    for place in sorted(step_places):
        ax.axvline(place, color="#b5651d", linewidth=0.8, linestyle="--")
    ax.set_xticks(range(len(commits)))
    every = max(1, math.ceil(len(commits) / 30))  # at most ~30 readable labels
    ax.set_xticklabels([c.short if _HEX.fullmatch(c.short) and i % every == 0 else ""
                        for i, c in enumerate(commits)], rotation=90, fontfamily="monospace")
    ax.set_xlim(-0.5, len(commits) - 0.5)
    ax.set_xlabel("commit (oldest first)")
    if _values(members):
        plots._ratio_axis(ax, [v / divisor for v in _values(members)])
    if unit in ("s", "bytes"):  # optbench's unit names; a counter's unit is the claim's text
        ax.set_ylabel(shown)
    if any(_safe_label(s) for s in members):
        ax.legend(fontsize=8, frameon=False)
    return plots._data_uri(fig)
