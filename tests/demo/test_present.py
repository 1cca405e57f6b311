"""The demo up to the present: the district's 17 units end on 30/06/2025, their five successors in Hải Phòng run
from 01/07/2025 to 30/09/2026, and the province demo (every commune of Hải Phòng) reads without a refusal."""

import datetime as dt

import pandas as pd
import pytest

from cchc_analysis.demo.generate import END, MERGED_ON, PROVINCE, generate_province_demo
from cchc_analysis.indicators import compute_indicators
from cchc_analysis.periods import parse_period
from cchc_analysis.registry import UnitRegistry
from cchc_analysis.store import ingest, load_dossiers

pytestmark = pytest.mark.slow

# DOMAIN.md: "In 2025 they became 5 communes of Hải Phòng"
SUCCESSORS = {"Thanh Miện", "Bắc Thanh Miện", "Hải Hưng", "Nguyễn Lương Bằng", "Nam Thanh Miện"}
NAM_THANH_MIEN = {"Nam Thanh Miện", "Hồng Phong", "Thanh Giang", "Chi Lăng Bắc", "Chi Lăng Nam"}


@pytest.fixture(scope="module")
def rows(ingested, demo_dir):
    return load_dossiers(demo_dir)


def test_the_district_ends_on_30_june_2025_and_its_successors_begin_the_next_day(rows):
    registry = UnitRegistry.shipped(scope="Huyện Thanh Miện")
    old = {u.unit_id for u in registry.units(group="Huyện Thanh Miện")}
    new = rows[~rows["unit_id"].isin(old)]
    assert {registry.get(u).name for u in new["unit_id"].unique()} == SUCCESSORS
    assert new["received_at"].min() >= pd.Timestamp("2025-07-01")
    assert new["received_at"].max() <= pd.Timestamp("2026-09-30 23:59:59")
    before = rows[rows["unit_id"].isin(old)]
    assert before["received_at"].max() <= pd.Timestamp("2025-06-30 23:59:59")
    # every export of the 17 units stops at 30/06/2025; the successors' run to the last complete quarter
    assert before["export_end"].max() == pd.Timestamp("2025-06-30")
    assert new["export_end"].max() == pd.Timestamp(END) == pd.Timestamp("2026-09-30")
    # nothing of the old units is left open on their last day (the demo does not say where such a dossier goes);
    # a withdrawn or returned dossier without a finish date ends on its receipt day (DOMAIN.md)
    finish = before[["processed_at", "result_at", "handed_at"]].bfill(axis=1).iloc[:, 0]
    ended_on_receipt = before["status"].isin(["withdrawn", "returned"]) & finish.isna()
    finish = finish.where(~ended_on_receipt, before["received_at"])
    open_at_end = (before["status"] != "not_accepted") & (finish.isna() | (finish > pd.Timestamp("2025-07-01")))
    assert int(open_at_end.sum()) == 0


def test_a_period_across_1_july_2025_adds_the_predecessors_new_dossiers(rows, demo_dir):
    # 01/06-31/07/2025: Nam Thanh Miện's own July dossiers plus its four predecessors' June dossiers, counted here
    # from the rows by their receipt dates (not-accepted dossiers were never received)
    registry = UnitRegistry.shipped(scope="Huyện Thanh Miện")
    ids = {u.unit_id: u.name for u in registry if u.name in NAM_THANH_MIEN}
    june = (rows["received_at"] >= "2025-06-01") & (rows["received_at"] < "2025-07-01")
    july = (rows["received_at"] >= "2025-07-01") & (rows["received_at"] < "2025-08-01")
    mine = rows["unit_id"].isin(ids) & (rows["status"] != "not_accepted")
    own = mine & july & (rows["unit_id"].map(ids) == "Nam Thanh Miện")
    theirs = mine & june & (rows["unit_id"].map(ids) != "Nam Thanh Miện")
    assert own.sum() > 100 and theirs.sum() > 100
    period = parse_period("2025-06-01..2025-07-31")
    (record,) = [
        r for r in compute_indicators(demo_dir, period, group=PROVINCE) if r["unit_name"] == "Xã Nam Thanh Miện"
    ]
    new = record["received_online"] + record["received_direct"] + record["received_postal"]
    assert new == int(own.sum() + theirs.sum())
    assert {a["name"] for a in record["aggregated_from"]} == {f"Xã {n}" for n in NAM_THANH_MIEN}


def test_the_last_quarter_ranks_the_successors_within_their_province(ingested, demo_dir):
    records = compute_indicators(demo_dir, parse_period("2026Q3"), group=PROVINCE)
    with_data = {r["unit_name"] for r in records if r["received_total"]}
    assert with_data == {f"Xã {n}" for n in SUCCESSORS}


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """Three communes of the province demo: the district's successor, an island commune (đặc khu) and a ward
    whose name an old commune also bore (its folder is its slug with its id)."""
    data = tmp_path_factory.mktemp("hai-phong")
    result = generate_province_demo(data, only=["Nam Thanh Miện", "Cát Hải", "Ái Quốc"], jobs=2)
    return data, result


def test_the_province_demo_covers_every_commune_of_hai_phong_in_its_par_sheet(province):
    data, result = province
    folders = {p.relative_to(data / "raw").parts[0] for p in result.files if p.is_relative_to(data / "raw")}
    assert folders == {"nam-thanh-mien", "dac-khu-cat-hai", "ai-quoc-2025-31-10660", "hai-phong"}
    outcome = ingest(data, jobs=2)
    assert outcome.refused == []
    par = pd.read_parquet(data / "processed" / "par.parquet")
    assert par["unit_id"].nunique() == 114  # Hải Phòng's communes since 01/07/2025
    by_unit = {r.file.split("/")[0]: r.unit_name for r in outcome.reports if r.kind == "dossier_list"}
    assert by_unit == {
        "nam-thanh-mien": "Xã Nam Thanh Miện",
        "dac-khu-cat-hai": "Đặc khu Cát Hải",
        "ai-quoc-2025-31-10660": "Phường Ái Quốc",
    }


def test_the_successors_files_are_the_same_in_both_demos(province, demo_dir):
    data, _result = province
    for path in sorted((data / "raw" / "nam-thanh-mien").rglob("*.xlsx")):
        twin = demo_dir / "raw" / "nam-thanh-mien" / path.relative_to(data / "raw" / "nam-thanh-mien")
        assert path.read_bytes() == twin.read_bytes(), path.name


def test_the_province_demo_runs_from_the_merger_to_the_last_complete_quarter(province):
    data, _result = province
    exports = sorted(p.name for p in (data / "raw" / "dac-khu-cat-hai" / "mot-cua").iterdir())
    assert exports[0] == f"DanhSachHoSo_{MERGED_ON}_2025-09-30.xlsx"
    assert exports[-1] == f"DanhSachHoSo_2026-07-01_{END}.xlsx"
    assert len(exports) == 5
    assert END == dt.date(2026, 9, 30)


def test_a_provinces_brief_is_issued_by_the_province_about_its_communes_wards_and_island_communes(ingested, demo_dir):
    from cchc_analysis.brief import group_brief

    province = group_brief(demo_dir, "2026Q3", PROVINCE)
    assert province.issuer == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG")
    assert province.place == "Hải Phòng"
    assert "các xã, phường, đặc khu" in province.subject
    assert province.recipients[:2] == ("Bộ Nội vụ;", "Văn phòng Chính phủ;")
    # this folder's area holds 7 of the province's 114 communes: the ranking says its k/N is among those
    (summary,) = [b for s in province.sections for b in s.blocks if isinstance(b, str) and b.startswith("Xếp hạng")]
    assert "chỉ gồm 7/114 đơn vị của Thành phố Hải Phòng" in summary
    district = group_brief(demo_dir, "2023Q4", "Huyện Thanh Miện")
    assert district.issuer == ("ỦY BAN NHÂN DÂN", "HUYỆN THANH MIỆN")
    assert "các xã, thị trấn" in district.subject and district.recipients[0] == "UBND tỉnh;"
    assert not any("chỉ gồm" in b for s in district.sections for b in s.blocks if isinstance(b, str))


def test_a_ranking_says_when_the_folder_holds_only_part_of_the_group(ingested, demo_dir, capsys):
    from cchc_analysis.cli import main

    # the district folder's area holds 7 of Hải Phòng's 114 communes (the successors and two linked to Bình
    # Giang): its "k/5" is among these, which the header says; a district it holds whole says nothing
    assert main(["--data-dir", str(demo_dir), "rank", "--period", "2026Q3", "--group", PROVINCE]) == 0
    out = capsys.readouterr().out
    assert "chỉ gồm 7/114 đơn vị của nhóm" in out and "1/5" in out
    assert main(["--data-dir", str(demo_dir), "rank", "--period", "2023Q4", "--group", "Huyện Thanh Miện"]) == 0
    assert "chỉ gồm" not in capsys.readouterr().out
