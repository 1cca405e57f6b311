"""Catalogue, budget and PAR readers on workbooks built here, in layouts other than the demo generator's."""

import datetime as dt

import pandas as pd
import pytest

from cchc_analysis.errors import InputFileError
from cchc_analysis.ingest.budget import _kind, budget_totals, money_unit, read_budget, stated_as_of
from cchc_analysis.ingest.catalogue import link_to_catalogue, read_catalogue, unused_procedures
from cchc_analysis.ingest.par import read_par
from cchc_analysis.registry import UnitRegistry

from .builders import write_xlsx

REG = UnitRegistry.shipped(scope="Huyện Thanh Miện")


# --- catalogue -------------------------------------------------------------------------------------------------


def catalogue_file(tmp_path):
    rows = [
        ["DANH MỤC THỦ TỤC HÀNH CHÍNH CẤP XÃ"],
        ["UBND XÃ ĐOÀN KẾT"],
        ["TT", "Tên thủ tục", "Mức độ", "Lệ phí", "Ngày hiệu lực"],
        ["A", "LĨNH VỰC HỘ TỊCH"],
        [1, "Đăng ký khai sinh", "Mức độ 4", "Không", "01/07/2022"],
        [2, "Đăng ký kết hôn", "Mức độ 3", "Miễn lệ phí", "01/07/2022"],
        [3, "Cấp bản sao trích lục hộ tịch", "", "8.000 đồng/bản", "31/02/2022"],
        ["B", "LĨNH VỰC ĐẤT ĐAI"],
        [4, "Hòa giải tranh chấp đất đai", "Mức độ 2", "Theo quy định", ""],
        [5, "Xác nhận nguồn gốc đất", "Cấp độ A", "hai nghìn", ""],
        ["Tổng số: 5 thủ tục"],
    ]
    return write_xlsx(tmp_path / "danh-muc.xlsx", rows)


def test_catalogue_with_section_rows_fees_and_levels(tmp_path):
    result = read_catalogue(catalogue_file(tmp_path), REG)
    c = result.dossiers.set_index("procedure")
    assert result.report.unit_id == "30-11263" and len(c) == 5
    assert c["field"].tolist() == ["Hộ tịch", "Hộ tịch", "Hộ tịch", "Đất đai", "Đất đai"]
    assert [None if pd.isna(v) else v for v in c["online_level"]] == ["full", "partial", "none", "none", None]
    assert c["fee_kind"].tolist() == ["none", "none", "amount", "by_regulation", "unknown"]
    assert c.loc["Cấp bản sao trích lục hộ tịch", "fee_amount"] == 8000
    assert c.loc["Đăng ký khai sinh", "valid_from"] == pd.Timestamp("2022-07-01")
    assert set(result.rejects["column"]) == {"fee", "valid_from"}  # "hai nghìn", 31/02/2022
    assert result.report.unknown_values["online_level"] == {"Cấp độ A": 1}


def test_dossiers_link_to_the_catalogue_by_code_then_name(tmp_path):
    catalogue = pd.DataFrame(
        {
            "unit_id": ["U", "U", "U"],
            "procedure_code": ["1.1", "1.2", None],
            "procedure": ["Đăng ký khai sinh", "Đăng ký kết hôn", "Hòa giải"],
            "procedure_key": ["dang ky khai sinh", "dang ky ket hon", "hoa giai"],
            "fee_kind": ["none", "none", "none"],
        }
    )
    dossiers = pd.DataFrame(
        {
            "unit_id": ["U", "U", "U", "U", "V"],
            "procedure_code": ["1.2", None, None, None, None],
            "procedure": ["tên khác", "ĐĂNG KÝ KHAI SINH", "Thủ tục lạ", "Thủ tục lạ", "Thủ tục lạ"],
        }
    )
    linked, unmatched = link_to_catalogue(dossiers, catalogue)
    assert linked["catalogue_match"].tolist()[:3] == ["code", "name", None]
    assert linked["catalogue_code"].tolist()[:2] == ["1.2", "1.1"]
    # unit V has no catalogue: its procedures are not "unmatched"
    assert unmatched.to_dict("records") == [{"unit_id": "U", "procedure": "Thủ tục lạ", "dossiers": 2}]


# --- budget ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Từ ngày 01/01/2023 đến ngày 31/08/2023"], dt.date(2023, 8, 31)),
        (["BÁO CÁO THU CHI", "Tháng 8 năm 2023"], dt.date(2023, 8, 31)),
        (["Quý III/2023"], dt.date(2023, 9, 30)),
        (["Quý 2 năm 2023"], dt.date(2023, 6, 30)),
        (["6 tháng đầu năm 2024"], dt.date(2024, 6, 30)),
        (["Năm 2022"], dt.date(2022, 12, 31)),
        (["Tháng 2 năm 2024"], dt.date(2024, 2, 29)),
    ],
)
def test_as_of_date_from_the_title(lines, expected):
    assert stated_as_of(lines)[0] == expected


def test_money_unit_line():
    assert money_unit(["Đơn vị: UBND xã Thanh Giang", "Đơn vị tính: triệu đồng"]) == 1_000_000
    assert money_unit(["ĐVT: đồng"]) == 1
    assert money_unit(["Đơn vị: UBND xã Thanh Giang"]) is None


def test_bare_i_is_a_roman_numeral_unless_it_follows_h():
    assert _kind("I", None) == ("roman", 1)
    assert _kind("I", "A") == ("roman", 1)
    assert _kind("I", "H") == ("letter", 0)
    assert _kind("B", "A") == ("letter", 0)
    assert _kind("1.1", None) == ("decimal", 3)
    assert _kind("-", None) == ("bullet", 9)


def budget_file(tmp_path):
    rows = [
        ["UBND XÃ TỨ CƯỜNG"],
        ["BÁO CÁO THỰC HIỆN THU, CHI NGÂN SÁCH QUÝ III/2023"],
        [None, None, None, None, "ĐVT: triệu đồng"],
        ["STT", "Chỉ tiêu", "Dự toán năm", "Dự toán điều chỉnh", "Lũy kế thực hiện"],
        ["A", "THU NGÂN SÁCH XÃ", "1.000,5", "1.100", "800,25"],
        ["I", "Thu xã hưởng 100%", "400,5", "400,5", "300,25"],
        ["1", "Phí, lệ phí", "100", "100", "(10)"],  # a refund larger than the fees collected
        ["2", "Thu khác", "300,5", "300,5", "310,25"],
        ["II", "Thu bổ sung từ ngân sách cấp trên", "600", "699,5", "500"],
        ["1", "Bổ sung cân đối", "500", "599,5", "400"],
        ["1.1", "Cân đối thường xuyên", "450", "549,5", "360"],
        ["1.2", "Cân đối đầu tư", "50", "50", "40"],
        ["2", "Bổ sung có mục tiêu", "100", "100", "100"],
        ["-", "Trong đó: chương trình nông thôn mới", "60", "60", "50"],
        ["B", "CHI NGÂN SÁCH XÃ", "990", "1.090", "650"],
        ["I", "Chi thường xuyên", "990", "1.090", "650"],  # children add up to 690: mismatch
        ["1", "Chi quản lý nhà nước", "700", "800", "500"],
        ["2", "Chi khác", "290", "290", "190"],
        [None, None, None, "Tứ Cường, ngày 05 tháng 10 năm 2023"],
        [None, "KẾ TOÁN", None, "CHỦ TỊCH"],
    ]
    return write_xlsx(tmp_path / "ns.xlsx", rows)


def test_budget_in_million_dong_with_hierarchy_and_a_mismatch(tmp_path):
    result = read_budget(budget_file(tmp_path), REG)
    lines = result.dossiers.set_index("line_path")
    rep = result.report
    assert (rep.unit_id, rep.period_end) == ("30-11269", "2023-09-30")  # the quarter, not the signing date
    assert lines.loc["A", "estimate"] == 1_000_500_000 and lines.loc["A", "adjusted_estimate"] == 1_100_000_000
    assert lines.loc["A/I/1", "actual_cumulative"] == -10_000_000
    assert lines.loc["A/II/1/1.2", "level"] == 3 and lines.loc["A/II/1/1.2", "is_leaf"]
    assert lines.loc["A/II/2/-", "name"] == "Trong đó: chương trình nông thôn mới"
    assert set(lines["section"]) == {"revenue", "expenditure"}
    assert lines.loc["B/I", "section"] == "expenditure"
    # every group adds up except B/I, whose children give 690 against 650; the "-" line is an "of which" detail
    # of its parent, not a complete breakdown, so it is not checked
    assert len(rep.warnings) == 1
    assert "«Chi thường xuyên»: lũy kế 650.000.000 đồng khác tổng các dòng con 690.000.000 đồng" in rep.warnings[0]
    totals = budget_totals(result.dossiers).set_index("section")
    assert totals.loc["revenue", "actual_cumulative"] == 800_250_000  # the total as stated, not a sum of levels


def test_budget_without_a_period_is_refused(tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx", [["UBND XÃ TỨ CƯỜNG"], ["STT", "Nội dung", "Dự toán", "Lũy kế"], ["A", "THU", 1, 1]]
    )
    with pytest.raises(InputFileError, match="kỳ báo cáo"):
        read_budget(path, REG)


# --- PAR ---------------------------------------------------------------------------------------------------------


def par_file(tmp_path):
    units = [u.full_name for u in REG.units(group="Huyện Thanh Miện")]
    units.remove("Xã Tân Trào")  # a missing unit
    header = ["STT", "Đơn vị", "Cải cách TTHC (13,5 điểm)", "Chính quyền số (11,5 điểm)", "Tổng điểm", "Xếp thứ"]
    rows = [
        ["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024"],
        ["(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 15 tháng 3 năm 2025)"],
        header,
    ]
    for i, name in enumerate(units):
        a, b = 10 + i * 0.1, 8 + i * 0.05
        rows.append([i + 1, name, f"{a:.3f}".replace(".", ","), b, round(a + b, 3), i + 1])
    rows[3][2], rows[3][3], rows[3][4] = "10,000", "8,000", "18"  # first two units tie on 18 points
    rows[4][2], rows[4][3], rows[4][4], rows[4][5] = "9,5", "8,5", "18", 1
    rows[3][5] = 1
    rows.append([99, "Xã Không Có", "1", "1", "2", 17])
    rows.append([None, "Người lập biểu", None, None, "TM. ỦY BAN NHÂN DÂN"])
    rows.append([None, None, None, None, "CHỦ TỊCH"])
    return write_xlsx(tmp_path / "par.xlsx", rows), units


def test_par_sheet_with_maxima_in_the_header(tmp_path):
    path, _units = par_file(tmp_path)
    result = read_par(path, REG)
    par = result.dossiers
    rep = result.report
    assert (par["year"].unique().tolist(), par["published_date"].iloc[0]) == ([2024], pd.Timestamp("2025-03-15"))
    assert sorted(par["component"].unique()) == ["Chính quyền số", "Cải cách TTHC"]
    assert dict(zip(par["component"], par["max_score"], strict=True)) == {"Cải cách TTHC": 13.5, "Chính quyền số": 11.5}
    assert par["unit_id"].nunique() == 16
    assert "Bảng điểm thiếu đơn vị Xã Tân Trào (Huyện Thanh Miện)." in rep.warnings
    assert result.rejects["value"].tolist() == ["Xã Không Có"]
    first_two = par[par["source_row"].isin([4, 5])]
    assert set(first_two["official_rank"]) == {1} and set(first_two["total_score"]) == {18.0}
    assert rep.rows_read == 17 and rep.rows_rejected == 1


def test_par_total_that_differs_from_its_components(tmp_path):
    rows = [
        ["CHỈ SỐ CCHC NĂM 2022"],
        ["STT", "Đơn vị", "A", "B", "Tổng điểm"],
        [None, "Điểm tối đa", "10", "5", "15"],
        [1, "Xã Thanh Giang", "8", "4", "13"],
    ]
    result = read_par(write_xlsx(tmp_path / "p.xlsx", rows), REG)
    assert result.report.warnings[0] == "Xã Thanh Giang: tổng điểm ghi 13 khác tổng các chỉ số thành phần 12."
    assert result.dossiers["max_score"].tolist() == [10.0, 5.0]


def test_catalogue_procedures_no_dossier_matches_are_counted():
    catalogue = pd.DataFrame(
        {
            "unit_id": ["U", "U", "U"],
            "procedure_code": ["1.1", "1.2", None],
            "procedure": ["Đăng ký khai sinh", "Đăng ký kết hôn", "Hòa giải"],
            "procedure_key": ["dang ky khai sinh", "dang ky ket hon", "hoa giai"],
            "fee_kind": ["none"] * 3,
        }
    )
    dossiers = pd.DataFrame(
        {"unit_id": ["U", "U"], "procedure_code": [None, None], "procedure": ["Đăng ký khai sinh", "đăng ký khai sinh"]}
    )
    linked, _ = link_to_catalogue(dossiers, catalogue)
    assert unused_procedures(linked, catalogue).to_dict("records") == [
        {"unit_id": "U", "procedures": 3, "without_dossiers": 2}
    ]
