import zipfile

import pytest
from openpyxl import Workbook

from cchc_analysis.errors import InputFileError
from cchc_analysis.ingest.grid import read_grids, sniff


def test_html_table_saved_as_xls(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text(
        "<html><body><p>UBND XÃ THANH GIANG</p><table border=1>"
        "<tr><th colspan=2>Thông tin</th><th>Trạng thái</th></tr>"
        "<tr><td>Mã hồ sơ</td><td>Ngày nhận</td><td></td></tr>"
        "<tr><td>H1-230101-0001</td><td>01/01/2023</td><td>Đã trả kết quả &amp; lưu</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    (grid,) = read_grids(path)
    assert grid.rows[0][0] == "UBND XÃ THANH GIANG"  # text above the table becomes a leading row
    assert grid.rows[1] == ["Thông tin", "", "Trạng thái"]  # colspan padded
    assert grid.merged == [((1, 0), (1, 1))]
    assert grid.rows[3][2] == "Đã trả kết quả & lưu"


def test_xlsx_keeps_text_and_merged_ranges(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Người nộp"
    ws.merge_cells("A1:B1")
    ws["A2"] = "0961131987"  # a phone kept as text: the leading zero must survive
    path = tmp_path / "a.xlsx"
    wb.save(path)
    (grid,) = read_grids(path)
    assert grid.rows[1][0] == "0961131987"
    assert grid.merged == [((0, 0), (0, 1))]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tệp rỗng"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12" * 50, "nhị phân"),
        (b"PK\x03\x04garbage-that-is-not-a-zip", "bị hỏng"),
        ("Ghi chú: xuất ngày 01/10/2023.\n".encode(), "không phải bảng"),
    ],
)
def test_bad_files_get_one_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as err:
        read_grids(path)
    assert "bad.xlsx" in str(err.value)


def test_text_under_an_excel_name_is_read_as_the_table_it_is(tmp_path):
    # a system's "Excel export" that is really CSV, and Excel's "Unicode Text" (UTF-16, tabs) saved as .xls
    csv_path = tmp_path / "a.xlsx"
    csv_path.write_bytes("STT;Mã hồ sơ;Ngày tiếp nhận\n1;H1;03/07/2023\n".encode())
    tsv_path = tmp_path / "b.xls"
    tsv_path.write_bytes("STT\tMã hồ sơ\tNgày tiếp nhận\r\n1\tH1\t03/07/2023\r\n".encode("utf-16"))
    for path in (csv_path, tsv_path):
        (grid,) = read_grids(path)
        assert grid.rows == [["STT", "Mã hồ sơ", "Ngày tiếp nhận"], ["1", "H1", "03/07/2023"]], path


def test_truncated_xlsx(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "x" * 1000
    good = tmp_path / "good.xlsx"
    wb.save(good)
    data = good.read_bytes()
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match="hỏng"):
        read_grids(bad)


def test_sniff_ignores_the_extension(tmp_path):
    html = tmp_path / "x.xlsx"
    html.write_bytes(b"\xef\xbb\xbf<html><table></table></html>")
    assert sniff(html) == "html"
    z = tmp_path / "y.xls"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a", "b")
    assert sniff(z) == "xlsx"


def test_cells_far_apart_do_not_take_the_process_down(tmp_path):
    # calamine aborts the whole process on such a sheet; the reader parses it in a child process instead
    wb = Workbook()
    wb.active["A1"] = "x"
    wb.active["XFD1048576"] = "y"
    path = tmp_path / "far.xlsx"
    wb.save(path)
    with pytest.raises(InputFileError, match="cấu trúc bất thường"):
        read_grids(path)


def test_zip_bomb_is_refused_before_parsing(tmp_path, monkeypatch):
    from cchc_analysis.ingest import grid

    monkeypatch.setattr(grid, "LARGE_PART", 1 << 20)  # the same rule as for hundreds of MB, on a small file
    wb = Workbook()
    wb.active["A1"] = "x"
    good = tmp_path / "good.xlsx"
    wb.save(good)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * (8 << 20))
            dst.writestr(info.filename, data)
    with pytest.raises(InputFileError, match="nén quá mức bất thường"):
        read_grids(bomb)


def test_a_zip_without_a_workbook_inside(tmp_path):
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputFileError, match=r"thiếu xl/workbook\.xml"):
        read_grids(path)


def test_both_readers_place_cells_alike(tmp_path, monkeypatch):
    """fastexcel's range starts at the first cell holding a value; the columnar reader puts it back in place
    (rows from the sheet XML, columns from fastexcel), so rows, columns and merged ranges match the cell reader."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    from cchc_analysis.ingest import grid as grid_module

    wb = Workbook()
    ws = wb.active
    ws["A1"].fill = PatternFill("solid", fgColor="FFFF00")  # styled but empty: not part of the range
    ws["C3"] = "UBND XÃ THANH GIANG"
    ws.merge_cells("C3:E3")
    ws.append([None, None, "Mã hồ sơ", "Ngày tiếp nhận", "Phí"])
    ws.append([None, None, 12345, dt.datetime(2023, 7, 3, 8, 15), 1.5])
    ws.append([None, None, "  A-1 ", dt.date(2023, 7, 4), True])
    ws["A9"].fill = PatternFill("solid", fgColor="FFFF00")
    path = tmp_path / "placed.xlsx"
    wb.save(path)
    monkeypatch.setattr(grid_module, "COLUMNAR_MIN_BYTES", 1 << 40)
    (cells,) = read_grids(path)
    monkeypatch.setattr(grid_module, "COLUMNAR_MIN_BYTES", 0)
    (columns,) = read_grids(path)
    assert type(columns).__name__ == "ColumnarGrid"
    assert columns.merged == cells.merged == [((2, 2), (2, 4))]
    assert (columns.height, columns.width) == (cells.height, cells.width) == (6, 5)
    for c in range(5):
        assert columns.text_column(c, 3).tolist() == cells.text_column(c, 3).tolist()
    assert columns.text_column(2, 3).tolist() == ["Mã hồ sơ", "12345", "  A-1 "]
    assert columns.text_column(3, 4).tolist() == ["2023-07-03 08:15:00", "2023-07-04 00:00:00"]
    assert columns.text_column(4, 4).tolist() == ["1.5", "true"]
    assert columns.head(3)[2][2] == cells.head(3)[2][2] == "UBND XÃ THANH GIANG"


def test_a_panic_in_the_columnar_reader_refuses_one_file(tmp_path, monkeypatch):
    """A Rust panic reaches Python as pyo3's PanicException, which is not an Exception: it must still become
    the file's refusal, not end the whole ingest."""
    import fastexcel

    from cchc_analysis.ingest import grid as grid_module

    class Panic(BaseException):
        pass

    def panicking(_path):
        raise Panic("called `Option::unwrap()` on a `None` value")

    wb = Workbook()
    wb.active.append(["Mã hồ sơ", "Ngày tiếp nhận"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    monkeypatch.setattr(grid_module, "COLUMNAR_MIN_BYTES", 0)
    monkeypatch.setattr(fastexcel, "read_excel", panicking)
    with pytest.raises(InputFileError, match="lỗi không mong đợi"):
        read_grids(path)


def test_sheet_scan_finds_the_first_row_with_a_value_and_the_merged_ranges(tmp_path):
    """Hand-written sheet XML: a row of styled empty cells, an empty self-closing row, then the first value in
    row 3; merged ranges after the cell data, one written as a single cell."""
    from cchc_analysis.ingest.grid import _scan_sheet

    xml = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row r="1"><x:c r="A1" s="1"/></x:row><x:row r="2"/>'
        b'<x:row r="3"><x:c r="B3" t="s"><x:v>0</x:v></x:c></x:row>'
        b'<x:row r="4"><x:c r="B4"><x:v>1</x:v></x:c></x:row></x:sheetData>'
        b'<x:mergeCells count="2"><x:mergeCell ref="B3:D3"/><x:mergeCell ref="AA10"/></x:mergeCells></x:worksheet>'
    )
    path = tmp_path / "scan.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    assert _scan_sheet(path, "xl/worksheets/sheet1.xml") == (2, [((2, 1), (2, 3)), ((9, 26), (9, 26))])


@pytest.mark.parametrize("split", [0, 3, 7, 12], ids=lambda n: f"closing tag split after {n} bytes")
def test_merged_ranges_are_found_after_cell_data_longer_than_one_read_whatever_the_chunk_boundary(tmp_path, split):
    """The sheet's XML is read in 4 MB pieces: the closing sheetData tag may straddle two of them; the opening
    tag, which also ends in "sheetData>", is not taken for it."""
    from cchc_analysis.ingest.grid import _scan_sheet

    head = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    close = b"</sheetData>"
    filler = b"<row/>" * (((4 << 20) - 1000) // 6)  # empty rows, no value: the first value stays in row 1
    pad = (4 << 20) - len(head) - len(filler) - split  # the first read ends `split` bytes into the closing tag
    xml = head + filler + b" " * pad + close + b'<mergeCells><mergeCell ref="A1:C2"/></mergeCells></worksheet>'
    assert xml[: 4 << 20].endswith(close[:split] if split else b" ")
    path = tmp_path / "long.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    assert _scan_sheet(path, "xl/worksheets/sheet1.xml") == (0, [((0, 0), (1, 2))])


def test_work_given_to_do_beside_runs_once_while_a_large_sheet_is_parsed(tmp_path, reader):
    wb = Workbook()
    wb.active.append(["Mã hồ sơ", "Ngày nhận"])
    wb.active.append(["H1-1", "03/07/2023"])
    wb.save(tmp_path / "a.xlsx")
    calls = []
    grids = read_grids(tmp_path / "a.xlsx", beside=lambda: calls.append(1))
    assert grids[0].text_column(0).tolist() == ["Mã hồ sơ", "H1-1"]
    # the columnar reader (large sheets) runs it once; the cell-list reader has no parse to hide it behind
    assert calls == ([1] if reader == "columnar" else [])
