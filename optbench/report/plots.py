"""Plots as small SVG documents (matplotlib), embedded in the page as data URIs.

What a plot draws is numbers, units, mark words ("largest gain"), file
numbers and device names; a claim's free text (title, notes, the report's
quote) lives in the escaped HTML around it. Text is drawn with
`parse_math=False`, so a "$" in a unit stays a "$" instead of becoming
mathtext, and the SVG keeps text as <text> (svg.fonttype none): its
labels can be read back, as the tests do.

Every number on an axis or beside a bar goes through optbench.core.units,
the formatter the CLI and the tables use: "10,000", "125.8 kB", "215 ns".
"""
from __future__ import annotations

import base64
import io
import math
from statistics import median, quantiles

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import (FixedLocator, Formatter, FuncFormatter,  # noqa: E402
                               LogLocator, MaxNLocator, NullFormatter)
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from optbench.core import units  # noqa: E402

plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "optbench"})

VARIANT_STYLE = {"baseline": ("#6b6b6b", "o"), "optimized": ("#1f5fbf", "s"),
                 "best": ("#2e8b3a", "^")}
SERIES_MARKERS = ("o", "s", "D", "^", "v", "P")
# Tukey's "far out" fence: a sample beyond Q3 + 3 IQR of its own variant is
# an outlier (a GC pause, a page-cache miss), not part of the distribution.
OUTLIER_IQRS = 3.0
# A variant whose samples are all but identical (memory readings repeat to
# 0.01%) has an IQR near 0; its fence is at least this share of its median
# away, so a 0.1% wobble is not called an outlier.
OUTLIER_MIN_SPREAD = 0.05
# Fewer samples than this say nothing about what is an outlier.
OUTLIER_MIN_SAMPLES = 5
# Size labels on the log size axis closer than this share of its span collide
# (50 and 52 epochs); the later one goes unlabelled.
SIZE_LABEL_MIN_GAP = 0.08


def _unit_formatter() -> FuncFormatter:
    """Log-axis tick labels as units.number writes them ("10,000", "0.001");
    a new one per axis, as matplotlib binds a formatter to its axis. Tick
    values arrive as numpy scalars, which units.number would print raw."""
    return FuncFormatter(lambda value, _: units.number(float(value)))


class EvenDecimals(Formatter):
    """Linear-axis tick labels, all with the decimals the tick step needs
    ("0.90, 0.92, 0.94", "0.0, 0.5, 1.0", "1,000, 1,500"), thousands
    separated as units.number writes them. units.number alone drops
    trailing zeros, and "0.9, 0.92" reads as two precisions."""

    decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        steps = [b - a for a, b in zip(locs, locs[1:]) if b > a]
        step = min(steps) if steps else 1.0
        self.decimals = 0
        while self.decimals < 12 and abs(step * 10 ** self.decimals
                                         - round(step * 10 ** self.decimals)) > 1e-6:
            self.decimals += 1

    def __call__(self, value, pos=None):
        return f"{value:,.{self.decimals}f}"


def _data_uri(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def clip_limit(per_variant: dict[str, list[float]]) -> float | None:
    """Where the sample strip's x axis ends so that one outlier does not
    crush every other sample into a corner; None when nothing is clipped.

    Each variant's outliers are judged against its own spread (Tukey's fence,
    Q3 + 3 IQR, the IQR at least 5% of the median): a baseline ten times
    slower than the optimized is a difference, never an outlier. The axis
    ends a little past the largest sample within its variant's fence; the
    page draws the samples beyond it at the edge with their count and the
    largest value, so nothing is hidden, only not drawn to scale. A log axis
    was the alternative: it keeps every sample in place but squeezes the
    ones that matter, the bulk around each median, into a few pixels.
    """
    inside, beyond = [], False
    for samples in per_variant.values():
        if len(samples) < OUTLIER_MIN_SAMPLES:
            inside += samples
            continue
        q1, _, q3 = quantiles(samples, n=4)
        fence = q3 + OUTLIER_IQRS * max(q3 - q1, OUTLIER_MIN_SPREAD * abs(median(samples)))
        inside += [v for v in samples if v <= fence]
        beyond = beyond or any(v > fence for v in samples)
    if not beyond or not inside:
        return None
    return max(inside) * 1.05


def samples_plot(per_variant: dict[str, list[float]], unit: str) -> str:
    """Every sample of each variant as a dot, its median as a bar; outliers
    beyond `clip_limit` sit at the right edge as a ">" with a count."""
    names = list(per_variant)
    limit = clip_limit(per_variant)
    shown_values = [v for s in per_variant.values() for v in s if limit is None or v <= limit]
    divisor, shown_unit = units.scale(unit, shown_values)
    fig, ax = plt.subplots(figsize=(5.2, 0.6 + 0.45 * len(names)))
    edge = blended_transform_factory(ax.transAxes, ax.transData)
    for row, name in enumerate(names):
        color, marker = VARIANT_STYLE.get(name, ("black", "o"))
        samples = per_variant[name]
        if not samples:  # a file that kept medians only: nothing to draw
            continue
        within = [v / divisor for v in samples if limit is None or v <= limit]
        clipped = [v for v in samples if limit is not None and v > limit]
        jitter = [row + ((i % 5) - 2) * 0.04 for i in range(len(within))]
        ax.scatter(within, jitter, s=10, color=color, marker=marker, alpha=0.6, linewidths=0)
        middle = median(samples) / divisor
        ax.plot([middle, middle], [row - 0.3, row + 0.3], color=color, linewidth=2.5)
        if clipped:
            ax.scatter([limit / divisor], [row], s=28, color=color, marker=">", clip_on=False)
            ax.text(1.02, row, f"{len(clipped)} beyond →\nmax "
                               f"{units.quantity(max(clipped), unit, 3)}",
                    transform=edge, va="center", fontsize=7.5, color=color, parse_math=False)
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(shown_unit, parse_math=False)
    ax.xaxis.set_major_formatter(EvenDecimals())
    ax.set_xlim(left=0, right=limit / divisor * 1.01 if limit is not None else None)
    ax.invert_yaxis()
    return _data_uri(fig)


def counter_plot(values: dict[str, float], unit: str) -> str:
    """Exact figures: one bar per variant, its figure with the unit beside it."""
    names = list(values)
    divisor, shown_unit = units.scale(unit, values.values())
    fig, ax = plt.subplots(figsize=(5.2, 0.6 + 0.45 * len(names)))
    for row, name in enumerate(names):
        color, _ = VARIANT_STYLE.get(name, ("black", "o"))
        ax.barh(row, values[name] / divisor, color=color, height=0.6)
        ax.text(values[name] / divisor, row, " " + units.quantity(values[name], unit),
                va="center", parse_math=False)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel(shown_unit, parse_math=False)
    ax.xaxis.set_major_formatter(EvenDecimals())
    ax.invert_yaxis()
    ax.margins(x=0.25)
    return _data_uri(fig)


def _ratio_axis(ax, values: list[float]) -> None:
    """A y axis for ratios that labels at least three ticks at any range.

    Spanning a decade or more (0.0006 to 0.35), ratios go on a log axis with
    decades labelled, and 2 and 5 between them while the span is under three
    decades. Under a decade a log axis holds at most one decade tick and
    matplotlib labels it alone, or nothing (0.90-0.95): there the axis is
    linear, with 4 to 7 ticks of even decimals and no offset ("+0.9") notation.
    """
    low, high = min(values), max(values)
    if low > 0 and high / low >= 10:
        ax.set_yscale("log")
        subs = (1.0,) if high / low >= 1000 else (1.0, 2.0, 5.0)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(_unit_formatter())
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], min_n_ticks=4))
        ax.yaxis.set_major_formatter(EvenDecimals())


def _size_axis(ax, sizes: list[int], size_unit: str) -> None:
    """Log size axis, ticks at the measured sizes ("10,000"), unit in the label."""
    ax.set_xscale("log")
    span = math.log10(max(sizes)) - math.log10(min(sizes)) or 1.0
    labelled: list[int] = []
    for size in sorted(set(sizes)):
        if not labelled or (math.log10(size) - math.log10(labelled[-1])) / span \
                >= SIZE_LABEL_MIN_GAP:
            labelled.append(size)
    ax.xaxis.set_major_locator(FixedLocator(labelled))
    ax.xaxis.set_major_formatter(_unit_formatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(f"workload size ({size_unit})" if size_unit else "workload size",
                  parse_math=False)


def _keep_apart(fig, texts: list[Text], gap_px: float = 2.0) -> None:
    """Nudges annotations up, in order, until no two overlap.

    Marks on the same point arrive merged (collect.scaling_marks); marks on
    neighbouring sizes can still collide, and the later one moves above the
    earlier. Only the text is compared, not its leader line.
    """
    fig.canvas.draw()  # settles the axes' limits, so the texts sit where they will be drawn
    renderer = fig.canvas.get_renderer()

    def extent(text):
        text.update_positions(renderer)
        return Text.get_window_extent(text, renderer)

    placed = []
    for text in texts:
        for _ in range(len(placed) + 1):  # each placed text can push it at most once
            box = extent(text)
            hit = next((p for p in placed if box.overlaps(p)), None)
            if hit is None:
                break
            dx, dy = text.xyann
            text.xyann = (dx, dy + (hit.y1 - box.y0 + gap_px) * 72 / fig.dpi)
        placed.append(extent(text))


def scaling_figure(series: list[dict], marks: list[dict], size_unit: str = "",
                   reference: int = 0):
    """The scaling plot as a matplotlib figure (scaling_plot renders it).

    series: [{"label", "sizes", "ratios", "lows", "highs", "claimed"}], marks:
    [{"size", "ratio", "text"}], one per point. The claimed ratio of
    series[reference] (the file and device the marks were found on) is a
    dashed step line; the dotted line at 1 is "no change".
    """
    fig, ax = plt.subplots(figsize=(6.2, 3.2))
    for i, s in enumerate(series):
        lower = [r - lo for r, lo in zip(s["ratios"], s["lows"])]
        upper = [hi - r for r, hi in zip(s["ratios"], s["highs"])]
        ax.errorbar(s["sizes"], s["ratios"], yerr=[lower, upper],
                    marker=SERIES_MARKERS[i % len(SERIES_MARKERS)], capsize=3,
                    label=f"measured, {s['label']}")
    claimed_sizes, claimed = [], []
    if series:
        claim = series[reference]
        pairs = [(x, c) for x, c in zip(claim["sizes"], claim["claimed"]) if c > 0]
        claimed_sizes, claimed = [x for x, _ in pairs], [c for _, c in pairs]
    if claimed:
        ax.step(claimed_sizes, claimed, where="mid", linestyle="--", color="#b5651d",
                label="claimed (at most)")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    _size_axis(ax, [x for s in series for x in s["sizes"]], size_unit)
    _ratio_axis(ax, [v for s in series for v in s["lows"] + s["highs"]] + claimed + [1.0])
    ax.set_ylabel("optimized / baseline\n(lower is better)")
    texts = [ax.annotate(mark["text"], (mark["size"], mark["ratio"]), textcoords="offset points",
                         xytext=(6, 10), fontsize=8, parse_math=False,
                         bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                               "alpha": 0.85},
                         arrowprops={"arrowstyle": "-", "lw": 0.6})
             for mark in marks]
    _keep_apart(fig, texts)
    # Outside the axes: a legend inside can sit on a point or a mark.
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def scaling_plot(series: list[dict], marks: list[dict], size_unit: str = "",
                 reference: int = 0) -> str:
    """Ratio against workload size (log), one series per results file and device."""
    return _data_uri(scaling_figure(series, marks, size_unit, reference))


def waterfall_plot(ablation: dict) -> str | None:
    """From the baseline (1) to the optimized, one bar per switch: its Shapley
    factor applied in turn (the factors multiply to the end-to-end ratio),
    with its 95% interval as a whisker; lower is faster. None without
    Shapley values (a screen or a failed cell)."""
    switches = [s for s in ablation.get("switches", []) if s.get("shapley")]
    total = ablation.get("total")
    if not switches or not total or len(switches) != len(ablation["switches"]):
        return None
    fig, ax = plt.subplots(figsize=(5.6, 0.9 + 0.42 * (len(switches) + 2)))
    level = 1.0
    rows = ["baseline"]
    ax.barh(0, 1.0, color=VARIANT_STYLE["baseline"][0], height=0.6)
    for row, s in enumerate(switches, start=1):
        f = s["shapley"]
        after = level * f["factor"]
        left, right = sorted((level, after))
        color = "#2e8b3a" if f["factor"] < 1 else "#b03030"
        ax.barh(row, right - left, left=left, color=color, height=0.6)
        ax.errorbar(after, row, xerr=[[after - level * f["ci_low"]],
                                      [level * f["ci_high"] - after]],
                    color="black", capsize=3, linewidth=1)
        ax.text(max(level, after), row, f"  ×{units.number(f['factor'])}", va="center",
                fontsize=8, parse_math=False)
        rows.append(s["name"])
        level = after
    rows.append("optimized")
    ax.barh(len(rows) - 1, level, color=VARIANT_STYLE["optimized"][0], height=0.6)
    ax.text(level, len(rows) - 1, f"  {units.number(total['factor'])}"
                                  f" [{units.number(total['ci_low'])}, "
                                  f"{units.number(total['ci_high'])}]",
            va="center", fontsize=8, parse_math=False)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("time relative to the baseline (Shapley factors applied in turn)",
                  parse_math=False)
    ax.set_xlim(0, max(1.05, level * 1.05))
    ax.invert_yaxis()
    ax.margins(x=0.2)
    return _data_uri(fig)
