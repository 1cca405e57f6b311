"""The national registry: every unit of the 34 provinces since 1 July 2025 and the communes before it.

Counts are the published ones (34 provinces; 3,321 units: 2,621 xã, 687 phường, 13 đặc khu), not read back
from the build; the sample successions are those of the Hải Phòng resolution as DOMAIN.md records them.
"""

import csv
import datetime as dt
from importlib import resources

import pytest

from cchc_analysis.errors import ConfigError, UnitLookupError
from cchc_analysis.registry import UnitRegistry

AFTER = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def national():
    return UnitRegistry.shipped()


def test_the_country_since_july_2025_has_34_provinces_and_3321_units(national):
    units = national.units(on=AFTER)
    assert len(units) == 3321
    assert len({u.province for u in units}) == 34
    by_type = {t: sum(1 for u in units if u.type == t) for t in ("xã", "phường", "đặc khu")}
    assert by_type == {"xã": 2621, "phường": 687, "đặc khu": 13}
    # no district level any more: the peer group of a unit is its province
    assert all(u.group == u.province for u in units)


def test_before_july_2025_there_were_63_provinces_and_no_unit_is_valid_on_both_days(national):
    old = national.units(on=BEFORE)
    assert len({u.province for u in old}) == 63
    assert not {u.unit_id for u in old} & {u.unit_id for u in national.units(on=AFTER)}


def test_codes_and_ids_are_unique_within_each_period(national):
    for day in (BEFORE, AFTER):
        codes = [u.code for u in national.units(on=day)]
        assert len(codes) == len(set(codes)), day


def test_every_old_commune_has_a_successor_and_every_new_one_a_predecessor(national):
    for unit in national.units(on=BEFORE):
        assert national.successors(unit.unit_id), unit.unit_id
    for unit in national.units(on=AFTER):
        assert national.predecessors(unit.unit_id), unit.unit_id


def test_a_divided_commune_has_no_share_stated(national):
    # Thanh Tùng went partly to Nguyễn Lương Bằng and partly to Thượng Hồng: no source gives the shares
    assert {(u.name, share) for u, share in national.successors("30-11242")} == {
        ("Nguyễn Lương Bằng", None),
        ("Thượng Hồng", None),
    }


def test_the_checked_sample_wins_over_the_package():
    # the package divides Thị trấn Thanh Miện between Thanh Miện and Trường Tân; the resolution (DOMAIN.md) puts
    # all of it into Thanh Miện, and the build keeps the resolution
    rows = (resources.files("cchc_analysis") / "data" / "successions.csv").read_text(encoding="utf-8")
    town = [r for r in csv.DictReader(rows.splitlines()) if r["predecessor_id"] == "30-11239"]
    assert [(r["successor_id"], r["share"]) for r in town] == [("2025-31-11239", "1")]


def test_a_name_used_in_several_provinces_needs_a_province(national):
    with pytest.raises(UnitLookupError) as err:
        national.lookup("Xã Tân Thành", on=AFTER)
    message = str(err.value)
    assert message.count("Xã Tân Thành (") == 7 and "Tỉnh Lạng Sơn" in message and "--group" in message
    assert "Tân Thanh (" not in message  # typed with its marks, "Tân Thành" is not Tuyên Quang's "Tân Thanh"
    assert national.lookup("Xã Tân Thành", on=AFTER, group="Lạng Sơn").unit_id.startswith("2025-20-")
    assert national.lookup("Tan Thanh", on=AFTER, group="Tuyên Quang").name == "Tân Thanh"


def test_a_province_ranks_all_its_communes(national):
    hai_phong = national.units(group="Thành phố Hải Phòng", on=AFTER)
    assert len(hai_phong) == 114  # Nghị quyết 1669/NQ-UBTVQH15: 45 phường, 67 xã, 2 đặc khu
    assert {u.type for u in hai_phong} == {"xã", "phường", "đặc khu"}
    assert sum(1 for u in hai_phong if u.type == "đặc khu") == 2  # Bạch Long Vĩ, Cát Hải


def test_scope_is_the_connected_area(national):
    scoped = national.scoped("Huyện Thanh Miện")
    assert len(scoped.units(group="Huyện Thanh Miện")) == 17
    # a name ambiguous in the country is unique in the area, and keeps its plain slug
    assert scoped.lookup("Hồng Phong", on=BEFORE).slug == "hong-phong"
    with pytest.raises(UnitLookupError):
        national.lookup("Hồng Phong", on=BEFORE)


def test_data_folder_scope_from_units_yaml(tmp_path):
    (tmp_path / "units.yaml").write_text("scope: Thành phố Hải Phòng\n", encoding="utf-8")
    reg = UnitRegistry.load(tmp_path)
    assert len(reg.units(group="Thành phố Hải Phòng", on=AFTER)) == 114
    # Hải Dương's communes before the merger are in the area: they became Hải Phòng's
    assert reg.lookup("Thanh Giang", on=BEFORE).unit_id == "30-11287"
    assert not any(u.province == "Thành phố Hà Nội" for u in reg)


def test_an_unknown_scope_is_refused_with_the_closest_names(tmp_path):
    (tmp_path / "units.yaml").write_text("scope: Thanh Mien huyen\n", encoding="utf-8")
    with pytest.raises(UnitLookupError, match="Không có tỉnh/thành phố, huyện hay nhóm đơn vị 'Thanh Mien huyen'"):
        UnitRegistry.load(tmp_path)
    (tmp_path / "units.yaml").write_text("scope: [1, 2]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="khóa 'scope'"):
        UnitRegistry.load(tmp_path)


def test_an_area_the_user_added_can_be_the_scope(tmp_path):
    (tmp_path / "units.csv").write_text(
        "unit_id,code,name,type,group,province\n98-00001,80001,Thử Nghiệm 1,xã,Tỉnh Thử Nghiệm,Tỉnh Thử Nghiệm\n"
        "98-00002,80002,Thử Nghiệm 2,xã,Tỉnh Thử Nghiệm,Tỉnh Thử Nghiệm\n",
        encoding="utf-8",
    )
    (tmp_path / "units.yaml").write_text("scope: Tỉnh Thử Nghiệm\n", encoding="utf-8")
    reg = UnitRegistry.load(tmp_path)
    assert sorted(u.unit_id for u in reg) == ["98-00001", "98-00002"]


def test_an_area_is_spelled_as_the_registry_spells_its_group_or_province():
    # Hải Phòng's scope also holds the old districts whose province was Hải Phòng (Huyện An Lão ...): the name of
    # the group "TP Hải Phòng" is the province's, not the first unit's district
    hp = UnitRegistry.shipped(scope="Thành phố Hải Phòng")
    assert hp.area_name("TP Hải Phòng") == "Thành phố Hải Phòng"
    assert hp.area_name("an lão") == "Huyện An Lão"
    assert UnitRegistry.shipped(scope="Huyện Thanh Miện").area_name("thanh mien") == "Huyện Thanh Miện"


def test_a_data_folders_registry_is_built_once_until_its_files_change(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_SCOPE")
    (tmp_path / "units.yaml").write_text("scope: Huyện Thanh Miện\n", encoding="utf-8")
    first = UnitRegistry.load(tmp_path)
    assert UnitRegistry.load(tmp_path) is first  # same files, same scope: the registry already built
    (tmp_path / "units.yaml").write_text("scope: Huyện Bình Giang\n", encoding="utf-8")
    other = UnitRegistry.load(tmp_path)
    assert other is not first and {u.unit_id for u in other} != {u.unit_id for u in first}
    assert len(other.units(group="Huyện Bình Giang")) > 10
    monkeypatch.setenv("CCHC_SCOPE", "Huyện Thanh Miện")  # a units.yaml scope wins over the environment's
    assert UnitRegistry.load(tmp_path) is not other and len(UnitRegistry.load(tmp_path)) == len(other)


def test_the_package_units_file_read_as_built_is_what_the_checked_reader_reads():
    # the package's units.csv is read without cleaning every cell again: the same units as the reader of a data
    # folder's units.csv (which cleans and checks each cell) gives, so any cell that is not clean shows here
    from cchc_analysis.registry import _read_built_units, _read_units_csv

    text = (resources.files("cchc_analysis") / "data" / "units.csv").read_text(encoding="utf-8")
    built = _read_built_units(text)
    assert len(built) > 13_000 and built == _read_units_csv(text, "units.csv")
    spaced = text.replace(",Thanh Giang,", ", Thanh Giang ,", 1)  # a cell the build would never write
    assert _read_built_units(spaced) != _read_units_csv(spaced, "units.csv")
