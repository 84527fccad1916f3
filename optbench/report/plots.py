"""Plots as small SVG documents (matplotlib), embedded in the page as data URIs.

No string from a claim or results file is drawn inside a plot: titles and
labels live in the (escaped) HTML around it, so a plot can carry no markup.
"""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "optbench"})

VARIANT_STYLE = {"baseline": ("#6b6b6b", "o"), "optimized": ("#1f5fbf", "s"),
                 "best": ("#2e8b3a", "^")}
SERIES_MARKERS = ("o", "s", "D", "^", "v", "P")


def _data_uri(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def scale_for(unit: str, values: list[float]) -> tuple[float, str]:
    """A divisor and unit that make `values` readable (us/ms/s, KB/MB/GB)."""
    top = max((abs(v) for v in values), default=0) or 1
    if unit == "s":
        for divisor, name in ((1e-6, "µs"), (1e-3, "ms")):
            if top < divisor * 1000:
                return divisor, name
        return 1.0, "s"
    if unit == "bytes":
        for divisor, name in ((1, "B"), (1024, "KiB"), (1024 ** 2, "MiB")):
            if top < divisor * 1024:
                return divisor, name
        return 1024 ** 3, "GiB"
    return 1.0, unit


def samples_plot(per_variant: dict[str, list[float]], unit: str) -> str:
    """Every sample of each variant as a dot, its median as a bar."""
    names = list(per_variant)
    divisor, shown = scale_for(unit, [v for s in per_variant.values() for v in s])
    fig, ax = plt.subplots(figsize=(5.2, 0.5 + 0.45 * len(names)))
    for row, name in enumerate(names):
        color, marker = VARIANT_STYLE.get(name, ("black", "o"))
        values = [v / divisor for v in per_variant[name]]
        jitter = [row + ((i % 5) - 2) * 0.04 for i in range(len(values))]
        ax.scatter(values, jitter, s=10, color=color, marker=marker, alpha=0.6, linewidths=0)
        median = sorted(values)[len(values) // 2]
        ax.plot([median, median], [row - 0.3, row + 0.3], color=color, linewidth=2.5)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(shown)
    ax.set_xlim(left=0)
    ax.invert_yaxis()
    return _data_uri(fig)


def counter_plot(values: dict[str, float], unit: str) -> str:
    """Exact figures: one bar per variant."""
    names = list(values)
    fig, ax = plt.subplots(figsize=(5.2, 0.5 + 0.45 * len(names)))
    for row, name in enumerate(names):
        color, _ = VARIANT_STYLE.get(name, ("black", "o"))
        ax.barh(row, values[name], color=color, height=0.6)
        ax.text(values[name], row, f" {values[name]:,.6g}", va="center")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel(unit)
    ax.invert_yaxis()
    ax.margins(x=0.2)
    return _data_uri(fig)


def scaling_plot(series: list[dict], marks: list[dict]) -> str:
    """Ratio (log) against workload size (log), one series per results file.

    series: [{"label", "sizes", "ratios", "lows", "highs", "claimed"}], marks:
    [{"size", "ratio", "text"}]. The claimed ratio is a dashed step line; the
    line at 1 is "no change".
    """
    fig, ax = plt.subplots(figsize=(6.2, 3.2))
    for i, s in enumerate(series):
        lower = [r - lo for r, lo in zip(s["ratios"], s["lows"])]
        upper = [hi - r for r, hi in zip(s["ratios"], s["highs"])]
        ax.errorbar(s["sizes"], s["ratios"], yerr=[lower, upper], marker=SERIES_MARKERS[i % 6],
                    capsize=3, label=f"measured, file {i + 1}")
        if i == 0:
            claimed = [c if c > 0 else None for c in s["claimed"]]
            if any(c is not None for c in claimed):
                ax.step(s["sizes"], [c or float("nan") for c in claimed], where="mid",
                        linestyle="--", color="#b5651d", label="claimed (at most)")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    for mark in marks:
        ax.annotate(mark["text"], (mark["size"], mark["ratio"]), textcoords="offset points",
                    xytext=(6, 8), fontsize=8, arrowprops={"arrowstyle": "-", "lw": 0.6})
    ax.set_xscale("log")
    if all(r is not None and r > 0 for s in series for r in s["lows"] + s["ratios"]):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("workload size")
    ax.set_ylabel("optimized / baseline")
    ax.legend(fontsize=8, frameon=False)
    return _data_uri(fig)
