"""The dossier-list reader on workbooks built here, in layouts other than the demo generator's."""

import pandas as pd
import pytest
import xlwt
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis.errors import InputFileError
from cchc_analysis.ingest.mapping import FileMapping
from cchc_analysis.ingest.onestop import OUTPUT_COLUMNS, ReadRules, read_onestop_export
from cchc_analysis.pseudonym import Pseudonymiser
from cchc_analysis.registry import UnitRegistry
from cchc_analysis.text import encode_tcvn3, encode_vni

from .builders import HEADER, dossier_row, simple_export, write_xlsx

REG = UnitRegistry.shipped(scope="Huyện Thanh Miện")
KEY = Pseudonymiser(b"a-test-key-of-enough-length")


def read(path, **kw):
    # these tests are about other rules than the share of rejected rows that refuses a file (tested apart): a
    # five-row sheet with two bad rows is read here
    kw.setdefault("rules", ReadRules(max_rejected_share=0.99))
    return read_onestop_export(path, REG, KEY, **kw)


def test_two_row_merged_header_below_titles_naming_district_and_commune(tmp_path):
    rows = [
        ["ỦY BAN NHÂN DÂN HUYỆN THANH MIỆN"],
        ["ỦY BAN NHÂN DÂN XÃ LAM SƠN"],
        ["BÁO CÁO CHI TIẾT HỒ SƠ"],
        ["Kỳ báo cáo: 01/07/2023 - 30/09/2023"],
        ["STT", "Hồ sơ", None, "Người nộp", None, None, "Thời gian", None, None, "Kết quả giải quyết", None, "Lệ phí"],
        [
            None,
            "Số",
            "Thủ tục",
            "Họ tên",
            "SĐT",
            "CCCD",
            "Ngày nhận",
            "Hạn xử lý",
            "Ngày có kết quả",
            "Kênh",
            "Tình trạng",
            None,
        ],
        [
            1,
            "H1-230703-0001",
            "Đăng ký khai sinh",
            "Trần Văn Mẫu",
            "0912345678",
            "030123456789",
            "03/07/2023 08:15",
            "05/07/2023",
            "04/07/2023 10:00",
            "Nộp trực tuyến",
            "Đã trả kết quả",
            "0",
        ],
        [
            2,
            "H1-230703-0002",
            "Chứng thực bản sao",
            "Lê Thị Mẫu",
            "0987654321",
            "030987654321",
            45110,
            45111,
            45110.6,
            "Tại quầy",
            "Đã giải quyết",
            "4.000",
        ],
        [
            3,
            None,
            "Chứng thực bản sao",
            "Vũ Mẫu",
            "0911111111",
            "",
            "03/07/2023",
            "04/07/2023",
            None,
            "Tại quầy",
            "Đang xử lý",
            "2.000",
        ],
        [
            4,
            "H1-230703-0004",
            "Chứng thực chữ ký",
            "Đỗ Mẫu",
            "0922222222",
            "",
            "31/06/2023",
            "04/07/2023",
            None,
            "Tại quầy",
            "Đang xử lý",
            "10.000",
        ],
        [
            5,
            "H1-230704-0005",
            "Chứng thực chữ ký",
            "Hà Mẫu",
            "0933333333",
            "",
            "04/07/2023 09:00",
            "05/07/2023",
            None,
            "Trực tuyến",
            "Treo",
            "-10.000",
        ],
        ["Tổng cộng", None, 5],
        [None, None, None, None, None, None, "Người lập biểu"],
    ]
    path = write_xlsx(tmp_path / "bao-cao.xlsx", rows, merged=["A5:A6", "B5:C5", "D5:F5", "G5:I5", "J5:K5", "L5:L6"])
    result = read(path)
    rep = result.report
    assert (rep.unit_id, rep.unit_source) == ("30-11260", "title")  # the commune, not the district
    assert (rep.period_start, rep.period_end, rep.period_source) == ("2023-07-01", "2023-09-30", "title")
    assert (rep.rows_read, rep.rows_kept, rep.rows_rejected, rep.rows_skipped) == (5, 3, 2, 2)
    assert rep.stated_total == 5 and not any("Tổng số ghi" in w for w in rep.warnings)
    d = result.dossiers.set_index("code")
    assert list(result.dossiers.columns) == OUTPUT_COLUMNS
    assert d.loc["H1-230703-0002", "received_at"] == pd.Timestamp("2023-07-03")  # Excel serial 45110
    assert d.loc["H1-230703-0002", "result_at"] == pd.Timestamp("2023-07-03 14:24")
    assert d.loc["H1-230703-0001", "channel"] == "online" and d.loc["H1-230703-0002", "channel"] == "direct"
    assert d.loc["H1-230703-0002", "fee"] == 4000
    assert pd.isna(d.loc["H1-230704-0005", "fee"])  # negative fee dropped, dossier kept
    assert pd.isna(d.loc["H1-230704-0005", "status"]) and rep.unknown_values["status"] == {"Treo": 1}
    assert d["applicant_key"].str.fullmatch(r"[0-9a-f]{32}").all()
    reasons = result.rejects.set_index("row")["reason"].to_dict()
    assert reasons[9] == "thiếu mã hồ sơ"
    assert "ngày tiếp nhận không hợp lệ" in reasons[10]
    assert result.rejects.set_index("row").loc[11, "action"] == "value_dropped"


def test_personal_data_never_reaches_the_output(tmp_path):
    path = simple_export(tmp_path / "x.xlsx", [dossier_row(1, "H1-1", name="Phùng Thị Riêng", phone="0961131987")])
    result = read(path)
    text = result.dossiers.astype(str).to_csv() + result.rejects.astype(str).to_csv()
    assert "Phùng" not in text and "0961131987" not in text
    assert not {"applicant", "phone", "id_number", "address"} & set(result.dossiers.columns)


def test_same_identifier_gives_the_same_key_and_other_keys_differ(tmp_path):
    path = simple_export(
        tmp_path / "x.xlsx",
        [
            dossier_row(1, "H1-1", name="An", phone="0911"),
            dossier_row(2, "H1-2", name="AN ", phone="0911"),
            dossier_row(3, "H1-3", name="Bình", phone="0911"),
        ],
    )
    keys = read(path).dossiers["applicant_key"].tolist()
    assert keys[0] == keys[1] != keys[2]
    other = Pseudonymiser(b"another-key-of-enough-length")
    assert read_onestop_export(path, REG, other).dossiers["applicant_key"][0] != keys[0]


def test_tcvn3_export_in_a_vntime_font(tmp_path):
    header = [encode_tcvn3(h) for h in HEADER]
    row = dossier_row(
        1,
        "H1-1",
        procedure=encode_tcvn3("Cấp Giấy xác nhận tình trạng hôn nhân"),
        channel=encode_tcvn3("Trực tiếp"),
        status=encode_tcvn3("Đã trả kết quả"),
        pay=encode_tcvn3("Tiền mặt"),
        name=encode_tcvn3("Lê Văn Mẫu"),
    )
    rows = [[encode_tcvn3("ỦY BAN NHÂN DÂN XÃ HỒNG PHONG")], [], header, row]
    result = read(write_xlsx(tmp_path / "t.xlsx", rows, font=".VnTime"))
    d = result.dossiers.iloc[0]
    assert d["procedure"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert (d["channel"], d["status"], d["payment_method"]) == ("direct", "resolved", "cash")
    assert result.report.unit_id == "30-11293"
    assert "Tên thủ tục" in result.report.legacy_columns


def test_vni_and_nfd_text(tmp_path):
    import unicodedata

    rows = [
        [unicodedata.normalize("NFD", "UBND XÃ CHI LĂNG NAM")],
        HEADER,
        dossier_row(
            1,
            "H1-1",
            procedure=encode_vni("Đăng ký kết hôn"),
            status=encode_vni("Đang xử lý"),
            channel=unicodedata.normalize("NFD", "Trực tuyến"),
        ),
    ]
    d = read(write_xlsx(tmp_path / "v.xlsx", rows)).dossiers.iloc[0]
    assert d["procedure"] == "Đăng ký kết hôn" and d["status"] == "in_progress" and d["channel"] == "online"


def test_html_table_saved_as_xls_with_the_unit_above_the_table(tmp_path):
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    row = "".join(f"<td>{v}</td>" for v in dossier_row(1, "H1-1"))
    html = (
        f"<html><body><div>UBND XÃ NGŨ HÙNG</div><div>Thời gian: 01/07/2023 - 30/09/2023</div>"
        f"<table border=1><tr>{cells}</tr><tr>{row}</tr></table></body></html>"
    )
    path = tmp_path / "ThongKe.xls"
    path.write_text(html, encoding="utf-8")
    result = read(path)
    assert result.report.unit_id == "30-11275" and len(result.dossiers) == 1
    assert result.report.period_start == "2023-07-01"


def test_legacy_biff_xls(tmp_path):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("DS")
    ws.write(0, 0, "UBND XÃ ĐOÀN KẾT")
    for j, h in enumerate(HEADER):
        ws.write(2, j, h)
    for j, v in enumerate(dossier_row(1, "H1-1")):
        ws.write(3, j, v)
    path = tmp_path / "old.xls"
    wb.save(str(path))
    result = read(path)
    assert result.report.unit_id == "30-11263" and result.dossiers["code"].tolist() == ["H1-1"]


def test_unit_from_folder_then_assumed(tmp_path):
    raw = tmp_path / "raw"
    path = simple_export(raw / "thanh-giang" / "x.xlsx", [dossier_row(1, "H1-1")], title="DANH SÁCH HỒ SƠ")
    rep = read(path, raw_root=raw).report
    assert (rep.unit_id, rep.unit_source) == ("30-11287", "folder")
    loose = simple_export(raw / "y.xlsx", [dossier_row(1, "H1-1")], title="DANH SÁCH HỒ SƠ")
    with pytest.raises(InputFileError, match="không xác định được đơn vị"):
        read(loose, raw_root=raw)
    assert read(loose, raw_root=raw, assume_unit="Cao Thắng").report.unit_source == "assumed"


def test_unit_column_with_an_unknown_unit(tmp_path):
    rows = [
        ["Đơn vị tiếp nhận", "Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái"],
        ["UBND xã Thanh Giang", "A-1", "01/07/2023", "Đang xử lý"],
        ["X. Lam Sơn", "A-2", "01/07/2023", "Đang xử lý"],
        ["Xã Atlantis", "A-3", "01/07/2023", "Đang xử lý"],
    ]
    result = read(write_xlsx(tmp_path / "u.xlsx", rows))
    assert result.dossiers.set_index("code")["unit_id"].to_dict() == {"A-1": "30-11287", "A-2": "30-11260"}
    assert result.report.rows_rejected == 1
    assert "Xã Atlantis" in result.rejects["value"].tolist()


def test_stated_total_that_disagrees_with_the_rows(tmp_path):
    path = simple_export(tmp_path / "x.xlsx", [dossier_row(1, "H1-1"), dossier_row(2, "H1-2")], total=3)
    with pytest.raises(InputFileError, match="«Tổng cộng: 3 hồ sơ» nhưng bảng có 2 dòng hồ sơ"):
        read(path)
    # the user who knows the rows are complete says so in the mapping file: then a warning
    rep = read(path, mapping=FileMapping(check_stated_total=False)).report
    assert rep.stated_total == 3
    assert any("«Tổng cộng: 3 hồ sơ» nhưng bảng có 2 dòng hồ sơ" in w for w in rep.warnings)


@pytest.mark.parametrize(("bad", "refused"), [(1, False), (2, False), (3, True)])
def test_a_file_is_refused_above_the_methodology_share_of_rejected_rows(tmp_path, bad, refused):
    # ten dossier rows, ``bad`` of them with no receipt date: 20% is the shipped threshold (at most, not above)
    rows = [dossier_row(i, f"H1-{i}", received="" if i <= bad else "03/07/2023 08:15") for i in range(1, 11)]
    path = simple_export(tmp_path / "x.xlsx", rows)
    if refused:
        with pytest.raises(InputFileError, match="3/10 dòng hồ sơ bị loại"):
            read(path, rules=ReadRules.from_methodology())
    else:
        rep = read(path, rules=ReadRules.from_methodology()).report
        assert rep.rows_rejected == bad and any(f"{bad}/10 dòng hồ sơ bị loại" in w for w in rep.warnings)


def test_duplicate_codes_in_one_file_keep_the_more_advanced_state(tmp_path):
    path = simple_export(
        tmp_path / "x.xlsx",
        [
            dossier_row(1, "H1-1", status="Đã trả kết quả", done="04/07/2023 10:00"),
            dossier_row(2, "H1-1", status="Đang xử lý", done=""),
        ],
    )
    result = read(path)
    assert len(result.dossiers) == 1 and result.dossiers["status"][0] == "resolved"
    assert result.report.duplicates_in_file == 1
    assert result.report.rows_read == result.report.rows_kept + result.report.rows_rejected == 2


def test_unrecognised_layout_lists_the_columns(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [["Cột một", "Cột hai", "Trạng thái"], ["a", "b", "c"]])
    with pytest.raises(InputFileError) as err:
        read(path)
    assert "Cột một" in str(err.value) and "«Mã hồ sơ»" in str(err.value)


def test_user_mapping_teaches_a_new_header(tmp_path):
    rows = [["Mã tra cứu", "Thời điểm nộp", "Trạng thái", "Thủ tục"], ["Q-1", "02/07/2023", "Đang xử lý", "X"]]
    path = write_xlsx(tmp_path / "thanh-giang" / "x.xlsx", rows)
    with pytest.raises(InputFileError):
        read(path, raw_root=tmp_path)
    mapping = {"code": ["Mã tra cứu"], "received_at": ["Thời điểm nộp"]}
    assert read(path, raw_root=tmp_path, mapping=mapping).dossiers["code"].tolist() == ["Q-1"]


def test_repeated_headers_are_skipped_as_written_in_capitals_or_without_diacritics(tmp_path):
    from cchc_analysis.text import fold

    shouting = [h.upper() for h in HEADER]
    plain = [fold(h).upper() for h in HEADER]  # "MA HO SO", as some exporters print page headers
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["UBND XÃ THANH GIANG"],
            ["Từ ngày 01/07/2023 đến ngày 30/09/2023"],
            HEADER,
            dossier_row(1, "R-1"),
            HEADER,
            dossier_row(2, "R-2"),
            shouting,
            dossier_row(3, "R-3"),
            plain,
            dossier_row(4, "R-4"),
        ],
    )
    result = read(path)
    assert result.dossiers["code"].tolist() == ["R-1", "R-2", "R-3", "R-4"]
    assert (result.report.rows_skipped, result.report.rows_rejected) == (3, 0)


@pytest.mark.parametrize(
    "numbering",
    [
        list(range(1, 13)),  # numbers, as Excel cells
        [f"({i})" for i in range(1, 13)],  # "(1) (2) …" as text
        ["A", "B", *(str(i) for i in range(1, 11))],  # letters for STT and code, then numbers
    ],
)
def test_column_numbering_rows_are_not_dossiers(tmp_path, numbering):
    """Forms print a row numbering the columns under the header (and again after a page break): skipped as a
    non-data row, not rejected as a dossier without a date. A dossier row whose code and date are garbage
    numbers but do not rise across the row stays a rejected row."""
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["UBND XÃ THANH GIANG"],
            HEADER,
            numbering,
            dossier_row(1, "N-1"),
            numbering,
            dossier_row(2, "N-2"),
            [3, "7", "Đăng ký khai sinh", "Trần Văn Mẫu", "0912345678", "5", "", "", "", "", "", ""],
        ],
    )
    result = read(path)
    assert result.dossiers["code"].tolist() == ["N-1", "N-2"]
    # 2 numbering rows skipped; the last row (numbers 3, 7, 5: not rising) is read and rejected
    assert (result.report.rows_skipped, result.report.rows_read, result.report.rows_rejected) == (2, 3, 1)
    assert result.rejects["row"].tolist() == [7]  # sheet row 7: title, header, 2 numbering, 2 dossiers above


def test_a_number_in_the_header_row_is_not_an_unmapped_column(tmp_path):
    """A bare number beside the header labels (a column number, a year) is not a header word, whichever reader
    gives it (as a number or as the text "13")."""
    path = write_xlsx(tmp_path / "a.xlsx", [["UBND XÃ THANH GIANG"], [*HEADER, 13, "Ghi chú"], dossier_row(1, "H-1")])
    assert read(path).report.unmapped_columns == ["Ghi chú"]


def test_a_row_of_only_spaces_is_blank_whatever_the_space(tmp_path):
    # no-break spaces, tabs and ordinary spaces: nothing is written, so the row is skipped, not rejected as a
    # dossier without a code
    spaces = ["", "\u00a0", "\u00a0 ", "\t", " ", "\u3000"]
    path = simple_export(tmp_path / "x.xlsx", [dossier_row(1, "A-1"), spaces, dossier_row(2, "A-2")])
    rep = read(path).report
    # skipped: the row of spaces, and the export's own blank row and signature row below the table
    assert (rep.rows_read, rep.rows_kept, rep.rows_rejected, rep.rows_skipped) == (2, 2, 0, 3)


def test_plain_text_with_a_double_space_inside_is_cleaned(tmp_path):
    rows = [
        dossier_row(1, "A-1", procedure="Cap  ban sao"),
        dossier_row(2, "A-2", procedure="Cap ban sao"),
        dossier_row(3, "A-3", procedure="Chung thuc"),
    ]
    out = read(simple_export(tmp_path / "x.xlsx", rows)).dossiers
    assert out["procedure"].tolist() == ["Cap ban sao", "Cap ban sao", "Chung thuc"]


def test_the_byte_scan_for_a_pair_of_spaces_gives_false_alarms_but_never_misses():
    import pyarrow as pa

    from cchc_analysis.ingest.onestop import _may_hold

    assert not _may_hold(pa.array(["a b", "c d", None, ""]), b"  ")
    assert _may_hold(pa.array(["a b", "c  d"]), b"  ")
    assert _may_hold(pa.array(["c  d"], type=pa.large_string()), b"  ")
    assert _may_hold(pa.chunked_array([["a b"], ["x  y"]]), b"  ")
    assert _may_hold(pa.array(["a ", " b"]), b"  ")  # a pair across two texts: a false alarm
    assert _may_hold(pa.array(["a  b", "c d"]).slice(1), b"  ")  # the slice's buffer still holds it: a false alarm
    assert _may_hold(pa.array(["a  b"], type=pa.string_view()), b"  ")  # a layout it cannot scan: searched


@given(st.lists(st.one_of(st.none(), st.text(alphabet=" a\u00a0\t")), max_size=8), st.integers(0, 8))
def test_no_double_space_is_missed(texts, start):
    import pyarrow as pa

    from cchc_analysis.ingest.onestop import _may_hold

    arr = pa.array(texts, type=pa.string()).slice(min(start, len(texts)))
    if any(t is not None and "  " in t for t in arr.to_pylist()):
        assert _may_hold(arr, b"  ")


def test_a_dossier_whose_procedure_begins_like_a_total_is_still_a_dossier(tmp_path):
    # "Tổng hợp …" starts like "Tổng cộng", but the row has a dossier code (digits and a dash): it is no total, and
    # the rows after it are not cut off as if below one
    rows = [
        dossier_row(1, "H1-230703-0001"),
        dossier_row(2, "H1-230703-0002", procedure="Tổng hợp ý kiến về hồ sơ"),
        dossier_row(3, "H1-230703-0003"),
    ]
    result = read(simple_export(tmp_path / "x.xlsx", rows))
    assert result.dossiers["code"].tolist() == ["H1-230703-0001", "H1-230703-0002", "H1-230703-0003"]
    assert (result.report.rows_read, result.report.rows_kept) == (3, 3)


def test_a_legacy_encoded_address_is_reported_though_never_kept(tmp_path):
    # personal columns other than the name are not cleaned (never used as text), but their encoding is reported
    rows = [
        ["ỦY BAN NHÂN DÂN XÃ THANH GIANG"],
        [],
        [*HEADER, "Địa chỉ"],
        [*dossier_row(1, "H1-1"), encode_tcvn3("Thôn Đông, xã Thanh Giang")],
        [*dossier_row(2, "H1-2"), "Thôn Tây"],
    ]
    result = read(write_xlsx(tmp_path / "a.xlsx", rows))
    assert result.report.legacy_columns == ["Địa chỉ"]
    assert result.dossiers["code"].tolist() == ["H1-1", "H1-2"]
    assert not result.dossiers.astype(str).apply(lambda c: c.str.contains("Thôn")).any().any()


def test_all_distinct_on_arrow_text_and_on_python_objects():
    from cchc_analysis.ingest import onestop

    codes = pd.Series([f"H30-{n}" for n in range(6)], dtype="str")
    assert onestop.all_distinct(codes) and onestop.all_distinct(codes[:3])
    edited = codes.copy()
    edited.iloc[5] = "H30-0"
    assert not onestop.all_distinct(edited)
    assert not onestop.all_distinct(pd.Series(["a", "b", "a"], dtype=object))  # Python objects: pandas decides
    assert onestop.all_distinct(pd.Series(["a", "b", None], dtype=object))
