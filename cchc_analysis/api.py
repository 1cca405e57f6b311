"""The analyst's API: tidy pandas DataFrames from the processed store, in one or two lines each.

Every function takes the data folder (default: ``CCHC_DATA_DIR``, else ``data``; from notebooks/, the project's),
a period in any form a command accepts ("2023Q3", "Quý III/2023", "8 tháng năm 2023", "2023-01-01..2023-08-31")
and units by name, code or id. ``labels=True`` gives the columns their Vietnamese names (indicators.yaml).
The figures are those of ``cchc indicators`` and ``cchc rank``: the same rules, computed once, in the same places.

Examples (on the demo store; ``data_dir`` is its folder):

>>> from cchc_analysis import indicators_frame, load_dossiers, monthly_summary
>>> int(indicators_frame(data_dir, "8 tháng năm 2023", units="Thanh Giang")["received_total"].iloc[0])
2527
>>> d = load_dossiers(data_dir, "Quý III/2023", units="Thanh Giang", columns=["channel"])
>>> list(d.columns)
['unit_id', 'unit_name', 'channel']
>>> m = monthly_summary(data_dir, "Quý III/2023", units="Thanh Giang")
>>> m["month"].tolist()
['2023-07', '2023-08', '2023-09']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .methodology import indicator_catalogue
from .periods import Period, parse_period
from .store import load_dossiers

# display names of the columns that are not indicators
COLUMN_LABELS = {
    "unit_id": "Mã định danh đơn vị",
    "unit_code": "Mã đơn vị",
    "unit_name": "Đơn vị",
    "group": "Nhóm so sánh",
    "period_id": "Kỳ",
    "month": "Tháng",
    "field": "Lĩnh vực",
    "channel": "Hình thức nộp",
    "indicator": "Chỉ số",
    "value": "Giá trị",
    "rank": "Thứ hạng",
    "rank_of": "Số đơn vị xếp hạng",
    "new": "Hồ sơ tiếp nhận mới",
    "resolved": "Hồ sơ đã giải quyết (biết hạn)",
    "resolved_in_time": "Giải quyết trước hạn, đúng hạn",
    "in_time_pct": "Tỷ lệ trước hạn, đúng hạn (%)",
    "ci_low": "Cận dưới khoảng tin cậy 95%",
    "ci_high": "Cận trên khoảng tin cậy 95%",
    "flag": "So với mức chung",
    "rank_p05": "Hạng mô phỏng (5%)",
    "rank_p95": "Hạng mô phỏng (95%)",
    "low_volume": "Ít hồ sơ, không xếp hạng",
    "component": "Chỉ số thành phần",
    "score": "Điểm",
    "max_score": "Điểm tối đa",
    "pct": "Tỷ lệ điểm (%)",
    "below_75": "Dưới 75%",
    "self_review_required": "Phải tự kiểm điểm",
}
FLAG_LABELS = {"better": "Tốt hơn mức chung", "similar": "Tương đương", "worse": "Kém hơn mức chung"}
# nested fields of a record (lists and mappings): in the JSON of `cchc indicators`, not in a tidy table
_NESTED = ("missing", "warnings", "corrections", "par_components", "manual", "score_766", "aggregated_from")


def _period(period: Period | str) -> Period:
    return parse_period(period) if isinstance(period, str) else period


def _units(units: str | Sequence[str] | None) -> list[str] | None:
    return [units] if isinstance(units, str) else (list(units) if units else None)


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with Vietnamese column names (an indicator's label from indicators.yaml, else COLUMN_LABELS), and
    its indicator keys and flags in words."""
    catalogue = indicator_catalogue()
    out = frame.copy()
    if "indicator" in out:
        out["indicator"] = out["indicator"].map(lambda k: catalogue.get(k, {}).get("label", k))
    if "flag" in out:
        out["flag"] = out["flag"].map(lambda f: FLAG_LABELS.get(f, f))
    names = {c: catalogue[c]["label"] if c in catalogue else COLUMN_LABELS.get(c, c) for c in out.columns}
    return out.rename(columns=names)


def indicators_frame(
    data_dir: Path | str | None,
    period: Period | str,
    *,
    units: str | Sequence[str] | None = None,
    group: str | None = None,
    labels: bool = False,
) -> pd.DataFrame:
    """One row per unit, one column per indicator of ``period`` (missing figures are empty; why is in
    ``cchc indicators --format json``). Counts are integers, ranks "k/N" come as two integer columns."""
    from .indicators import compute_indicators

    records = compute_indicators(data_dir, _period(period), units=_units(units), group=group)
    rows = [{k: v for k, v in r.items() if k not in _NESTED} for r in records]
    frame = pd.DataFrame(rows)
    for c in ("par_year", "par_rank", "par_rank_of"):
        if c in frame:
            frame[c] = frame[c].astype("Int64")
    return with_labels(frame) if labels else frame


def rankings_frame(
    data_dir: Path | str | None,
    period: Period | str,
    *,
    group: str | None = None,
    indicators: Sequence[str] | None = None,
    labels: bool = False,
) -> pd.DataFrame:
    """One row per unit and indicator ranked (``cchc rank``): value, rank and rank_of (integers; empty when not
    ranked), Wilson interval, flag against the group's rate, Monte Carlo rank range."""
    from .ranking import compute_rankings

    records = compute_rankings(data_dir, _period(period), group=group, indicators=list(indicators or []) or None)
    return tidy_rankings(records, labels=labels)


def tidy_rankings(records: list[dict], *, labels: bool = False) -> pd.DataFrame:
    """The records of ``compute_rankings`` as a table: ranks as integers (empty where not ranked)."""
    frame = pd.DataFrame(records)
    for c in ("rank", "rank_of", "rank_change"):
        if c in frame:
            frame[c] = frame[c].astype("Int64")
    return with_labels(frame) if labels else frame


def monthly_summary(
    data_dir: Path | str | None,
    period: Period | str,
    *,
    units: str | Sequence[str] | None = None,
    by: Sequence[str] = ("unit_id", "unit_name"),
    labels: bool = False,
) -> pd.DataFrame:
    """Per month of ``period`` and per ``by`` (any of unit_id, unit_name, field, channel): new dossiers (by the
    month received), dossiers resolved with a known due date (by the month finished) and the share of them
    resolved early or on time, by the rules of the indicators."""
    from .states import dossier_states

    p = _period(period)
    by = list(by)
    d = load_dossiers(data_dir, p, _units(units))
    s = dossier_states(d, p)
    d = d.loc[s.index]
    months = pd.period_range(p.start, p.end, freq="M").astype(str)
    new = d[s["new"]].assign(month=d.loc[s["new"], "received_at"].dt.to_period("M").astype(str))
    done_mask = s["resolved"] & s["resolved_class"].notna()
    done = d[done_mask].assign(
        month=s.loc[done_mask, "finish"].dt.to_period("M").astype(str),
        in_time=s.loc[done_mask, "resolved_class"].isin(["early", "on_time"]),
    )
    keys = ["month", *by]
    counts = new.groupby(keys, dropna=False, observed=True).size().rename("new")
    resolved = done.groupby(keys, dropna=False, observed=True)["in_time"].agg(["size", "sum"])
    out = pd.concat([counts, resolved.rename(columns={"size": "resolved", "sum": "resolved_in_time"})], axis=1)
    out = out.fillna(0).astype("int64").reset_index()
    out = out[out["month"].isin(months)]
    out["in_time_pct"] = (100 * out["resolved_in_time"] / out["resolved"].where(out["resolved"] > 0)).astype(float)
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    return with_labels(out) if labels else out


def tt01_table(data_dir: Path | str | None, period: Period | str, unit: str) -> pd.DataFrame:
    """The TT 01/2020 table of one unit by field, with its totals row (the brief's table)."""
    from .tt01 import tt01_table as table

    p = _period(period)
    return table(load_dossiers(data_dir, p, [unit]), p)


__all__ = [
    "COLUMN_LABELS",
    "indicators_frame",
    "load_dossiers",
    "monthly_summary",
    "rankings_frame",
    "tidy_rankings",
    "tt01_table",
    "with_labels",
]
