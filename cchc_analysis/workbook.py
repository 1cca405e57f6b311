"""The Excel workbook of a period's indicators: one sheet of indicators, one TT 01/2020 sheet per unit."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .methodology import Methodology, indicator_catalogue
from .periods import Period
from .tt01 import tt01_table, write_text, write_tt01_sheet


def indicators_workbook(
    records: list[dict],
    period: Period,
    data_dir: Path | str | None,
    methodology: Methodology,
    rankings: list[dict] | None = None,
) -> bytes:
    """Vietnamese headers, number formats, frozen panes; text from data is never written as a formula.

    Sheets: "Chỉ số" (one column per unit), "Xếp hạng" when ``rankings`` are given, one TT 01/2020 sheet per unit.
    """
    catalogue = indicator_catalogue()
    wb = Workbook()
    ws = wb.active
    ws.title = "Chỉ số"
    write_text(ws, 1, 1, f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH KỲ {period.label_vi} (phương pháp {methodology.version})")
    ws["A1"].font = Font(bold=True)
    keys = [k for k in catalogue if k in records[0]]
    headers = ["Chỉ số", "Đơn vị tính", *[r["unit_name"] for r in records]]
    for c, h in enumerate(headers, start=1):
        write_text(ws, 3, c, h)
        ws.cell(row=3, column=c).font = Font(bold=True)
        ws.cell(row=3, column=c).alignment = Alignment(wrap_text=True, horizontal="center")
    for i, key in enumerate(keys, start=4):
        spec = catalogue[key]
        write_text(ws, i, 1, spec["label"])
        write_text(ws, i, 2, spec["unit"])
        fmt = "#,##0" if spec["decimals"] == 0 else "#,##0." + "0" * spec["decimals"]
        for j, r in enumerate(records, start=3):
            cell = ws.cell(row=i, column=j, value=r[key])
            cell.number_format = fmt
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 12
    for j in range(3, 3 + len(records)):
        ws.column_dimensions[get_column_letter(j)].width = 18
    ws.freeze_panes = "C4"
    if rankings is not None:
        write_rankings_sheet(wb.create_sheet("Xếp hạng"), rankings, period)
    from .indicators import dossier_units, own_dossiers_only
    from .store import load_dossiers

    # the rows the period may count, of every unit (a dossier two units' exports hold, once): as the figures count
    dossiers = load_dossiers(data_dir, period)
    for r in records:
        units = dossier_units(r)  # with the old communes a new one's figures take in
        part = dossiers[dossiers["unit_id"].isin(units)]
        if part.empty:
            continue
        sheet = wb.create_sheet(sheet_title(f"TT01 {r['unit_name']}", wb.sheetnames))
        write_tt01_sheet(
            sheet,
            tt01_table(part, period),
            f"TÌNH HÌNH GIẢI QUYẾT TTHC - {r['unit_name'].upper()} - KỲ {period.label_vi}"
            + (
                " (CHỈ GỒM HỒ SƠ CỦA ĐƠN VỊ, KHÔNG GỒM PHẦN CỦA CÁC ĐƠN VỊ TRƯỚC SẮP XẾP)"
                if own_dossiers_only(r)
                else ""
            ),
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_title(text: str, taken: list[str]) -> str:
    """A valid, unique Excel sheet name: without []:*?/\\, at most 31 characters, not quoted at either end.

    >>> sheet_title("TT01 Xã A/B", ["TT01 Xã A-B"])
    'TT01 Xã A-B (2)'
    """
    base = "".join("-" if ch in "[]:*?/\\" else ch for ch in text).strip("'").strip() or "Trang"
    title, n = base[:31], 1
    while title.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    return title


RANK_HEADERS = [
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Đơn vị"),
    ("indicator_label", "Chỉ số"),
    ("component", "Chỉ số thành phần"),
    ("value", "Giá trị"),
    ("rank", "Hạng"),
    ("rank_of", "Trên tổng số"),
    ("change", "Thay đổi hạng so với kỳ trước"),
    ("ci_low", "Cận dưới (95%)"),
    ("ci_high", "Cận trên (95%)"),
    ("flag_vi", "So với nhóm"),
    ("rank_median", "Hạng trung vị (mô phỏng)"),
    ("rank_p05", "Hạng tốt nhất (5%)"),
    ("rank_p95", "Hạng kém nhất (95%)"),
    ("low_volume", "Ít hồ sơ"),
    ("max_score", "Điểm tối đa"),
    ("pct", "Tỷ lệ điểm (%)"),
    ("below_75", "Dưới 75%"),
]


def rankings_workbook(records: list[dict], period: Period) -> bytes:
    """The rankings as one Excel sheet with Vietnamese headers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Xếp hạng"
    write_rankings_sheet(ws, records, period)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_rankings_sheet(ws, records: list[dict], period: Period) -> None:
    """One row per unit and ranked indicator (and PAR component), Vietnamese headers, frozen header."""
    from .ranking import FLAGS_VI

    catalogue = indicator_catalogue()
    write_text(ws, 1, 1, f"XẾP HẠNG CÁC ĐƠN VỊ KỲ {period.label_vi}")
    ws["A1"].font = Font(bold=True)
    for c, (_key, label) in enumerate(RANK_HEADERS, start=1):
        write_text(ws, 3, c, label)
        ws.cell(row=3, column=c).font = Font(bold=True)
        ws.cell(row=3, column=c).alignment = Alignment(wrap_text=True, horizontal="center")
    for i, r in enumerate(records, start=4):
        row = dict(r)
        row["indicator_label"] = catalogue.get(r["indicator"], {}).get("label", "Chỉ số thành phần CCHC")
        row["flag_vi"] = FLAGS_VI.get(r.get("flag"))
        row["low_volume"] = "có" if r.get("low_volume") else ""
        row["below_75"] = "có" if r.get("below_75") else ""
        for c, (key, _label) in enumerate(RANK_HEADERS, start=1):
            value = row.get(key)
            if isinstance(value, str):
                write_text(ws, i, c, value)
            else:
                cell = ws.cell(row=i, column=c, value=value)
                if isinstance(value, float):
                    cell.number_format = "0.00"
    for c in range(1, len(RANK_HEADERS) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 36
    ws.freeze_panes = "C4"
