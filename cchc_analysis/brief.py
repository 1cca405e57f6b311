"""The content of the published briefs, built once from the library and rendered to HTML (notebook outputs, the
nbconvert template, PDF) and to Word (``publish.docx``), so every format carries the same figures.

A :class:`Brief` is a document heading in the style of Decree 30/2020 (issuing body, national motto, number, place
and date, title) and a list of :class:`Section`; a section holds paragraphs, notices, key-figure panels, tables
(already formatted in Vietnamese) and charts (PNG). Nothing here holds personal data: briefs are built from
indicators and aggregate tables only.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .methodology import format_vn, group_table_spec, indicator_catalogue, key_figure_list, load_methodology
from .outline import CARRIED_MARK
from .periods import Period, parse_period

FLAG_VI = {"better": "Tốt hơn mức chung", "similar": "Tương đương", "worse": "Kém hơn mức chung"}
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass
class KeyFigure:
    label: str
    value: str
    note: str = ""


@dataclass
class Table:
    """A table of display strings; ``numeric`` columns are right-aligned; ``total_last`` bolds the last row."""

    frame: pd.DataFrame
    caption: str = ""
    numeric: list[str] = field(default_factory=list)
    total_last: bool = False
    note: str = ""
    groups: list[tuple[str, int]] = field(default_factory=list)  # top header row: (label, columns spanned)


@dataclass
class Figure:
    png: bytes
    caption: str


@dataclass
class Notice:
    text: str


@dataclass
class Section:
    """A numbered part of the brief; ``blocks`` are str (a paragraph), Notice, KeyFigure lists, Table or Figure."""

    key: str
    title: str
    blocks: list = field(default_factory=list)
    annex: bool = False  # an annex: after the signature block, as Decree 30/2020 places them
    level: int = 1  # the heading's rank: 0 a "Phần" of the full report, 1 "I.", 2 "1.", 3 "1.1." or "a)"

    def _repr_html_(self) -> str:
        return render_section_html(self)


@dataclass
class Brief:
    kind: str  # unit or group
    slug: str
    name: str
    period: Period
    issuer: tuple[str, str]  # "ỦY BAN NHÂN DÂN", "XÃ THANH GIANG"
    place: str
    subject: str
    sections: list[Section]
    notice: str = ""
    number: str = "Số:      /BC-UBND"
    recipients: tuple[str, ...] = ("Như trên;", "Lãnh đạo UBND;", "Lưu: VT.")
    signature: tuple[str, str] = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    key_figures: dict = field(default_factory=dict)  # for the run index: label -> display value
    record: dict = field(default_factory=dict, repr=False)  # a unit's indicator record (the full report reuses it)

    @property
    def date_line(self) -> str:
        """The place and date line, day left blank for the office: "Thanh Giang, ngày      tháng 9 năm 2023"."""
        day = self.period.end + dt.timedelta(days=1)
        return f"{self.place}, ngày      tháng {day.month} năm {day.year}"

    def section(self, key: str) -> Section:
        """One section by key, for display in a notebook cell."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"Báo cáo không có mục '{key}'. Các mục: {', '.join(s.key for s in self.sections)}.")

    @property
    def body(self) -> list[Section]:
        return [s for s in self.sections if not s.annex]

    @property
    def annexes(self) -> list[Section]:
        return [s for s in self.sections if s.annex]

    def parts(self) -> list:
        """The document in its one order, for every renderer (HTML, PDF, Word) and a notebook's display: heading,
        the body's sections, recipients and signature, then the annexes."""
        return [self.heading(), *self.body, self.closing(), *self.annexes]

    def heading(self) -> HeadingView:
        """The document heading, for display in a notebook cell."""
        return HeadingView(self, render_heading_html)

    def closing(self) -> HeadingView:
        """Recipients and signature block, for display in a notebook cell."""
        return HeadingView(self, render_closing_html)

    def _repr_html_(self) -> str:
        return render_brief_html(self)


@dataclass
class HeadingView:
    brief: Brief
    render: object

    def _repr_html_(self) -> str:
        return self.render(self.brief)


# ---------------------------------------------------------------------------------------------------- helpers


def _vn(value, places: int = 0) -> str:
    return format_vn(value, places) if value is not None else "—"


def _rank(rank, of) -> str:
    """A rank as officials write it, "11/17" (whole numbers, whatever type they came in), or "—" without one."""
    if rank is None or of is None or pd.isna(rank) or pd.isna(of):
        return "—"
    return f"{int(rank)}/{int(of)}"


def _pct(value, places: int = 1) -> str:
    return f"{format_vn(value, places)}%" if value is not None else "—"


def _date(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _place(full_name: str) -> str:
    for prefix in ("Xã ", "Thị trấn ", "Phường ", "Huyện ", "Thị xã ", "Thành phố ", "Quận "):
        if full_name.startswith(prefix):
            return full_name[len(prefix) :]
    return full_name


def _figure(fig, caption: str) -> Figure:
    from .plots import to_png

    return Figure(to_png(fig), caption)


# ---------------------------------------------------------------------------------------------------- narrative


def narrative_by_topic(rec: dict, period: Period) -> dict[str, list[str]]:
    """Sentences in the register of the communes' reports, generated from a unit's indicator record.

    >>> narrative_sentences(record, parse_period("2023-01-01..2023-08-31"))[0]  # doctest: +SKIP
    'Tổng số hồ sơ TTHC đã tiếp nhận từ 01/01/2023 đến 31/08/2023 là 2.527 hồ sơ, trong đó tiếp nhận trực tuyến
    2.389 hồ sơ, trực tiếp 126 hồ sơ, chuyển từ kỳ trước 12 hồ sơ.'
    """
    start, end = f"{period.start:%d/%m/%Y}", f"{period.end:%d/%m/%Y}"
    out: dict[str, list[str]] = {"onestop": [], "online": [], "budget": [], "par": []}

    def add(topic: str, text: str) -> None:
        out[topic].append(text)

    if rec.get("received_total") is not None:
        parts = [
            f"tiếp nhận trực tuyến {_vn(rec['received_online'])} hồ sơ",
            f"trực tiếp {_vn(rec['received_direct'])} hồ sơ",
        ]
        if rec.get("received_postal"):
            parts.append(f"qua dịch vụ bưu chính công ích {_vn(rec['received_postal'])} hồ sơ")
        parts.append(f"chuyển từ kỳ trước {_vn(rec['carried_over'])} hồ sơ")
        add(
            "onestop",
            f"Tổng số hồ sơ TTHC đã tiếp nhận từ {start} đến {end} là {_vn(rec['received_total'])} hồ sơ, "
            f"trong đó {', '.join(parts)}.",
        )
    if rec.get("resolved_total") is not None:
        add(
            "onestop",
            f"Số lượng hồ sơ đã giải quyết: {_vn(rec['resolved_total'])} hồ sơ; trong đó giải quyết trước hạn "
            f"{_vn(rec['resolved_early'])} hồ sơ ({_pct(rec['resolved_early_pct'])}), đúng hạn "
            f"{_vn(rec['resolved_on_time'])} hồ sơ ({_pct(rec['resolved_on_time_pct'])}), quá hạn "
            f"{_vn(rec['resolved_late'])} hồ sơ ({_pct(rec['resolved_late_pct'])}).",
        )
    if rec.get("pending_total") is not None:
        text = (
            f"Số lượng hồ sơ đang giải quyết: {_vn(rec['pending_total'])} hồ sơ (trong hạn "
            f"{_vn(rec['pending_within_deadline'])}, quá hạn {_vn(rec['pending_overdue'])})"
        )
        stopped = []
        if rec.get("withdrawn"):
            stopped.append(f"công dân rút {_vn(rec['withdrawn'])} hồ sơ")
        if rec.get("returned"):
            stopped.append(f"trả lại, dừng xử lý {_vn(rec['returned'])} hồ sơ")
        add("onestop", text + ("; " + "; ".join(stopped) if stopped else "") + ".")
    if rec.get("on_time_rate_766") is not None:
        add(
            "onestop",
            "Tỷ lệ hồ sơ giải quyết, đang giải quyết trong hạn (chỉ tiêu 2.1, QĐ 766): "
            f"{_pct(rec['on_time_rate_766'])}.",
        )
    if rec.get("online_rate") is not None:
        new = (rec.get("received_online") or 0) + (rec.get("received_direct") or 0) + (rec.get("received_postal") or 0)
        add(
            "online",
            f"Tỷ lệ hồ sơ TTHC nộp trực tuyến: {_vn(rec['received_online'])}/{_vn(new)} = {_pct(rec['online_rate'])} "
            "hồ sơ tiếp nhận mới trong kỳ.",
        )
    if rec.get("procedures_online_share") is not None:
        add(
            "online",
            "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến có phát sinh hồ sơ trực tuyến: "
            f"{_vn(rec['procedures_with_online_dossiers'])}/{_vn(rec['procedures_total'])} = "
            f"{_pct(rec['procedures_online_share'])}.",
        )
    if rec.get("online_payment_rate") is not None:
        since = rec.get("payment_tracked_from")
        first = max(dt.date.fromisoformat(since), period.start) if since else period.start
        add(
            "online",
            f"Tỷ lệ thanh toán trực tuyến phí, lệ phí từ {first:%d/%m/%Y} đến {end} đạt "
            f"{_vn(rec['fee_paid_online'])}/{_vn(rec['fee_dossiers'])} = {_pct(rec['online_payment_rate'])}.",
        )
    as_of = _date(rec.get("budget_as_of")) if rec.get("budget_as_of") else None
    year = dt.date.fromisoformat(rec["budget_as_of"]).year if rec.get("budget_as_of") else period.end.year
    if rec.get("revenue_estimate") is not None:
        add(
            "budget",
            f"Dự toán thu ngân sách năm {year} là {_vn(rec['revenue_estimate'])} đồng, tính đến ngày {as_of} thực "
            f"hiện thu {_vn(rec['revenue_actual'])} đồng, đạt {_pct(rec['revenue_execution_pct'], 2)} dự toán năm.",
        )
    if rec.get("expenditure_estimate") is not None:
        add(
            "budget",
            f"Dự toán chi ngân sách năm {year} là {_vn(rec['expenditure_estimate'])} đồng, tính đến ngày {as_of} "
            f"thực hiện chi {_vn(rec['expenditure_actual'])} đồng, đạt {_pct(rec['expenditure_execution_pct'], 2)} "
            "dự toán năm.",
        )
    if rec.get("par_year"):
        add(
            "par",
            f"Kết quả chấm điểm Chỉ số CCHC năm {rec['par_year']}: {_vn(rec['par_total_score'], 3)}/"
            f"{_vn(rec['par_total_max'], 1 if (rec['par_total_max'] or 0) % 1 else 0)} điểm, xếp thứ "
            f"{_rank(rec['par_rank'], rec['par_rank_of'])} trong nhóm.",
        )
        low = [c for c in rec.get("par_components") or [] if c.get("below_75")]
        if low:
            items = "; ".join(
                f"{c['component']}: {_vn(c['score'], 3)}/{_vn(c['max_score'], 1 if c['max_score'] % 1 else 0)} điểm "
                f"= {_pct(c['pct'], 2)} (xếp thứ {_rank(c['rank'], c['rank_of'])})"
                for c in low
            )
            add("par", f"Có {len(low):02d} lĩnh vực điểm số đạt dưới 75% số điểm tối đa, phải tự kiểm điểm: {items}.")
        else:
            add("par", "Không có lĩnh vực nào điểm số đạt dưới 75% số điểm tối đa.")
    return out


def narrative_sentences(rec: dict, period: Period) -> list[str]:
    """All narrative sentences of a unit's record, in the order of the brief (see ``narrative_by_topic``)."""
    return [s for part in narrative_by_topic(rec, period).values() for s in part]


# ---------------------------------------------------------------------------------------------------- unit brief


def precomputed(run_dir, period: Period) -> tuple[list[dict] | None, dict[str, list[dict]] | None]:
    """The indicator records (``chi-so.json``) and rankings by group (``xep-hang.json``) that ``cchc run`` computed
    once for the whole run, when ``run_dir`` holds them for this period; (None, None) otherwise."""
    if not run_dir:
        return None, None
    folder = Path(run_dir)
    try:
        records = json.loads((folder / "chi-so.json").read_text(encoding="utf-8"))
        rankings = json.loads((folder / "xep-hang.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    same = all(r.get("period_start") == str(period.start) and r.get("period_end") == str(period.end) for r in records)
    return (records, rankings) if same and isinstance(rankings, dict) else (None, None)


RUN_UNITS_DIR = "don-vi"  # in a run's folder: one file per briefed unit, what its brief reads (see unit_inputs)


def unit_inputs(records: list[dict], rankings: dict[str, list[dict]], compared: dict) -> dict[str, dict]:
    """Per unit of ``compared`` (``comparison_inputs``) with a record: what its brief reads from the run (its
    record, its own ranking records in each group ranked, its comparisons' inputs). A few KB each, where the run's
    files hold every unit's figures (about 50 MB for a country's, parsed again by every brief)."""
    own: dict[str, dict[str, list[dict]]] = {}
    for group, ranked in rankings.items():
        for r in ranked:
            own.setdefault(r["unit_id"], {}).setdefault(group, []).append(r)
    out = {}
    wanted = set(compared["units"])
    for rec in records:
        uid = rec["unit_id"]
        if uid not in wanted:
            continue
        periods = [
            {**q, "records": {uid: q["records"][uid]} if uid in q["records"] else {}} for q in compared["periods"]
        ]
        out[uid] = {
            "unit_id": uid,
            "period_start": rec["period_start"],
            "period_end": rec["period_end"],
            "record": rec,
            "rankings": {group: own.get(uid, {}).get(group, []) for group in rankings},
            "compared": {**compared, "units": [uid], "periods": periods},
        }
    return out


def precomputed_unit(run_dir, period: Period, unit) -> dict | None:
    """The file ``cchc run`` left in ``run_dir`` for ``unit`` (a registry ``Unit``, the file named by its slug) and
    this period (``unit_inputs``); None when there is none."""
    if not run_dir:
        return None
    try:
        data = json.loads((Path(run_dir) / RUN_UNITS_DIR / f"{unit.slug}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = isinstance(data, dict) and (data.get("unit_id"), data.get("period_start"), data.get("period_end")) == (
        unit.unit_id,
        str(period.start),
        str(period.end),
    )
    return data if same else None


def _run_inputs(run_dir, p: Period, unit) -> tuple[dict | None, dict[str, list[dict]] | None, dict | None]:
    """A unit brief's figures from a run folder: its record, its own ranking records by group ranked in the run,
    its comparisons' inputs (each None where the folder does not have it): from its own file, else from the run's
    whole files (a folder written by hand, or before the run wrote one file per unit)."""
    own = precomputed_unit(run_dir, p, unit)
    if own is not None:
        return own["record"], own["rankings"], own["compared"]
    records, rankings = precomputed(run_dir, p)
    rec = next((r for r in records or [] if r["unit_id"] == unit.unit_id), None)
    ranks = {g: [r for r in rs if r["unit_id"] == unit.unit_id] for g, rs in rankings.items()} if rankings else None
    return rec, ranks, precomputed_comparisons(run_dir, p)


def unit_brief(
    data_dir,
    period: Period | str,
    unit: str,
    group: str | None = None,
    *,
    incomplete: bool = False,
    run_dir=None,
) -> Brief:
    """The brief of one unit for one period: key figures, TT 01/2020 table, monthly trend, online services and
    payment, budget execution, PAR components, rank in the group with intervals, narrative and data annex.

    ``run_dir``: a ``cchc run`` folder whose indicators and rankings are reused instead of recomputed (the same
    figures: they come from the same store and period)."""
    from .coverage import coverage_table
    from .indicators import compute_indicators, dossier_units
    from .store import load_dossiers, open_store

    p = parse_period(period) if isinstance(period, str) else period
    _settings, processed, registry = open_store(data_dir)
    unit_obj = registry.lookup(unit, on=p.end)
    rec, cached_ranks, compared_inputs = _run_inputs(run_dir, p, unit_obj)
    if rec is None:
        (rec,) = compute_indicators(data_dir, p, units=[unit])
    group = group or rec["group"]
    methodology = load_methodology()
    compared = comparisons(data_dir, p, rec, compared_inputs)
    kf = _key_figures(rec, compared)
    narrative = narrative_by_topic(rec, p)
    narrative["onestop"] += [c.sentence for c in compared]
    dossiers = load_dossiers(data_dir, units=dossier_units(rec))
    if cached_ranks and group in cached_ranks:
        ranks = cached_ranks[group]
    else:
        from .ranking import compute_rankings

        ranks = [r for r in compute_rankings(data_dir, p, group=group) if r["unit_id"] == rec["unit_id"]]
    sections = [
        Section("key_figures", "Số liệu chính", [kf]),
        _onestop_section(rec, p, narrative, dossiers, unit_obj.full_name),
        _online_section(rec, narrative),
        _budget_section(rec, p, narrative),
        _par_section(rec, narrative),
        _rank_section(rec, group, ranks, methodology),
        _annex(processed, rec, p, coverage_table(data_dir, p), methodology),
    ]

    notice = (
        "THIẾU DỮ LIỆU: các tệp xuất chưa phủ hết kỳ báo cáo; số liệu dưới đây chưa đầy đủ, không dùng như số liệu "
        "chính thức."
        if incomplete
        else ""
    )
    return Brief(
        kind="unit",
        slug=unit_obj.slug,
        name=unit_obj.full_name,
        period=p,
        issuer=("ỦY BAN NHÂN DÂN", unit_obj.full_name.upper()),
        place=_place(unit_obj.full_name),
        subject=f"Kết quả thực hiện công tác cải cách hành chính từ {p.start:%d/%m/%Y} đến {p.end:%d/%m/%Y}",
        sections=sections,
        notice=notice,
        recipients=(
            "UBND " + group + ";" if group else "UBND cấp trên;",
            "TT Đảng ủy, TT HĐND;",
            "Lãnh đạo UBND;",
            "Lưu: VT.",
        ),
        key_figures={k.label: k.value for k in kf},
        record=rec,
    )


# the figures compared with the same period of the previous year and with the previous period: counts by their
# difference and its percentage, rates by their difference in percentage points
COMPARED = ("received_total", "online_rate", "on_time_rate_766", "online_payment_rate")


@dataclass
class Comparison:
    """The unit's main figures against one earlier period: ``changes`` (indicator -> display text, e.g. "tăng 217
    hồ sơ (+9,4%)") and the narrative's sentence."""

    label: str  # "cùng kỳ năm 2022"
    period: Period
    changes: dict[str, str]
    sentence: str


def earlier_periods(p: Period) -> list[tuple[str, Period]]:
    """The periods a unit's figures are compared with: the same period of the previous year and the period before
    (one when they are the same dates), each with its label in the brief."""
    from .periods import previous_period, same_period_last_year

    earlier = [(f"cùng kỳ năm {p.start.year - 1}", same_period_last_year(p))]
    before = previous_period(p)
    if before != earlier[0][1]:
        earlier.append(("kỳ trước", before))
    return earlier


COMPARED_FILE = "so-sanh.json"  # in a run's folder: the comparisons' inputs for all its units


def comparison_inputs(data_dir, p: Period, unit_ids: list[str]) -> dict:
    """What ``comparisons`` needs for ``unit_ids``: for each earlier period, the indicator records of the units the
    dossier exports cover completely then (a unit without a record there is not compared). ``cchc run`` computes
    them once for all its units (one pass over the store per period, not one per brief) into ``so-sanh.json``."""
    from .coverage import coverage_table
    from .indicators import compute_indicators

    wanted = set(unit_ids)
    periods = []
    for _label, q in earlier_periods(p):
        cov = coverage_table(data_dir, q)
        # a unit's first coverage row decides, as everywhere a unit's coverage is read
        first = cov.drop_duplicates("unit_id") if len(cov) else None
        covered = [] if first is None else first.loc[first["complete"].astype(bool), "unit_id"].tolist()
        covered = [u for u in covered if u in wanted]
        records = compute_indicators(data_dir, q, units=covered) if covered else []
        # only what the sentences read: a country's run folder holds it for 3,321 units, read by every brief
        kept = {r["unit_id"]: {k: r.get(k) for k in (*COMPARED, "aggregated_from")} for r in records}
        periods.append({"start": str(q.start), "end": str(q.end), "records": kept})
    return {"period_start": str(p.start), "period_end": str(p.end), "units": sorted(wanted), "periods": periods}


def precomputed_comparisons(run_dir, p: Period) -> dict | None:
    """The comparisons' inputs ``cchc run`` left in ``run_dir`` for this period; None when there are none."""
    try:
        inputs = json.loads((Path(run_dir) / COMPARED_FILE).read_text(encoding="utf-8")) if run_dir else None
    except (OSError, ValueError):
        return None
    same = isinstance(inputs, dict) and (inputs.get("period_start"), inputs.get("period_end")) == (
        str(p.start),
        str(p.end),
    )
    return inputs if same else None


def comparisons(data_dir, p: Period, rec: dict, inputs: dict | None = None) -> list[Comparison]:
    """The unit's main figures against the same period of the previous year and the previous period (one when
    they are the same dates), each only where the dossier exports cover that period completely; an earlier period
    the exports do not cover is said so, never compared. ``inputs``: ``comparison_inputs`` computed beforehand
    (by ``cchc run``) for units including this one; computed here when missing."""
    if rec.get("received_total") is None:
        return []
    if inputs is None or rec["unit_id"] not in inputs["units"]:
        inputs = comparison_inputs(data_dir, p, [rec["unit_id"]])
    catalogue = indicator_catalogue()
    out = []
    for (label, q), given in zip(earlier_periods(p), inputs["periods"], strict=True):
        span = f"{q.start:%d/%m/%Y} – {q.end:%d/%m/%Y}"
        old = given["records"].get(rec["unit_id"])
        if old is None:
            out.append(
                Comparison(label, q, {}, f"Chưa so sánh được với {label} ({span}): các tệp xuất chưa phủ hết kỳ đó.")
            )
            continue
        changes = {
            key: change_text(key, rec[key], old[key])
            for key in COMPARED
            if rec.get(key) is not None and old.get(key) is not None
        }
        if changes:
            items = "; ".join(f"{catalogue[k]['label'].lower()} {v}" for k, v in changes.items())
            # before a new commune existed, its figures are the communes' it replaced: say whose
            olds = [s["name"] for s in old.get("aggregated_from") or [] if s["unit_id"] != rec["unit_id"]]
            whose = f"; số liệu của {', '.join(olds)} trước sắp xếp" if olds else ""
            out.append(Comparison(label, q, changes, f"So với {label} ({span}{whose}): {items}."))
    return out


def change_text(key: str, now: float, then: float) -> str:
    """How an indicator moved since an earlier period, in the reports' words: a count by its difference and the
    difference's share of the earlier count ("tăng 273 hồ sơ (+12,1%)"), a percentage by its difference in
    percentage points with both values ("giảm 1,5 điểm phần trăm (từ 99,8% xuống 98,3%)"). The difference is that of
    the two values as shown (rounded half-up to the indicator's decimals), so the sentence adds up as read."""
    from .methodology import round_display

    spec = indicator_catalogue()[key]
    places = spec["decimals"]
    diff = round_display(now, places) - round_display(then, places)
    if spec.get("unit") == "%":
        if not diff:
            return f"không đổi ({_pct(now, places)})"
        word, to = ("tăng", "lên") if diff > 0 else ("giảm", "xuống")
        return f"{word} {_vn(abs(diff), places)} điểm phần trăm (từ {_pct(then, places)} {to} {_pct(now, places)})"
    if not diff:
        return "không đổi"
    word = "tăng" if diff > 0 else "giảm"
    share = f" ({'+' if diff > 0 else '−'}{_vn(abs(100 * float(diff) / then), 1)}%)" if then else ""
    return f"{word} {_vn(abs(diff), places)} {spec.get('unit', '')}".rstrip() + share


def _key_figures(rec: dict, compared: list[Comparison] = ()) -> list[KeyFigure]:
    """The figures at the top of a unit's brief: ``key_figures`` of the indicator catalogue, each shown with its
    indicator's decimals, and its change against the same period of the previous year where known."""
    catalogue = indicator_catalogue()

    def shown(v):
        is_date = isinstance(v, dt.date) or (isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v))
        return _date(v) if is_date else "—" if v is None else v

    def fill(text: str) -> str:
        return text.format_map(_Blank({k: shown(v) for k, v in rec.items()}))

    out = []
    for entry in key_figure_list():
        if entry.get("requires") and not rec.get(entry["requires"]):
            continue
        spec = catalogue[entry["key"]]
        value = rec.get(entry["key"])
        suffix = entry.get("suffix", "%" if spec.get("unit") == "%" else "")
        text = "—" if value is None else _vn(value, spec["decimals"]) + suffix
        # a figure missing for a stated reason says it (not "đến —" about a report that does not exist)
        why = (rec.get("missing") or {}).get(entry["key"]) if value is None else None
        note = why or fill(entry.get("note", ""))
        change = next((c for c in compared if entry["key"] in c.changes), None)
        if change is not None:
            note += f"; so với {change.label}: {change.changes[entry['key']]}"
        out.append(KeyFigure(fill(entry["label"]), text, note))
    return out


class _Blank(dict):
    """A record's fields for a key figure's text; a field the record lacks shows as "—"."""

    def __missing__(self, key):
        return "—"


def _predecessors_notice(rec: dict) -> Notice | None:
    """What a new commune's figures take in from the communes it replaced on 1 July 2025, said where the figures
    are; None when they are its own alone."""
    from .indicators import own_dossiers_only

    sources = [s for s in rec.get("aggregated_from") or [] if s["unit_id"] != rec["unit_id"]]
    if not sources:
        return None

    def part(s: dict) -> str:
        if s["share"] is None:
            return f"{s['name']} (chưa biết phần chuyển về đơn vị)"
        return s["name"] if s["share"] == 1.0 else f"{s['name']} ({_vn(s['share'] * 100, 0)}%)"

    text = (
        "Số liệu hồ sơ của kỳ gồm cả hồ sơ do các đơn vị trước sắp xếp tiếp nhận hoặc còn đang giải quyết: "
        f"{', '.join(part(s) for s in sources)}."
    )
    if own_dossiers_only(rec):
        text += (
            " Bảng 1 và Hình 1 chỉ gồm hồ sơ của chính đơn vị: hồ sơ của đơn vị được chia cho nhiều đơn vị mới "
            "không tách được theo từng đơn vị."
        )
    return Notice(text)


def _onestop_section(rec: dict, p: Period, narrative: dict, dossiers: pd.DataFrame, unit_name: str) -> Section:
    """I. Dossiers: the narrative, the TT 01/2020 table by field and the monthly trend."""
    from .coverage import monthly_summary
    from .plots import monthly_trend_with_on_time
    from .tt01 import GROUPS as TT01_GROUPS
    from .tt01 import TT01_COLUMNS, tt01_table

    onestop = Section("onestop", "I. Kết quả giải quyết thủ tục hành chính", list(narrative["onestop"]))
    notice = _predecessors_notice(rec)
    if notice is not None:
        onestop.blocks.append(notice)
    if not dossiers.empty:
        t = tt01_table(dossiers, p)
        frame = t.copy()
        for key, _label in TT01_COLUMNS:
            frame[key] = frame[key].map(lambda v: _vn(int(v)))
        # the TT 01 form repeats "Tổng số" and "Quá hạn" under different groups: labels, not keys, from here on
        frame.columns = ["Lĩnh vực", *[label for _key, label in TT01_COLUMNS[:-1]], "Trả lại, rút hồ sơ"]
        onestop.blocks.append(
            Table(
                frame,
                "Bảng 1. Tình hình giải quyết TTHC theo lĩnh vực (mẫu TT 01/2020/TT-VPCP)",
                list(frame.columns[1:]),
                True,
                groups=[(label, b - a) for label, a, b in TT01_GROUPS],
            )
        )
        monthly = monthly_summary(dossiers, p)
        onestop.blocks.append(
            _figure(
                monthly_trend_with_on_time(monthly, unit_name),
                "Hình 1. Hồ sơ tiếp nhận mới theo tháng (trực tuyến, trực tiếp) và tỷ lệ giải quyết đúng hạn, "
                "trước hạn",
            )
        )
    else:
        onestop.blocks.append(Notice("Không có hồ sơ nào của đơn vị trong dữ liệu đã nhập."))
    return onestop


def _online_section(rec: dict, narrative: dict) -> Section:
    """II. Online services and payment: each rate with its numerator and denominator."""
    catalogue = indicator_catalogue()
    online = Section("online", "II. Dịch vụ công trực tuyến và thanh toán trực tuyến", list(narrative["online"]))
    rows = []
    for key, num, den in (
        ("online_rate", "received_online", None),
        ("procedures_online_share", "procedures_with_online_dossiers", "procedures_total"),
        ("online_payment_rate", "fee_paid_online", "fee_dossiers"),
        ("digitised_rate", None, None),
    ):
        spec = catalogue[key]
        detail = ""
        if num and den and rec.get(num) is not None and rec.get(den) is not None:
            detail = f"{_vn(rec[num])}/{_vn(rec[den])}"
        elif key == "online_rate" and rec.get("received_online") is not None:
            new = sum(rec.get(k) or 0 for k in ("received_online", "received_direct", "received_postal"))
            detail = f"{_vn(rec['received_online'])}/{_vn(new)}"
        value = _pct(rec.get(key), spec["decimals"]) if rec.get(key) is not None else rec["missing"].get(key, "—")
        rows.append((spec["label"], detail, value, spec["source"]))
    online.blocks.append(
        Table(
            pd.DataFrame(rows, columns=["Chỉ số", "Tử số/mẫu số", "Giá trị", "Nguồn"]),
            "Bảng 2. Dịch vụ trực tuyến",
            ["Tử số/mẫu số", "Giá trị"],
        )
    )
    if rec.get("payment_tracked_from"):
        online.blocks.append(
            f"Thanh toán trực tuyến được ghi nhận từ ngày {_date(rec['payment_tracked_from'])}; tỷ lệ chỉ tính các "
            "hồ sơ tiếp nhận từ ngày đó."
        )
    return online


def _budget_section(rec: dict, p: Period, narrative: dict) -> Section:
    """III. Budget execution to the latest report of the fiscal year."""
    budget = Section("budget", "III. Thực hiện dự toán ngân sách", list(narrative["budget"]))
    if rec.get("budget_as_of"):
        rows = [
            (
                "Thu ngân sách",
                _vn(rec.get("revenue_estimate")),
                _vn(rec.get("revenue_actual")),
                _pct(rec.get("revenue_execution_pct"), 2),
            ),
            (
                "Chi ngân sách",
                _vn(rec.get("expenditure_estimate")),
                _vn(rec.get("expenditure_actual")),
                _pct(rec.get("expenditure_execution_pct"), 2),
            ),
        ]
        budget.blocks.append(
            Table(
                pd.DataFrame(
                    rows, columns=["Nội dung", "Dự toán năm (đồng)", "Thực hiện lũy kế (đồng)", "Tỷ lệ thực hiện"]
                ),
                f"Bảng 3. Thực hiện dự toán thu, chi ngân sách đến ngày {_date(rec['budget_as_of'])}",
                ["Dự toán năm (đồng)", "Thực hiện lũy kế (đồng)", "Tỷ lệ thực hiện"],
            )
        )
        if rec["budget_as_of"] != str(p.end):
            budget.blocks.append(
                Notice(
                    f"Báo cáo ngân sách mới nhất có đến cuối kỳ là báo cáo đến ngày {_date(rec['budget_as_of'])}, "
                    f"chưa phải ngày cuối kỳ {p.end:%d/%m/%Y}."
                )
            )
    else:
        reason = rec["missing"].get("revenue_execution_pct") or "chưa có báo cáo ngân sách của kỳ"
        budget.blocks.append(Notice(f"{reason[:1].upper()}{reason[1:]}."))  # the reason, as a sentence
    return budget


def _par_section(rec: dict, narrative: dict) -> Section:
    """IV. The PAR index by component, with ranks and the below-75% self-review notes."""
    par = Section("par", "IV. Chỉ số cải cách hành chính", list(narrative["par"]))
    if rec.get("par_components"):
        rows = [
            (
                c["component"],
                _vn(c["score"], 3),
                _vn(c["max_score"], 1 if c["max_score"] % 1 else 0),
                _pct(c["pct"], 2),
                _rank(c["rank"], c["rank_of"]),
                "Dưới 75%: phải tự kiểm điểm" if c.get("self_review_required") or c.get("below_75") else "",
            )
            for c in rec["par_components"]
        ]
        rows.append(
            (
                "Tổng cộng",
                _vn(rec["par_total_score"], 3),
                _vn(rec["par_total_max"], 1 if rec["par_total_max"] % 1 else 0),
                _pct(rec["par_total_pct"], 2),
                _rank(rec["par_rank"], rec["par_rank_of"]),
                "",
            )
        )
        par.blocks.append(
            Table(
                pd.DataFrame(rows, columns=["Chỉ số thành phần", "Điểm", "Điểm tối đa", "Tỷ lệ", "Xếp thứ", "Ghi chú"]),
                f"Bảng 4. Điểm chỉ số CCHC năm {rec['par_year']} theo chỉ số thành phần",
                ["Điểm", "Điểm tối đa", "Tỷ lệ", "Xếp thứ"],
                True,
            )
        )
    else:
        par.blocks.append(Notice("Chưa có bảng điểm chỉ số CCHC công bố đến cuối kỳ."))
    return par


def _too_small(r: dict) -> bool:
    """A ranking record with a value but too few dossiers to rank (one without a value has no figure at all)."""
    return bool(r.get("low_volume")) and r.get("value") is not None


def low_volume_sentence(names: list[str], methodology) -> str:
    """Why ``names`` (indicators of a unit, or units) show a value but no rank: " …" or "" when there are none."""
    if not names:
        return ""
    least = int(methodology.get("ranking", "min_volume"))
    return (
        f" Không xếp hạng ({', '.join(names)}): mẫu số dưới {least} hồ sơ, quá ít để thứ hạng có ý nghĩa; giá trị "
        "và khoảng tin cậy vẫn nêu."
    )


def _rank_section(rec: dict, group: str, ranks: list[dict], methodology) -> Section:
    """V. The unit's rank in its group on each ranked indicator, with intervals and rank ranges; an indicator on
    which fewer units than the methodology's minimum have data is named, not ranked."""
    rank = Section("rank", "V. Xếp hạng trong nhóm")
    minimum = int(methodology.get("ranking", "min_units_to_compare"))
    catalogue = indicator_catalogue()
    ranks = [r for r in ranks if r["indicator"] != "par_component"]
    too_few = [r for r in ranks if (r.get("rank_of") or 0) < minimum]
    ranks = [r for r in ranks if r not in too_few]
    if too_few:
        names = ", ".join(catalogue[r["indicator"]]["short_label"] for r in too_few)
        rank.blocks.append(
            Notice(f"Không so sánh được trong nhóm ({names}): ít hơn {minimum} đơn vị của {group} có số liệu trong kỳ.")
        )
    if ranks:
        rows = []
        for r in ranks:
            is_par = r["indicator"] == "par_total_score"
            interval = (
                f"{format_vn(r['ci_low'], 1)}–{format_vn(r['ci_high'], 1)}%" if r.get("ci_low") is not None else "—"
            )
            span = (
                f"{int(r['rank_p05'])}–{int(r['rank_p95'])}"
                if r.get("rank_p05") is not None and r.get("rank_p95") is not None and not _too_small(r)
                else "—"  # a unit with too few dossiers is shown without a rank, its range included
            )
            rows.append(
                (
                    catalogue[r["indicator"]]["short_label"],
                    (f"{_vn(r['value'], 3)} điểm" if is_par else _pct(r["value"])) if r["value"] is not None else "—",
                    _rank(r["rank"], r["rank_of"]),
                    interval,
                    span,
                    FLAG_VI.get(r.get("flag") or "", ""),
                )
            )
        rank.blocks.append(f"So sánh với các đơn vị của {group} có dữ liệu trong kỳ.")
        rank.blocks.append(
            Table(
                pd.DataFrame(
                    rows,
                    columns=[
                        "Chỉ số",
                        "Giá trị",
                        "Xếp thứ",
                        "Khoảng tin cậy 95%",
                        "Thứ hạng có thể (5–95%)",
                        "So với mức chung",
                    ],
                ),
                "Bảng 5. Thứ hạng của đơn vị trong nhóm",
                ["Giá trị", "Xếp thứ", "Khoảng tin cậy 95%", "Thứ hạng có thể (5–95%)"],
            )
        )
        rank.blocks.append(
            "Thứ hạng theo giá trị từ cao xuống thấp, các đơn vị bằng nhau cùng hạng. Khoảng tin cậy Wilson 95% và "
            "khoảng thứ hạng có thể cho thấy mức chắc chắn của thứ hạng: đơn vị có ít hồ sơ có khoảng rộng."
            + low_volume_sentence(
                [catalogue[r["indicator"]]["short_label"] for r in ranks if _too_small(r)], methodology
            )
        )
    elif not too_few:
        rank.blocks.append(Notice("Không xếp hạng được: nhóm không có đơn vị nào khác có dữ liệu."))
    return rank


def _annex(processed: Path, rec: dict, p: Period, coverage: pd.DataFrame, methodology) -> Section:
    from .ingest.classify import KINDS as kinds  # one home for the names of the kinds of file (the classifier's)
    from .store import load_ingest_report

    annex = Section("annex", "Phụ lục. Chất lượng dữ liệu", annex=True)
    report = load_ingest_report(processed)
    rows = []
    rejected = 0
    warnings = []
    for f in report.get("files", []):
        if rec["unit_id"] not in (f.get("unit_ids") or [f.get("unit_id")]) and f.get("kind") != "par":
            continue
        if not _used(f, rec, p):
            continue
        rng = (
            f"{_date(f['period_start'])}–{_date(f['period_end'])}"
            if f.get("period_start") and f.get("period_end")
            else ""
        )
        rows.append(
            (
                f["file"],
                kinds.get(f.get("kind"), f.get("kind") or ""),
                rng,
                _vn(f.get("rows_kept")),
                _vn(f.get("rows_rejected")),
                (f.get("sha256") or "")[:12],
            )
        )
        rejected += f.get("rows_rejected") or 0
        warnings += [f"{f['file']}: {w}" for w in f.get("warnings") or []]
    if rows:
        annex.blocks.append(
            Table(
                pd.DataFrame(
                    rows, columns=["Tệp", "Loại", "Khoảng ngày", "Dòng dùng", "Dòng loại", "SHA-256 (12 ký tự)"]
                ),
                "Bảng P1. Tệp dữ liệu đã dùng",
                ["Dòng dùng", "Dòng loại", "SHA-256 (12 ký tự)"],  # a digest is one token: never cut in two
            )
        )
    cov = coverage[coverage["unit_id"] == rec["unit_id"]] if len(coverage) else coverage
    if len(cov):
        c = cov.iloc[0]
        text = f"Các tệp xuất hồ sơ phủ {c['days_covered']}/{c['days']} ngày của kỳ"
        text += "." if c["complete"] else f"; còn thiếu: {', '.join(c['missing'])}."
        annex.blocks.append(text)
    else:
        annex.blocks.append("Không có tệp xuất hồ sơ nào của đơn vị trong kỳ.")
    annex.blocks.append(f"Số dòng bị loại khi nhập (có lý do trong rejects.parquet): {_vn(rejected)}.")
    for w in dict.fromkeys([*rec.get("warnings", []), *warnings]):
        annex.blocks.append(Notice(f"Cảnh báo: {w}"))
    catalogue = indicator_catalogue()
    for c in rec.get("corrections", []):
        spec = catalogue.get(c["indicator"], {})
        places = spec.get("decimals", 0)
        annex.blocks.append(
            f"Hiệu chỉnh đã duyệt: {spec.get('label', c['indicator'])} từ {_vn(c['computed'], places)} thành "
            f"{_vn(c['value'], places)} ({c['reason']}; {c['approved_by']}, ngày {_date(c['date'])})."
        )
    annex.blocks += missing_sentences(rec.get("missing") or {})
    annex.blocks.append(
        f"Phương pháp tính phiên bản {methodology.version}; số liệu giữ nguyên độ chính xác, chỉ làm tròn khi hiển thị "
        "(làm tròn nửa lên). Báo cáo không chứa thông tin cá nhân của người nộp hồ sơ."
    )
    return annex


# the fields of a record that are not indicators of the catalogue but can be missing, in the annex's words
FIELD_LABELS = {"budget_as_of": "ngày của báo cáo ngân sách", "par_year": "năm đánh giá chỉ số CCHC"}


def missing_sentences(missing: dict[str, str]) -> list[str]:
    """What a record could not compute, one sentence per reason naming every figure it leaves out (the budget's
    three figures share one reason), by their labels ("QĐ 766", "CCHC" kept in capitals)."""
    catalogue = indicator_catalogue()
    by_reason: dict[str, list[str]] = {}
    for key, why in missing.items():
        label = catalogue[key]["label"] if key in catalogue else FIELD_LABELS.get(key, key)
        by_reason.setdefault(why, []).append(label[:1].lower() + label[1:])
    return [f"Chưa tính được {', '.join(labels)}: {why}." for why, labels in by_reason.items()]


def _used(f: dict, rec: dict, p: Period) -> bool:
    """Whether a file of the ingest report fed this brief: dossier lists overlapping the period, the budget
    report of the as-of date used, the PAR sheet of the year shown, catalogues and manual forms of the unit."""
    kind, start, end = f.get("kind"), f.get("period_start"), f.get("period_end")
    if f.get("error"):
        return False
    if kind == "dossier_list":
        return not (start and end and (end < str(p.start) or start > str(p.end)))
    if kind == "budget":
        return bool(rec.get("budget_as_of")) and end == rec["budget_as_of"]
    if kind == "par":
        return bool(rec.get("par_year")) and bool(end) and end[:4] == str(rec["par_year"])
    return True


# ---------------------------------------------------------------------------------------------------- group brief


def _addressing(registry, group: str, group_name: str) -> tuple[str, tuple[str, ...]]:
    """Whom a group's brief is about and to whom it goes: a province (the peer group since 01/07/2025) reports on
    its communes, wards and island communes to the ministries; a district (until 30/06/2025) on its communes and
    towns (a town-level district: and wards) to the province."""
    if group_name in {u.province for u in registry.units(group=group)}:
        return "các xã, phường, đặc khu", ("Bộ Nội vụ;", "Văn phòng Chính phủ;")
    return ("các xã, thị trấn" if group_name.startswith("Huyện") else "các xã, phường"), ("UBND tỉnh;",)


def _partial_group(registry, group: str, group_name: str, on) -> str:
    """A sentence for a data folder whose area holds only part of the group (its ranks are among those)."""
    here, country = registry.coverage(group, on)
    if here >= country:
        return ""
    return (
        f" Dữ liệu ở đây chỉ gồm {here}/{country} đơn vị của {group_name}: thứ hạng là trong các đơn vị này, "
        "không phải trong cả nhóm."
    )


def group_brief(data_dir, period: Period | str, group: str, *, run_dir=None) -> Brief:
    """The brief of a group of units: ranking table with intervals and flags, dot plot, bump chart, funnel plot
    and PAR component heatmap. ``run_dir``: as for ``unit_brief``."""
    from .ranking import compute_rankings
    from .store import open_store
    from .text import slugify

    p = parse_period(period) if isinstance(period, str) else period
    _records, cached_ranks = precomputed(run_dir, p)
    records = (
        cached_ranks[group] if cached_ranks and group in cached_ranks else compute_rankings(data_dir, p, group=group)
    )
    _settings, _processed, registry = open_store(data_dir)
    group_name = registry.area_name(group)
    methodology = load_methodology()
    sections: list[Section] = []
    main_entry, column_entries = group_table_spec()
    main = main_entry["key"]
    catalogue = indicator_catalogue()
    # each unit's records by indicator, as plain dicts (a DataFrame would turn ranks with gaps into floats: "1.0/17")
    units: dict[str, dict[str, dict]] = {}
    for r in records:
        if r["indicator"] != "par_component":
            units.setdefault(r["unit_id"], {})[r["indicator"]] = r
    summary = Section("ranking", "I. Bảng xếp hạng")
    if not units:
        summary.blocks.append(Notice("Không có dữ liệu để xếp hạng các đơn vị của nhóm trong kỳ."))
    else:
        rows = []
        for by in units.values():
            head = by.get(main) or next(iter(by.values()))

            def cell(key, by=by):
                r = by.get(key)
                if r is None or r.get("value") is None or (r.get("rank") is None and not _too_small(r)):
                    return "—"
                spec = catalogue[key]
                value = _vn(r["value"], spec["decimals"]) + ("%" if spec.get("unit") == "%" else "")
                return f"{value} ({'ít hồ sơ' if _too_small(r) else _rank(r['rank'], r['rank_of'])})"

            rows.append(
                (
                    head["unit_name"],
                    cell(main),
                    (
                        f"{format_vn(by[main]['ci_low'], 1)}–{format_vn(by[main]['ci_high'], 1)}%"
                        if main in by and by[main].get("ci_low") is not None
                        else "—"
                    ),
                    FLAG_VI.get(by.get(main, {}).get("flag") or "", ""),
                    *(cell(c["key"]) for c in column_entries),
                    by[main]["rank"] if main in by and by[main]["rank"] is not None else 10**6,
                )
            )
        rows.sort(key=lambda r: (r[-1], r[0]))
        table = pd.DataFrame(
            [r[:-1] for r in rows],
            columns=[
                "Đơn vị",
                main_entry["column"],
                "Khoảng tin cậy 95%",
                "So với mức chung",
                *(c["column"] for c in column_entries),
            ],
        )
        part = _partial_group(registry, group, group_name, p.end)
        # listed without a rank on the main indicator: too few dossiers, or no figure at all
        low = sorted(by[main]["unit_name"] for by in units.values() if _too_small(by.get(main, {})))
        unranked = [r[0] for r in rows if r[-1] == 10**6 and r[0] not in low]
        part += low_volume_sentence(low, methodology)
        if unranked:
            part += f" Không có số liệu để xếp hạng trong kỳ (dấu —): {', '.join(unranked)}."
        summary.blocks.append(
            f"Xếp hạng {len(rows) - len(unranked) - len(low)} đơn vị của {group_name} kỳ {p.start:%d/%m/%Y} – "
            f"{p.end:%d/%m/%Y}; trong "
            'ngoặc là thứ hạng k/N. Cột "So với mức chung" dựa trên khoảng tin cậy 95% so với tỷ lệ chung của nhóm. '
            f"Các đơn vị xếp theo cột «{main_entry['column']}»; đơn vị bằng nhau cùng hạng và xếp theo tên.{part}"
        )
        summary.blocks.append(
            Table(
                table,
                "Bảng 1. Xếp hạng các đơn vị",
                [c for c in table.columns if c not in ("Đơn vị", "So với mức chung")],
            )
        )
    sections.append(summary)
    rates = [r for r in records if r["indicator"] == main]
    sections.append(_group_charts(data_dir, p, group, records, main))
    sections.append(
        Section(
            "annex",
            "Phụ lục. Phương pháp",
            [
                f"Phương pháp tính phiên bản {methodology.version}. Thứ hạng theo giá trị từ cao xuống thấp, các "
                'đơn vị bằng nhau cùng hạng; khoảng tin cậy Wilson 95%; "tốt hơn" hoặc "kém hơn" mức chung khi '
                "khoảng tin cậy nằm hẳn trên hoặc dưới tỷ lệ chung của nhóm. Báo cáo không chứa thông tin cá nhân."
            ],
            annex=True,
        )
    )
    key = {}
    if rates:  # the units with a rank (not those too small to rank, nor those without figures)
        key["Số đơn vị xếp hạng"] = str(sum(r.get("rank") is not None for r in rates))
    communes, above = _addressing(registry, group, group_name)
    return Brief(
        kind="group",
        slug=slugify(group_name),
        name=group_name,
        period=p,
        issuer=("ỦY BAN NHÂN DÂN", group_name.upper()),
        place=_place(group_name),
        subject=f"Kết quả cải cách hành chính của {communes} từ {p.start:%d/%m/%Y} đến {p.end:%d/%m/%Y}",
        sections=sections,
        recipients=(*above, f"{communes[0].upper()}{communes[1:]};", "Lãnh đạo UBND;", "Lưu: VT."),
        key_figures=key,
    )


def _group_charts(data_dir, p: Period, group: str, records: list[dict], main: str) -> Section:
    """II. Charts of a group: intervals and funnel of the headline rate, rank changes over quarters, PAR heatmap."""
    from .plots import bump_chart, component_heatmap, funnel_plot, interval_dot_plot
    from .ranking import par_component_table, rank_history

    rates = [r for r in records if r["indicator"] == main]
    label = indicator_catalogue()[main]["label"]
    charts = Section("charts", "II. Biểu đồ")
    if rates:
        charts.blocks.append(_figure(interval_dot_plot(rates, f"{label} (%)"), f"Hình 1. {label}, khoảng tin cậy 95%"))
        charts.blocks.append(_figure(funnel_plot(rates, label), f"Hình 2. Biểu đồ phễu: {label.lower()} theo số hồ sơ"))
    history = rank_history(data_dir, p, group=group, indicator=main)
    if history["period"].nunique() >= 2:
        charts.blocks.append(
            _figure(bump_chart(history, f"Thứ hạng theo quý: {label.lower()}"), "Hình 3. Thay đổi thứ hạng qua các quý")
        )
    heat = par_component_table(records)
    if len(heat):
        charts.blocks.append(
            _figure(
                component_heatmap(heat, "Tỷ lệ điểm chỉ số CCHC theo chỉ số thành phần"),
                "Hình 4. Tỷ lệ điểm đạt so với điểm tối đa của từng chỉ số thành phần (%)",
            )
        )
    return charts


def country_brief(data_dir, period: Period | str, *, group: str | None = None) -> Brief:
    """The national picture (or one area's with ``group``): for each province, its communes' median and spread of
    each Decision 766 indicator (``rollup.compute_rollup``), as a table of medians, a table of quartiles and one
    chart per indicator. A figure no commune of a province has is "—", never 0."""
    from .plots import province_spread
    from .rollup import compute_rollup
    from .text import slugify

    p = parse_period(period) if isinstance(period, str) else period
    rows = compute_rollup(data_dir, p, group=group)
    provinces = sorted({r["province"] for r in rows})
    indicators = list(dict.fromkeys(r["indicator"] for r in rows))
    labels = {r["indicator"]: r["label"] for r in rows}
    by = {(r["province"], r["indicator"]): r for r in rows}
    units = {pr: by[(pr, indicators[0])]["units"] for pr in provinces} if indicators else {}
    scope = Section("scope", "I. Phạm vi và cách đọc")
    if not rows:
        scope.blocks.append(Notice("Không có số liệu của đơn vị cấp xã nào trong kỳ."))
    else:
        scope.blocks.append(
            # communes in the data; how many have each figure is per indicator (Bảng 1's brackets)
            f"{len(provinces)} tỉnh, thành phố; {sum(units.values())} đơn vị cấp xã trong dữ liệu kỳ {p.label_vi} (số "
            f"xã có số liệu của từng chỉ số: trong ngoặc ở Bảng 1), theo ranh giới đơn vị hành chính ngày "
            f"{p.end:%d/%m/%Y}. Mỗi chỉ số theo Quyết định 766/QĐ-TTg được tính cho từng xã rồi tổng hợp theo tỉnh: "
            "trung vị (xã ở giữa), khoảng tứ phân vị (một nửa số xã nằm trong khoảng này), giá trị thấp nhất và cao "
            "nhất. Ô “—”: không xã nào của tỉnh có số liệu, không phải 0."
        )

    def cell(pr, key, what):
        r = by.get((pr, key))
        if r is None or r["median"] is None:
            return "—"
        if what == "median":
            return f"{format_vn(r['median'], 1)}% ({r['units_with_value']})"
        return f"{format_vn(r['p25'], 1)}–{format_vn(r['p75'], 1)}"

    medians = Section("medians", "II. Trung vị theo tỉnh, thành phố")
    spread = Section("spread", "III. Độ phân tán giữa các xã")
    charts = Section("charts", "IV. Biểu đồ")
    if rows:
        columns = [labels[k] for k in indicators]
        medians.blocks.append(
            Table(
                pd.DataFrame(
                    [[pr, str(units[pr]), *(cell(pr, k, "median") for k in indicators)] for pr in provinces],
                    columns=["Tỉnh, thành phố", "Số xã", *columns],
                ),
                caption="Bảng 1. Trung vị của các xã (trong ngoặc: số xã có số liệu)",
                numeric=["Số xã", *columns],
            )
        )
        spread.blocks.append(
            Table(
                pd.DataFrame(
                    [[pr, *(cell(pr, k, "spread") for k in indicators)] for pr in provinces],
                    columns=["Tỉnh, thành phố", *columns],
                ),
                caption="Bảng 2. Khoảng tứ phân vị 25–75% của các xã (%)",
                numeric=columns,
            )
        )
        n = 0
        for key in indicators:
            shown = [by[(pr, key)] for pr in provinces if by[(pr, key)]["median"] is not None]
            if shown:
                n += 1
                caption = (
                    f"Hình {n}. {labels[key]} của các xã theo tỉnh, thành phố (hộp: khoảng tứ phân vị; vạch: trung "
                    "vị; hai đầu: xã thấp nhất và cao nhất; trong ngoặc: số xã có số liệu)"
                )
                charts.blocks.append(_figure(province_spread(shown, labels[key]), caption))
    name = group or "Cả nước"
    return Brief(
        kind="country",
        slug=slugify(name),
        name=name,
        period=p,
        issuer=("BỘ NỘI VỤ", "VỤ CẢI CÁCH HÀNH CHÍNH"),
        number="Số:      /BC-BNV",
        place="Hà Nội",
        subject=f"Tổng hợp chỉ số phục vụ người dân, doanh nghiệp của các xã theo tỉnh, thành phố, kỳ {p.label_vi}",
        sections=[scope, medians, spread, charts],
        recipients=("Lãnh đạo Bộ (để báo cáo);", "Các tỉnh, thành phố;", "Lưu: VT, Vụ CCHC."),
        signature=("TL. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ CẢI CÁCH HÀNH CHÍNH"),
        key_figures={"Tỉnh, thành phố": str(len(provinces)), "Đơn vị cấp xã": str(sum(units.values()))},
    )


# ---------------------------------------------------------------------------------------------------- HTML


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def render_heading_html(brief: Brief) -> str:
    """The Decree 30/2020 heading: issuing body and number on the left, national motto, place and date on the
    right, then the title and subject."""
    notice = f'<div class="notice notice-incomplete">{_e(brief.notice)}</div>' if brief.notice else ""
    return (
        '<div class="cchc-brief"><table class="doc-heading" role="presentation"><tr>'
        f'<td class="issuer"><div>{_e(brief.issuer[0])}</div><div class="strong">{_e(brief.issuer[1])}</div>'
        f'<div class="rule"></div><div class="number">{_e(brief.number)}</div></td>'
        f'<td class="motto"><div class="strong">{_e(MOTTO[0])}</div><div class="strong motto2">{_e(MOTTO[1])}</div>'
        f'<div class="rule"></div><div class="date-line">{_e(brief.date_line)}</div></td>'
        "</tr></table>"
        f'<h1 class="doc-title">BÁO CÁO</h1><p class="doc-subject">{_e(brief.subject)}</p>{notice}</div>'
    )


def render_section_html(section: Section) -> str:
    """A section as HTML; every string is escaped, charts are PNG data URIs (no external resource)."""
    tag = f"h{min(max(section.level, 1) + 1, 4)}"
    heading = f"<{tag}>{_e(section.title)}</{tag}>" if section.title else ""
    parts = [f'<section class="cchc-brief" id="{_e(section.key)}">{heading}']
    for block in section.blocks:
        if isinstance(block, str):
            parts.append(f"<p>{_e(block)}</p>")
        elif hasattr(block, "what"):  # a part of the full report still to be written (report.Placeholder)
            parts.append(f'<p class="placeholder">{_e(block.text)}</p>')
        elif hasattr(block, "source"):  # a text an official wrote (report.Authored)
            mark = f'<span class="placeholder">{_e(CARRIED_MARK.strip())}</span> ' if block.carried else ""
            parts += [f"<p>{mark if i == 0 else ''}{_e(line)}</p>" for i, line in enumerate(block.text.splitlines())]
        elif isinstance(block, Notice):
            parts.append(f'<div class="notice">{_e(block.text)}</div>')
        elif isinstance(block, list):
            cards = "".join(
                f'<div class="kf"><div class="kf-value">{_e(k.value)}</div><div class="kf-label">{_e(k.label)}</div>'
                f'<div class="kf-note">{_e(k.note)}</div></div>'
                for k in block
            )
            parts.append(f'<div class="key-figures">{cards}</div>')
        elif isinstance(block, Table):
            parts.append(render_table_html(block))
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(
                f'<figure><img alt="{_e(block.caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{_e(block.caption)}</figcaption></figure>"
            )
    parts.append("</section>")
    return "".join(parts)


def header_rows(table: Table) -> list[list[tuple[str, int, int]]]:
    """Header rows as (label, colspan, rowspan) cells: with ``groups`` (spanning columns 1..), a first row of
    group labels over the columns they span; the first column and columns outside any group span both rows."""
    cols = [str(c) for c in table.frame.columns]
    if not table.groups:
        return [[(c, 1, 1) for c in cols]]
    top, bottom = [(cols[0], 1, 2)], []
    i = 1
    for label, span in table.groups:
        top.append((label, span, 1))
        bottom += [(c, 1, 1) for c in cols[i : i + span]]
        i += span
    top += [(c, 1, 2) for c in cols[i:]]
    return [top, bottom]


def render_table_html(table: Table) -> str:
    cols = list(table.frame.columns)
    head = "</tr><tr>".join(
        "".join(
            f"<th{f' colspan={cs}' if cs > 1 else ''}{f' rowspan={rs}' if rs > 1 else ''}>{_e(label)}</th>"
            for label, cs, rs in row
        )
        for row in header_rows(table)
    )
    body = []
    n = len(table.frame)
    for i, row in enumerate(table.frame.itertuples(index=False)):
        cls = ' class="total"' if table.total_last and i == n - 1 else ""
        cells = "".join(
            f'<td class="num">{_e(v)}</td>' if c in table.numeric else f"<td>{_e(v)}</td>"
            for c, v in zip(cols, row, strict=True)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    caption = f"<caption>{_e(table.caption)}</caption>" if table.caption else ""
    note = f'<p class="table-note">{_e(table.note)}</p>' if table.note else ""
    wide = " wide" if len(cols) > 8 else ""
    return (
        f'<table class="data{wide}">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}'
    )


def render_closing_html(brief: Brief) -> str:
    recipients = "".join(f"<div>- {_e(r)}</div>" for r in brief.recipients)
    return (
        '<div class="cchc-brief"><table class="doc-closing" role="presentation"><tr>'
        f'<td class="recipients"><div class="strong-italic">Nơi nhận:</div>{recipients}</td>'
        f'<td class="signature"><div class="strong">{_e(brief.signature[0])}</div>'
        f'<div class="strong">{_e(brief.signature[1])}</div></td></tr></table></div>'
    )


def render_brief_html(brief: Brief) -> str:
    """The whole brief as one HTML fragment, in the order of :meth:`Brief.parts`."""
    return "".join(part._repr_html_() for part in brief.parts())
