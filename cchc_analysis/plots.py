"""Charts for notebooks and briefs: Vietnamese titles and labels, one colour-blind-safe palette, a source line.

Each chart is a matplotlib Figure made without pyplot: importing this module changes no backend, so an analyst's
own charts in the same kernel show as before, and a brief rendered to PNG needs no display. In a notebook, a
chart returned as a cell's last value shows inline (after ``%matplotlib inline``)."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

# Okabe-Ito, safe for the common forms of colour blindness
PALETTE = {
    "online": "#0072B2",
    "direct": "#E69F00",
    "postal": "#009E73",
    "better": "#009E73",
    "similar": "#999999",
    "worse": "#D55E00",
    "line": "#000000",
    "limit95": "#56B4E9",
    "limit998": "#CC79A7",
}
SOURCE = "Nguồn: dữ liệu xuất từ hệ thống một cửa, xử lý bằng cchc-analysis"


PUBLISHED_DPI = 150


def _new(figsize: tuple[float, float]):
    """A figure and its axes, drawn by Agg (the figure's own canvas: no process-wide backend is chosen)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # laid out at the resolution it is published at (to_png): text is measured wider at 150 dpi than at 100, and a
    # label that fits a layout made at 100 dpi can be cut at the edge of the picture
    fig = Figure(figsize=figsize, dpi=PUBLISHED_DPI)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _finish(fig, ax, title: str, source: str = SOURCE, title_pad: float = 6.0):
    ax.set_title(title, fontsize=11, loc="left", pad=title_pad)
    fig.text(0.01, 0.01, source, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def monthly_trend(monthly: pd.DataFrame, unit_name: str):
    """Stacked bars of new dossiers per month, online versus direct and postal."""
    fig, ax = _new((7, 3.2))
    bottom = None
    labels = {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính"}
    for channel in ("online", "direct", "postal"):
        if channel in monthly:
            ax.bar(monthly["month"], monthly[channel], bottom=bottom, color=PALETTE[channel], label=labels[channel])
            bottom = monthly[channel] if bottom is None else bottom + monthly[channel]
    ax.set_ylabel("Số hồ sơ")
    if bottom is not None and len(monthly) and float(bottom.max()) > 0:
        ax.set_ylim(0, float(bottom.max()) * 1.12)  # headroom: the highest bar is never cut at the top
    ax.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4)
    ax.set_xticks(range(len(monthly)), [f"{m[5:7]}/{m[:4]}" for m in monthly["month"]])
    ax.tick_params(axis="x", labelsize=8)
    return _finish(fig, ax, f"Hồ sơ tiếp nhận mới theo tháng - {unit_name}")


def funnel_plot(records: list[dict], label: str):
    """Each unit's rate against its number of dossiers, with 95% and 99.8% limits around the pooled rate."""
    from statistics import NormalDist

    rows = [r for r in records if r.get("value") is not None and r.get("volume")]
    fig, ax = _new((7, 4))
    if rows:
        num = sum(r["value"] / 100 * r["volume"] for r in rows)
        den = sum(r["volume"] for r in rows)
        p0 = num / den
        top = max(r["volume"] for r in rows)
        xs = [max(1, top * i / 200) for i in range(1, 201)]
        for cov, colour in ((95.0, PALETTE["limit95"]), (99.8, PALETTE["limit998"])):
            z = NormalDist().inv_cdf(0.5 + cov / 200)
            up = [min(100, 100 * (p0 + z * math.sqrt(p0 * (1 - p0) / n))) for n in xs]
            low = [max(0, 100 * (p0 - z * math.sqrt(p0 * (1 - p0) / n))) for n in xs]
            ax.plot(xs, up, color=colour, lw=1, label=f"Giới hạn {cov:g}%".replace(".", ","))
            ax.plot(xs, low, color=colour, lw=1)
        ax.axhline(100 * p0, color=PALETTE["line"], lw=0.8, ls="--", label="Mức chung của nhóm")
        for r in rows:
            ax.scatter(
                r["volume"], r["value"], color=PALETTE.get(r.get("flag") or "similar", "#999999"), s=25, zorder=3
            )
        # only the units outside the limits are named (those inside are the funnel's point): names of a crowded
        # group would fall on each other; close ones are moved apart vertically
        _label_points(
            ax,
            [
                (r["volume"], r["value"], short_name(r["unit_name"]))
                for r in rows
                if r.get("flag") in ("better", "worse")
            ],
        )
    ax.set_xlabel("Số hồ sơ (mẫu số)")
    ax.set_ylabel("%")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    return _finish(fig, ax, f"Biểu đồ phễu: {label}")


def _label_points(ax, points: list[tuple[float, float, str]], fontsize: float = 6) -> None:
    """Name points, each label beside its point, moved down (in steps of one line) off the labels already placed."""
    renderer = ax.figure.canvas.get_renderer()
    placed = []
    for x, y, text in sorted(points, key=lambda p: -p[1]):
        offset = 2.0
        for _ in range(12):
            ann = ax.annotate(text, (x, y), fontsize=fontsize, xytext=(3, offset), textcoords="offset points")
            box = ann.get_window_extent(renderer)
            if not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
            ann.remove()
            offset -= fontsize + 1
        else:
            placed.append(ann.get_window_extent(renderer))


def short_name(name: str) -> str:
    """A unit name without its type, for crowded chart labels: "Xã Thanh Giang" -> "Thanh Giang"."""
    for prefix in ("Xã ", "Thị trấn ", "Phường "):
        if name.startswith(prefix):
            return ("TT " if prefix == "Thị trấn " else "") + name[len(prefix) :]
    return name


def monthly_trend_with_on_time(monthly: pd.DataFrame, unit_name: str):
    """New dossiers per month by channel (bars) and the share resolved on time or early (line, right axis).

    ``monthly`` has one row per month with columns ``month`` (``YYYY-MM``), ``online``, ``direct``, ``postal`` and
    ``on_time_pct`` (share of the month's resolved dossiers resolved early or on time; empty when none).
    """
    fig = monthly_trend(monthly, unit_name)
    ax = fig.axes[0]
    if "on_time_pct" in monthly and monthly["on_time_pct"].notna().any():
        ax2 = ax.twinx()
        ax2.plot(monthly["month"], monthly["on_time_pct"], color=PALETTE["line"], marker="o", ms=3, lw=1.2)
        ax2.set_ylim(0, 105)
        ax2.set_ylabel("% giải quyết đúng hạn, trước hạn", fontsize=8)
        handles, labels = ax.get_legend_handles_labels()
        handles.append(ax2.lines[0])
        labels.append("Tỷ lệ đúng hạn, trước hạn (%)")
        ax.legend(handles, labels, frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4)
        fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def interval_dot_plot(records: list[dict], label: str):
    """Each unit's rate with its 95% interval, sorted, coloured better / similar / worse than the group."""
    rows = sorted((r for r in records if r.get("value") is not None), key=lambda r: r["value"])
    fig, ax = _new((7, 0.28 * max(len(rows), 4) + 1.2))
    for i, r in enumerate(rows):
        colour = PALETTE.get(r.get("flag") or "similar", PALETTE["similar"])
        if r.get("ci_low") is not None and r.get("ci_high") is not None:
            ax.plot([r["ci_low"], r["ci_high"]], [i, i], color=colour, lw=1.5)
        ax.scatter(r["value"], i, color=colour, s=22, zorder=3)
    ax.set_yticks(range(len(rows)), [short_name(r["unit_name"]) for r in rows], fontsize=7)
    ax.set_xlabel("% (khoảng tin cậy 95%)")
    from matplotlib.lines import Line2D

    # the legend in a row between the title and the plot: never over a unit's dot or interval
    ax.legend(
        [Line2D([], [], color=PALETTE[k], marker="o", lw=1.5) for k in ("better", "similar", "worse")],
        ["Tốt hơn mức chung", "Tương đương", "Kém hơn mức chung"],
        frameon=False,
        fontsize=7,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=3,
        borderaxespad=0.2,
    )
    return _finish(fig, ax, label, title_pad=20)


def bump_chart(history: pd.DataFrame, label: str):
    """Rank of each unit over successive periods (1 at the top); ``history`` has unit_name, period, rank."""
    fig, ax = _new((7, 4.2))
    periods = list(dict.fromkeys(history["period"]))
    colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    ends: dict[tuple[int, int], list[str]] = {}
    for i, (name, part) in enumerate(history.groupby("unit_name", sort=True)):
        x = [periods.index(p) for p in part["period"]]
        ax.plot(x, part["rank"], marker="o", ms=3, lw=1, color=colours[i % len(colours)], alpha=0.9)
        last = part.iloc[-1]
        ends.setdefault((periods.index(last["period"]), int(last["rank"])), []).append(short_name(name))
    # at the end of the lines, one label per rank (units sharing it named together), for the top three ranks and
    # the last one only: seventeen names at the right edge would fall on each other
    worst = max((rank for _x, rank in ends), default=0)
    for (x, rank), names in sorted(ends.items(), key=lambda e: e[0][1]):
        if rank <= 3 or rank == worst:
            text = ", ".join(names[:3]) + (f" và {len(names) - 3} đơn vị khác" if len(names) > 3 else "")
            ax.annotate(f"{rank}. {text}", (x, rank), fontsize=6, xytext=(4, -2), textcoords="offset points")
    ax.set_xticks(range(len(periods)), periods, fontsize=8)
    ax.set_xlim(-0.3, len(periods) - 0.4)
    if len(history):
        ax.set_ylim(history["rank"].max() + 0.5, 0.5)
    ax.set_ylabel("Thứ hạng (1 = cao nhất)")
    return _finish(fig, ax, label)


def component_heatmap(table: pd.DataFrame, label: str):
    """Units x PAR components, the share of each maximum (%), annotated; colour-blind-safe sequential palette."""
    import seaborn as sns

    fig, ax = _new((7.2, 0.3 * max(len(table), 4) + 2.2))
    if len(table):
        data = table.copy()
        data.index = [short_name(n) for n in data.index]
        data.columns = [c if len(c) <= 28 else c[:26] + "…" for c in data.columns]
        sns.heatmap(
            data,
            ax=ax,
            cmap="cividis",
            vmin=50,
            vmax=100,
            annot=True,
            fmt=".0f",
            annot_kws={"fontsize": 6},
            cbar_kws={"label": "% điểm tối đa"},
            linewidths=0.3,
        )
        ax.tick_params(axis="x", labelrotation=40, labelsize=6)
        ax.tick_params(axis="y", labelsize=7)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
    ax.set_xlabel("")
    ax.set_ylabel("")
    return _finish(fig, ax, label)


def province_spread(rows: list[dict], label: str):
    """One box per province from its rollup row (quartiles as the box, the lowest and highest commune as the
    whiskers, the median as the line): the provinces of the country side by side, without every commune's value."""
    shown = [r for r in rows if r["median"] is not None]
    fig, ax = _new((7, 0.3 * max(len(shown), 4) + 1.2))
    stats = [
        {"med": r["median"], "q1": r["p25"], "q3": r["p75"], "whislo": r["min"], "whishi": r["max"],
         "label": f"{r['province']} ({r['units_with_value']})"}
        for r in sorted(shown, key=lambda r: r["median"])
    ]  # fmt: skip
    if stats:
        ax.bxp(stats, vert=False, showfliers=False, widths=0.55)
    ax.set_xlabel(f"{label} (%)")
    ax.set_xlim(0, 100)
    return _finish(fig, ax, label)


def to_png(fig, dpi: int = PUBLISHED_DPI) -> bytes:
    """The figure as PNG bytes (no timestamp in the metadata)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
