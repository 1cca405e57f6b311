"""The TT 01/2020/TT-VPCP table of TTHC resolution by field (lĩnh vực), as a DataFrame and as an Excel sheet."""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .periods import Period
from .states import dossier_states

TT01_COLUMNS = [
    ("received_total", "Tổng số"),
    ("received_online", "Trực tuyến"),
    ("received_direct_postal", "Trực tiếp, dịch vụ bưu chính"),
    ("carried_over", "Từ kỳ trước"),
    ("resolved_total", "Tổng số"),
    ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"),
    ("resolved_late", "Quá hạn"),
    ("pending_total", "Tổng số"),
    ("pending_within_deadline", "Trong hạn"),
    ("pending_overdue", "Quá hạn"),
    ("withdrawn_returned", "Trả lại, rút hồ sơ"),
]
GROUPS = [
    ("Số hồ sơ nhận giải quyết", 0, 4),
    ("Số hồ sơ đã giải quyết", 4, 8),
    ("Số hồ sơ đang giải quyết", 8, 11),
]


def tt01_table(dossiers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One row per field (lĩnh vực) and a totals row "Tổng cộng", with the TT 01/2020 columns."""
    s = dossier_states(dossiers, period)
    field = dossiers.loc[s.index, "field"].fillna("Chưa rõ lĩnh vực").astype(str)
    f = pd.DataFrame(
        {
            "field": field,
            "received_online": s["new"] & (s["channel"] == "online"),
            "received_direct_postal": s["new"] & s["channel"].isin(["direct", "postal"]),
            "new": s["new"],
            "carried_over": s["carried"],
            "resolved_total": s["resolved"],
            "resolved_early": s["resolved_class"] == "early",
            "resolved_on_time": s["resolved_class"] == "on_time",
            "resolved_late": s["resolved_class"] == "late",
            "pending_total": s["pending"],
            "pending_overdue": s["overdue"],
            "withdrawn_returned": s["stopped"],
        }
    )
    table = f.groupby("field").sum(numeric_only=True)
    table["received_total"] = table["new"] + table["carried_over"]
    table["pending_within_deadline"] = table["pending_total"] - table["pending_overdue"]
    table = table[table["received_total"] > 0]
    keys = [k for k, _ in TT01_COLUMNS]
    table = table[keys].astype("int64").sort_index()
    total = pd.DataFrame([table.sum()], index=["Tổng cộng"])
    out = pd.concat([table, total])
    out.index.name = "field"
    return out.reset_index()


def write_tt01_sheet(ws: Worksheet, table: pd.DataFrame, title: str) -> None:
    """Write the table with the official three-row header: groups, "Tổng số"/"Trong đó", sub-columns."""
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.cell(row=1, column=1, value=title).font = Font(bold=True)
    top = 3
    ws.cell(row=top, column=1, value="STT")
    ws.cell(row=top, column=2, value="Lĩnh vực giải quyết")
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=1)
    ws.merge_cells(start_row=top, start_column=2, end_row=top + 2, end_column=2)
    for label, c0, c1 in GROUPS:
        ws.cell(row=top, column=3 + c0, value=label)
        ws.merge_cells(start_row=top, start_column=3 + c0, end_row=top, end_column=3 + c1 - 1)
        ws.cell(row=top + 1, column=3 + c0, value="Tổng số")
        ws.merge_cells(start_row=top + 1, start_column=3 + c0, end_row=top + 2, end_column=3 + c0)
        ws.cell(row=top + 1, column=4 + c0, value="Trong đó")
        ws.merge_cells(start_row=top + 1, start_column=4 + c0, end_row=top + 1, end_column=3 + c1 - 1)
        for k in range(c0 + 1, c1):
            ws.cell(row=top + 2, column=3 + k, value=TT01_COLUMNS[k][1])
    last = 3 + len(TT01_COLUMNS) - 1
    ws.cell(row=top, column=last, value=TT01_COLUMNS[-1][1])
    ws.merge_cells(start_row=top, start_column=last, end_row=top + 2, end_column=last)
    for r in range(top, top + 3):
        for c in range(1, last + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
    for i, row in enumerate(table.itertuples(index=False), start=1):
        r = top + 2 + i
        is_total = row.field == "Tổng cộng"
        write_text(ws, r, 1, "" if is_total else i)
        write_text(ws, r, 2, row.field)
        for j, (key, _label) in enumerate(TT01_COLUMNS):
            cell = ws.cell(row=r, column=3 + j, value=int(getattr(row, key)))
            cell.number_format = "#,##0"
        for c in range(1, last + 1):
            ws.cell(row=r, column=c).border = border
            if is_total:
                ws.cell(row=r, column=c).font = Font(bold=True)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 34
    for c in range(3, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.freeze_panes = ws.cell(row=top + 3, column=3)


def write_text(ws: Worksheet, row: int, column: int, value) -> None:
    """Write a value; text that Excel would read as a formula (= + - @, tab, carriage return) stays text."""
    from .text import starts_like_formula

    cell = ws.cell(row=row, column=column, value=value)
    if starts_like_formula(value):
        cell.value = value
        cell.data_type = "s"
