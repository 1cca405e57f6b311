"""Indicators of a period and unit from the processed store, by the rules of DOMAIN.md.

How a dossier counts in a period is decided by its dates, not by its status alone (``dossier_states``); the
indicator functions take DataFrames and return one row per unit. Every rate is a full-precision percentage on
0-100; an indicator that cannot be computed is None with a reason in ``missing``, never 0.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputFileError
from .methodology import Methodology, load_methodology
from .periods import Period
from .registry import UnitRegistry
from .settings import Settings
from .text import fold

log = logging.getLogger(__name__)

STOPPED = ("withdrawn", "returned")
COUNT_KEYS = [
    "received_total",
    "received_online",
    "received_direct",
    "received_postal",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_total",
    "pending_within_deadline",
    "pending_overdue",
    "withdrawn",
    "returned",
]


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


def dossier_states(dossiers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per dossier, how it counts in ``period`` (columns are booleans unless said otherwise).

    - ``finish``: first present of processing finished, result available, result handed over; withdrawn and
      returned dossiers end on it or, lacking one, on their receipt date;
    - ``new``: received in the period; ``carried``: received before it and not finished before its first day;
    - ``resolved``: finished in the period (not withdrawn or returned), with ``resolved_class`` early / on_time /
      late per calendar day against the due date (None when the due date is unknown);
    - ``pending``: received by the period's end and not finished by then, ``overdue`` when its due day is before
      the period's end; ``stopped``: withdrawn or returned in the period (``stopped_kind``).
    "Not accepted" dossiers were never received and take no part.
    """
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    d = dossiers[dossiers["status"] != "not_accepted"]
    received = _day(d["received_at"])
    finish = _day(d["processed_at"].fillna(d["result_at"]).fillna(d["handed_at"]))
    is_stopped = d["status"].isin(STOPPED)
    finish = finish.where(~(is_stopped & finish.isna()), received)
    due = _day(d["due_at"])
    out = pd.DataFrame(index=d.index)
    out["unit_id"] = d["unit_id"]
    out["finish"] = finish
    out["new"] = received.between(start, end)
    out["carried"] = (received < start) & (finish.isna() | (finish >= start))
    handled = out["new"] | out["carried"]
    ended_in = finish.between(start, end)
    out["resolved"] = handled & ended_in & ~is_stopped
    out["stopped"] = handled & ended_in & is_stopped
    out["stopped_kind"] = d["status"].where(out["stopped"])
    out["pending"] = handled & (finish.isna() | (finish > end))
    out["overdue"] = out["pending"] & due.notna() & (due < end)
    cls = np.select([finish < due, finish == due, finish > due], ["early", "on_time", "late"], default=None)
    out["resolved_class"] = pd.Series(cls, index=d.index).where(out["resolved"] & due.notna())
    out["channel"] = d["channel"]
    return out


def compute_onestop_indicators(
    dossiers: pd.DataFrame,
    period: Period,
    catalogue: pd.DataFrame | None = None,
    methodology: Methodology | None = None,
) -> pd.DataFrame:
    """Dossier indicators per unit for ``period`` (counts, TT 01/2020 buckets, 766 rates, payment, procedures)."""
    methodology = methodology or load_methodology()
    if dossiers.empty:
        return pd.DataFrame(columns=["unit_id", *COUNT_KEYS])
    s = dossier_states(dossiers, period)
    d = dossiers.loc[s.index]
    g = s.groupby("unit_id")
    res = pd.DataFrame(index=pd.Index(sorted(s["unit_id"].unique()), name="unit_id"))
    new = s["new"]
    res["received_online"] = (new & (s["channel"] == "online")).groupby(s["unit_id"]).sum()
    res["received_direct"] = (new & (s["channel"] == "direct")).groupby(s["unit_id"]).sum()
    res["received_postal"] = (new & (s["channel"] == "postal")).groupby(s["unit_id"]).sum()
    res["new_total"] = g["new"].sum()
    res["carried_over"] = g["carried"].sum()
    res["received_total"] = res["new_total"] + res["carried_over"]
    res["resolved_total"] = g["resolved"].sum()
    for cls in ("early", "on_time", "late"):
        res[f"resolved_{cls}"] = (s["resolved_class"] == cls).groupby(s["unit_id"]).sum()
    res["resolved_unknown_deadline"] = (s["resolved"] & s["resolved_class"].isna()).groupby(s["unit_id"]).sum()
    res["pending_total"] = g["pending"].sum()
    res["pending_overdue"] = g["overdue"].sum()
    res["pending_within_deadline"] = res["pending_total"] - res["pending_overdue"]
    res["withdrawn"] = (s["stopped_kind"] == "withdrawn").groupby(s["unit_id"]).sum()
    res["returned"] = (s["stopped_kind"] == "returned").groupby(s["unit_id"]).sum()
    res["channel_unknown"] = (new & s["channel"].isna()).groupby(s["unit_id"]).sum()

    def pct(num, den):
        return (100.0 * num / den).where(den > 0)

    res["resolved_early_pct"] = pct(res["resolved_early"], res["resolved_total"])
    res["resolved_on_time_pct"] = pct(res["resolved_on_time"], res["resolved_total"])
    res["resolved_late_pct"] = pct(res["resolved_late"], res["resolved_total"])
    res["online_rate"] = pct(res["received_online"], res["new_total"])
    in_time = res["resolved_early"] + res["resolved_on_time"] + res["pending_within_deadline"]
    res["on_time_rate_766"] = pct(in_time, res["resolved_total"] + res["pending_total"])
    # online payment, among the new dossiers owing a fee since payment methods are recorded
    fee_bearing = d["fee"].fillna(0) > 0
    if "catalogue_fee_kind" in d:
        fee_bearing |= d["catalogue_fee_kind"] == "amount"
    online_kinds = (
        ["online", "transfer"] if methodology.get("online_payment", "transfer_counts_as_online") else ["online"]
    )
    paid_online = d["payment_method"].isin(online_kinds)
    tracked_from = methodology.get("online_payment", "tracked_from")
    received = _day(d["received_at"])
    if tracked_from:
        since = pd.Series(pd.Timestamp(tracked_from), index=d.index)
    else:
        first = received[d["payment_method"].notna()].groupby(d["unit_id"]).min()
        since = pd.to_datetime(d["unit_id"].map(first.to_dict()), errors="coerce").astype("datetime64[ns]")
    window = new & since.notna() & (received >= since)
    res["payment_tracked_from"] = since.groupby(d["unit_id"]).first().where(lambda x: x.notna())
    res["fee_dossiers"] = (window & fee_bearing).groupby(s["unit_id"]).sum()
    res["fee_paid_online"] = (window & fee_bearing & paid_online).groupby(s["unit_id"]).sum()
    res["online_payment_rate"] = pct(res["fee_paid_online"], res["fee_dossiers"]).where(
        res["payment_tracked_from"].notna()
    )
    # procedures
    key = d.get("catalogue_code")
    proc = key.where(key.notna(), d["procedure"].map(fold)) if key is not None else d["procedure"].map(fold)
    online_new = new & (s["channel"] == "online")
    res["procedures_with_online_dossiers"] = proc[online_new].groupby(s["unit_id"][online_new]).nunique()
    res["procedures_with_online_dossiers"] = res["procedures_with_online_dossiers"].fillna(0)
    if catalogue is not None and not catalogue.empty:
        res["procedures_total"] = catalogue.groupby("unit_id").size()
    else:
        res["procedures_total"] = np.nan
    res["procedures_online_share"] = pct(res["procedures_with_online_dossiers"], res["procedures_total"])
    # digitisation, where the export carries it
    has_digit = new & d["digitised"].notna()
    res["digitised_known"] = has_digit.groupby(s["unit_id"]).sum()
    digitised = has_digit & d["digitised"].fillna(False).astype(bool)
    res["digitised_rate"] = pct(digitised.groupby(s["unit_id"]).sum(), res["digitised_known"])
    rates = {"on_time_rate_766", "payment_tracked_from"}
    counts = [c for c in res.columns if c not in rates and not c.endswith(("_pct", "_rate", "_share"))]
    for c in counts:
        if c != "procedures_total":
            res[c] = res[c].fillna(0).astype("int64")
    return res.reset_index()


def compute_budget_indicators(
    budget: pd.DataFrame, period: Period, methodology: Methodology | None = None
) -> pd.DataFrame:
    """Budget execution year to date, from each unit's latest report on or before the period's end in the same
    fiscal year (its as-of date is reported)."""
    methodology = methodology or load_methodology()
    cols = [
        "unit_id",
        "budget_as_of",
        "revenue_estimate",
        "revenue_actual",
        "revenue_execution_pct",
        "expenditure_estimate",
        "expenditure_actual",
        "expenditure_execution_pct",
    ]
    if budget.empty:
        return pd.DataFrame(columns=cols)
    end = pd.Timestamp(period.end)
    top = budget[(budget["level"] == 0) & (budget["fiscal_year"] == end.year) & (budget["as_of"] <= end)]
    if top.empty:
        return pd.DataFrame(columns=cols)
    latest = top[top["as_of"] == top.groupby("unit_id")["as_of"].transform("max")]
    use_adjusted = methodology.get("budget", "denominator") == "adjusted"
    rows = []
    for unit_id, lines in latest.groupby("unit_id"):
        rec = {"unit_id": unit_id, "budget_as_of": lines["as_of"].iloc[0]}
        for section, name in (("revenue", "revenue"), ("expenditure", "expenditure")):
            part = lines[lines["section"] == section]
            est = part["estimate"].sum(min_count=1)
            if use_adjusted and part["adjusted_estimate"].notna().any():
                est = part["adjusted_estimate"].sum(min_count=1)
            actual = part["actual_cumulative"].sum(min_count=1)
            rec[f"{name}_estimate"] = est
            rec[f"{name}_actual"] = actual
            rec[f"{name}_execution_pct"] = 100.0 * actual / est if pd.notna(est) and est else None
        rows.append(rec)
    return pd.DataFrame(rows, columns=cols)


def par_year_for(period: Period, par: pd.DataFrame, methodology: Methodology | None = None) -> int | None:
    """The PAR year a brief for ``period`` shows: the period's own year when it is a whole year, else the latest
    scored year published by the period's end (publication date from the sheet, else 31 March of the next year)."""
    methodology = methodology or load_methodology()
    if par.empty:
        return None
    years = sorted(par["year"].unique())
    if period.kind == "year":
        return period.start.year if period.start.year in years else None
    fallback = methodology.get("par", "publication_fallback") or "03-31"
    published = {}
    for y in years:
        dates = par.loc[par["year"] == y, "published_date"].dropna()
        published[y] = dates.min().date() if len(dates) else dt.date.fromisoformat(f"{y + 1}-{fallback}")
    eligible = [y for y in years if published[y] <= period.end]
    return max(eligible) if eligible else None


def competition_rank(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1, 2, 2, 4: ties share the best rank; missing values get no rank."""
    return values.rank(method="min", ascending=not higher_is_better).astype("Int64")


def compute_par_indicators(par: pd.DataFrame, period: Period, methodology: Methodology | None = None) -> pd.DataFrame:
    """PAR results per unit: total and each component with its maximum, share, rank among the units scored on
    the same sheet and year, and the below-75% self-review flags."""
    methodology = methodology or load_methodology()
    cols = [
        "unit_id",
        "par_year",
        "par_total_score",
        "par_total_max",
        "par_total_pct",
        "par_rank",
        "par_rank_of",
        "par_components",
    ]
    year = par_year_for(period, par, methodology)
    if year is None:
        return pd.DataFrame(columns=cols)
    p = par[par["year"] == year].copy()
    threshold = float(methodology.get("par", "below_threshold_pct", default=75))
    review_words = [fold(w) for w in methodology.get("par", "self_review_components", default=[])]
    p["pct"] = 100.0 * p["score"] / p["max_score"]
    p["rank"] = p.groupby("component")["score"].transform(lambda s: competition_rank(s))
    p["rank_of"] = p.groupby("component")["score"].transform("count")
    totals = p.groupby("unit_id").agg(par_total_score=("score", "sum"), par_total_max=("max_score", "sum"))
    totals["par_total_pct"] = 100.0 * totals["par_total_score"] / totals["par_total_max"]
    totals["par_rank"] = competition_rank(totals["par_total_score"].round(6))
    totals["par_rank_of"] = len(totals)
    rows = []
    for unit_id, t in totals.iterrows():
        comps = []
        for _, c in p[p["unit_id"] == unit_id].iterrows():
            below = bool(c["pct"] < threshold)
            covered = any(w in fold(c["component"]) for w in review_words)
            comps.append(
                {
                    "component": c["component"],
                    "score": float(c["score"]),
                    "max_score": float(c["max_score"]),
                    "pct": float(c["pct"]),
                    "rank": int(c["rank"]),
                    "rank_of": int(c["rank_of"]),
                    "below_75": below,
                    "self_review_required": below and covered,
                }
            )
        rows.append(
            {
                "unit_id": unit_id,
                "par_year": int(year),
                **t.to_dict(),
                "par_rank": int(t["par_rank"]),
                "par_rank_of": int(t["par_rank_of"]),
                "par_components": comps,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def compute_manual_indicators(manual: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The manual-input figures of the period's workbook, with "done / total" rates (see manual_fields.yaml)."""
    from .ingest.manual import manual_groups

    if manual.empty:
        return pd.DataFrame(columns=["unit_id", "manual"])
    m = manual[
        (manual["period_start"] == pd.Timestamp(period.start)) & (manual["period_end"] == pd.Timestamp(period.end))
    ]
    pairs = [(f["key"], f["of"]) for g in manual_groups() for f in g["fields"] if f.get("of")]
    rows = []
    for unit_id, part in m.groupby("unit_id"):
        values = {
            r["key"]: {"value": int(r["value"]), "as_of": r["as_of"].date().isoformat()} for _, r in part.iterrows()
        }
        for key, of in pairs:
            if key in values and of in values and values[of]["value"]:
                values[f"{key}_rate"] = {
                    "value": 100.0 * values[key]["value"] / values[of]["value"],
                    "as_of": values[key]["as_of"],
                }
        rows.append({"unit_id": unit_id, "manual": values})
    return pd.DataFrame(rows, columns=["unit_id", "manual"])


# --- from the store -----------------------------------------------------------------------------------------------

MISSING_REASONS = {
    "no_dossiers": "không có danh sách hồ sơ của đơn vị trong kỳ",
    "no_new": "không có hồ sơ mới trong kỳ",
    "no_resolved": "không có hồ sơ nào được giải quyết trong kỳ",
    "no_payment": "kỳ này không có dữ liệu về hình thức thanh toán",
    "no_catalogue": "chưa có danh mục thủ tục hành chính của đơn vị",
    "no_digitised": "tệp xuất không có cột số hóa",
    "no_budget": "không có báo cáo ngân sách trong năm tài chính đến cuối kỳ",
    "no_par": "chưa có kết quả chỉ số CCHC được công bố đến cuối kỳ",
}


def _read(processed: Path, name: str) -> pd.DataFrame:
    path = processed / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def compute_indicators(
    data_dir: Path | str | None,
    period: Period,
    *,
    units: list[str] | None = None,
    group: str | None = None,
    methodology: Methodology | None = None,
) -> list[dict]:
    """One record per unit: every indicator of ``period`` with ``missing`` reasons (see the JSON of
    ``cchc indicators``)."""
    methodology = methodology or load_methodology()
    settings = Settings.resolve(data_dir)
    processed = settings.processed_dir
    if not (processed / "dossiers.parquet").is_file():
        raise InputFileError(f"Chưa có dữ liệu đã xử lý trong {processed}. Hãy chạy `cchc ingest` trước.")
    registry = UnitRegistry.load(settings.data_dir)
    dossiers = _read(processed, "dossiers")
    catalogue = _read(processed, "catalogue")
    onestop = compute_onestop_indicators(dossiers, period, catalogue, methodology).set_index("unit_id")
    budget = compute_budget_indicators(_read(processed, "budget"), period, methodology).set_index("unit_id")
    par = compute_par_indicators(_read(processed, "par"), period, methodology).set_index("unit_id")
    manual = compute_manual_indicators(_read(processed, "manual"), period).set_index("unit_id")
    if units:
        chosen = [registry.lookup(u, on=period.end) for u in units]
    else:
        present = set(onestop.index) | set(budget.index) | set(par.index)
        chosen = [u for u in registry.units(group=group) if u.unit_id in present]
    records = []
    for unit in chosen:
        rec: dict = {
            "unit_code": unit.code,
            "unit_id": unit.unit_id,
            "unit_name": unit.full_name,
            "group": unit.group,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "period_id": period.id,
            "methodology_version": methodology.version,
            "missing": {},
        }
        missing = rec["missing"]
        o = onestop.loc[unit.unit_id] if unit.unit_id in onestop.index else None
        for key in COUNT_KEYS:
            rec[key] = int(o[key]) if o is not None else None
            if o is None:
                missing[key] = MISSING_REASONS["no_dossiers"]
        rate_reasons = {
            "resolved_early_pct": "no_resolved",
            "resolved_on_time_pct": "no_resolved",
            "resolved_late_pct": "no_resolved",
            "online_rate": "no_new",
            "on_time_rate_766": "no_resolved",
            "online_payment_rate": "no_payment",
            "procedures_online_share": "no_catalogue",
            "digitised_rate": "no_digitised",
        }
        for key, reason in rate_reasons.items():
            value = o[key] if o is not None else None
            rec[key] = None if value is None or pd.isna(value) else float(value)
            if rec[key] is None:
                missing[key] = MISSING_REASONS["no_dossiers" if o is None else reason]
        for key in ("fee_dossiers", "fee_paid_online", "procedures_with_online_dossiers"):
            rec[key] = int(o[key]) if o is not None else None
        rec["procedures_total"] = (
            int(o["procedures_total"]) if o is not None and pd.notna(o["procedures_total"]) else None
        )
        if rec["procedures_total"] is None:
            missing["procedures_total"] = MISSING_REASONS["no_catalogue"]
        tracked = o["payment_tracked_from"] if o is not None else None
        rec["payment_tracked_from"] = (
            None if tracked is None or pd.isna(tracked) else pd.Timestamp(tracked).date().isoformat()
        )
        if rec["payment_tracked_from"] is None:
            rec["fee_dossiers"] = rec["fee_paid_online"] = None
            missing.setdefault("fee_dossiers", MISSING_REASONS["no_payment"])
        b = budget.loc[unit.unit_id] if unit.unit_id in budget.index else None
        for key in ("revenue_estimate", "revenue_actual", "expenditure_estimate", "expenditure_actual"):
            rec[key] = None if b is None or pd.isna(b[key]) else round(float(b[key]))
        for key in ("revenue_execution_pct", "expenditure_execution_pct"):
            rec[key] = None if b is None or b[key] is None or pd.isna(b[key]) else float(b[key])
        rec["budget_as_of"] = b["budget_as_of"].date().isoformat() if b is not None else None
        if b is None:
            for key in ("budget_as_of", "revenue_execution_pct", "expenditure_execution_pct"):
                missing[key] = MISSING_REASONS["no_budget"]
        p = par.loc[unit.unit_id] if unit.unit_id in par.index else None
        for key in ("par_year", "par_total_score", "par_total_max", "par_total_pct", "par_rank", "par_rank_of"):
            value = None if p is None else p[key]
            rec[key] = (
                None
                if value is None or pd.isna(value)
                else (int(value) if key in ("par_year", "par_rank", "par_rank_of") else float(value))
            )
        rec["par_components"] = list(p["par_components"]) if p is not None else []
        if p is None:
            missing["par_year"] = MISSING_REASONS["no_par"]
        rec["manual"] = dict(manual.loc[unit.unit_id, "manual"]) if unit.unit_id in manual.index else {}
        records.append(rec)
    return records
