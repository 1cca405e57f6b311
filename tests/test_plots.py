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
