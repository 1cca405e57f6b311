"""Classes 6-8: identifiers Excel rounded, values the vocabulary does not know, rows rejected wholesale."""

import pytest

from .dossiers import CHANNEL_FIGURES, dossiers, expected, figures
from .harness import _key, assert_refused, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_text, write_xlsx


def _numeric_code(d):
    """An 18-digit record number as Excel keeps it after it was typed or pasted: 15 significant digits."""
    digits = f"{d.received:%y%m%d}{11287:05d}{int(d.code[-4:]):07d}"
    return int(float(f"{int(digits):.14e}"))


def test_codes_excel_rounded_to_numbers_are_not_used_to_merge_dossiers(tmp_path, capsys):
    layout = STANDARD.with_(code=_numeric_code)
    all_rows = dossiers()
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, all_rows))
    # a second, overlapping export of the same office: its dossiers are the same dossiers, not new ones
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds-thang9.xlsx", rows(layout, all_rows[-8:]))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()
    assert any("làm tròn" in w for w in out.file("ds.xlsx")["warnings"])


def test_codes_in_scientific_form_in_a_csv(tmp_path, capsys):
    layout = STANDARD.with_(code=lambda d: f"{_numeric_code(d):.5E}".replace("E+", "E+"))
    write_text(tmp_path / "raw" / "thanh-giang" / "ds.csv", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()
    assert any("làm tròn" in w for w in out.file("ds.csv")["warnings"])


@pytest.mark.parametrize(
    "words",
    [
        {"online": "Cổng DVC", "direct": "Một cửa", "postal": "BCCI"},
        {"online": "DVCQG", "direct": "Tại bộ phận một cửa", "postal": "Qua dịch vụ bưu chính công ích"},
        {"online": "Cổng DVC tỉnh", "direct": "Nộp tại bộ phận TN&TKQ", "postal": "Bưu điện"},
        {"online": "Nộp qua Cổng dịch vụ công quốc gia", "direct": "Nộp trực tiếp", "postal": "Qua bưu chính"},
        {"online": "Trực tuyến toàn trình", "direct": "Tại quầy", "postal": "Gửi qua bưu điện"},
        {"online": "2", "direct": "1", "postal": "3"},  # the national sync codes
    ],
)
def test_channel_wordings_of_real_systems(tmp_path, capsys, words):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(channel=words), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()


def test_a_channel_column_the_vocabulary_does_not_know_leaves_the_channel_figures_missing(tmp_path, capsys):
    words = {"online": "Loại A", "direct": "Loại B", "postal": "Loại C"}
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(channel=words), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    rec = out.record()
    for key in CHANNEL_FIGURES:
        assert rec[key] is None and key in rec["missing"], key
    assert "Loại A" in rec["missing"]["online_rate"] or any("Loại A" in w for w in rec["warnings"])
    assert any("kênh" in w.lower() for w in rec["warnings"])
    others = [k for k in expected() if k not in CHANNEL_FIGURES]
    assert figures(rec, others) == expected(others)


def test_a_payment_column_the_vocabulary_does_not_know_leaves_online_payment_missing(tmp_path, capsys):
    words = {"online": "Hình thức 1", "cash": "Hình thức 2"}
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(payment=words), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    rec = out.record()
    assert rec["online_payment_rate"] is None and "online_payment_rate" in rec["missing"]


@pytest.mark.parametrize(("name", "value"), [("ds.csv", "#VALUE!"), ("ds.xlsx", "chưa cập nhật")])
def test_every_received_date_unreadable_refuses_the_file_with_the_reason(tmp_path, capsys, name, value):
    # (Excel's error cells, #VALUE! in a workbook, reach every reader as blank cells; in a CSV they are text)
    layout = STANDARD.with_(date=lambda v, t: value)
    writer = write_text if name.endswith(".csv") else write_xlsx
    writer(tmp_path / "raw" / "thanh-giang" / name, rows(layout, dossiers()))
    entry = assert_refused(ingest(tmp_path, capsys), name, value, "Ngày tiếp nhận")
    assert "26/26" in entry["error"]


def test_a_few_rejected_rows_are_a_warning_with_their_reason(tmp_path, capsys):
    sheet = rows(STANDARD, dossiers())
    col = [h for _w, h in STANDARD.columns].index("Ngày tiếp nhận")
    status = [h for _w, h in STANDARD.columns].index("Trạng thái")
    row = next(r for r in sheet if len(r) > status and r[status] == "Không được tiếp nhận")
    row[col] = "không rõ"  # the one row that counts nowhere anyway: the figures stay those of the design
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert "không rõ" in out.out and "ngày tiếp nhận" in out.out.lower()
    assert figures(out.record()) == expected()


def test_dropped_values_are_counted_per_column(tmp_path, capsys):
    sheet = rows(STANDARD, dossiers())
    col = [h for _w, h in STANDARD.columns].index("Ngày hẹn trả")
    header = next(i for i, r in enumerate(sheet) if "Ngày hẹn trả" in r)
    status = [h for _w, h in STANDARD.columns].index("Trạng thái")
    bad = [r for r in sheet[header + 1 :] if len(r) > status and r[status] == "Không được tiếp nhận"]
    for r in bad:
        r[col] = "30/02/2023"
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    out = ingest(tmp_path, capsys)
    assert out.file("ds.xlsx")["values_dropped"] == {"Ngày hẹn trả": 1}


def test_a_status_column_the_vocabulary_does_not_know_leaves_the_dossier_counts_missing(tmp_path, capsys):
    # numeric status codes whose legend is elsewhere: which dossiers were never accepted, or withdrawn, is unknown
    codes = {
        "early": "10",
        "on_time": "10",
        "late": "10",
        "carried": "10",
        "pending": "4",
        "overdue": "4",
        "withdrawn": "7",
        "not_accepted": "3",
    }
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(status=codes), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    rec = out.record()
    for key in ("received_total", "resolved_total", "withdrawn", "online_rate"):
        assert rec[key] is None and "trạng thái" in rec["missing"][key], key
    # mapped in the mapping file, the codes give the design's figures
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "values:\n  status:\n    resolved: ['10']\n    in_progress: ['4']\n    withdrawn: ['7']\n"
        "    not_accepted: ['3']\n",
        encoding="utf-8",
    )
    out = ingest(tmp_path, capsys, "--mapping", str(mapping))
    assert out.code == 0 and figures(out.record()) == expected()


def test_without_a_finish_date_column_the_resolved_figures_are_missing(tmp_path, capsys):
    layout = STANDARD.with_(columns=[c for c in STANDARD.columns if c[0] != "finished_at"])
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    rec = out.record()
    for key in ("resolved_total", "resolved_early", "pending_total", "on_time_rate_766"):
        assert rec[key] is None and key in rec["missing"], key
    assert rec["received_online"] == 15  # what does not need the finish date is still there


def test_without_a_fee_column_the_fee_figures_are_missing(tmp_path, capsys):
    layout = STANDARD.with_(columns=[c for c in STANDARD.columns if c[0] != "fee"])
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    rec = out.record()
    for key in ("fee_dossiers", "fee_paid_online", "online_payment_rate"):
        assert rec[key] is None and key in rec["missing"], key


def test_national_sync_fields_in_a_csv(tmp_path, capsys):
    # the field names of the national portal's synchronisation, 14-digit timestamps, channel codes 1/2/3
    from .test_dates import compact

    columns = [
        ("code", "MaHoSo"),
        ("procedure", "TenTTHC"),
        ("received_at", "NgayTiepNhan"),
        ("due_at", "NgayHenTra"),
        ("finished_at", "NgayKetThucXuLy"),
        ("channel", "KenhThucHien"),
        ("status", "TrangThaiHoSo"),
        ("fee", "PhiLePhi"),
        ("payment", "HinhThucThanhToan"),
    ]
    layout = STANDARD.with_(
        columns=columns,
        title=[],
        grand_total=None,
        footer=[],
        date=compact,
        channel={"online": "2", "direct": "1", "postal": "3"},
    )
    write_text(tmp_path / "raw" / "thanh-giang" / "dongbo.csv", rows(layout, dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()
