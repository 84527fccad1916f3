"""optbench's command line: list, verify, profile.

Every error a user can cause (an unknown id, a claims module that does not
import, a corrupt results file, an unwritable path) ends in one line naming
the input and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from optbench.core import registry, results
from optbench.core.engine import MeasurementError
from optbench.core.text import interval
from optbench.core.verdict import SYMBOL

EXIT_USAGE = 2
EXIT_REGRESSION = 1
DEFAULT_RESULTS = Path("reports/results.json")

# Piped output (CI logs) gets a wide table instead of rich's 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=150)
# soft_wrap: an error is one line, however long, never wrapped at 80 columns.
errors = Console(stderr=True, soft_wrap=True)


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optbench", description="Measure performance claims: verdicts with intervals.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_list = sub.add_parser("list", help="every claim with its source and component")
    p_list.add_argument("--claims", metavar="MODULE", help="a claims module (name or .py path)")

    p_verify = sub.add_parser("verify", help="measure claims and print verdicts")
    p_verify.add_argument("ids", nargs="*", metavar="ID", help="claim ids (default: all)")
    p_verify.add_argument("--quick", action="store_true",
                          help="small sizes and fewer rounds (about a minute)")
    p_verify.add_argument("--json", type=Path, default=DEFAULT_RESULTS, metavar="PATH",
                          help=f"results file to write (default {DEFAULT_RESULTS})")
    p_verify.add_argument("--claims", metavar="MODULE", help="a claims module (name or .py path)")
    p_verify.add_argument("--gate", type=Path, metavar="PREVIOUS.json",
                          help="exit 1 if a verdict or exact counter got worse than in PREVIOUS")
    p_verify.add_argument("--report", action="store_true",
                          help="also write the HTML report (index.html beside the results file)")

    p_report = sub.add_parser("report", help="the before/after HTML report of results files")
    p_report.add_argument("results", nargs="+", type=Path, metavar="RESULTS.json",
                          help="one or more results files (e.g. a CPU and a GPU run, or two commits)")
    p_report.add_argument("-o", "--output", type=Path, default=Path("reports"), metavar="DIR",
                          help="folder for index.html (default reports/)")
    p_report.add_argument("--benchmark-json", type=Path, metavar="FILE",
                          help="a pytest-benchmark JSON file to import beside the verdicts")
    p_report.add_argument("--asv-html", type=Path, metavar="INDEX.html",
                          help="asv publish output to link (default .asv/html/index.html if present)")
    p_report.add_argument("--profiles", type=Path, default=Path("reports/profiles"), metavar="DIR",
                          help="where `optbench profile` wrote flamegraphs (linked when present)")

    p_profile = sub.add_parser("profile", help="memray flamegraph of each variant")
    p_profile.add_argument("id", metavar="ID")
    p_profile.add_argument("--size", type=int, help="workload size (default: the headline size)")
    p_profile.add_argument("--claims", metavar="MODULE")
    p_profile.add_argument("-o", "--output", type=Path, default=Path("reports/profiles"),
                           metavar="DIR")
    return parser


def _fmt_claimed(claimed: dict) -> str:
    return f"{claimed['text']} (≤ {claimed['ratio_high']:.3g})"


def verdict_table(entries: list[dict]) -> Table:
    table = Table(title="optbench verdicts (ratio = optimized / baseline; lower is better)",
                  show_lines=False)
    for column in ("claim", "size", "metric", "claimed", "measured [95% CI]", "best",
                   "equivalent", "verdict"):
        table.add_column(column, overflow="fold")
    for e in entries:
        w = e["workload"]
        size = f"{w['size']:,} {w['size_unit']}" + ("" if w["device"] == "cpu" else f" {w['device']}")
        equivalent = e.get("equivalent")
        table.add_row(
            e["id"], size, e["metric"], _fmt_claimed(e["claimed"]), interval(e),
            interval(e, "best_") if "best_ratio" in e else "",
            "-" if equivalent is None else str(equivalent),
            f"{SYMBOL.get(e['verdict'], '?')} {e['verdict']}"
            + (f" ({e['reason']})" if e.get("reason") else ""),
        )
    return table


def _cmd_list(args) -> int:
    table = Table(title="optbench claims")
    for column in ("id", "source", "component", "claimed", "variants"):
        table.add_column(column)
    for claim in registry.claims(args.claims):
        claimed = claim.claimed_at(claim.headline(quick=False))
        table.add_row(claim.id, claim.source, claim.component, claimed.text,
                      ", ".join(claim.variant_names))
    console.print(table)
    return 0


def _check_writable(path: Path, option: str) -> None:
    """Fail before minutes of measuring, not after."""
    try:
        if path.is_dir():
            raise IsADirectoryError("is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".optbench-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None


def _cmd_verify(args) -> int:
    from optbench.core import engine

    selected = registry.select(registry.claims(args.claims), args.ids)
    previous = results.load(args.gate) if args.gate else None
    _check_writable(args.json, "--json")
    options = engine.RunOptions(quick=args.quick)
    cases = sum(len(c.sizes(args.quick)) * len(c.devices) for c in selected)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=errors, transient=True) as bar:
        task = bar.add_task("measuring", total=cases)

        def on_case(claim, size, device):
            bar.update(task, description=f"{claim.id} @ {size:,} {device}")

            def step(what: str) -> None:
                bar.update(task, description=f"{claim.id} @ {size:,} {device}: {what}")
            return step

        document = engine.run(selected, options, args.claims, on_case=on_case,
                              on_done=lambda _: bar.advance(task))
    console.print(verdict_table(document["claims"]))
    for entry in document["claims"]:
        if entry.get("noise", {}).get("wide_interval"):
            errors.print(f"note: {entry['id']} @ {entry['workload']['size']:,}: interval "
                         f"±{entry['noise']['interval_half_width']:.1%} is wider than 5% "
                         f"(noisy machine; rerun or use the full mode)")
    results.save(document, args.json)
    console.print(f"results written to {args.json}")
    if args.report:
        from optbench.report import write_report

        page = write_report([args.json], args.json.parent, args.json.parent / "profiles")
        console.print(f"report written to {page}")
    if previous is not None:
        regressions = results.gate(previous, document)
        for r in regressions:
            errors.print(f"REGRESSION {r.key}: {r.what}")
        if regressions:
            return EXIT_REGRESSION
        console.print(f"gate: nothing got worse than in {args.gate}")
    return 0


def _cmd_report(args) -> int:
    from optbench.report import write_report

    _check_writable(args.output / "index.html", "-o")
    page = write_report(args.results, args.output, args.profiles, args.benchmark_json,
                        args.asv_html)
    console.print(f"report written to {page}")
    return 0


def _cmd_profile(args) -> int:
    from optbench.runners.memray_profile import profile_claim

    claim = registry.get(args.id, args.claims)
    size = args.size or claim.headline(quick=False)
    for variant, html in profile_claim(claim, size, args.output):
        console.print(f"{claim.id} {variant}: {html}")
    return 0


COMMANDS = {"list": _cmd_list, "verify": _cmd_verify, "report": _cmd_report,
            "profile": _cmd_profile}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (UsageError, registry.ClaimsError, results.ResultsError,
            MeasurementError) as exc:
        errors.print(f"optbench: error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("optbench: interrupted", markup=False)
        return 130


if __name__ == "__main__":
    sys.exit(main())
