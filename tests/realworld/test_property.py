"""Random layouts of the known dossiers: the figures are those of the design table, or the file is refused. Never a
third outcome (a wrong figure with exit 0, or every row lost with exit 0)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis.cli import main
from cchc_analysis.indicators import compute_indicators
from cchc_analysis.periods import parse_period

from .dossiers import PERIOD, dossiers, expected, figures
from .harness import _key  # noqa: F401
from .layouts import STANDARD, Layout, rows, write_text, write_xlsx
from .test_dates import FORMS

# header wordings real exports use for each column (other than the synonym table's first entries)
WORDINGS = {
    "seq": ["STT", "TT", "Số TT"],
    "code": ["Mã hồ sơ", "Số hồ sơ", "Mã HS", "Số biên nhận", "MaHoSo"],
    "procedure": ["Tên thủ tục hành chính", "Thủ tục", "Tên TTHC", "Tên dịch vụ công"],
    "field": ["Lĩnh vực", "Tên lĩnh vực"],
    "applicant": ["Chủ hồ sơ", "Người nộp", "Họ và tên", "Tổ chức, cá nhân"],
    "phone": ["Số điện thoại", "SĐT", "Điện thoại"],
    "received_at": ["Ngày tiếp nhận", "Ngày nhận", "Thời gian tiếp nhận", "Ngày nộp", "NgayTiepNhan"],
    "due_at": ["Ngày hẹn trả", "Hạn xử lý", "Hạn trả", "Hẹn trả kết quả", "NgayHenTra"],
    "finished_at": ["Ngày kết thúc xử lý", "Ngày hoàn thành", "Ngày xử lý xong", "NgayKetThucXuLy"],
    "channel": ["Hình thức nộp", "Kênh tiếp nhận", "Kênh nộp", "Nguồn hồ sơ", "KenhThucHien"],
    "status": ["Trạng thái", "Tình trạng", "Trạng thái hồ sơ", "TrangThaiHoSo"],
    "fee": ["Phí, lệ phí (đồng)", "Lệ phí", "Số tiền phí", "Phí và lệ phí"],
    "payment": ["Hình thức thanh toán", "Phương thức thanh toán", "Thanh toán"],
}
EXTRA = [
    ("duration", "Thời hạn giải quyết"),
    ("delivery", "Hình thức nhận kết quả"),
    ("note", "Ghi chú"),
    ("department", "Cán bộ xử lý"),
]
TITLES = [
    [["ỦY BAN NHÂN DÂN XÃ THANH GIANG"], ["DANH SÁCH HỒ SƠ"], ["Từ ngày 01/07/2023 đến ngày 30/09/2023"], []],
    [["UBND HUYỆN THANH MIỆN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["UBND XÃ THANH GIANG"], []],
    [],
]
GROUPING = [
    (None, None, "Tổng cộng: {n} hồ sơ"),
    (None, None, None),
    ("Lĩnh vực: {field}", "Cộng: {n} hồ sơ", "Tổng cộng: {n} hồ sơ"),
    ("LĨNH VỰC {FIELD}", "Tổng lĩnh vực: {n}", None),
    ("{field}", "Cộng", "TỔNG SỐ"),
]


@st.composite
def layouts(draw) -> tuple[Layout, str, str]:
    names = list(WORDINGS)
    kept = [n for n in names if n in ("code", "received_at") or draw(st.booleans()) or n in ("due_at", "status")]
    order = draw(st.permutations(kept))
    columns = [(n, draw(st.sampled_from(WORDINGS[n]))) for n in order]
    for extra in draw(st.lists(st.sampled_from(EXTRA), max_size=2, unique=True)):
        columns.insert(draw(st.integers(0, len(columns))), extra)
    section, subtotal, grand = draw(st.sampled_from(GROUPING))
    form = draw(st.sampled_from(["dmy", *sorted(FORMS)]))
    layout = STANDARD.with_(
        columns=columns,
        title=draw(st.sampled_from(TITLES)),
        section=section,
        subtotal=subtotal,
        grand_total=grand,
        date=FORMS.get(form, STANDARD.date),
    )
    kind = draw(st.sampled_from(["xlsx", "csv", "txt"]))
    return layout, form, kind


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layouts())
def test_a_random_layout_gives_the_design_figures_or_is_refused(tmp_path_factory, capsys, drawn):
    layout, _form, kind = drawn
    data_dir = tmp_path_factory.mktemp("layout")
    path = data_dir / "raw" / "thanh-giang" / f"ds.{kind}"
    sheet = rows(layout, dossiers())
    if kind == "xlsx":
        write_xlsx(path, sheet)
    else:
        write_text(
            path, sheet, encoding="utf-16" if kind == "txt" else "utf-8-sig", delimiter="\t" if kind == "txt" else ","
        )
    code = main(["ingest", "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert "không mong đợi" not in err and "Traceback" not in err
    if code != 0:
        assert "ds." in err  # refused, naming the file
        return
    (rec,) = compute_indicators(data_dir, parse_period(PERIOD), units=["Thanh Giang"])
    columns = {w for w, _h in layout.columns}
    got = figures(rec)
    want = expected()
    # a figure is the design's, or missing with a reason when its column is not in the layout: never another value
    for key, value in got.items():
        if value is None:
            assert key in rec["missing"], key
            continue
        assert value == want[key], (key, value, want[key], sorted(columns))
    # what every layout with the two required columns can always give
    assert got["received_total"] in (want["received_total"], None)
    assert dt.date.fromisoformat(rec["period_start"]) == dt.date(2023, 7, 1)
