"""optbench's command line: list, verify, profile, audit.

Every error a user can cause (an unknown id, a claims module that does not
import, a corrupt results file, an unwritable path) ends in one line naming
the input and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# Nothing here imports torch, numpy or the claims: `list`, `--help`, `report`
# and a mistyped id answer in well under a second (the engine imports them).
from optbench import terminal
from optbench.core import gate, registry, results, verdict
from optbench.core.errors import ClusterError, MeasurementError
from optbench.core.schema import Entry
from optbench.core.text import interval
from optbench.core.verdict import INCONCLUSIVE, SYMBOL

EXIT_REGRESSION = 1
EXIT_USAGE = 2
EXIT_ERRORS = 3          # some claims' code failed; their entries say why
EXIT_INTERRUPTED = 130   # Ctrl-C: what was measured is written, marked incomplete
DEFAULT_RESULTS = Path("reports/results.json")
DEFAULT_PROFILES = Path("reports/profiles")

# Piped output (CI logs): lines are cut at 100 columns by the table itself.
console = Console() if sys.stdout.isatty() else Console(width=terminal.PIPED_WIDTH)
# soft_wrap: an error is one line, however long, never wrapped at 80 columns.
errors = Console(stderr=True, soft_wrap=True)


def _say(line: str) -> None:
    """A line on stderr: as it is on a terminal (it wraps there), wrapped at
    the piped width otherwise (a CI log keeps to the table's 100 columns)."""
    errors.print(line if errors.is_terminal else terminal.wrapped(line), markup=False,
                 highlight=False)


def _reader_stopped_reading() -> None:
    """`optbench list | head`: the reader has what it wanted. Rich's default
    exits 1 here; instead the rest of stdout goes nowhere and the command
    finishes as it would (results written, the gate judged, its exit code)."""
    console.quiet = True
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


console.on_broken_pipe = _reader_stopped_reading


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optbench", description="Measure performance claims: verdicts with intervals.")
    parser.add_argument("--version", action="version", version=f"optbench {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_list = sub.add_parser("list", help="every claim with its source and component")
    p_list.add_argument("--claims", metavar="MODULE", help="a claims module (name or .py path)")

    p_verify = sub.add_parser("verify", help="measure claims and print verdicts")
    p_verify.add_argument("ids", nargs="*", metavar="ID", help="claim ids (default: all)")
    p_verify.add_argument("--quick", action="store_true",
                          help="small sizes and fewer rounds (about 12-15 minutes for "
                               "the built-in claims on 2 cores)")
    p_verify.add_argument("--json", type=Path, default=DEFAULT_RESULTS, metavar="PATH",
                          help=f"results file to write (default {DEFAULT_RESULTS})")
    p_verify.add_argument("--claims", metavar="MODULE", help="a claims module (name or .py path)")
    p_verify.add_argument("--gate", type=Path, metavar="PREVIOUS.json",
                          help="exit 1 if anything got worse than in PREVIOUS: a verdict, a "
                               "counter or value of any variant, an equivalence, memory, a "
                               "timed ratio (confirmed by a re-measure), a missing entry")
    p_verify.add_argument("--gate-allow", type=_gate_allow, default=(), metavar="WHAT[,WHAT]",
                          help="differences the gate may accept between the runs: "
                               + ", ".join(f"{k} ({v})" for k, v in gate.ALLOWABLE.items()))
    p_verify.add_argument("--case-timeout", type=_positive("--case-timeout"), default=900,
                          metavar="SECONDS",
                          help="kill a case (one claim at one size) with no result after this "
                               "long; it becomes an 'error' entry and the run goes on "
                               "(default 900)")
    p_verify.add_argument("--executor", choices=("local", "ray"), default="local",
                          help="where the cases run: local (this machine, one claim at a "
                               "time; the default) or ray (each case a task on a Ray cluster "
                               "holding a whole node, a GPU too for a CUDA case; README, "
                               "'On a cluster')")
    p_verify.add_argument("--address", metavar="HOST:PORT",
                          help="with --executor ray: the cluster's head node (default: what "
                               "Ray finds, RAY_ADDRESS or a cluster started on this machine, "
                               "else a new one here for the run)")
    p_verify.add_argument("--wide", action="store_true",
                          help="print the verdict table uncut, with every hidden cost, the "
                               "instruction witness and the sampling (default: cut to the "
                               "terminal, 100 columns when piped)")
    p_verify.add_argument("--markdown", action="store_true",
                          help="print the verdicts as GitHub-flavoured markdown for a PR "
                               "comment (a summary table, details collapsed) instead of the "
                               "table; everything else goes to stderr")
    p_verify.add_argument("--report", action="store_true",
                          help="also write the HTML report (index.html beside the results file)")
    _add_measuring_options(p_verify)

    p_report = sub.add_parser("report", help="the before/after HTML report of results files")
    p_report.add_argument("results", nargs="+", type=Path, metavar="RESULTS.json",
                          help="one or more results files (e.g. a CPU and a GPU run, or two commits)")
    p_report.add_argument("--markdown", action="store_true",
                          help="print the last file's verdicts as markdown for a PR comment "
                               "(with two or more files, the first's beside them) instead "
                               "of writing the HTML")
    p_report.add_argument("-o", "--output", type=Path, default=Path("reports"), metavar="DIR",
                          help="folder for index.html (default reports/)")
    p_report.add_argument("--benchmark-json", type=Path, metavar="FILE",
                          help="a pytest-benchmark JSON file to import beside the verdicts")
    p_report.add_argument("--asv-html", type=Path, metavar="INDEX.html",
                          help="asv publish output to link (default .asv/html/index.html if present)")
    p_report.add_argument("--asv-results", type=Path, metavar="DIR",
                          help="asv results folder whose history each claim's section draws, "
                               "with the commits where it stepped (default .asv/results if "
                               "present)")
    p_report.add_argument("--profiles", type=Path, metavar="DIR",
                          help="where `optbench profile` wrote flamegraphs (default "
                               "reports/profiles, linked when present)")

    p_self = sub.add_parser(
        "selftest", help="measure planted claims whose true ratio is known; grade the verdicts")
    p_self.add_argument("ids", nargs="*", metavar="ID",
                        help="planted claim ids (default: all; `optbench list --claims "
                             "optbench.calibration.planted` shows them)")
    p_self.add_argument("--quick", action="store_true", help="quick mode's sampling")
    p_self.add_argument("--repeat", type=_positive("--repeat"), default=1, metavar="N",
                        help="run the planted suite N times (coverage needs many runs)")
    p_self.add_argument("--json", type=Path, default=Path("reports/selftest.json"),
                        metavar="PATH", help="selftest results (default reports/selftest.json)")
    _add_measuring_options(p_self)

    p_asv = sub.add_parser(
        "asv", help="asv across commits from git worktrees in this environment (no builds); "
                    "with two or more, asv's comparison of the first and last sets the exit status")
    p_asv.add_argument("commits", nargs="+", metavar="COMMIT",
                       help="commits in order, oldest first (hashes, branches, HEAD~1)")
    p_asv.add_argument("-b", "--bench", metavar="REGEX",
                       help="only benchmarks whose name matches (asv run -b)")
    p_asv.add_argument("--quick", action="store_true",
                       help="asv's --quick: one call per benchmark, a smoke test, not a reading")
    p_asv.add_argument("--secondary", action="store_true",
                       help="the hidden costs too (each other counter, time and peak bytes; "
                            "OPTBENCH_ASV_SECONDARY=1)")
    p_asv.add_argument("--full-sizes", action="store_true",
                       help="every workload size and full mode's sampling (OPTBENCH_FULL=1)")
    p_asv.add_argument("--passes", type=int, default=2, metavar="N",
                       help="mirrored passes over the commits (A B, B A, ...), each with its "
                            "share of the samples, so the machine's drift falls on every "
                            "commit alike (default 2)")
    p_asv.add_argument("--factor", type=float, default=1.1, metavar="F",
                       help="a benchmark worse by more than F (and beyond asv's statistics) "
                            "fails the comparison (default 1.1, as asv's)")

    p_audit = sub.add_parser(
        "audit", help="every quantitative performance claim in a PR description or report, "
                      "read as ratios optimized / baseline")
    p_audit.add_argument("files", nargs="+", type=Path, metavar="FILE",
                         help="markdown (.md) or plain-text files")
    p_audit.add_argument("--results", type=Path, nargs="+", action="extend",
                         metavar="RESULTS.json", default=[],
                         help="verify's results: beside each figure, what the claim that "
                              "measures it measured (ratio, interval, verdict); a later file "
                              "speaks for a claim an earlier one also has")
    p_audit.add_argument("--claims", metavar="MODULE",
                         help="the claims to map figures onto (default: the built-in ones)")
    p_audit.add_argument("--source", metavar="NAME",
                         help="the name the claims' source gives these files (default: what "
                              "a docs/sources page declares, else the file's name)")
    p_audit.add_argument("--under", metavar="HEADING",
                         help="only figures under a heading whose words hold HEADING (a page "
                              "that quotes a report in one section, e.g. 'Claimed figures')")
    p_audit.add_argument("--json", type=Path, metavar="OUT", help="write the claims as JSON")
    p_audit.add_argument("--markdown", action="store_true",
                         help="print GitHub-flavoured markdown for a PR comment")

    p_profile = sub.add_parser("profile", help="memray flamegraph of each variant")
    p_profile.add_argument("id", metavar="ID")
    p_profile.add_argument("--size", type=_positive("--size"),
                           help="workload size (default: the headline size)")
    p_profile.add_argument("--claims", metavar="MODULE")
    p_profile.add_argument("-o", "--output", type=Path, default=DEFAULT_PROFILES,
                           metavar="DIR")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("optbench")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _positive(option: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{option} {text}: must be a whole number >= 1")
        return value

    return parse


def _gate_allow(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in gate.ALLOWABLE]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"--gate-allow {text}: unknown {', '.join(unknown) or 'nothing'}; "
            f"choose from {', '.join(gate.ALLOWABLE)}")
    return names


def _add_measuring_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_positive("--threads"), default=None, metavar="N",
                        help="torch intra-op threads while measuring (default 1: with a "
                             "busy neighbour, 2 threads made timings 100x noisier here)")
    parser.add_argument("--design", choices=("none", "screen", "full"), default=None,
                        help="which configurations of a system's switches to measure: none "
                             "(baseline and optimized), screen (each switch alone and left "
                             "out: 2k+2 cells) or full (every one of 2^k; a 16-cell "
                             "resolution IV fraction above 5 switches). Default: screen "
                             "with --quick, full otherwise")
    parser.add_argument("--instructions", action=argparse.BooleanOptionalAction, default=None,
                        help="count instructions of timed regions under callgrind, a "
                             "noise-free witness (default: on in full mode, off with --quick)")


def _run_options(args) -> "engine.RunOptions":
    from optbench.core import engine

    return engine.RunOptions(
        quick=args.quick, instructions=args.instructions, design=args.design,
        case_timeout=float(getattr(args, "case_timeout", 900)),
        executor=getattr(args, "executor", "local"), address=getattr(args, "address", None),
        threads=engine.DEFAULT_THREADS if args.threads is None else args.threads)


def _fmt_claimed(claimed: dict) -> str:
    return f"{claimed['text']} (≤ {claimed['ratio_high']:.3g})"


def _print_verdicts(entries, wide: bool) -> None:
    width = console.width if console.is_terminal else terminal.PIPED_WIDTH
    for line in terminal.verdict_lines(entries, width, wide):
        console.print(line, soft_wrap=True)


def _cmd_list(args) -> int:
    width = console.width if console.is_terminal else terminal.PIPED_WIDTH
    for line in terminal.claim_lines(registry.catalogue(args.claims), width):
        console.print(line, soft_wrap=True)
    return 0


def _entry_note(entry: Entry, quick: bool) -> str | None:
    """Why an entry could not settle, and what would help; None when it did."""
    sampling = entry.sampling or {}
    stopped = (f"sampling stopped ({sampling['stop']}) after {sampling['rounds']} rounds, "
               f"{sampling['seconds']:.1f} s") if sampling else ""
    if entry.verdict == INCONCLUSIVE:
        if not sampling:
            advice = "the readings differ between repeats"
        elif quick:
            advice = f"{stopped}; the full mode has a 5x larger budget"
        else:
            advice = f"{stopped}; rerun on a quieter machine"
        return (f"inconclusive: {interval(entry)} straddles the claimed "
                f"{entry.claimed['ratio_high']:.3g}; {advice}")
    from optbench.core.measure import SETTLED

    if sampling.get("stop") == SETTLED:
        return None  # wide, but already clear of the claim and of 1: the verdict stands
    if (entry.noise or {}).get("wide_interval"):
        why = f"{stopped}; " if stopped else ""
        advice = "rerun or use the full mode" if quick else "rerun on a quieter machine"
        return (f"interval ±{entry.noise['interval_half_width']:.1%} is wider than 5% "
                f"({why}noisy machine: {advice})")
    return None


def _check_writable(path: Path, option: str) -> None:
    """Fail before minutes of measuring, not after."""
    blocking = results.file_in_the_way(path)
    if blocking is not None:
        raise UsageError(f"{option} {path}: cannot write there ({blocking} is a file, not a "
                         f"folder)")
    try:
        if path.is_dir():
            raise IsADirectoryError("is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".optbench-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None


@contextlib.contextmanager
def _progress(cases: int):
    """Yields the engine's on_case and on_done: a progress bar on a terminal;
    one line per finished case on stderr when it is piped (a CI log that shows
    nothing for minutes looks hung)."""
    if not errors.is_terminal:
        started = time.monotonic()
        # When each case started, by case: on a cluster several run at once.
        state = {"done": 0, "case_started": {}}

        def on_case_piped(claim, size, device):
            state["case_started"][(claim.id, size, device)] = time.monotonic()
            return lambda what: None

        def on_done_piped(entry):
            state["done"] += 1
            now = time.monotonic()
            began = state["case_started"].pop((entry.id, entry.size, entry.device), now)
            _say(terminal.progress_line(state["done"], cases, entry, now - began, now - started))

        yield on_case_piped, on_done_piped
        return
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=errors, transient=True) as bar:
        task = bar.add_task("measuring", total=cases)

        def on_case(claim, size, device):
            bar.update(task, description=f"{claim.id} @ {size:,} {device}")

            def step(what: str) -> None:
                bar.update(task, description=f"{claim.id} @ {size:,} {device}: {what}")
            return step

        yield on_case, lambda _: bar.advance(task)


def _cmd_verify(args) -> int:
    registry.check_ids(args.ids, args.claims)
    if args.address and args.executor != "ray":
        raise UsageError(f"--address {args.address}: only with --executor ray")
    previous = results.load(args.gate) if args.gate else None
    _check_writable(args.json, "--json")
    from optbench.core import engine  # torch and the claims: only once the input is sound

    selected = registry.select(registry.claims(args.claims), args.ids)
    options = _run_options(args)
    if previous is not None:  # refuse before measuring, not after
        try:
            gate.check_comparable(previous, engine.planned(selected, options), args.gate_allow)
        except gate.NotComparable as exc:
            raise UsageError(f"gate: {args.gate} and this run are not comparable: {exc}") \
                from None
    cases = sum(len(c.sizes(args.quick)) * len(c.devices) for c in selected)
    try:
        with _progress(cases) as (on_case, on_done):
            document = engine.run(selected, options, args.claims, on_case=on_case,
                                  on_done=on_done)
    except engine.RunInterrupted as stop:
        results.save(stop.document, args.json)
        errors.print(f"optbench: interrupted: {len(stop.document.claims)} entries measured "
                     f"so far written to {args.json} (marked incomplete)",
                     markup=False, highlight=False)
        return EXIT_INTERRUPTED
    # Written before anything is printed: a reader that stops reading
    # (`optbench verify | head`) must not cost the measurements.
    results.save(document, args.json)
    # With --markdown, stdout is the comment alone: `verify --markdown > comment.md`.
    say = _say if args.markdown else (lambda line: console.print(line))
    if args.markdown:
        from optbench.report import comment

        _print_markdown(comment.markdown(document))
    else:
        _print_verdicts(document.claims, args.wide)
    for entry in document.claims:
        for warning in entry.warnings:
            _say(f"warning: {entry.id} @ {entry.size:,}: {warning}")
        note = _entry_note(entry, args.quick)
        if note:
            _say(f"note: {entry.id} @ {entry.size:,}: {note}")
    say(f"results written to {args.json}")
    if args.report:
        from optbench.report import write_report

        page = write_report([args.json], args.json.parent, args.json.parent / "profiles")
        say(f"report written to {page}")
    failed = [e for e in document.claims if e.verdict == verdict.ERROR]
    for entry in failed:
        errors.print(f"error: {entry.reason}", markup=False, highlight=False)
    status = 0
    if previous is not None:
        status = _gate(previous, document, args, selected, options)
    if failed and status == 0:
        errors.print(f"optbench: {len(failed)} of {len(document.claims)} entries could not "
                     f"be measured (verdict error); every other entry is in {args.json}",
                     markup=False, highlight=False)
        return EXIT_ERRORS
    return status


def _gate(previous, document, args, selected, options) -> int:
    from optbench.core import engine

    by_id = {c.id: c for c in selected}

    def remeasure(entry: Entry) -> Entry:
        errors.print(f"gate: re-measuring {entry.key} to see whether it reproduces",
                     markup=False, highlight=False)
        # In a process of its own, as the run measured it: a shift that only
        # one process's memory layout shows must not reproduce by staying put.
        return engine.remeasure(by_id[entry.id], entry.size, entry.device, options, args.claims)

    try:
        outcome = gate.judge(previous, document, remeasure, args.gate_allow)
    except engine.RunInterrupted:
        errors.print(f"optbench: interrupted during the gate's re-measure; the results of "
                     f"this run are in {args.json}", markup=False, highlight=False)
        return EXIT_INTERRUPTED
    except gate.NotComparable as exc:
        errors.print(f"gate: {args.gate} and this run are not comparable: {exc}",
                     markup=False, highlight=False)
        return EXIT_USAGE
    for line in outcome.warnings:
        errors.print(f"gate warning: {line}", markup=False, highlight=False)
    for line in outcome.within_noise:
        errors.print(f"gate: within noise: {line}", markup=False, highlight=False)
    for line in outcome.not_compared:
        errors.print(f"gate: not compared: {line}", markup=False, highlight=False)
    for r in outcome.regressions:
        errors.print(f"REGRESSION {r.key}: {r.what}", markup=False, highlight=False)
    if not outcome.passed:
        return EXIT_REGRESSION
    console.print(f"gate: nothing got worse than in {args.gate}")
    return 0


def selftest_table(document: dict) -> Table:
    table = Table(title="optbench selftest: planted claims, true ratio known in advance")
    table.add_column("planted claim", no_wrap=True)
    for column in ("true ratio", "claimed", "expected", "verdicts", "covered", "median ratio",
                   "± (median)", "rounds", "instructions"):
        table.add_column(column, overflow="fold")
    for row in document["per_claim"]:
        verdicts = ", ".join(f"{SYMBOL.get(v, '·')} {v} {n}" for v, n in row["verdicts"].items())
        covered = f"{row['covered']}/{row['intervals']}" if row["intervals"] else "-"
        width = row["median_half_width"]
        table.add_row(row["id"], f"{row['true_ratio']:.4g}", _fmt_claimed(row["claimed"]),
                      row["expected"], verdicts, covered, f"{row['median_ratio']:.4g}",
                      "-" if width is None else f"{width:.1%}",
                      "-" if row["median_rounds"] is None else f"{row['median_rounds']:g}",
                      "-" if row["instruction_ratio"] is None
                      else f"{row['instruction_ratio']:.4g}")
    return table


def switch_table(document: dict) -> Table:
    table = Table(title="planted systems: each switch's true Shapley share against the measured")
    table.add_column("planted system", no_wrap=True)
    for column in ("switch", "true factor", "measured factor", "true share", "measured share",
                   "covered", "output named right"):
        table.add_column(column, overflow="fold")

    def share(x):
        return "-" if x is None else f"{x:.1%}"

    for row in document["per_switch"]:
        table.add_row(row["system"], row["switch"], f"{row['true_factor']:.4g}",
                      "-" if row["median_factor"] is None else f"{row['median_factor']:.4g}",
                      share(row["true_share"]), share(row["median_share"]),
                      f"{row['covered']}/{row['intervals']}" if row["intervals"] else "-",
                      f"{row['output_named_right']}/{row['runs']}")
    return table


def _cmd_selftest(args) -> int:
    from optbench.calibration import selftest

    known = {c.id for c in selftest.CLAIMS}
    unknown = [i for i in args.ids if i not in known]
    if unknown:
        raise UsageError(f"unknown planted claim {', '.join(unknown)}; known: "
                         f"{', '.join(sorted(known))}")
    _check_writable(args.json, "--json")
    options = _run_options(args)
    count = len(set(args.ids) or known) * args.repeat
    with _progress(count) as (on_case, on_done):
        document = selftest.run(options, args.repeat, args.ids, on_case=on_case, on_done=on_done)
    console.print(selftest_table(document))
    if document["per_switch"]:
        console.print(switch_table(document))
    s = document["summary"]

    def rate(key: str) -> str:
        r = s[key]
        return "n/a" if r["rate"] is None else f"{r['count']}/{r['of']} ({r['rate']:.1%})"

    for label, key in (("interval coverage of the true ratio", "coverage"),
                       ("A/A false calls", "aa_false_calls"), ("false calls", "false_calls"),
                       ("inconclusive (no call)", "no_calls"), ("right", "right"),
                       ("Shapley interval coverage of the true factor", "shapley_coverage")):
        console.print(f"{label}: {rate(key)}", highlight=False)
    results.save(document, args.json)
    console.print(f"selftest results written to {args.json}")
    return 0


def _print_markdown(text: str) -> None:
    console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True, end="")


def _cmd_report(args) -> int:
    from optbench.report import write_report

    if args.markdown:
        from optbench.report import comment

        documents = [results.load(path) for path in args.results]
        _print_markdown(comment.markdown(documents[-1], documents[0] if len(documents) > 1
                                         else None))
        return 0

    _check_writable(args.output / "index.html", "-o")
    profiles = args.profiles
    if profiles is None:
        profiles = DEFAULT_PROFILES
    elif not profiles.is_dir():   # asked for by name: a typo must not drop the flamegraphs
        raise UsageError(f"--profiles {profiles}: no such folder")
    page = write_report(args.results, args.output, profiles, args.benchmark_json,
                        args.asv_html, args.asv_results)
    console.print(f"report written to {page}")
    return 0


def _cmd_profile(args) -> int:
    from optbench.runners.cases import Unavailable
    from optbench.runners.memray_profile import profile_claim

    registry.check_ids([args.id], args.claims)
    made = not args.output.exists()
    _check_writable(args.output / f"{args.id}.html", "-o")   # before torch's import (7 s)
    if made:   # the probe made it; profile_claim makes it when it writes
        shutil.rmtree(args.output, ignore_errors=True)
    claim = registry.get(args.id, args.claims)
    size = args.size or claim.headline(quick=False)
    try:
        made = profile_claim(claim, size, args.output)
    except Unavailable as exc:
        raise UsageError(f"cannot profile here: {exc}") from None
    for variant, html in made:
        console.print(f"{claim.id} {variant}: {html}")
    return 0


def _cmd_asv(args) -> int:
    from optbench.runners import asv_commits

    if not args.factor > 1:
        raise UsageError(f"--factor {args.factor}: must be more than 1")
    if args.passes < 1:
        raise UsageError(f"--passes {args.passes}: must be at least 1")
    project = Path.cwd()
    asv_commits.resolve(project, args.commits)   # every name, before the first run
    runs = asv_commits.run_commits(project, args.commits, bench=args.bench, quick=args.quick,
                                   secondaries=args.secondary, full_sizes=args.full_sizes,
                                   passes=args.passes,
                                   say=lambda line: console.print(line, markup=False,
                                                                  highlight=False))
    console.print(f"{len(runs)} commit(s) in {sum(r.seconds for r in runs) / 60:.1f} min; "
                  f"results in {asv_commits.CONFIG}'s results folder", markup=False)
    if len(runs) < 2:
        return 0
    outcome = asv_commits.compare(project, runs[0].commit, runs[-1].commit, factor=args.factor)
    pair = f"{runs[-1].commit[:8]} against {runs[0].commit[:8]}"
    if outcome.version_changed:
        console.print(f"{pair}: {len(outcome.version_changed)} benchmark(s) not compared (x): "
                      f"their version changed, as the harness or the claim did "
                      f"({', '.join(outcome.version_changed[:3])}"
                      + (", ..." if len(outcome.version_changed) > 3 else "") + ")",
                      markup=False, highlight=False)
    console.print(f"{pair}: {outcome.compared} benchmark(s) compared, "
                  + ("slower beyond the factor (exit 1)" if outcome.worsened
                     else f"none slower by more than {args.factor}x"),
                  markup=False, highlight=False)
    return 1 if outcome.worsened else 0


def _cmd_audit(args) -> int:
    from optbench import audit
    from optbench.audit import render

    documents = [results.load(path) for path in args.results]   # bad input: before output
    if args.json:
        _check_writable(args.json, "--json")
    try:
        found = audit.audit_files(args.files, registry.catalogue(args.claims), args.source,
                                  args.under)
    except audit.AuditInputError as exc:
        raise UsageError(str(exc)) from None
    with_results = bool(documents)
    if with_results:
        audit.mapping.attach_results(found, documents)
    if args.json:
        results.write_atomic(args.json, audit.to_json(found))
    if args.markdown:
        _print_markdown(render.markdown(found, mapped=True, with_results=with_results))
    else:
        for table in render.tables(found, args.files, mapped=True, with_results=with_results):
            # A file's one line ("F: no quantitative performance claim") is not wrapped.
            console.print(table, markup=False, highlight=False, soft_wrap=isinstance(table, str))
        console.print(render.summary_line(found, mapped=True), markup=False, highlight=False)
    if args.json:
        _say(f"claims written to {args.json}")
    return 0


COMMANDS = {"list": _cmd_list, "verify": _cmd_verify, "report": _cmd_report,
            "profile": _cmd_profile, "selftest": _cmd_selftest, "asv": _cmd_asv,
            "audit": _cmd_audit}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (UsageError, registry.ClaimsError, results.ResultsError,
            MeasurementError, ClusterError) as exc:
        errors.print(f"optbench: error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("optbench: interrupted", markup=False)
        return 130


if __name__ == "__main__":
    sys.exit(main())
