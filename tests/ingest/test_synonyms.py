"""Every header wording of the synonym tables, written as exports write it, read as its field.

The wordings are typed here from real exports' headers, not read from the YAML files: removing a synonym from
onestop_headers.yaml or source_headers.yaml fails this test (the demo generator, written by the same hands as the
vocabulary, cannot be the only witness)."""

import pytest

from cchc_analysis.ingest.headers import match_label, onestop_vocabulary, source_vocabulary

READS_FILES = False  # pure rules: run once (see conftest.py)

ONESTOP = {
    "seq": ["STT", "Số TT", "Số thứ tự"],
    "code": ["Mã hồ sơ", "Số hồ sơ", "Mã HS", "Số HS", "MaHoSo", "Mã biên nhận", "Số biên nhận", "Mã số hồ sơ"],
    "procedure": [
        "Tên thủ tục hành chính",
        "Tên thủ tục",
        "Thủ tục hành chính",
        "Thủ tục",
        "Tên TTHC",
        "TTHC",
        "Tên dịch vụ công",
    ],
    "procedure_code": ["Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính", "MaTTHC"],
    "field": ["Lĩnh vực", "Tên lĩnh vực"],
    "unit": [
        "Đơn vị tiếp nhận",
        "Cơ quan tiếp nhận",
        "Đơn vị xử lý",
        "Cơ quan giải quyết",
        "Tên đơn vị",
        "Đơn vị",
        "Xã/Phường/Thị trấn",
        "Xã, phường",
        "Tên xã",
        "Tên xã, phường",
        "UBND xã",
        "Địa bàn",
        "Đơn vị hành chính",
        "Xã",
        "Phường/xã",
        "Xã/Thị trấn",
    ],
    "applicant": [
        "Chủ hồ sơ",
        "Người nộp",
        "Họ tên",
        "Họ và tên",
        "Tên người nộp",
        "Người đứng tên",
        "Người được ủy quyền",
        "Tổ chức, cá nhân",
        "Tên công dân",
        "Người nộp hồ sơ",
        "Công dân",
    ],
    "phone": ["Số điện thoại", "Điện thoại", "SĐT", "ĐT", "Số ĐT", "Di động"],
    "id_number": [
        "CCCD",
        "CMND",
        "Số CCCD",
        "Số CMND",
        "CMND/CCCD",
        "Số định danh",
        "Định danh cá nhân",
        "Giấy tờ tùy thân",
        "Số giấy tờ",
        "Số căn cước",
        "Căn cước công dân",
    ],
    "address": ["Địa chỉ", "Nơi cư trú", "Địa chỉ thường trú", "Địa chỉ liên hệ", "Nơi ở"],
    "email": ["Email", "E-mail", "Thư điện tử"],
    "received_at": [
        "Ngày nhận",
        "Ngày tiếp nhận",
        "Thời gian tiếp nhận",
        "NgayTiepNhan",
        "Ngày nộp",
        "Ngày nhận hồ sơ",
        "Thời gian nhận",
    ],
    "due_at": [
        "Ngày hẹn trả",
        "Hạn xử lý",
        "Hạn trả",
        "Hẹn trả",
        "Hạn giải quyết",
        "NgayHenTra",
        "Ngày hẹn trả kết quả",
        "Hạn trả kết quả",
    ],
    "processed_at": [
        "Ngày kết thúc xử lý",
        "Ngày xử lý xong",
        "Ngày hoàn thành",
        "NgayKetThucXuLy",
        "Ngày giải quyết xong",
        "Ngày kết thúc",
        "Thời gian kết thúc",
        "Ngày hoàn thành xử lý",
    ],
    "result_at": ["Ngày có kết quả", "Ngày kết quả", "Thời gian có kết quả"],
    "handed_at": ["Ngày trả", "Ngày trả kết quả", "Ngày trả KQ", "Thời gian trả kết quả", "Ngày trả hồ sơ"],
    "channel": [
        "Hình thức nộp",
        "Kênh",
        "Kênh nộp",
        "Loại tiếp nhận",
        "Hình thức tiếp nhận",
        "KenhThucHien",
        "Phương thức nộp",
        "Kênh tiếp nhận",
        "Hình thức",
        "Nguồn hồ sơ",
    ],
    "status": [
        "Trạng thái",
        "Tình trạng",
        "TrangThaiHoSo",
        "Trạng thái hồ sơ",
        "Trạng thái HS",
        "Tình trạng hồ sơ",
        "Tình trạng xử lý",
    ],
    "fee": [
        "Phí, lệ phí",
        "Lệ phí",
        "Phí",
        "Số tiền phí",
        "Mức phí",
        "Số tiền",
        "Phí/Lệphí",
        "Tiền phí",
        "Phí và lệ phí",
    ],
    "payment_method": [
        "Hình thức thanh toán",
        "Phương thức thanh toán",
        "Thanh toán",
        "DuocThanhToanTrucTuyen",
        "Kênh thanh toán",
    ],
    "digitised": ["Số hóa", "Đã số hóa", "HoSoCoThanhPhanSoHoa", "Số hóa hồ sơ"],
    # recognised, never read
    "duration": [
        "Thời gian giải quyết",
        "Số ngày giải quyết",
        "Thời hạn xử lý",
        "Thời gian xử lý",
        "Số ngày xử lý",
        "Thời hạn",
        "Số ngày",
        "Thời gian quy định",
        "Thời hạn quy định",
    ],
    "result_delivery": [
        "Hình thức nhận kết quả",
        "Phương thức nhận kết quả",
        "Hình thức trả kết quả",
        "Phương thức trả kết quả",
        "Nhận kết quả qua",
        "Trả kết quả qua",
        "Kênh nhận kết quả",
        "Kênh trả kết quả",
        "Nơi nhận kết quả",
        "Hình thức nhận KQ",
        "Đăng ký nhận kết quả",
        "Nhận kết quả tại",
        "Cách thức nhận kết quả",
    ],
    "department": [
        "Bộ phận xử lý",
        "Cán bộ xử lý",
        "Công chức xử lý",
        "Người xử lý",
        "Phòng ban xử lý",
        "Bộ phận giải quyết",
        "Cán bộ tiếp nhận",
        "Người tiếp nhận",
        "Công chức tiếp nhận",
        "Bộ phận",
        "Phòng ban",
        "Chuyên viên xử lý",
        "Cán bộ thụ lý",
        "Người thụ lý",
    ],
    "note": ["Ghi chú"],
}
# one wording, two readings: the column's values decide (a duration column or a due date): either field, by wording
EITHER = {"Thời hạn giải quyết": {"due_at", "duration"}}

CATALOGUE = {
    "seq": ["STT", "Số TT", "TT"],
    "procedure_code": ["Mã thủ tục", "Mã TTHC", "Mã số TTHC", "Mã số thủ tục", "Mã thủ tục hành chính", "Mã số"],
    "procedure": ["Tên thủ tục hành chính", "Tên thủ tục", "Tên TTHC", "Thủ tục hành chính", "Thủ tục"],
    "field": ["Lĩnh vực", "Tên lĩnh vực"],
    "online_level": [
        "Mức độ DVC",
        "Mức độ",
        "Mức độ dịch vụ công",
        "Dịch vụ công trực tuyến",
        "Mức độ DVCTT",
        "DVC trực tuyến",
        "Hình thức DVC",
    ],
    "fee": ["Phí, lệ phí", "Lệ phí", "Phí", "Mức thu phí, lệ phí", "Mức phí"],
    "agency": ["Cơ quan thực hiện", "Cơ quan giải quyết"],
    "valid_from": ["Ngày hiệu lực", "Hiệu lực từ ngày", "Ngày có hiệu lực", "Hiệu lực"],
    "valid_to": ["Ngày hết hiệu lực", "Hết hiệu lực"],
}
BUDGET = {
    "stt": ["STT", "TT", "Số TT"],
    "name": ["Nội dung", "Chỉ tiêu", "Nội dung thu, chi", "Diễn giải", "Tên chỉ tiêu", "Nội dung chỉ tiêu"],
    "code": ["Mã số", "Mã", "Mã chương", "Mã mục", "Mã nội dung kinh tế", "Mã ngành", "Mục"],
    "estimate": [
        "Dự toán năm",
        "Dự toán",
        "Dự toán HĐND giao",
        "Dự toán được giao",
        "Dự toán giao đầu năm",
        "Kế hoạch năm",
        "Dự toán đầu năm",
    ],
    "adjusted_estimate": ["Dự toán điều chỉnh", "Dự toán sau điều chỉnh", "Dự toán bổ sung, điều chỉnh"],
    "actual_period": [
        "Thực hiện trong tháng",
        "Thực hiện kỳ này",
        "Thực hiện tháng",
        "Thực hiện trong kỳ",
        "Thực hiện trong quý",
        "Phát sinh trong kỳ",
    ],
    "actual_cumulative": [
        "Lũy kế từ đầu năm",
        "Lũy kế",
        "Thực hiện lũy kế",
        "Lũy kế đến kỳ báo cáo",
        "Lũy kế thực hiện",
        "Thực hiện đến kỳ báo cáo",
        "Ước thực hiện",
    ],
    "pct": [
        "So sánh (%)",
        "So sánh lũy kế/dự toán",
        "So dự toán",
        "Tỷ lệ",
        "Tỷ lệ thực hiện",
        "So sánh thực hiện/dự toán",
    ],
}


def cases(table):
    return [(field, wording) for field, wordings in table.items() for wording in wordings]


@pytest.mark.parametrize(("field", "wording"), cases(ONESTOP))
def test_dossier_list_wordings(field, wording):
    assert match_label(wording, onestop_vocabulary())[0] == field


@pytest.mark.parametrize(("wording", "fields"), sorted(EITHER.items()))
def test_wordings_the_values_decide(wording, fields):
    found = {name for name, _score in [match_label(wording, onestop_vocabulary())]}
    assert found <= fields
    from cchc_analysis.ingest.headers import match_label_all

    assert fields <= set(match_label_all(wording, onestop_vocabulary()))


@pytest.mark.parametrize(("field", "wording"), cases(CATALOGUE))
def test_catalogue_wordings(field, wording):
    assert match_label(wording, source_vocabulary("catalogue"))[0] == field


@pytest.mark.parametrize(("field", "wording"), cases(BUDGET))
def test_budget_wordings(field, wording):
    assert match_label(wording, source_vocabulary("budget"))[0] == field


def test_every_synonym_of_the_tables_is_witnessed_here():
    """The other way round: a synonym added to the YAML files without a wording here fails, so that this list
    stays the full witness."""
    from cchc_analysis.text import fold

    for vocab, table in (
        (onestop_vocabulary(), {f: ws + [w for w, fs in EITHER.items() if f in fs] for f, ws in ONESTOP.items()}),
        (source_vocabulary("catalogue"), CATALOGUE),
        (source_vocabulary("budget"), BUDGET),
    ):
        for spec in vocab.fields:
            witnessed = {fold(w) for w in table.get(spec.name, [])} | {
                fold(w).replace(" ", "") for w in table.get(spec.name, [])
            }
            missing = [s for s in spec.synonyms if s not in witnessed and s.replace(" ", "") not in witnessed]
            assert not missing, (spec.name, missing)
