"""Where a file's unit comes from (ingest/units.py): names in folders and file names, and conflicts."""

import datetime as dt
from pathlib import Path

import pytest

from cchc_analysis.errors import InputFileError
from cchc_analysis.ingest.units import lookup_unit_text, resolve_unit, unit_in_name
from cchc_analysis.registry import UnitRegistry

REG = UnitRegistry.shipped(scope="Huyện Thanh Miện")
ON = dt.date(2023, 7, 1)

READS_FILES = False  # pure rules: run once (see conftest.py)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("doan-tung", "Xã Đoàn Tùng"),
        ("Xã Đoàn Tùng", "Xã Đoàn Tùng"),
        ("DS_HoSo_XaDoanTung_Q3_2023", "Xã Đoàn Tùng"),  # camel case after a type word
        ("doan_tung-quy3", "Xã Đoàn Tùng"),  # at the start of the name
        ("DoanTung_DanhSachHoSo", "Xã Đoàn Tùng"),
        ("Danh sách Đoàn Tùng", "Xã Đoàn Tùng"),  # with its diacritics: anywhere
        ("ChiLangBac", "Xã Chi Lăng Bắc"),  # the longer name, not a shorter one inside it
        ("tt-thanh-mien", "Thị trấn Thanh Miện"),  # typed: the town
        ("bao-cao-xa-cao-thang", "Xã Cao Thắng"),
        ("xa Lam Son", "Xã Lam Sơn"),
        ("thanh-mien", None),  # the district's name and its town's: neither
        ("Huyện Thanh Miện", None),  # after a district's type word: the district
        ("bao-cao-thang-8", None),  # "cao thang" without diacritics, not at the start: not Cao Thắng
        ("Báo cáo tháng 8", None),  # with diacritics it reads "cáo tháng", not "Cao Thắng"
        ("phuong-doan-tung", None),  # typed as a ward: Đoàn Tùng is a commune
        ("mot-cua", None),
        ("2023", None),
    ],
)
def test_a_unit_in_a_name(name, unit):
    found = unit_in_name(name, REG, ON)
    assert (found.full_name if found else None) == unit


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("UBND xã Thanh Giang", "Xã Thanh Giang"),
        ("Xã Thanh Giang", "Xã Thanh Giang"),
        ("xa Thanh Giang", "Xã Thanh Giang"),
        ("Thanh Giang", "Xã Thanh Giang"),
        ("Bộ phận một cửa UBND xã Thanh Giang", "Xã Thanh Giang"),
        ("Công chức Tư pháp - Hộ tịch", None),
        ("Bộ phận một cửa", None),
    ],
)
def test_a_unit_column_value(text, unit):
    found = lookup_unit_text(text, REG, ON)
    assert (found.full_name if found else None) == unit


def resolve(rel: str, title=(), **kw):
    raw = Path("/data/raw")
    return resolve_unit(raw / rel, list(title), REG, ON, raw, None, "danh sách hồ sơ", **kw)


def test_the_deepest_folder_and_the_file_name():
    assert resolve("thanh-mien/doan-tung/2023/ds.xlsx") == (REG.get("30-11251"), "folder")
    assert resolve("2023/Q3/DS_XaDoanTung.xlsx") == (REG.get("30-11251"), "file name")


def test_the_title_agrees_with_the_folder():
    assert resolve("thanh-giang/ds.xlsx", ["ỦY BAN NHÂN DÂN XÃ THANH GIANG"]) == (REG.get("30-11287"), "title")


def test_conflicting_sources_are_refused():
    with pytest.raises(InputFileError, match=r"Xã Thanh Giang.*Xã Lam Sơn"):
        resolve("lam-son/ds.xlsx", ["UBND XÃ THANH GIANG"])
    with pytest.raises(InputFileError, match="không đoán"):
        resolve("doan-tung/DS_XaLamSon.xlsx")


def test_the_users_word_overrides_every_inference():
    assert resolve("lam-son/ds.xlsx", ["UBND XÃ THANH GIANG"], mapped_unit="Cao Thắng")[1] == "mapping"
    raw = Path("/data/raw")
    unit, source = resolve_unit(raw / "lam-son/ds.xlsx", ["UBND XÃ THANH GIANG"], REG, ON, raw, "Cao Thắng", "x")
    assert (unit.full_name, source) == ("Xã Cao Thắng", "assumed")


def test_a_district_and_town_folder_says_why_it_names_nobody():
    with pytest.raises(InputFileError, match="vừa là tên huyện/tỉnh vừa là tên Thị trấn Thanh Miện"):
        resolve("thanh-mien/ds.xlsx")


def test_a_title_names_the_district_that_settles_a_name_the_country_shares():
    from cchc_analysis.ingest.units import unit_from_titles

    national, on = UnitRegistry.shipped(), dt.date(2023, 9, 30)
    assert unit_from_titles(["UBND XÃ HỒNG PHONG - HUYỆN THANH MIỆN"], national, on).unit_id == "30-11293"
    assert unit_from_titles(["UBND HUYỆN THANH MIỆN", "UBND XÃ LAM SƠN"], national, on).unit_id == "30-11260"
    # alone, or with a province that has two of them (Thanh Miện's and Ninh Giang's), the name settles nothing
    assert unit_from_titles(["UBND XÃ HỒNG PHONG"], national, on) is None
    assert unit_from_titles(["ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", "UBND XÃ HỒNG PHONG"], national, on) is None


def test_a_district_folder_settles_a_commune_folder_the_country_shares():
    from cchc_analysis.ingest.units import path_claims

    national, on, raw = UnitRegistry.shipped(), dt.date(2023, 9, 30), Path("/d/raw")

    def claimed(rel):
        return [(c.unit.unit_id, c.source) for c in path_claims(raw / rel, raw, national, on)]

    # Hải Dương had two Xã Hồng Phong: Thanh Miện's (30-11293) and Ninh Giang's (30-11224)
    assert claimed("huyen-thanh-mien/hong-phong/q3.xlsx") == [("30-11293", "folder")]
    assert claimed("Huyện Ninh Giang/Hồng Phong/q3.xlsx") == [("30-11224", "folder")]
    assert claimed("hong-phong/q3.xlsx") == []  # no district: nobody, the file is refused with what to do


def test_a_folder_named_by_its_slug_with_the_unit_id_names_that_unit_whatever_the_name():
    from cchc_analysis.ingest.units import path_claims

    # Hải Phòng's scope holds Phường Ái Quốc (since 2025) and the Xã Ái Quốc it replaced: the registry slugs the
    # new one "ai-quoc-2025-31-10660" (its name, then its id) and that folder is the ward, also for a file without
    # a date (a procedure catalogue), where the name alone fits both
    hp, raw = UnitRegistry.shipped(scope="Thành phố Hải Phòng"), Path("/d/raw")
    for on in (None, dt.date(2026, 9, 30)):
        claims = path_claims(raw / "ai-quoc-2025-31-10660" / "mot-cua" / "q3.xlsx", raw, hp, on)
        assert [(c.unit.full_name, c.unit.unit_id, c.source) for c in claims] == [
            ("Phường Ái Quốc", "2025-31-10660", "folder")
        ]
    # a slug's words alone are only a name: "ai-quoc" is two units in that scope, so it names neither
    assert path_claims(raw / "ai-quoc" / "q3.xlsx", raw, hp, None) == []


def test_an_island_commune_is_named_by_its_type_word_in_titles_and_folders():
    from cchc_analysis.ingest.units import path_claims, unit_from_titles

    hp, on, raw = UnitRegistry.shipped(scope="Thành phố Hải Phòng"), dt.date(2026, 9, 30), Path("/d/raw")
    (claim,) = path_claims(raw / "dac-khu-cat-hai" / "q3.xlsx", raw, hp, on)
    assert (claim.unit.full_name, claim.unit.type) == ("Đặc khu Cát Hải", "đặc khu")
    titled = unit_from_titles(["ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG", "ỦY BAN NHÂN DÂN ĐẶC KHU CÁT HẢI"], hp, on)
    assert titled is not None and titled.full_name == "Đặc khu Cát Hải"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # capitals Unicode keeps among its small letters (Ơ, Ư, Ệ, Ã): one word each, not "SƠ" + "N"
        ("DS_XÃ_LAM_SƠN_Q3", ["ds", "xã", "lam", "sơn", "q", "3"]),
        ("HUYỆN THANH MIỆN", ["huyện", "thanh", "miện"]),
        ("UBNDXaLamSon", ["ubnd", "xa", "lam", "son"]),  # a run of capitals ends before the capital of a word
        ("XaĐoànTùng", ["xa", "đoàn", "tùng"]),
    ],
)
def test_words_of_a_name_split_by_case_whatever_the_letter(name, words):
    from cchc_analysis.ingest.units import _tokens

    assert _tokens(name) == words


def test_a_file_named_in_capitals_with_its_marks_names_its_commune():
    assert unit_in_name(
        "DS_XÃ_LAM_SƠN_Q3", UnitRegistry.shipped(scope="Huyện Thanh Miện"), dt.date(2023, 9, 30)
    ).name == ("Lam Sơn")


def test_an_area_word_inside_a_communes_name_names_no_area():
    from cchc_analysis.ingest.units import _areas_named

    national = UnitRegistry.shipped()  # Thanh Hóa had a Huyện Quan Sơn; "xã Quan Sơn" is not it
    assert _areas_named(["xa-quan-son"], national) == set()
    district = {u.unit_id for u in national.units(group="Huyện Quan Sơn")}
    assert _areas_named(["UBND XÃ QUAN SƠN - HUYỆN QUAN SƠN"], national) == district


def test_a_title_with_its_marks_names_one_of_two_communes_whose_names_fold_alike(tmp_path):
    from cchc_analysis.ingest.units import unit_from_titles

    # Hải Phòng has Xã Cẩm Giang and Xã Cẩm Giàng since 2025: written with marks the title names one; in capitals
    # without marks it names both, and the file is refused naming them (not "the title names no commune")
    hp, on = UnitRegistry.shipped(scope="Thành phố Hải Phòng"), dt.date(2026, 9, 30)
    assert unit_from_titles(["ỦY BAN NHÂN DÂN XÃ CẨM GIANG"], hp, on).full_name == "Xã Cẩm Giang"
    assert unit_from_titles(["UBND XÃ CẨM GIÀNG - THÀNH PHỐ HẢI PHÒNG"], hp, on).full_name == "Xã Cẩm Giàng"
    assert unit_from_titles(["UBND XA CAM GIANG"], hp, on) is None
    raw = tmp_path / "raw"
    with pytest.raises(InputFileError) as refused:
        resolve_unit(raw / "q3.xlsx", ["UBND XA CAM GIANG"], hp, on, raw, None, "danh sách hồ sơ")
    message = str(refused.value)
    assert "tên chung của 2 đơn vị" in message and "Xã Cẩm Giang" in message and "Xã Cẩm Giàng" in message
