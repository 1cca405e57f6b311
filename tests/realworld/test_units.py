"""Class 5: where the unit comes from: folders, file names, unit columns, --assume-unit."""

import pytest

from .dossiers import dossiers, expected, figures
from .harness import _key, assert_refused, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_xlsx

NO_UNIT_TITLE = [["DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT"], ["Từ ngày 01/07/2023 đến ngày 30/09/2023"], []]
ANONYMOUS = STANDARD.with_(title=NO_UNIT_TITLE)


@pytest.mark.parametrize(
    "where",
    [
        "thanh-mien/doan-tung/ds.xlsx",  # raw/<district>/<commune>/: the district's name is also its town's
        "Huyện Thanh Miện/Xã Đoàn Tùng/2023/Q3/ds.xlsx",
        "2023/Q3/DS_HoSo_XaDoanTung_Q3_2023.xlsx",  # the unit only in the file name, without diacritics
        "2023/Q3/doan_tung-quy3.xlsx",
        "thanh-mien/DoanTung_DanhSachHoSo.xlsx",
    ],
)
def test_the_deepest_folder_or_the_file_name_names_the_unit(tmp_path, capsys, where):
    write_xlsx(tmp_path / "raw" / where, rows(ANONYMOUS, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert out.files[0]["unit_id"] == "30-11251"  # Đoàn Tùng, never Thị trấn Thanh Miện
    assert figures(out.record("Đoàn Tùng")) == expected()


def test_a_folder_that_names_a_district_and_its_town_alike_is_not_guessed(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-mien" / "ds.xlsx", rows(ANONYMOUS, dossiers()))
    entry = assert_refused(ingest(tmp_path, capsys), "ds.xlsx", "--assume-unit")
    assert "Thanh Miện" in entry["error"]


def test_a_folder_naming_the_town_with_its_type_is_the_town(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-mien" / "tt-thanh-mien" / "ds.xlsx", rows(ANONYMOUS, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert out.files[0]["unit_id"] == "30-11239"


def test_assume_unit_overrides_every_inference(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD, dossiers()))  # title: Thanh Giang
    out = ingest(tmp_path, capsys, "--assume-unit", "Lam Sơn")
    assert out.code == 0, out.err
    assert out.files[0]["unit_id"] == "30-11260" and out.files[0]["unit_source"] == "assumed"


def test_title_and_folder_naming_two_units_are_not_guessed(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "lam-son" / "ds.xlsx", rows(STANDARD, dossiers()))  # title: Thanh Giang
    entry = assert_refused(ingest(tmp_path, capsys), "ds.xlsx", "Thanh Giang", "Lam Sơn")
    assert "--assume-unit" in entry["error"] or "mapping" in entry["error"]


@pytest.mark.parametrize("header", ["Đơn vị tiếp nhận", "Tên đơn vị", "Xã/phường/thị trấn", "Đơn vị"])
def test_a_district_file_splits_into_every_unit_its_column_names_however_written(tmp_path, capsys, header):
    giang = dossiers("H15.50.05.13")
    son = dossiers("H15.50.05.09")
    spellings = {"giang": ["Xã Thanh Giang", "UBND xã Thanh Giang", "Thanh Giang"], "son": ["xa Lam Son", "Lam Sơn"]}
    cells = {d.code: spellings["giang"][i % 3] for i, d in enumerate(giang)}
    cells |= {d.code: spellings["son"][i % 2] for i, d in enumerate(son)}
    layout = STANDARD.with_(
        title=[["ỦY BAN NHÂN DÂN HUYỆN THANH MIỆN"], ["DANH SÁCH HỒ SƠ CÁC XÃ"], ["Quý III/2023"], []],
        columns=[("unit", header), *STANDARD.columns],
        unit=lambda d: cells[d.code],
    )
    write_xlsx(tmp_path / "raw" / "huyen" / "ds.xlsx", rows(layout, sorted(giang + son, key=lambda d: d.received)))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record("Thanh Giang")) == expected()
    assert figures(out.record("Lam Sơn")) == expected()
