"""The before/after HTML report: one self-contained page from results files."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from optbench.core.results import ResultsError, write_atomic

from .sources import load_benchmark_json, load_sources, relative_href

DEFAULT_ASV_HTML = Path(".asv/html/index.html")


def _equivalence(value) -> str:
    """True/False/None/declared change, in words."""
    if value is None:
        return "–"
    if value is True:
        return "yes"
    if value is False:
        return "NO: output differs"
    return str(value)


def _environment() -> Environment:
    # Autoescape everything: ids, titles and notes come from users' modules.
    env = Environment(loader=PackageLoader("optbench.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["equivalence"] = _equivalence
    return env


def write_report(paths: list[Path], out_dir: Path, profiles_dir: Path | None = None,
                 benchmark_json: Path | None = None, asv_html: Path | None = None,
                 asv_results: Path | None = None) -> Path:
    """Render `out_dir/index.html` from results files; returns its path.

    asv's history is drawn from `asv_results` (an asv results folder), or
    from .asv/results when that exists and none is given."""
    sources = load_sources(paths)
    benchmark = load_benchmark_json(benchmark_json)
    from . import asv_history
    from .collect import build  # matplotlib: only once the inputs are read

    history = None
    folder = asv_results or (asv_history.DEFAULT_RESULTS_DIR
                             if asv_history.DEFAULT_RESULTS_DIR.is_dir() else None)
    if folder is not None:
        claim_ids = {e.id for s in sources for e in s.document.claims}
        try:
            history = asv_history.load(Path(folder), claim_ids=claim_ids)
        except asv_history.HistoryError as exc:
            if asv_results is not None:  # asked for by name: say why not
                raise ResultsError(f"--asv-results {folder}: {exc}") from None
    page = build(sources, out_dir, profiles_dir, benchmark, history)
    links = []
    asv_index = asv_html or (DEFAULT_ASV_HTML if DEFAULT_ASV_HTML.exists() else None)
    if asv_index is not None:
        links.append({"href": relative_href(Path(asv_index), out_dir), "text": "asv history (asv publish)"})
    html = _environment().get_template("report.html.j2").render(
        **page, links=links,
        generated=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    target = Path(out_dir) / "index.html"
    write_atomic(target, html)
    return target
