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

from .methodology import Methodology, load_methodology
from .periods import Period
from .rates import missing_reason, rate_definitions, rate_value
from .registry import UnitRegistry
from .states import (
    ACCEPTED,
    FINISH,
    StoreRows,
    blank,
    count_true,
    finished_in_sql,
    may_count_sql,
    received_in_sql,
    source,
    states_sql,
)
from .store import handover_pairs, load_ingest_report, open_store, read_table, store_rows
from .text import fold

log = logging.getLogger(__name__)

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


def _half_up(value) -> int:
    """A whole number the way figures are rounded everywhere (half up, not Python's half to even: 2,5 -> 3)."""
    from .methodology import round_display

    return int(round_display(float(value), 0))


def unit_history(dossiers: pd.DataFrame | StoreRows) -> pd.DataFrame:
    """What the figures of any period need from a unit's whole history, not from the period's dossiers: the units
    that ever received a dossier (sorted: every one gets a row, zeros rather than "missing") and the first day a
    dossier of the unit records a payment method (``first_payment_day``: online payment is counted from it).
    Reads four columns (unit, status, receipt, payment method) of ``dossiers``, a DataFrame or the store's rows."""
    if isinstance(dossiers, pd.DataFrame) and dossiers.empty:
        dossiers = pd.DataFrame({"unit_id": pd.Series(dtype=object)})
    with source(dossiers) as (con, rel):
        table = con.execute(
            f"""SELECT unit_id, min(CASE WHEN payment_method IS NOT NULL THEN CAST(received_at AS DATE) END) AS first
            FROM {rel} WHERE {ACCEPTED} AND unit_id IS NOT NULL GROUP BY unit_id ORDER BY unit_id"""
        ).df()
    index = pd.Index(table["unit_id"].to_numpy(dtype=object), name="unit_id")
    first = pd.Series(pd.to_datetime(table["first"]).to_numpy(dtype="datetime64[ns]"), index=index)
    return pd.DataFrame({"first_payment_day": first}, index=index)


def _count_conditions(online_kinds: list[str], since: str) -> dict[str, str]:
    """SQL: the condition each count of :func:`compute_onestop_indicators` counts, over :func:`states_sql`'s rows
    (``since``: the day online payment is counted from)."""
    kinds = ", ".join(f"'{k}'" for k in online_kinds)
    fee_bearing = "(coalesce(fee, 0) > 0 OR coalesce(catalogue_fee_kind = 'amount', false))"
    window = f"(new AND {since} IS NOT NULL AND rday >= {since})"
    return {
        "received_online": "new AND channel = 'online'",
        "received_direct": "new AND channel = 'direct'",
        "received_postal": "new AND channel = 'postal'",
        "new_total": "new",
        "carried_over": "carried",
        "resolved_total": "resolved",
        "resolved_early": "resolved_class = 'early'",
        "resolved_on_time": "resolved_class = 'on_time'",
        "resolved_late": "resolved_class = 'late'",
        "resolved_unknown_deadline": "resolved AND resolved_class IS NULL",
        "pending_total": "pending",
        "pending_overdue": "overdue",
        "withdrawn": "stopped_kind = 'withdrawn'",
        "returned": "stopped_kind = 'returned'",
        # inputs the exports did not give in a form the vocabularies know: blank or unrecognised (unknown_inputs)
        "channel_unknown": "new AND channel IS NULL",
        "status_unknown": f"handled AND NOT {blank('status_raw')} AND status IS NULL",
        "handled_total": "handled",
        "pending_unknown_deadline": "pending AND due_at IS NULL",
        # status says resolved but no finish date: counted as pending, but unknown
        "finish_unknown": "pending AND status = 'resolved' AND fday IS NULL",
        # online payment, among the new dossiers owing a fee since payment methods are recorded
        "fee_dossiers": f"{window} AND {fee_bearing}",
        "fee_paid_online": f"{window} AND {fee_bearing} AND payment_method IN ({kinds})",
        "window_total": window,
        # whether a fee is owed is unknown where the export gives no fee and the catalogue does not say
        "fee_unknown": f"{window} AND fee IS NULL AND catalogue_fee_kind IS NULL",
        "payment_unknown": f"{window} AND {fee_bearing} AND NOT {blank('payment_raw')} AND payment_method IS NULL",
        "digitised_known": "new AND digitised IS NOT NULL",
        "digitised": "new AND digitised",
    }


CATALOGUE_COLUMNS = ("unit_id",)
"""What the figures read of the procedure catalogue (each unit's number of procedures): a national catalogue read
whole is 400,000 rows of text, 0.6 s of every command."""


def compute_onestop_indicators(
    dossiers: pd.DataFrame | StoreRows,
    period: Period,
    catalogue: pd.DataFrame | None = None,
    methodology: Methodology | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Dossier indicators per unit for ``period`` (counts, TT 01/2020 buckets, 766 rates, payment, procedures);
    ``dossiers`` a DataFrame or the store's rows (:class:`StoreRows`); ``history``: :func:`unit_history` of the
    whole store where ``dossiers`` are only the period's (else theirs)."""
    methodology = methodology or load_methodology()
    if history is None:
        history = unit_history(dossiers)
    if history.empty:
        return pd.DataFrame(columns=["unit_id", *COUNT_KEYS])
    # every unit with a received dossier gets a row, even with none in the period (zeros, not "missing")
    index = pd.Index(np.asarray(history.index, dtype=object), name="unit_id")
    online_kinds = (
        ["online", "transfer"] if methodology.get("online_payment", "transfer_counts_as_online") else ["online"]
    )
    tracked_from = methodology.get("online_payment", "tracked_from")
    since = f"DATE '{pd.Timestamp(tracked_from).date().isoformat()}'" if tracked_from else "h.first"
    conditions = _count_conditions(online_kinds, since)
    first = history["first_payment_day"].rename("first").rename_axis("unit_id").reset_index()
    online_new = "new AND channel = 'online'"
    with source(dossiers, h=first) as (con, rel):
        # only dossiers that can count in the period go through the rules (a store holds many periods); one pass
        # for the counts and the procedures of the online dossiers (a second pass cost a third of the time)
        states = states_sql(f"(SELECT * FROM {rel} WHERE {may_count_sql(period)})", period)
        counts = ",\n".join(f"{count_true(c)} AS {k}" for k, c in conditions.items())
        got = con.execute(
            f"""SELECT s.unit_id, {counts},
                count(DISTINCT catalogue_code) FILTER (WHERE {online_new}) AS online_codes,
                list(DISTINCT procedure) FILTER (WHERE {online_new} AND catalogue_code IS NULL) AS online_names
            FROM ({states}) s LEFT JOIN h ON s.unit_id = h.unit_id GROUP BY s.unit_id"""
        ).df()
    got = got.set_index("unit_id").reindex(index, fill_value=0)
    res: dict[str, object] = {k: got[k].to_numpy(dtype="int64") for k in conditions}
    res["received_total"] = res["new_total"] + res["carried_over"]
    res["pending_within_deadline"] = res["pending_total"] - res["pending_overdue"]
    if tracked_from:
        res["payment_tracked_from"] = np.full(len(index), np.datetime64(pd.Timestamp(tracked_from), "ns"))
    else:
        res["payment_tracked_from"] = history["first_payment_day"].to_numpy(dtype="datetime64[ns]")
    res["procedures_with_online_dossiers"] = got["online_codes"].to_numpy(dtype="int64") + _distinct_names(
        got["online_names"]
    )
    if catalogue is not None and not catalogue.empty:
        res["procedures_total"] = catalogue.groupby("unit_id").size().reindex(index).to_numpy()
    else:
        res["procedures_total"] = np.full(len(index), np.nan)
    table = pd.DataFrame(res, index=index)
    # every rate of the catalogue, from these counts
    rates = {key: rate_value(table, rate) for key, rate in rate_definitions().items()}
    res = pd.concat([table, pd.DataFrame(rates, index=index)], axis=1) if rates else table
    return res.reset_index()


def _distinct_names(names: pd.Series) -> np.ndarray:
    """Per unit, the number of distinct procedures among lists of names (online dossiers without a catalogue code):
    names are compared folded (case, diacritics, spacing), a missing name is not counted. A procedure is known by
    its catalogue code first, so these are counted apart from the codes."""
    folded: dict[str, str] = {}

    def distinct(values) -> int:
        if not isinstance(values, list | np.ndarray) or len(values) == 0:
            return 0
        keys = set()
        for v in values:
            if isinstance(v, str):
                key = folded.get(v)
                if key is None:
                    key = folded[v] = fold(v)
                keys.add(key)
        keys.discard("")
        return len(keys)

    return np.fromiter((distinct(v) for v in names), dtype="int64", count=len(names))


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
    rates = rate_definitions("budget").values()
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
        for rate in rates:
            value = rate_value(rec, rate)
            rec[rate.key] = None if pd.isna(value) else value
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
    fallback = methodology.get("par", "publication_fallback")
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
    threshold = float(methodology.get("par", "below_threshold_pct"))
    review_words = [fold(w) for w in methodology.get("par", "self_review_components")]
    p["pct"] = rate_value(p, rate_definitions("par_component")["par_component_pct"])
    p["rank"] = p.groupby("component")["score"].transform(lambda s: competition_rank(s))
    p["rank_of"] = p.groupby("component")["score"].transform("count")
    totals = p.groupby("unit_id").agg(par_total_score=("score", "sum"), par_total_max=("max_score", "sum"))
    for rate in rate_definitions("par").values():
        totals[rate.key] = rate_value(totals, rate)
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
    from .ingest.manual import TEXT_GROUP, manual_groups

    if manual.empty:
        return pd.DataFrame(columns=["unit_id", "manual"])
    m = manual[
        (manual["period_start"] == pd.Timestamp(period.start))
        & (manual["period_end"] == pd.Timestamp(period.end))
        & (manual["group"] != TEXT_GROUP)  # the report's texts: no figure
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


def compute_indicators(
    data_dir: Path | str | None,
    period: Period,
    *,
    units: list[str] | None = None,
    group: str | None = None,
    methodology: Methodology | None = None,
    corrections_file: Path | str | None = None,
) -> list[dict]:
    """One record per unit: every indicator of ``period`` with ``missing`` reasons (see the JSON of
    ``cchc indicators``)."""
    methodology = methodology or load_methodology()
    settings, processed, registry = open_store(data_dir)
    # counted by DuckDB over the store's files: the whole history in four columns, then the period's rows
    history = unit_history(store_rows(processed))
    catalogue = read_table(processed, "catalogue", CATALOGUE_COLUMNS)
    # a dossier in an old and a new commune's exports counts once
    handed_over = handover_pairs(processed, registry, history.index, period.end)
    rows = store_rows(processed, period, handed_over=handed_over)
    onestop = compute_onestop_indicators(rows, period, catalogue, methodology, history).set_index("unit_id")
    budget = compute_budget_indicators(read_table(processed, "budget"), period, methodology).set_index("unit_id")
    par = compute_par_indicators(read_table(processed, "par"), period, methodology).set_index("unit_id")
    manual = compute_manual_indicators(read_table(processed, "manual"), period).set_index("unit_id")
    if units:
        chosen = [registry.lookup(u, on=period.end) for u in units]
    else:
        chosen = units_at_end(registry, period, group, set(onestop.index) | set(budget.index) | set(par.index))
    report = load_ingest_report(processed)
    files_of: dict[str, list[dict]] = {}
    for f in report.get("files", []):
        if f.get("kind") == "budget" and f.get("unit_id"):
            files_of.setdefault(f["unit_id"], []).append(f)
    par_files = [f for f in report.get("files", []) if f.get("kind") == "par"]
    checks = dossier_checks(store_rows(processed, period, finished_in=True, handed_over=handed_over), period)
    rows_of = onestop.to_dict("index")  # one dict per unit: far cheaper than a .loc per unit and key
    check_rows = checks.to_dict("index")
    corrections = load_corrections(corrections_file or settings.data_dir / "corrections.yaml", registry)
    records = []
    for unit in chosen:
        # a new commune: before it existed, its predecessors' dossiers; after, its own and any an old commune still
        # had pending when it ceased
        own = unit.unit_id in onestop.index
        aggregated = _aggregate_predecessors(unit, registry, onestop, with_own=own, since=period.start)
        if aggregated is not None:
            onestop.loc[unit.unit_id] = aggregated["row"]
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
        if aggregated is not None:
            rows_of[unit.unit_id] = onestop.loc[unit.unit_id].to_dict()
        o = rows_of.get(unit.unit_id)
        for key in COUNT_KEYS:
            rec[key] = int(o[key]) if o is not None else None
            if o is None:
                missing[key] = missing_reason("no_dossiers")
        for key, rate in rate_definitions().items():
            value = o[key] if o is not None else None
            rec[key] = None if value is None or pd.isna(value) else float(value)
            if rec[key] is None:
                missing[key] = missing_reason("no_dossiers" if o is None else rate.missing)
        for key in ("fee_dossiers", "fee_paid_online", "procedures_with_online_dossiers"):
            rec[key] = int(o[key]) if o is not None and pd.notna(o[key]) else None
        rec["procedures_total"] = (
            int(o["procedures_total"]) if o is not None and pd.notna(o["procedures_total"]) else None
        )
        if rec["procedures_total"] is None:
            missing["procedures_total"] = missing_reason("no_catalogue")
        tracked = o["payment_tracked_from"] if o is not None else None
        rec["payment_tracked_from"] = (
            None if tracked is None or pd.isna(tracked) else pd.Timestamp(tracked).date().isoformat()
        )
        if rec["payment_tracked_from"] is None:
            rec["fee_dossiers"] = rec["fee_paid_online"] = None
            missing.setdefault("fee_dossiers", missing_reason("no_payment"))
            missing.setdefault("fee_paid_online", missing_reason("no_payment"))
        _budget_fields(rec, budget.loc[unit.unit_id] if unit.unit_id in budget.index else None)
        _par_fields(rec, par.loc[unit.unit_id] if unit.unit_id in par.index else None)
        rec["manual"] = dict(manual.loc[unit.unit_id, "manual"]) if unit.unit_id in manual.index else {}
        if o is not None:  # summed with predecessors too: their unknown inputs are as unknown as its own
            unknown_inputs(rec, o, float(methodology.get("ingest", "max_unknown_share")))
        if aggregated is not None:
            rec["aggregated_from"] = aggregated["sources"]
            for key, reason in aggregated["missing"].items():
                rec[key] = None
                missing[key] = reason
        elif o is not None:
            _uncovered(rec, unit.unit_id, period, report)
        rec["satisfaction_rate"] = satisfaction_rate(rec)
        if rec["satisfaction_rate"] is None:
            missing["satisfaction_rate"] = "thiếu số phản ánh, kiến nghị (biểu nhập liệu) hoặc tỷ lệ quá hạn"
        rec["warnings"] = rec.pop("input_warnings", []) + consistency_warnings(
            rec,
            pd.DataFrame(),
            period,
            {"files": files_of.get(unit.unit_id, []) + par_files},
            check_rows.get(unit.unit_id),
        )
        rec["warnings"] += dossier_file_warnings(report, unit.unit_id, period)
        rec["corrections"] = apply_corrections(rec, corrections, period)
        rec["score_766"] = score_766(rec, methodology)
        records.append(rec)
    return records


def _budget_fields(rec: dict, b: pd.Series | None) -> None:
    """The budget figures of a record from the unit's row of the budget table (None: missing, with the reason)."""
    missing = rec["missing"]
    for key in ("revenue_estimate", "revenue_actual", "expenditure_estimate", "expenditure_actual"):
        rec[key] = None if b is None or pd.isna(b[key]) else _half_up(b[key])
    for key in ("revenue_execution_pct", "expenditure_execution_pct"):
        rec[key] = None if b is None or b[key] is None or pd.isna(b[key]) else float(b[key])
    rec["budget_as_of"] = b["budget_as_of"].date().isoformat() if b is not None else None
    if b is None:
        for key in ("budget_as_of", "revenue_execution_pct", "expenditure_execution_pct"):
            missing[key] = missing_reason("no_budget")


def _par_fields(rec: dict, p: pd.Series | None) -> None:
    """The PAR figures of a record from the unit's row of the PAR table (None: missing, with the reason)."""
    missing = rec["missing"]
    for key in ("par_year", "par_total_score", "par_total_max", "par_total_pct", "par_rank", "par_rank_of"):
        value = None if p is None else p[key]
        rec[key] = (
            None
            if value is None or pd.isna(value)
            else (int(value) if key in ("par_year", "par_rank", "par_rank_of") else float(value))
        )
    rec["par_components"] = list(p["par_components"]) if p is not None else []
    if p is None:
        missing["par_year"] = missing_reason("no_par")


# --- inputs the exports did not give --------------------------------------------------------------------------------

# each input and the figures computed from it: an input unknown for too many dossiers leaves its figures missing
UNKNOWN_INPUTS = {
    "channel": (
        "channel_unknown",
        "new_total",
        (
            "received_online",
            "received_direct",
            "received_postal",
            "online_rate",
            "procedures_with_online_dossiers",
            "procedures_online_share",
        ),
        "kênh nộp (trực tuyến, trực tiếp, bưu chính)",
        "hồ sơ mới",
    ),
    "finish": (
        "finish_unknown",
        "handled_total",
        (
            "resolved_total",
            "resolved_early",
            "resolved_on_time",
            "resolved_late",
            "resolved_early_pct",
            "resolved_on_time_pct",
            "resolved_late_pct",
            "pending_total",
            "pending_within_deadline",
            "pending_overdue",
            "on_time_rate_766",
        ),
        "ngày kết thúc xử lý (trạng thái ghi đã giải quyết nhưng không có ngày)",
        "hồ sơ",
    ),
    "fee": (
        "fee_unknown",
        "window_total",
        ("fee_dossiers", "fee_paid_online", "online_payment_rate"),
        "phí, lệ phí (tệp không có cột phí và danh mục không ghi)",
        "hồ sơ mới",
    ),
    "due_resolved": (
        "resolved_unknown_deadline",
        "resolved_total",
        (
            "resolved_early",
            "resolved_on_time",
            "resolved_late",
            "resolved_early_pct",
            "resolved_on_time_pct",
            "resolved_late_pct",
            "on_time_rate_766",
        ),
        "ngày hẹn trả",
        "hồ sơ đã giải quyết",
    ),
    "due_pending": (
        "pending_unknown_deadline",
        "pending_total",
        ("pending_within_deadline", "pending_overdue", "on_time_rate_766"),
        "ngày hẹn trả",
        "hồ sơ đang giải quyết",
    ),
    # the status tells the dossiers never received (not accepted), withdrawn and returned from the others: every
    # dossier count depends on it
    "status": (
        "status_unknown",
        "handled_total",
        (
            *COUNT_KEYS,
            "online_rate",
            "resolved_early_pct",
            "resolved_on_time_pct",
            "resolved_late_pct",
            "on_time_rate_766",
            "fee_dossiers",
            "fee_paid_online",
            "online_payment_rate",
            "digitised_rate",
            "procedures_with_online_dossiers",
            "procedures_online_share",
        ),
        "trạng thái hồ sơ",
        "hồ sơ",
    ),
    "payment": (
        "payment_unknown",
        "fee_dossiers",
        ("fee_paid_online", "online_payment_rate"),
        "hình thức thanh toán",
        "hồ sơ có thu phí",
    ),
}


def unknown_inputs(rec: dict, row, max_share: float) -> None:
    """Mark missing the figures whose input is unknown (blank, absent, or a value the vocabularies do not know)
    for more than ``max_share`` of the dossiers they count, and warn about any smaller share: an unrecognised
    channel is never counted as "not online" (it would publish 0,0% trực tuyến), an unknown due date never as
    "not early". ``row`` is the unit's row of :func:`compute_onestop_indicators`."""
    from .text import vn_int

    warnings = rec.setdefault("input_warnings", [])
    for unknown_key, total_key, figures, what, among in UNKNOWN_INPUTS.values():
        unknown = int(row.get(unknown_key, 0) or 0)
        total = int(row.get(total_key, 0) or 0)
        if not unknown or not total:
            continue
        share = unknown / total
        text = f"{vn_int(unknown)}/{vn_int(total)} {among} không rõ {what} (để trống hoặc giá trị không nhận ra)"
        if share > max_share:
            for key in figures:
                if key in rec:
                    rec[key] = None
                    rec["missing"][key] = (
                        f"{text}: quá {max_share:.0%} nên không tính; xem cảnh báo của tệp trong báo cáo nhập liệu "
                        "và khai báo cách viết trong tệp --mapping"
                    )
            warnings.append(f"{text[0].upper()}{text[1:]}: các chỉ số dùng {what} để trống.")
        else:
            warnings.append(f"{text[0].upper()}{text[1:]}: các chỉ số dùng {what} có thể thấp hơn thực tế.")


def _files_of_unit(report: dict, unit_id: str, kind: str = "dossier_list") -> list[dict]:
    return [
        f
        for f in report.get("files", [])
        if f.get("kind") == kind and not f.get("error") and unit_id in (f.get("unit_ids") or [f.get("unit_id")])
    ]


def _overlaps(f: dict, period: Period) -> bool:
    start, end = f.get("period_start"), f.get("period_end")
    return bool(start and end) and start <= period.end.isoformat() and end >= period.start.isoformat()


def dossier_file_warnings(report: dict, unit_id: str, period: Period) -> list[str]:
    """The ingest warnings of the unit's dossier exports that overlap the period, each with its file's name."""
    return [
        f"{f['file']}: {w}"
        for f in _files_of_unit(report, unit_id)
        if _overlaps(f, period)
        for w in f.get("warnings") or []
    ]


def _uncovered(rec: dict, unit_id: str, period: Period, report: dict) -> None:
    """No dossier export of the unit spans a day of the period: its dossier figures are missing, not zero."""
    files = _files_of_unit(report, unit_id)
    if not files or any(_overlaps(f, period) for f in files):
        return
    spans = sorted((f["period_start"], f["period_end"]) for f in files if f.get("period_start"))
    covered = f"{_vn_day(spans[0][0])}–{_vn_day(max(e for _s, e in spans))}" if spans else "không rõ"
    reason = f"không có tệp xuất hồ sơ nào của đơn vị trong kỳ (các tệp đã nhập phủ {covered})"
    for key in (
        *COUNT_KEYS,
        "online_rate",
        "resolved_early_pct",
        "resolved_on_time_pct",
        "resolved_late_pct",
        "on_time_rate_766",
        "online_payment_rate",
        "fee_dossiers",
        "fee_paid_online",
        "digitised_rate",
        "procedures_with_online_dossiers",
        "procedures_online_share",
    ):
        if key in rec:
            rec[key] = None
            rec["missing"][key] = reason
    rec["uncovered"] = covered


def _vn_day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


# --- successors, consistency checks, approved corrections -------------------------------------------------------


def check_group_at_end(registry: UnitRegistry, period, group: str | None) -> None:
    """Refuse a group that ceased to exist during the period (a district on 1 July 2025): its units do not cover
    the period, and its successors belong to another group."""
    from .errors import UnitLookupError

    if not group:
        return
    pool = registry.units(group=group)
    if any(u.valid_on(period.end) for u in pool) or not any(u.valid_on(period.start) for u in pool):
        return
    gone = max(u.valid_to for u in pool if u.valid_to) + dt.timedelta(days=1)
    raise UnitLookupError(
        f"Nhóm '{group}' không còn từ {gone:%d/%m/%Y}, trước cuối kỳ {period.label_vi}: các đơn vị của nhóm "
        "không phủ hết kỳ. Hãy chọn nhóm theo ranh giới mới (tỉnh/thành phố) hoặc một kỳ kết thúc trước "
        f"{gone:%d/%m/%Y}.",
        group,
    )


def units_at_end(registry: UnitRegistry, period, group: str | None, present: set[str], day=None) -> list:
    """The units of a period, with the boundaries of ``day`` (its last day by default): those valid then that have
    data, or whose predecessors have (a commune created in the period, or after its data began). A period that
    straddles 1 July 2025 therefore lists the new communes, each with its predecessors' part of the period, never
    an old commune beside its successor. A group that ceased to exist during the period is refused."""
    check_group_at_end(registry, period, group)
    day = day or period.end
    pool = registry.units(group=group, on=day) if group else registry.units(on=day)
    return [
        u
        for u in pool
        if u.unit_id in present or any(p.unit_id in present for p, _share in registry.predecessors(u.unit_id))
    ]


def at_boundaries(table: pd.DataFrame, registry: UnitRegistry, period, day=None) -> pd.DataFrame:
    """A per-unit table (``compute_onestop_indicators``) with the boundaries of ``day`` (the period's last day by
    default): the rows of units that no longer exist then folded into their successors' with ``_aggregate_
    predecessors`` (counts missing where a share is unknown). What rankings compare across 1 July 2025: a new
    commune's period, or the previous period it is compared with, never old and new communes side by side."""
    day = day or period.end
    if table.empty:
        return table
    known = {u.unit_id: u for u in registry}
    ids = set(table["unit_id"])
    if all(uid in known and known[uid].valid_on(day) for uid in ids):
        return table  # nothing ended or began: the table as it is
    indexed = table.set_index("unit_id")
    rows = {}
    for unit in units_at_end(registry, period, None, ids, day):
        own = unit.unit_id in ids
        aggregated = _aggregate_predecessors(unit, registry, indexed, with_own=own, since=period.start)
        if aggregated is None:
            if own:
                rows[unit.unit_id] = indexed.loc[unit.unit_id]
            continue
        row = aggregated["row"].copy()
        # counts unknown (a share, a predecessor's data): every count and rate of the row, not only the record's
        # figures, or a rate would be ranked on the counts left (0 online of the total counted as 0%)
        unknown = set(aggregated["missing"])
        if unknown & set(COUNT_KEYS):
            unknown |= {c for c in indexed.columns if indexed[c].dtype.kind in "iuf"}
        for key in unknown:
            row[key] = float("nan")
        rows[unit.unit_id] = row
    if not rows:
        return table.iloc[:0]
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("unit_id").reset_index()
    return out.infer_objects()


def _aggregate_predecessors(
    unit, registry: UnitRegistry, onestop: pd.DataFrame, with_own: bool = False, since: dt.date | None = None
) -> dict | None:
    """Dossier counts of a successor unit: its predecessors that no longer existed when it began, their counts
    summed, each weighted by the share of it the successor took; rates recomputed from the sums. None when no
    predecessor has data.

    ``with_own``: the unit's own counts added, and None unless a predecessor handled dossiers in the period: a
    period that straddles the unit's creation, or a later one into which an old commune's dossiers, still pending
    when it ceased, were carried over (the successor took them over). Counts become missing when the share of a
    predecessor that handled dossiers is unknown, and, for a period beginning on ``since``, before the unit, when a
    predecessor has no dossier in the store at all."""
    began = unit.valid_from
    preds = [
        (u, share)
        for u, share in registry.predecessors(unit.unit_id)
        if u.unit_id in onestop.index and not (began and u.valid_on(began))
    ]
    handled = [(u, share) for u, share in preds if _handled_any(onestop, u.unit_id)]
    if not preds or (with_own and not handled):
        return None
    if with_own:  # after it began: its own, and the old communes that still handled dossiers (the others add 0)
        preds = [(unit, 1.0), *handled]
    unknown = [u.full_name for u, share in handled if share is None]  # 0 dossiers are 0 whatever the share
    counts = [c for c in onestop.columns if onestop[c].dtype.kind in "iu"]
    row = pd.Series(0.0, index=onestop.columns, dtype=object)
    for u, share in preds:
        for c in counts:
            row[c] = row[c] + float(onestop.loc[u.unit_id, c]) * (share if share is not None else 1.0)
    for c in counts:
        row[c] = _half_up(row[c])

    row["payment_tracked_from"] = min(
        (
            onestop.loc[u.unit_id, "payment_tracked_from"]
            for u, _ in preds
            if pd.notna(onestop.loc[u.unit_id, "payment_tracked_from"])
        ),
        default=pd.NaT,
    )
    # counts of distinct procedures do not add up across units: they and the rates of them stay missing
    not_summed = ("procedures_with_online_dossiers", "procedures_total", "procedures_online_share", "digitised_rate")
    rates = [key for key in rate_definitions() if key not in not_summed]
    for key in rates:
        row[key] = rate_value(row, rate_definitions()[key])
    for c in not_summed:
        row[c] = float("nan")
    missing = {
        "procedures_with_online_dossiers": "đơn vị hợp nhất: không cộng số thủ tục của các đơn vị cũ",
        "procedures_online_share": "đơn vị hợp nhất: không cộng số thủ tục của các đơn vị cũ",
    }
    if unknown:
        reason = f"chưa biết tỷ lệ phần của {', '.join(unknown)} chuyển về {unit.full_name}"
        missing.update({c: reason for c in [*COUNT_KEYS, *rates]})
    # a period from before the unit began needs every commune it replaced: one without any dossier in the store
    # (its exports not ingested, often a neighbouring district's) would make the sums silently short
    absent = [u.full_name for u, _share in registry.predecessors(unit.unit_id) if u.unit_id not in onestop.index]
    if absent and since is not None and began is not None and since < began:
        reason = (
            f"chưa có dữ liệu hồ sơ của {', '.join(absent)} (đơn vị trước sắp xếp của {unit.full_name}): "
            "hãy nhập các tệp xuất của đơn vị này"
        )
        missing.update({c: reason for c in [*COUNT_KEYS, *rates] if c not in missing})
    sources = [{"unit_id": u.unit_id, "name": u.full_name, "share": share} for u, share in preds]
    if with_own:
        sources[0]["from"] = unit.valid_from.isoformat()  # the unit's own dossiers, since it exists
    return {"row": row, "sources": sources, "missing": missing}


def dossier_units(record: dict) -> list[str]:
    """The units whose dossiers make up a record's dossier figures, for the tables built from the dossiers (TT
    01/2020, the monthly trend): the unit, and the old communes its figures take in (``aggregated_from``) where each
    came whole; where one was divided its dossiers cannot be told apart, and the unit's own alone are listed."""
    sources = record.get("aggregated_from") or []
    if any(s["share"] != 1.0 for s in sources):
        return [record["unit_id"]]
    return list(dict.fromkeys([record["unit_id"], *(s["unit_id"] for s in sources)]))


def own_dossiers_only(record: dict) -> bool:
    """The record's figures take in old communes whose dossiers its tables cannot show (one was divided): the
    tables built from dossiers are the unit's own alone, and say so."""
    takes_in = any(s["unit_id"] != record["unit_id"] for s in record.get("aggregated_from") or [])
    return takes_in and dossier_units(record) == [record["unit_id"]]


def _handled_any(onestop: pd.DataFrame, unit_id: str) -> bool:
    """The unit handled dossiers in the period (any count where the table has no ``handled_total``)."""
    if "handled_total" in onestop.columns:
        return bool(onestop.at[unit_id, "handled_total"] > 0)
    counts = [c for c in onestop.columns if onestop[c].dtype.kind in "iu"]
    return bool((onestop.loc[unit_id, counts] != 0).any())


def dossier_checks(dossiers: pd.DataFrame | StoreRows, period: Period) -> pd.DataFrame:
    """Per unit, counts behind the consistency warnings: dossiers of the period finished before they were received
    (``finish_before_receipt``), new dossiers charged a fee for a free procedure (``fee_on_free``) and new dossiers
    with a 0 fee for a procedure that has one (``free_on_fee``). One pass over all units (a DataFrame or the
    store's rows)."""
    columns = ["finish_before_receipt", "fee_on_free", "free_on_fee"]
    if isinstance(dossiers, pd.DataFrame) and dossiers.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="unit_id"))
    received, finish = "CAST(received_at AS DATE)", f"CAST({FINISH} AS DATE)"
    # received or ended on one of the period's days
    in_period = f"({received_in_sql(period)} OR {finished_in_sql(period)})"
    new = f"({ACCEPTED} AND {received_in_sql(period)})"
    with source(dossiers) as (con, rel):
        got = con.execute(
            f"""SELECT unit_id,
                {count_true(f"{in_period} AND {finish} < {received}")} AS finish_before_receipt,
                {count_true(f"{new} AND coalesce(fee, 0) > 0 AND catalogue_fee_kind = 'none'")} AS fee_on_free,
                {count_true(f"{new} AND fee = 0 AND catalogue_fee_kind = 'amount'")} AS free_on_fee
            FROM {rel} GROUP BY unit_id ORDER BY unit_id"""
        ).df()
    return got.set_index("unit_id")[columns].astype("int64")


def consistency_warnings(
    rec: dict, dossiers: pd.DataFrame, period: Period, report: dict, checks: pd.Series | None = None
) -> list[str]:
    """Checks reported next to the figures (never silently fixed). ``checks`` is the unit's row of
    ``dossier_checks`` when already computed for every unit; else it is computed from ``dossiers``."""
    from .text import vn_int

    out = []
    parts = [rec.get(k) for k in ("resolved_total", "pending_total", "withdrawn", "returned")]
    if rec.get("received_total") is not None and None not in parts and rec["received_total"] != sum(parts):
        out.append(
            f"Tiếp nhận {vn_int(rec['received_total'])} khác đã giải quyết + đang giải quyết + rút + trả lại "
            f"({vn_int(sum(parts))})."
        )
    if checks is None and len(dossiers):
        table = dossier_checks(dossiers, period)
        checks = table.sum() if len(table) else None
    if checks is not None:
        if checks["finish_before_receipt"]:
            out.append(f"{vn_int(int(checks['finish_before_receipt']))} hồ sơ có ngày kết thúc trước ngày tiếp nhận.")
        if checks["fee_on_free"]:
            out.append(
                f"{vn_int(int(checks['fee_on_free']))} hồ sơ có thu phí nhưng danh mục ghi thủ tục không thu phí."
            )
        if checks["free_on_fee"]:
            out.append(
                f"{vn_int(int(checks['free_on_fee']))} hồ sơ ghi phí 0 đồng nhưng danh mục ghi thủ tục có thu phí."
            )
    for f in report.get("files", []):
        if (
            f.get("kind") == "budget"
            and f.get("unit_id") == rec.get("unit_id")
            and f.get("period_end") == rec.get("budget_as_of")
        ):
            out.extend(f"Báo cáo ngân sách {f['file']}: {w}" for w in f.get("warnings", []))
        if (
            f.get("kind") == "par"
            and rec.get("par_year")
            and f.get("period_start", "").startswith(str(rec["par_year"]))
        ):
            out.extend(f"Bảng điểm CCHC {f['file']}: {w}" for w in f.get("warnings", []) if rec["unit_name"] in w)
    return out


CORRECTION_FIELDS = ("unit", "period", "indicator", "value", "reason", "approved_by", "date")


def load_corrections(path: Path | str, registry: UnitRegistry) -> list[dict]:
    """Approved corrections (YAML list of unit, period, indicator, value, reason, approved_by, date)."""
    import yaml

    from .errors import ConfigError
    from .methodology import indicator_catalogue

    path = Path(path)
    if not path.is_file():
        return []
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: không phải YAML hợp lệ ({exc}).") from None
    if isinstance(items, dict):
        items = items.get("corrections", [])
    out = []
    known = set(indicator_catalogue())  # every count and rate of a record is in the catalogue (tested)
    for i, item in enumerate(items, start=1):
        where = f"{path}, hiệu chỉnh thứ {i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: cần các khóa {', '.join(CORRECTION_FIELDS)}.")
        absent = [k for k in CORRECTION_FIELDS if item.get(k) in (None, "")]
        if absent:
            raise ConfigError(f"{where}: thiếu {', '.join(absent)}.")
        if item["indicator"] not in known:
            raise ConfigError(f"{where}: chỉ số '{item['indicator']}' không có trong danh mục chỉ số.")
        unit = registry.lookup(str(item["unit"]))
        out.append({**item, "unit_id": unit.unit_id, "period": str(item["period"]), "date": str(item["date"])})
    return out


def apply_corrections(rec: dict, corrections: list[dict], period: Period) -> list[dict]:
    """Apply the approved corrections of this unit and period to ``rec``; return them with the computed values."""
    applied = []
    for c in corrections:
        if c["unit_id"] != rec["unit_id"] or c["period"] not in (period.id, f"{period.start}..{period.end}"):
            continue
        applied.append(
            {
                "indicator": c["indicator"],
                "computed": rec.get(c["indicator"]),
                "value": c["value"],
                "reason": c["reason"],
                "approved_by": c["approved_by"],
                "date": c["date"],
            }
        )
        rec[c["indicator"]] = c["value"]
        rec["missing"].pop(c["indicator"], None)
    return applied


def satisfaction_rate(rec: dict) -> float | None:
    """766 indicator 5.4: 100% - (share resolved late + share of dossiers with complaints), complaints being the
    petitions on procedures (PAKN) of the manual-input workbook."""
    pakn = rec.get("manual", {}).get("pakn_received")
    late = rec.get("resolved_late_pct")
    handled = rec.get("received_total")
    if pakn is None or late is None or not handled:
        return None
    return max(0.0, 100.0 - late - 100.0 * pakn["value"] / handled)


def score_766(rec: dict, methodology: Methodology) -> dict:
    """Points per Decision 766 group from the indicators available; a group lacking an indicator is not scored
    and says what it lacks ("chưa tính được: thiếu …")."""
    from .methodology import indicator_catalogue

    catalogue = indicator_catalogue()
    groups = []
    total, total_max = 0.0, 0.0
    for g in methodology.get("decision_766", "groups"):
        parts, lacking = [], []
        for ind in g["indicators"]:
            value = rec.get(ind["key"])
            label = catalogue.get(ind["key"], {}).get("label", ind["key"])
            if value is None:
                lacking.append(label)
                continue
            points = min(float(value), ind["threshold"]) / ind["threshold"] * ind["points"]
            parts.append(
                {"indicator": ind["key"], "value": float(value), "points": points, "max_points": ind["points"]}
            )
        if not g["indicators"]:
            lacking.append("dữ liệu công khai, minh bạch của Cổng dịch vụ công")
        if lacking:
            groups.append(
                {
                    "group": g["key"],
                    "label": g["label"],
                    "points": None,
                    "max_points": g["max_points"],
                    "parts": parts,
                    "note": "chưa tính được: thiếu " + ", ".join(lacking),
                }
            )
            continue
        points = sum(p["points"] for p in parts)
        groups.append(
            {
                "group": g["key"],
                "label": g["label"],
                "points": points,
                "max_points": g["max_points"],
                "parts": parts,
                "note": "",
            }
        )
        total += points
        total_max += g["max_points"]
    return {"groups": groups, "points": total if total_max else None, "max_points": total_max}
