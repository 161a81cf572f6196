"""Charts of a report, drawn server-side with matplotlib as SVG (text as outlines, so the
PDF needs no font for them and nothing is fetched)."""

from __future__ import annotations

import base64
import io

import matplotlib
from matplotlib.figure import Figure

from .content import Content

# Debian's fonts-noto-cjk; DejaVu for anything the CJK face lacks.
FONT = ["Noto Sans CJK SC", "DejaVu Sans"]
BLUE, ORANGE, GREEN, GREY, RED = "#2563eb", "#ea580c", "#16a34a", "#94a3b8", "#dc2626"
WIDTH_IN = 6.7  # the A4 text width at the report's margins


STYLE = {
    "font.family": FONT,
    "font.size": 8.5,
    "svg.fonttype": "none",
    "svg.hashsalt": "complaintloop",  # stable ids: the same data gives the same file
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#64748b",
    "legend.frameon": False,
    "axes.unicode_minus": False,
}


def _figure(height: float) -> Figure:
    # Figure() without pyplot: no global figure registry, safe in a worker thread.
    return Figure(figsize=(WIDTH_IN, height), dpi=100, layout="constrained")


def _svg(fig: Figure) -> str:
    """The chart as a ``data:`` URI for an ``<img>`` (WeasyPrint draws it as vectors)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def trend(content: Content) -> str:
    """Complaints per month (week) as bars, timely-handling rate and satisfaction as lines."""
    labels = content.trend.get("labels", [])
    series = content.trend.get("series", {})
    fig = _figure(2.8)
    ax = fig.subplots()
    volume = [v or 0 for v in series.get("complaint_count", [0] * len(labels))]
    bars = ax.bar(range(len(labels)), volume, color=BLUE, alpha=0.85, label="投诉量(件)")
    bars[-1].set_color("#1e3a8a")
    ax.set_xticks(range(len(labels)), labels, rotation=0 if len(labels) <= 8 else 35)
    ax.set_ylabel("件")
    ax.grid(axis="y", color="#e2e8f0", linewidth=0.6)
    ax.set_axisbelow(True)
    for i, v in enumerate(volume):
        if v:
            ax.annotate(f"{v:,.0f}", (i, v), ha="center", va="bottom", fontsize=7, color="#334155")
    rates = ax.twinx()
    rates.spines["right"].set_visible(True)
    for code, color, name in (
        ("timely_handling_rate", GREEN, "投诉处理及时率(%)"),
        ("satisfaction_rate", ORANGE, "满意度(%)"),
    ):
        values = series.get(code)
        if values:
            rates.plot(
                range(len(labels)),
                [v if v is not None else float("nan") for v in values],
                color=color,
                marker="o",
                markersize=3,
                linewidth=1.6,
                label=name,
            )
    rates.set_ylim(0, 105)
    rates.set_ylabel("%")
    handles = [*ax.get_legend_handles_labels()[0], *rates.get_legend_handles_labels()[0]]
    names = [*ax.get_legend_handles_labels()[1], *rates.get_legend_handles_labels()[1]]
    ax.legend(handles, names, loc="upper left", ncols=3, fontsize=7.5, bbox_to_anchor=(0, 1.13))
    return _svg(fig)


def daily(content: Content) -> str:
    """Complaints per day of the period against the previous period, day by day."""
    labels = content.daily.get("labels", [])
    fig = _figure(2.2)
    ax = fig.subplots()
    x = range(len(labels))
    ax.plot(x, content.daily.get("current", []), color=BLUE, linewidth=1.8, marker="o",
            markersize=2.5, label="本期")  # fmt: skip
    previous = content.daily.get("previous", [])
    ax.plot(range(len(previous)), previous, color=GREY, linewidth=1.2, linestyle="--",
            label="上期(按序对齐)")  # fmt: skip
    step = max(1, len(labels) // 12)
    ax.set_xticks(list(x)[::step], labels[::step])
    ax.set_ylabel("件/日")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#e2e8f0", linewidth=0.6)
    ax.legend(loc="lower right", ncols=2, fontsize=7.5, bbox_to_anchor=(1, 1))
    return _svg(fig)


def ranking(content: Content) -> str:
    """Timely-handling rate by city (department) against the target."""
    rows = content.ranking.get("rows", [])
    column = content.ranking.get("rank_by")
    target = next(
        (c["target"] for c in content.ranking.get("columns", []) if c["code"] == column), None
    )
    names = [r["name"] for r in rows][::-1]
    values = [(r["cells"].get(column, {}).get("value") or 0) for r in rows][::-1]
    fig = _figure(max(1.6, 0.28 * len(rows) + 0.8))
    ax = fig.subplots()
    colors = [GREEN if target is None or v >= target else RED for v in values]
    ax.barh(range(len(names)), values, color=colors, height=0.6)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, 105)
    ax.set_xlabel("投诉处理及时率(%)")
    for i, v in enumerate(values):
        ax.annotate(f"{v:.1f}", (v, i), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=7)  # fmt: skip
    if target is not None:
        ax.axvline(target, color="#0f172a", linestyle=":", linewidth=1)
        ax.annotate(f"目标 {target:g}%", (target, len(names) - 0.5), fontsize=7, ha="right",
                    xytext=(-3, 0), textcoords="offset points")  # fmt: skip
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.6)
    return _svg(fig)


def categories(content: Content) -> str:
    """Top categories this period against the previous one."""
    items = content.categories[:10][::-1]
    fig = _figure(max(1.6, 0.3 * len(items) + 0.8))
    ax = fig.subplots()
    y = range(len(items))
    ax.barh([i + 0.2 for i in y], [c["count"] for c in items], height=0.4, color=BLUE,
            label="本期")  # fmt: skip
    ax.barh([i - 0.2 for i in y], [c["previous"] for c in items], height=0.4, color=GREY,
            label="上期")  # fmt: skip
    ax.set_yticks(list(y), [_short(c["name"]) for c in items])
    ax.set_xlabel("件")
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.6)
    ax.legend(loc="lower right", fontsize=7.5)
    return _svg(fig)


def _short(name: str, limit: int = 16) -> str:
    name = name.split("/")[-1] if len(name) > limit and "/" in name else name
    return name if len(name) <= limit else name[: limit - 1] + "…"


def render(content: Content) -> dict[str, str]:
    with matplotlib.rc_context(STYLE):
        charts = {"trend": trend(content), "daily": daily(content)}
        if content.ranking.get("rows"):
            charts["ranking"] = ranking(content)
        if content.categories:
            charts["categories"] = categories(content)
    return charts
