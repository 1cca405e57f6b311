import datetime as dt
import unicodedata

import pytest

from cchc_analysis.errors import ConfigError, UnitLookupError
from cchc_analysis.registry import UnitRegistry, split_unit_prefix

THANH_MIEN_2023 = [
    "Thanh Miện",
    "Cao Thắng",
    "Ngũ Hùng",
    "Tứ Cường",
    "Hồng Quang",
    "Lam Sơn",
    "Lê Hồng",
    "Tân Trào",
    "Ngô Quyền",
    "Đoàn Kết",
    "Phạm Kha",
    "Thanh Tùng",
    "Đoàn Tùng",
    "Hồng Phong",
    "Thanh Giang",
    "Chi Lăng Bắc",
    "Chi Lăng Nam",
]


@pytest.fixture(scope="module")
def registry():
    """The national registry narrowed to the demo district, as a data folder with ``scope: Huyện Thanh Miện``."""
    return UnitRegistry.shipped(scope="Huyện Thanh Miện")


def test_ships_the_seventeen_units_of_thanh_mien(registry):
    units = registry.units(group="Huyện Thanh Miện")
    assert sorted(u.name for u in units) == sorted(THANH_MIEN_2023)
    assert [u.full_name for u in units if u.type == "thị trấn"] == ["Thị trấn Thanh Miện"]
    assert all(u.valid_to == dt.date(2025, 6, 30) for u in units)


def test_group_is_matched_like_a_name(registry):
    assert len(registry.units(group="huyen thanh mien")) == 17
    # the district's five successors, and two Hải Phòng communes that took part of Thanh Tùng / Đoàn Tùng or
    # of Nguyễn Lương Bằng's other predecessor (Nhân Quyền, Bình Giang): the area's connected component
    hai_phong = registry.units(group="TP. Hải Phòng", on=dt.date(2025, 7, 1))
    assert sorted(u.name for u in hai_phong) == [
        "Bắc Thanh Miện",
        "Hải Hưng",
        "Nam Thanh Miện",
        "Nguyễn Lương Bằng",
        "Thanh Miện",
        "Thượng Hồng",
        "Đường An",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Thanh Giang",
        "thanh giang",
        "THANH GIANG",
        "Xã Thanh Giang",
        "xa thanh giang",
        "X. Thanh Giang",
        "UBND xã Thanh Giang",
        "ỦY BAN NHÂN DÂN XÃ THANH GIANG",
        unicodedata.normalize("NFD", "Xã Thanh Giang"),
        "11287",
        "30-11287",
    ],
)
def test_lookup_tolerates_case_accents_prefixes_and_codes(registry, text):
    assert registry.lookup(text).unit_id == "30-11287"


@pytest.mark.parametrize("text", ["Thị trấn Thanh Miện", "TT. Thanh Miện", "tt thanh mien", "UBND thị trấn Thanh Miện"])
def test_town_prefix_selects_the_town(registry, text):
    assert registry.lookup(text).unit_id == "30-11239"


def test_reused_name_needs_a_date_or_a_type(registry):
    with pytest.raises(UnitLookupError) as err:
        registry.lookup("Thanh Miện")
    assert "Thị trấn Thanh Miện" in str(err.value) and "Xã Thanh Miện" in str(err.value)
    assert registry.lookup("Thanh Miện", on=dt.date(2023, 8, 31)).unit_id == "30-11239"
    assert registry.lookup("Thanh Miện", on=dt.date(2025, 9, 1)).unit_id == "2025-31-11239"
    assert registry.lookup("xã Thanh Miện").unit_id == "2025-31-11239"


def test_reused_code_needs_a_date(registry):
    # GSO gave the merged commune the code of its seat unit: 11284 is Chi Lăng Nam and Nam Thanh Miện
    with pytest.raises(UnitLookupError):
        registry.lookup("11284")
    assert registry.lookup("11284", on=dt.date(2024, 1, 1)).name == "Chi Lăng Nam"
    assert registry.lookup("11284", on=dt.date(2026, 1, 1)).name == "Nam Thanh Miện"


def test_unknown_unit_message(registry):
    with pytest.raises(UnitLookupError, match="Không tìm thấy đơn vị 'Xã Atlantis'"):
        registry.lookup("Xã Atlantis")


def test_prefix_split():
    assert split_unit_prefix("UBND xã Thanh Giang") == ("thanh giang", "xã")
    assert split_unit_prefix("Phường 1") == ("1", "phường")
    assert split_unit_prefix("Xã") == ("xa", None)  # a bare prefix is kept as a name


def test_successors_and_predecessors(registry):
    succ = registry.successors("30-11287")
    assert [(u.name, share) for u, share in succ] == [("Nam Thanh Miện", 1.0)]
    preds = {u.name: share for u, share in registry.predecessors("2025-31-11284")}
    assert preds == {"Hồng Phong": 1.0, "Thanh Giang": 1.0, "Chi Lăng Bắc": 1.0, "Chi Lăng Nam": 1.0}
    # split units: share not published
    nlb = {u.name: share for u, share in registry.predecessors("2025-31-11242")}
    assert nlb == {"Phạm Kha": 1.0, "Nhân Quyền": 1.0, "Thanh Tùng": None, "Đoàn Tùng": None}


def test_slugs_are_unique_and_ascii(registry):
    slugs = [u.slug for u in registry]
    assert len(slugs) == len(set(slugs))
    assert registry.lookup("Thanh Giang").slug == "thanh-giang"
    assert {registry.get("30-11239").slug, registry.get("2025-31-11239").slug} == {
        "thi-tran-thanh-mien",
        "xa-thanh-mien",
    }


def test_user_csv_adds_and_corrects_units(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_SCOPE")  # the whole country
    (tmp_path / "units.csv").write_text(
        "unit_id,code,name,type,group,province,valid_from,valid_to,notes\n"
        "99-00001,00001,Tân Phú,phường,Thị xã Mẫu,Tỉnh Mẫu,,,\n"
        "30-11287,11287,Thanh Giang,xã,Huyện Thanh Miện,Tỉnh Hải Dương,,2025-06-30,đã kiểm tra\n",
        encoding="utf-8",
    )
    reg = UnitRegistry.load(tmp_path)
    with pytest.raises(UnitLookupError, match=r"ứng với nhiều đơn vị: .*Phường Tân Phú"):
        reg.lookup("P. Tân Phú")  # six other Phường Tân Phú in the country
    assert reg.lookup("P. Tân Phú", group="Thị xã Mẫu").unit_id == "99-00001"
    assert reg.get("30-11287").notes == "đã kiểm tra"
    assert len(reg) == len(UnitRegistry.shipped()) + 1


def test_user_yaml_with_split_successors(tmp_path):
    (tmp_path / "units.yaml").write_text(
        """
units:
  - unit_id: "99-1"
    code: "1"
    name: Mới A
    type: xã
    group: Tỉnh Mẫu
    valid_from: 2025-07-01
  - unit_id: "99-2"
    code: "2"
    name: Mới B
    type: xã
    group: Tỉnh Mẫu
    valid_from: 2025-07-01
  - unit_id: "99-0"
    code: "0"
    name: Cũ
    type: xã
    group: Huyện Mẫu
    valid_to: 2025-06-30
    successors:
      - {unit_id: "99-1", share: 0.6}
      - {unit_id: "99-2", share: "0,4"}
""",
        encoding="utf-8",
    )
    reg = UnitRegistry.load(tmp_path)
    assert [(u.name, s) for u, s in reg.successors("99-0")] == [("Mới A", 0.6), ("Mới B", 0.4)]
    assert reg.get("99-1").valid_from == dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("unit_id,name,type,group\n99-1,A,làng,G\n", "cột 'type': giá trị 'làng' không hợp lệ"),
        ("unit_id,name,type,group\n99-1,,xã,G\n", "cột 'name': thiếu giá trị bắt buộc"),
        ("unit_id,name,type,group,valid_to\n99-1,A,xã,G,31/12/2024\n", "ngày '31/12/2024' không hợp lệ"),
        ("unit_id,name,group\n99-1,A,G\n", "thiếu cột type"),
        ("unit_id,name,type,group\n99-1,A,xã,G\n99-1,B,xã,G\n", "xuất hiện nhiều lần"),
    ],
)
def test_invalid_user_csv_is_refused_with_row_and_column(tmp_path, content, message):
    (tmp_path / "units.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        UnitRegistry.load(tmp_path)
    assert "units.csv" in str(err.value)


def test_successor_shares_above_one_are_refused(tmp_path):
    (tmp_path / "units.yaml").write_text(
        "- {unit_id: a, name: A, type: xã, group: G,\n"
        "   successors: [{unit_id: b, share: 0.7}, {unit_id: c, share: 0.7}]}\n"
        "- {unit_id: b, name: B, type: xã, group: H}\n- {unit_id: c, name: C, type: xã, group: H}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="vượt quá 1"):
        UnitRegistry.load(tmp_path)


def test_successor_must_exist(tmp_path):
    (tmp_path / "units.yaml").write_text(
        "- {unit_id: a, name: A, type: xã, group: G, successors: [nowhere]}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="không có đơn vị mã 'nowhere'"):
        UnitRegistry.load(tmp_path)


def test_a_misspelt_name_gets_the_closest_names_and_the_groups_units():
    reg = UnitRegistry.shipped()
    with pytest.raises(UnitLookupError) as err:
        reg.lookup("Thanh Giag")
    assert "Có phải: Xã Thanh Giang" in str(err.value)
    with pytest.raises(UnitLookupError) as err:
        reg.lookup("Lam Sonn", group="Huyện Thanh Miện")
    message = str(err.value)
    assert "Có phải: Xã Lam Sơn?" in message and "Các đơn vị của Huyện Thanh Miện: " in message
    assert "Xã Chi Lăng Nam" in message and message.count("Xã ") >= 17
    with pytest.raises(UnitLookupError) as err:
        reg.lookup("Xã Atlantis")
    assert "Có phải" not in str(err.value)  # nothing close: no guess offered
