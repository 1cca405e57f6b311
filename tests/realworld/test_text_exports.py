"""Class 4: CSV and tab-separated text in the encodings systems and Excel write, under any file name."""

import pytest

from .dossiers import dossiers, expected, figures
from .harness import _key, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_mojibake, write_text

CASES = [
    ("ds.csv", "utf-8", ","),
    ("ds.csv", "utf-8-sig", ","),  # Excel's "CSV UTF-8"
    ("ds.csv", "utf-8-sig", ";"),  # a European-locale Excel
    ("ds.csv", "cp1258", ","),  # Windows Vietnamese
    ("ds.txt", "utf-16", "\t"),  # Excel's "Unicode Text" (UTF-16 LE with a BOM, tabs)
    ("ds.xls", "utf-16", "\t"),  # the same, saved under an Excel name by a system
    ("ds.xls", "utf-8", "\t"),
    ("ds.tsv", "utf-8", "\t"),
]


@pytest.mark.parametrize(("name", "encoding", "delimiter"), CASES)
def test_text_exports_are_read_like_workbooks(tmp_path, capsys, name, encoding, delimiter):
    write_text(
        tmp_path / "raw" / "thanh-giang" / name, rows(STANDARD, dossiers()), encoding=encoding, delimiter=delimiter
    )
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    f = out.file(name)
    assert f["kind"] == "dossier_list" and f["rows_kept"] == len(dossiers())
    assert figures(out.record()) == expected()


def test_utf8_garbled_by_a_windows_1252_round_trip_is_repaired(tmp_path, capsys):
    write_mojibake(tmp_path / "raw" / "thanh-giang" / "ds.csv", rows(STANDARD, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()
    assert any("1252" in w for w in out.file("ds.csv")["warnings"])


def test_a_text_file_that_is_not_a_table_has_a_line_in_the_table(tmp_path, capsys):
    folder = tmp_path / "raw" / "thanh-giang"
    write_text(folder / "ds.csv", rows(STANDARD, dossiers()))
    (folder / "ghi-chu.txt").write_text("Xuất ngày 01/10/2023 theo yêu cầu của văn phòng.\n", encoding="utf-8")
    out = ingest(tmp_path, capsys)
    assert "ghi-chu.txt" in out.out and "không phải bảng" in out.out  # listed, with why it was not read
    assert out.code == 0
