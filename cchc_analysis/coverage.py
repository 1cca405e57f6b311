"""Coverage of a period by the exports read: which days each unit's dossier exports span, and which budget report
stands for the period's end. A gap (days with no export at all) is not the same as days with no dossiers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .periods import Period
from .settings import Settings
from .states import dossier_states, received_in


def dossier_coverage(report: dict, period: Period, registry=None) -> pd.DataFrame:
    """Per unit: days of the period covered by its dossier exports' stated ranges, and the missing day ranges. With
    the ``registry``, a commune created during the period or after it (1 July 2025) is covered before that day by
    the exports of every commune it replaced (a gap there names the old commune), and is listed even with no export
    of its own: its figures of those days are theirs (a comparison with the year before, a straddling period)."""
    spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for f in report.get("files", []):
        if f.get("kind") != "dossier_list" or f.get("error") or not f.get("period_start"):
            continue
        for unit_id in f.get("unit_ids") or ([f["unit_id"]] if f.get("unit_id") else []):
            spans.setdefault(unit_id, []).append(
                (dt.date.fromisoformat(f["period_start"]), dt.date.fromisoformat(f["period_end"]))
            )
    days = pd.date_range(period.start, period.end, freq="D").date
    began = _created_during(registry, period, spans) if registry is not None else {}

    def uncovered(unit_id: str, among) -> list[dt.date]:
        ranges = spans.get(unit_id, [])
        return [d for d in among if not any(a <= d <= b for a, b in ranges)]

    rows = []
    for unit_id in sorted(set(spans) | set(began)):
        if unit_id in began:
            first, predecessors = began[unit_id]
            before = [d for d in days if d < first]
            gaps = [f"{r} ({name})" for pid, name in predecessors for r in _ranges(uncovered(pid, before))]
            missing_days = {d for pid, _name in predecessors for d in uncovered(pid, before)}
            own = uncovered(unit_id, [d for d in days if d >= first])
            gaps += _ranges(own)
            missing_days |= set(own)
        else:
            missing_days = set(uncovered(unit_id, days))
            gaps = _ranges(sorted(missing_days))
        rows.append(
            {
                "unit_id": unit_id,
                "days": len(days),
                "days_covered": len(days) - len(missing_days),
                "complete": not missing_days,
                "missing": gaps,
            }
        )
    return pd.DataFrame(rows, columns=["unit_id", "days", "days_covered", "complete", "missing"])


def _created_during(registry, period: Period, spans: dict) -> dict[str, tuple[dt.date, list[tuple[str, str]]]]:
    """The communes created during ``period`` or after it whose predecessors or themselves have exports: unit id ->
    (its first day, [(predecessor id, name)]). Their figures of the days before are their predecessors'."""
    out = {}
    for unit in registry:
        first = unit.valid_from
        if first is None or first <= period.start:  # it existed on the period's first day: its own exports
            continue
        predecessors = [(p.unit_id, p.full_name) for p, _share in registry.predecessors(unit.unit_id)]
        if predecessors and (unit.unit_id in spans or any(pid in spans for pid, _ in predecessors)):
            out[unit.unit_id] = (first, predecessors)
    return out


def store_span(data_dir: Path | str | None) -> str:
    """What the store's dossier exports cover, in words ("các tệp xuất hồ sơ đã nhập phủ 01/07/2023–30/09/2023")."""
    from .store import load_ingest_report

    report = load_ingest_report(Settings.resolve(data_dir).processed_dir)
    spans = [
        (f["period_start"], f["period_end"])
        for f in report.get("files", [])
        if f.get("kind") == "dossier_list" and not f.get("error") and f.get("period_start")
    ]
    if not spans:
        return "kho chưa có tệp xuất hồ sơ nào"
    start = dt.date.fromisoformat(min(s for s, _e in spans))
    end = dt.date.fromisoformat(max(e for _s, e in spans))
    return f"các tệp xuất hồ sơ đã nhập phủ {_fmt(start, end)}"


def _ranges(days: list[dt.date]) -> list[str]:
    out, start, prev = [], None, None
    for d in days:
        if start is None:
            start = prev = d
        elif (d - prev).days == 1:
            prev = d
        else:
            out.append(_fmt(start, prev))
            start = prev = d
    if start is not None:
        out.append(_fmt(start, prev))
    return out


def _fmt(a: dt.date, b: dt.date) -> str:
    return f"{a:%d/%m/%Y}" if a == b else f"{a:%d/%m/%Y}–{b:%d/%m/%Y}"


def coverage_table(data_dir: Path | str | None, period: Period) -> pd.DataFrame:
    """Dossier coverage per unit with the as-of date of the budget report that stands for the period's end."""
    settings = Settings.resolve(data_dir)
    processed = settings.processed_dir
    from .registry import UnitRegistry
    from .store import load_ingest_report

    table = dossier_coverage(load_ingest_report(processed), period, UnitRegistry.load(settings.data_dir))
    budget_path = processed / "budget.parquet"
    if budget_path.is_file() and len(table):
        budget = pd.read_parquet(budget_path)
        end = pd.Timestamp(period.end)
        usable = budget[(budget["fiscal_year"] == end.year) & (budget["as_of"] <= end)]
        latest = usable.groupby("unit_id")["as_of"].max()
        # a year without any budget report: no date (pandas cannot map through an empty series of dates)
        table["budget_as_of"] = table["unit_id"].map(latest) if len(latest) else pd.NaT
    return table


def monthly_counts(dossiers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """New dossiers per unit and month of the period, by channel (for coverage and trend views)."""
    d = dossiers[received_in(dossiers, period)]
    month = d["received_at"].dt.to_period("M").astype(str)
    return (
        d.assign(month=month)
        .groupby(["unit_id", "month", "channel"])
        .size()
        .unstack("channel", fill_value=0)
        .reset_index()
    )


def monthly_summary(dossiers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One unit's months of the period: new dossiers by channel, dossiers resolved, and the share of them resolved
    early or on time (``on_time_pct``, None in a month with no resolved dossier of known due date)."""
    months = pd.period_range(period.start, period.end, freq="M").astype(str)
    counts = monthly_counts(dossiers, period).groupby("month").sum(numeric_only=True)
    out = pd.DataFrame(index=pd.Index(months, name="month"))
    for channel in ("online", "direct", "postal"):
        out[channel] = counts[channel].reindex(months, fill_value=0).astype("int64") if channel in counts else 0
    s = dossier_states(dossiers, period)
    done = s[s["resolved"] & s["resolved_class"].notna()]
    month = done["finish"].dt.to_period("M").astype(str)
    good = done["resolved_class"].isin(["early", "on_time"])
    resolved = done.groupby(month).size().reindex(months, fill_value=0)
    out["resolved"] = resolved.astype("int64")
    share = good.groupby(month).sum().reindex(months) / resolved.where(resolved > 0)
    out["on_time_pct"] = (share * 100).astype("float64")
    return out.reset_index()
