"""The before/after HTML report: one self-contained page from results files."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from optbench.core.results import write_atomic

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
                 benchmark_json: Path | None = None, asv_html: Path | None = None) -> Path:
    """Render `out_dir/index.html` from results files; returns its path."""
    sources = load_sources(paths)
    benchmark = load_benchmark_json(benchmark_json)
    from .collect import build  # matplotlib: only once the inputs are read

    page = build(sources, out_dir, profiles_dir, benchmark)
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
