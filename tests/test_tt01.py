"""The TT 01/2020 table by field (tt01.py): counts worked out by hand, the three-row header of the sheet."""

import pandas as pd
from openpyxl import Workbook

from cchc_analysis.periods import parse_period
from cchc_analysis.tt01 import TT01_COLUMNS, tt01_table, write_text, write_tt01_sheet

from .dossier_rows import stored_dossier

T = pd.Timestamp
JULY = parse_period("2023-07")


def d(field, received, due=None, done=None, status="resolved", channel="online"):
    return stored_dossier("U", received, due, done, status, channel, field=field)


DOSSIERS = pd.DataFrame(
    [
        d("Hộ tịch", "2023-07-03", "2023-07-10", "2023-07-05"),  # new online, early
        d("Hộ tịch", "2023-07-03", "2023-07-10", "2023-07-10", channel="direct"),  # new direct, on time
        d("Hộ tịch", "2023-06-20", "2023-07-01", "2023-07-04", channel="postal"),  # carried over, late
        d("Chứng thực", "2023-07-20", "2023-07-25", None, "in_progress", "direct"),  # pending, overdue at 31/07
        d("Chứng thực", "2023-07-28", "2023-08-02", None, "in_progress"),  # pending within the deadline
        d("Chứng thực", "2023-07-05", "2023-07-10", "2023-07-06", "withdrawn"),  # new online, withdrawn
        d(None, "2023-07-12", "2023-07-20", "2023-07-13"),  # no field written: "Chưa rõ lĩnh vực", early
        d("Đất đai", "2023-05-02", "2023-05-10", "2023-05-08"),  # finished before July: not in the table
        d("Hộ tịch", "2023-07-04", None, None, "not_accepted"),  # never received: nowhere
    ]
)


def test_counts_by_field_and_the_totals_row():
    table = tt01_table(DOSSIERS, JULY).set_index("field")
    # fields sorted, then "Tổng cộng"; Đất đai has nothing in July and is left out
    assert table.index.tolist() == ["Chưa rõ lĩnh vực", "Chứng thực", "Hộ tịch", "Tổng cộng"]
    ho_tich = table.loc["Hộ tịch"]
    # received 3 = 1 online + 1 direct (new) + 1 carried over (postal, received in June)
    assert (ho_tich["received_total"], ho_tich["received_online"], ho_tich["received_direct_postal"]) == (3, 1, 1)
    assert (ho_tich["carried_over"], ho_tich["resolved_total"]) == (1, 3)
    assert (ho_tich["resolved_early"], ho_tich["resolved_on_time"], ho_tich["resolved_late"]) == (1, 1, 1)
    chung_thuc = table.loc["Chứng thực"]
    # 3 new: 1 direct overdue, 1 online within the deadline, 1 online withdrawn
    assert (chung_thuc["received_total"], chung_thuc["received_online"], chung_thuc["received_direct_postal"]) == (
        3,
        2,
        1,
    )
    assert (chung_thuc["pending_total"], chung_thuc["pending_within_deadline"], chung_thuc["pending_overdue"]) == (
        2,
        1,
        1,
    )
    assert (chung_thuc["resolved_total"], chung_thuc["withdrawn_returned"]) == (0, 1)
    total = table.loc["Tổng cộng"]
    assert total["received_total"] == 7 and total["resolved_total"] == 4 and total["pending_total"] == 2
    assert table.loc[:, [k for k, _ in TT01_COLUMNS]].dtypes.eq("int64").all()


def test_the_sheet_has_the_official_three_row_header_and_the_rows():
    wb = Workbook()
    ws = wb.active
    write_tt01_sheet(ws, tt01_table(DOSSIERS, JULY), "Biểu TT 01")
    assert ws["A1"].value == "Biểu TT 01"
    assert (ws["A3"].value, ws["B3"].value, ws["C3"].value, ws["G3"].value, ws["K3"].value) == (
        "STT",
        "Lĩnh vực giải quyết",
        "Số hồ sơ nhận giải quyết",
        "Số hồ sơ đã giải quyết",
        "Số hồ sơ đang giải quyết",
    )
    assert (ws["C4"].value, ws["D4"].value, ws["D5"].value, ws["E5"].value, ws["F5"].value) == (
        "Tổng số",
        "Trong đó",
        "Trực tuyến",
        "Trực tiếp, dịch vụ bưu chính",
        "Từ kỳ trước",
    )
    assert (ws["H5"].value, ws["I5"].value, ws["J5"].value, ws["L5"].value, ws["M5"].value) == (
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Trong hạn",
        "Quá hạn",
    )
    assert ws["N3"].value == "Trả lại, rút hồ sơ"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A5", "B3:B5", "C3:F3", "C4:C5", "D4:F4", "G3:J3", "K3:M3", "N3:N5"} <= merged
    # first row: 1, "Chưa rõ lĩnh vực", received 1; the totals row has no number and bold text
    assert (ws["A6"].value, ws["B6"].value, ws["C6"].value) == (1, "Chưa rõ lĩnh vực", 1)
    assert (ws["A9"].value, ws["B9"].value, ws["C9"].value) == ("", "Tổng cộng", 7)
    assert ws["C9"].font.bold and not ws["C6"].font.bold and ws["C6"].number_format == "#,##0"
    assert ws.freeze_panes == "C6"


def test_text_that_would_be_a_formula_is_written_as_text():
    wb = Workbook()
    ws = wb.active
    for column, value in enumerate(["=1+1", "+84912", "-", "@x", "Hộ tịch", 5], start=1):
        write_text(ws, 1, column, value)
    assert [ws.cell(1, c).data_type for c in range(1, 7)] == ["s", "s", "s", "s", "s", "n"]
    assert ws.cell(1, 1).value == "=1+1"


def test_new_postal_dossiers_count_with_the_direct_ones():
    table = tt01_table(pd.DataFrame([d("Hộ tịch", "2023-07-03", "2023-07-10", "2023-07-05", channel="postal")]), JULY)
    assert table.set_index("field").loc["Hộ tịch", "received_direct_postal"] == 1


def test_the_sheet_is_drawn_like_the_form():
    wb = Workbook()
    ws = wb.active
    write_tt01_sheet(ws, tt01_table(DOSSIERS, JULY), "Biểu TT 01")
    assert ws["A1"].font.bold
    for row in range(3, 10):  # the three header rows and the four table rows: thin borders all round
        for column in range(1, 15):
            border = ws.cell(row, column).border
            assert {border.left.style, border.right.style, border.top.style, border.bottom.style} == {"thin"}, (
                row,
                column,
            )
    for row in range(3, 6):
        for column in range(1, 15):
            cell = ws.cell(row, column)
            assert cell.font.bold, (row, column)
            assert (cell.alignment.horizontal, cell.alignment.vertical, cell.alignment.wrap_text) == (
                "center",
                "center",
                True,
            )
    assert ws.cell(10, 1).border.left.style is None  # nothing drawn below the table
    for row in range(3, 10):  # nor right of it (column O)
        assert (ws.cell(row, 15).border.left.style, ws.cell(row, 15).font.bold) == (None, False), row
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNO"}
    assert widths == {"A": 6, "B": 34, **{c: 12 for c in "CDEFGHIJKLMN"}, "O": 13}  # 13: openpyxl's default
