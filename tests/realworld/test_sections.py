"""Class 1: sheets grouped by field, with section rows and subtotal rows, a grand total or none."""

import pytest

from .dossiers import dossiers, expected, figures
from .harness import _key, assert_refused, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_xlsx

GROUPED = [
    ("Lĩnh vực: {field}", "Cộng: {n} hồ sơ", "Tổng cộng: {n} hồ sơ"),
    ("LĨNH VỰC {FIELD}", "Tổng lĩnh vực: {n}", "TỔNG SỐ: {n}"),
    ("{field} ({n} hồ sơ)", "Cộng lĩnh vực", None),  # the subtotal's count in a cell of its own; no grand total
    ("I. Lĩnh vực {field}", "Cộng", "Tổng cộng"),  # totals without a number
    (None, "Cộng trang: {n}", "Tổng cộng: {n} hồ sơ"),
]


@pytest.mark.parametrize(("section", "subtotal", "grand"), GROUPED)
def test_every_group_is_read_below_each_subtotal(tmp_path, capsys, section, subtotal, grand):
    layout = STANDARD.with_(section=section, subtotal=subtotal, grand_total=grand)
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    f = out.file("ds.xlsx")
    assert f["rows_read"] == len(dossiers()) and f["rows_kept"] == len(dossiers())
    assert figures(out.record()) == expected()


def test_a_grand_total_that_disagrees_with_the_rows_refuses_the_file(tmp_path, capsys):
    sheet = rows(STANDARD.with_(section="Lĩnh vực: {field}", subtotal="Cộng: {n} hồ sơ"), dossiers())
    total = next(i for i, r in enumerate(sheet) if r and str(r[0]).startswith("Tổng cộng"))
    sheet[total][0] = "Tổng cộng: 40 hồ sơ"  # the system listed 40, the sheet holds 26 rows: some were lost
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    assert_refused(ingest(tmp_path, capsys), "ds.xlsx", "40", "26")


def test_a_subtotal_that_disagrees_with_its_group_refuses_the_file(tmp_path, capsys):
    sheet = rows(STANDARD.with_(section="Lĩnh vực: {field}", subtotal="Cộng: {n} hồ sơ", grand_total=None), dossiers())
    first = next(i for i, r in enumerate(sheet) if r and str(r[0]).startswith("Cộng"))
    sheet[first][0] = "Cộng: 99 hồ sơ"
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    assert_refused(ingest(tmp_path, capsys), "ds.xlsx", "99")


def test_sections_give_the_field_when_the_sheet_has_no_field_column(tmp_path, capsys):
    layout = STANDARD.with_(
        columns=[c for c in STANDARD.columns if c[0] != "field"], section="Lĩnh vực {field}", subtotal="Cộng: {n}"
    )
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    from cchc_analysis.store import load_dossiers

    d = load_dossiers(tmp_path)
    assert d.groupby("field").size().to_dict() == {"Chứng thực": 9, "Hộ tịch": 13, "Đất đai": 4}


def test_a_section_label_in_the_code_column_is_no_dossier(tmp_path, capsys):
    # no STT column: the section's text, written in the first cell of its row, falls in the code column
    layout = STANDARD.with_(
        columns=[c for c in STANDARD.columns if c[0] != "seq"], section="Lĩnh vực {field}", subtotal="Cộng: {n} hồ sơ"
    )
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert out.file("ds.xlsx")["rows_rejected"] == 0
    assert figures(out.record()) == expected()


@pytest.mark.parametrize(
    "grand", ["Tổng cộng quý 3: {n}", "TỔNG CỘNG {n} hồ sơ (trong đó trực tuyến 15)", "Tổng số hồ sơ tiếp nhận: {n}"]
)
def test_the_count_of_a_total_is_told_from_other_numbers_in_its_label(tmp_path, capsys, grand):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(grand_total=grand), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert out.file("ds.xlsx")["stated_total"] == 26


def test_months_as_sections_with_the_count_in_a_cell_of_its_own(tmp_path, capsys):
    # "Tháng 7/2023" sections and "Cộng tháng 7" subtotals whose count sits in the first column; the grand total's
    # count under the receipt date; a unit column first, so the signature lands in the code column
    from .layouts import _cell

    layout = STANDARD.with_(columns=[("unit", "Xã"), *STANDARD.columns], unit=lambda d: "Thanh Giang")
    sheet = [["DANH SÁCH HỒ SƠ QUÝ III/2023"], [], [h for _w, h in layout.columns]]
    by_month = {}
    for d in dossiers():
        by_month.setdefault(max(d.received.month, 7), []).append(d)
    n = 0
    for month, members in sorted(by_month.items()):
        sheet.append([f"Tháng {month}/2023"])
        for d in members:
            n += 1
            sheet.append([_cell(layout, w, d, n) for w, _h in layout.columns])
        sheet.append([len(members), f"Cộng tháng {month}"])
    sheet += [[None, "TỔNG CỘNG TOÀN XÃ", None, None, None, None, None, n], [], [None, None, "Người lập biểu"]]
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    f = out.file("ds.xlsx")
    assert (f["rows_read"], f["rows_rejected"], f["stated_total"]) == (26, 0, 26)
    assert figures(out.record()) == expected()
