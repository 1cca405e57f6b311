import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cchc_analysis.demo.vocab import BASE_PROCEDURES
from cchc_analysis.ingest.grid import Grid
from cchc_analysis.ingest.headers import detect_header, match_label, missing_fields_message, onestop_vocabulary
from cchc_analysis.text import encode_tcvn3, encode_vni, legacy_encoding, to_unicode, to_unicode_many


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Mã hồ sơ", "code"),
        ("SỐ HỒ SƠ", "code"),
        ("Tên thủ tục hành chính", "procedure"),
        ("Ngày tiếp nhận", "received_at"),
        ("Hạn xử lý", "due_at"),
        ("Ngày hẹn trả kết quả", "due_at"),
        ("Ngày trả kết quả", "handed_at"),
        ("Ngày có kết quả", "result_at"),
        ("Ngày kết thúc xử lý", "processed_at"),
        ("Kênh", "channel"),
        ("KenhThucHien", "channel"),
        ("Tình trạng", "status"),
        ("Phí, lệ phí (đồng)", "fee"),
        ("Phương thức thanh toán", "payment_method"),
        ("Số CMND/CCCD", "id_number"),
        ("SĐT", "phone"),
        ("Chủ hồ sơ", "applicant"),
    ],
)
def test_label_synonyms(label, field):
    assert match_label(label, onestop_vocabulary())[0] == field


def grid(rows, merged=()):
    width = max(len(r) for r in rows)
    return Grid("t.xlsx", "Sheet1", [list(r) + [""] * (width - len(r)) for r in rows], list(merged))


def test_title_rows_then_one_header_row():
    g = grid(
        [
            ["UBND XÃ THANH GIANG"],
            [],
            ["DANH SÁCH HỒ SƠ"],
            ["STT", "Số hồ sơ", "Thủ tục", "Ngày nhận", "Hạn trả", "Trạng thái"],
            [1, "H1-230101-0001", "Đăng ký khai sinh", "01/01/2023", "02/01/2023", "Đã trả kết quả"],
        ]
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows, m.data_start) == (3, 1, 4)
    assert m.columns == {"seq": 0, "code": 1, "procedure": 2, "received_at": 3, "due_at": 4, "status": 5}


def test_two_row_header_with_merged_groups_and_a_blank_column():
    g = grid(
        [
            ["Báo cáo"],
            ["STT", "Thông tin hồ sơ", "", "", "Thời gian", "", "Người nộp", "", "Tình trạng"],
            ["", "Số", "Thủ tục", "", "Ngày nhận", "Hạn xử lý", "Họ tên", "Điện thoại", ""],
            [1, "H1", "X", "", "01/01/2023", "03/01/2023", "A", "09", "Đang xử lý"],
        ],
        merged=[((1, 0), (2, 0)), ((1, 1), (1, 3)), ((1, 4), (1, 5)), ((1, 6), (1, 7)), ((1, 8), (2, 8))],
    )
    m = detect_header(g)
    assert (m.first_row, m.n_rows) == (1, 2)
    # "Số" alone means nothing; under "Thông tin hồ sơ" it is the dossier number
    assert m.columns["code"] == 1
    assert (m.columns["received_at"], m.columns["due_at"]) == (4, 5)
    assert (m.columns["applicant"], m.columns["phone"], m.columns["status"]) == (6, 7, 8)


def test_tcvn3_header_is_decoded_before_matching():
    labels = ["STT", "Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái", "Số hóa"]
    g = grid([[encode_tcvn3(x) for x in labels], [1, "H1", "01/01/2023", encode_tcvn3("Đang xử lý"), "x"]])
    m = detect_header(g)
    assert m.labels == labels
    assert m.columns["digitised"] == 4


def test_unrecognised_layout_message_lists_columns_and_missing_fields():
    g = grid([["Cột A", "Cột B", "Tên thủ tục", "Lĩnh vực", "Trạng thái"], ["1", "2", "x", "y", "z"]])
    m = detect_header(g)
    msg = missing_fields_message(g, m)
    assert "Cột A" in msg and "«Mã hồ sơ»" in msg and "«Ngày tiếp nhận»" in msg and "--mapping" in msg


def test_no_header_at_all():
    assert detect_header(grid([["a", "b"], [1, 2]])) is None


LOWER = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
WORD = st.tuples(
    st.text(alphabet=LOWER, min_size=1, max_size=8), st.sampled_from([str.lower, str.capitalize, str.upper])
)
TEXT = st.lists(WORD, max_size=6).map(lambda ws: " ".join(f(w) for w, f in ws))


@given(st.lists(TEXT, max_size=5))
def test_valid_vietnamese_is_never_altered_by_the_legacy_converter(texts):
    # words written lower case, Capitalised or UPPER CASE (a capital inside a lower-case word reads as legacy text)
    assert to_unicode_many(texts) == texts
    assert [to_unicode(t) for t in texts] == texts


PHRASES = [p[1].lower() for p in BASE_PROCEDURES] + ["nguyễn văn bình", "vĩnh thịnh", "đã trả kết quả", "số hóa"]


@given(st.lists(st.sampled_from(PHRASES), min_size=2, max_size=6), st.sampled_from(["tcvn3", "vni"]))
def test_legacy_columns_come_back_whole(texts, encoding):
    encode = encode_tcvn3 if encoding == "tcvn3" else encode_vni
    encoded = [encode(t) for t in texts]
    # a column whose every text is also valid Unicode ("sè hãa" for "số hóa") is left alone by design
    assume(any(legacy_encoding(e) for e in encoded))
    assert to_unicode_many(encoded) == texts


@pytest.mark.slow
def test_every_demo_dossier_export_is_recognised(demo_dir):
    from cchc_analysis.ingest.grid import read_grids

    files = sorted((demo_dir / "raw").glob("*/mot-cua/*"))
    # 17 units x 14 quarters (2022Q1-2025Q2) + Thanh Giang's August 2023 + 5 successors x 5 quarters (2025Q3-2026Q3)
    assert len(files) == 17 * 14 + 1 + 5 * 5
    for path in files:
        (g,) = read_grids(path)
        m = detect_header(g)
        assert m is not None, path
        assert {"code", "procedure", "received_at", "due_at", "status", "channel", "fee", "applicant"} <= set(m.columns)
        assert m.unmapped == {}, (path, m.unmapped)
