"""Charts for notebooks and briefs: Vietnamese titles and labels, one colour-blind-safe palette, a source line."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

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


def _finish(fig, ax, title: str, source: str = SOURCE):
    ax.set_title(title, fontsize=11, loc="left")
    fig.text(0.01, 0.01, source, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def monthly_trend(monthly: pd.DataFrame, unit_name: str):
    """Stacked bars of new dossiers per month, online versus direct and postal."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    bottom = None
    labels = {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính"}
    for channel in ("online", "direct", "postal"):
        if channel in monthly:
            ax.bar(monthly["month"], monthly[channel], bottom=bottom, color=PALETTE[channel], label=labels[channel])
            bottom = monthly[channel] if bottom is None else bottom + monthly[channel]
    ax.set_ylabel("Số hồ sơ")
    ax.legend(frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return _finish(fig, ax, f"Hồ sơ tiếp nhận mới theo tháng - {unit_name}")


def funnel_plot(records: list[dict], label: str):
    """Each unit's rate against its number of dossiers, with 95% and 99.8% limits around the pooled rate."""
    from statistics import NormalDist

    rows = [r for r in records if r.get("value") is not None and r.get("volume")]
    fig, ax = plt.subplots(figsize=(7, 4))
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
            ax.annotate(
                r["unit_name"].replace("Xã ", "").replace("Thị trấn ", "TT "),
                (r["volume"], r["value"]),
                fontsize=6,
                xytext=(3, 2),
                textcoords="offset points",
            )
    ax.set_xlabel("Số hồ sơ (mẫu số)")
    ax.set_ylabel("%")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    return _finish(fig, ax, f"Biểu đồ phễu: {label}")
