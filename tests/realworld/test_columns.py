"""Class 2: two columns that look like the same field; the one whose values can be the field wins."""

import pytest

from .dossiers import CHANNEL_FIGURES, dossiers, expected, figures
from .harness import _key, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_xlsx


def _with(columns, before: str, *extra):
    """STANDARD's columns with ``extra`` (what, header) pairs inserted before the column ``before``."""
    out = []
    for c in columns:
        if c[0] == before:
            out.extend(extra)
        out.append(c)
    return out


DURATIONS = ["Thời hạn giải quyết", "Thời gian giải quyết", "Thời hạn xử lý (ngày)", "Số ngày giải quyết"]


@pytest.mark.parametrize("duration", DURATIONS)
@pytest.mark.parametrize("due", ["Ngày hẹn trả", "Hạn trả kết quả", "Hẹn trả", "Ngày hẹn trả kết quả"])
def test_a_duration_column_beside_the_due_date_never_takes_its_place(tmp_path, capsys, duration, due):
    columns = [(w, due if w == "due_at" else h) for w, h in STANDARD.columns]
    layout = STANDARD.with_(columns=_with(columns, "due_at", ("duration", duration)))
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()


@pytest.mark.parametrize(
    "delivery", ["Hình thức nhận kết quả", "Phương thức nhận kết quả", "Hình thức trả kết quả", "Nhận kết quả qua"]
)
def test_how_the_result_is_delivered_is_not_the_submission_channel(tmp_path, capsys, delivery):
    columns = [(w, "Kênh tiếp nhận" if w == "channel" else h) for w, h in STANDARD.columns]
    layout = STANDARD.with_(columns=_with(columns, "channel", ("delivery", delivery)))
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()


def test_without_a_channel_column_the_delivery_column_leaves_the_channel_figures_missing(tmp_path, capsys):
    columns = [(w, h) for w, h in STANDARD.columns if w != "channel"]
    layout = STANDARD.with_(columns=_with(columns, "status", ("delivery", "Hình thức nhận kết quả")))
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    rec = out.record()
    for key in CHANNEL_FIGURES:
        assert rec[key] is None and key in rec["missing"], key
    others = [k for k in expected() if k not in CHANNEL_FIGURES]
    assert figures(rec, others) == expected(others)


def test_a_unit_column_that_holds_departments_is_not_the_unit(tmp_path, capsys):
    columns = _with(STANDARD.columns, "status", ("department", "Đơn vị xử lý"))
    layout = STANDARD.with_(columns=columns)
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert out.file("ds.xlsx")["unit_id"] == "30-11287"
    assert figures(out.record()) == expected()


def test_two_date_columns_under_one_wording_are_reported_not_guessed(tmp_path, capsys):
    # "Ngày" over both the receipt and the due date: no wording says which is which
    columns = [(w, "Ngày" if w in ("received_at", "due_at") else h) for w, h in STANDARD.columns]
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(columns=columns), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 1
    assert "ds.xlsx" in out.file("ds.xlsx")["error"] and "--mapping" in out.file("ds.xlsx")["error"]


def test_two_identifier_columns_read_the_usual_one_and_say_so(tmp_path, capsys):
    # "Mã hồ sơ" and "Số biên nhận" (a receipt number) both identify dossiers: the synonym listed first is read
    columns = _with(STANDARD.columns, "procedure", ("code_b", "Số biên nhận"))
    layout = STANDARD.with_(columns=columns)
    sheet = rows(layout, dossiers())
    receipt = [h for _w, h in columns].index("Số biên nhận")
    for r in sheet:
        if len(r) > receipt and isinstance(r[receipt], str) and r[receipt] == "":
            r[receipt] = None
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert any("Số biên nhận" in w and "Mã hồ sơ" in w for w in out.file("ds.xlsx")["warnings"])
    from cchc_analysis.store import load_dossiers

    assert load_dossiers(tmp_path)["code"].str.startswith("H15.50.05.13-").all()
    assert figures(out.record()) == expected()


def test_a_timeliness_column_headed_like_a_status_is_not_the_status(tmp_path, capsys):
    # "Trạng thái" holding "Trước hạn / Đúng hạn / Quá hạn" (wording alone would take it first) beside the real
    # status under "Tình trạng"
    columns = [(w, "Tình trạng" if w == "status" else h) for w, h in STANDARD.columns]
    layout = STANDARD.with_(columns=_with(columns, "channel", ("timeliness", "Trạng thái")))
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()
