"""Charts are readable when the group is crowded: no label on another, no legend over the data, no bar cut at the
top; importing the module chooses no backend for the process."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from cchc_analysis import plots


def boxes(fig, artists):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


def overlapping(bxs):
    return [(i, j) for i in range(len(bxs)) for j in range(i + 1, len(bxs)) if bxs[i].overlaps(bxs[j])]


def test_importing_the_charts_chooses_no_backend():
    code = (
        "import matplotlib; b = matplotlib.get_backend(); import cchc_analysis.plots; "
        "print(b == matplotlib.get_backend())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
    assert (
        "matplotlib.pyplot"
        not in subprocess.run(
            [sys.executable, "-c", "import sys, cchc_analysis.plots; print(sorted(sys.modules))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def test_funnel_labels_name_the_units_outside_the_limits_without_overlapping():
    # 17 units close together; one in three better, one in three worse than the group
    records = [
        {"unit_name": f"Xã Đơn Vị {i}", "value": 90 + (i % 3) * 3 + 0.1 * i, "volume": 100 + 3 * i,
         "flag": ("better", "worse", "similar")[i % 3]}
        for i in range(17)
    ]  # fmt: skip
    fig = plots.funnel_plot(records, "Thử")
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.texts]
    assert sorted(names) == sorted(f"Đơn Vị {i}" for i in range(17) if i % 3 != 2)
    assert overlapping(boxes(fig, ax.texts)) == []


def test_the_dot_plots_legend_is_off_the_data():
    records = [
        {"unit_name": f"Xã U{i}", "value": 50 + i, "ci_low": 40 + i, "ci_high": 60 + i, "flag": "similar"}
        for i in range(17)
    ]
    fig = plots.interval_dot_plot(records, "Thử")
    ax = fig.axes[0]
    (legend_box,) = boxes(fig, [ax.get_legend()])
    assert legend_box.y0 >= boxes(fig, [ax])[0].y1 - 1  # above the plotting area, below the title
    assert not legend_box.overlaps(boxes(fig, [ax.title])[0])


def test_the_bump_chart_names_the_top_and_the_last_once_per_rank():
    # six units share rank 1 at the end: one label for them, not six stacked names
    history = pd.DataFrame(
        [
            {"unit_name": f"Xã U{i:02d}", "period": p, "rank": 1 if i < 6 else i}
            for p in ("2023Q2", "2023Q3")
            for i in range(17)
        ]
    )
    fig = plots.bump_chart(history, "Thử")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1. U00, U01, U02 và 3 đơn vị khác", "16. U16"]
    assert overlapping(boxes(fig, fig.axes[0].texts)) == []


def test_the_highest_bar_is_not_cut():
    monthly = pd.DataFrame(
        {"month": ["2023-07", "2023-08"], "online": [300, 500], "direct": [10, 14], "postal": [0, 1]}
    )
    ax = plots.monthly_trend(monthly, "Xã A").axes[0]
    assert ax.get_ylim()[1] >= 515 * 1.1  # 500 + 14 + 1 with headroom


def _check_readable(fig, what: str) -> None:
    """Every text of a chart inside the picture (nothing cut at an edge); the labels placed on the plot (names,
    values) not on one another; a legend on no label and off the title."""
    from matplotlib.text import Text

    fig.set_dpi(plots.PUBLISHED_DPI)  # measured as published: text is wider at 150 dpi than at matplotlib's 100
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    # matplotlib keeps a label for a tick beyond the axis' limits without drawing it: only drawn ticks count
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=False):
                if not low - 1e-9 <= loc <= high + 1e-9:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in undrawn]
    cut = [
        t.get_text()
        for t in texts
        if (b := t.get_window_extent(renderer)).x0 < frame.x0 - 1
        or b.x1 > frame.x1 + 1
        or b.y0 < frame.y0 - 1
        or b.y1 > frame.y1 + 1
    ]
    assert cut == [], (what, cut)
    for ax in fig.axes:
        labels = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        assert overlapping(boxes(fig, labels)) == [], (what, [t.get_text() for t in labels])
        legend = ax.get_legend()
        if legend is not None:
            (box,) = boxes(fig, [legend])
            assert not [t.get_text() for t in labels if box.overlaps(t.get_window_extent(renderer))], what
            assert not box.overlaps(ax.title.get_window_extent(renderer)), what


def test_the_demo_districts_charts_are_readable(ingested, demo_dir):
    # the charts of the demo run's briefs (2023Q4), drawn from the demo district's data: the group's dot plot,
    # funnel, bump chart and PAR heatmap, and every commune's monthly trend
    from cchc_analysis.coverage import monthly_summary
    from cchc_analysis.methodology import group_table_spec
    from cchc_analysis.periods import parse_period
    from cchc_analysis.ranking import compute_rankings, par_component_table, rank_history
    from cchc_analysis.store import load_dossiers

    quarter, group = parse_period("2023Q4"), "Huyện Thanh Miện"
    main = group_table_spec()[0]["key"]
    records = compute_rankings(demo_dir, quarter, group=group, draws=100)
    rates = [r for r in records if r["indicator"] == main]
    assert len(rates) == 17
    charts = {
        "dot plot": plots.interval_dot_plot(rates, "Tỷ lệ trong hạn (%)"),
        "funnel": plots.funnel_plot(rates, "Tỷ lệ trong hạn"),
        "bump": plots.bump_chart(rank_history(demo_dir, quarter, group=group, indicator=main), "Thứ hạng theo quý"),
        "heatmap": plots.component_heatmap(par_component_table(records), "Tỷ lệ điểm chỉ số CCHC"),
    }
    dossiers = load_dossiers(demo_dir)
    for unit_id, unit_rows in dossiers[dossiers["unit_id"].isin({r["unit_id"] for r in rates})].groupby("unit_id"):
        name = next(r["unit_name"] for r in rates if r["unit_id"] == unit_id)
        charts[name] = plots.monthly_trend_with_on_time(monthly_summary(unit_rows, quarter), name)
    assert len(charts) == 4 + 17
    for what, fig in charts.items():
        _check_readable(fig, what)
