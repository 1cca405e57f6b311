"""Classes 9-10: the mapping file as the user's escape hatch, `cchc inspect`, and runs with nothing to read."""

import textwrap

import yaml

from cchc_analysis.cli import main

from .dossiers import dossiers, expected, figures
from .harness import _key, assert_refused, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_xlsx

# a layout no synonym table can know: numbered column headings (the legend sits in another document)
NUMBERED = STANDARD.with_(columns=[(w, f"Cột {i + 1}") for i, (w, _h) in enumerate(STANDARD.columns)])


def test_unknown_headings_are_refused_then_read_through_a_mapping_by_column_letter(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(NUMBERED, dossiers()))
    assert_refused(ingest(tmp_path, capsys), "ds.xlsx", "--mapping")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        textwrap.dedent(
            """\
            header_rows: [5]
            columns:
              code: B
              procedure: C
              field: D
              applicant: E
              phone: F
              received_at: G
              due_at: H
              processed_at: I
              channel: J
              status: K
              fee: L
              payment_method: M
            """
        ),
        encoding="utf-8",
    )
    out = ingest(tmp_path, capsys, "--mapping", str(mapping))
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()


def test_a_mapping_by_header_text_with_values_unit_and_date_order_for_one_file(tmp_path, capsys):
    words = {"online": "Kênh số", "direct": "Kênh giấy", "postal": "Kênh thư"}
    layout = NUMBERED.with_(channel=words, title=[["DANH SÁCH"], []])
    write_xlsx(tmp_path / "raw" / "ds.xlsx", rows(layout, dossiers()))
    mapping = tmp_path / "mapping.yaml"
    doc = {
        "files": {
            "ds.xlsx": {
                "unit": "Thanh Giang",
                "date_order": "dmy",
                "columns": {
                    "code": "Cột 2",
                    "procedure": "Cột 3",
                    "received_at": "Cột 7",
                    "due_at": "Cột 8",
                    "processed_at": "Cột 9",
                    "channel": "Cột 10",
                    "status": "Cột 11",
                    "fee": "Cột 12",
                    "payment_method": "Cột 13",
                },
                "values": {"channel": {"online": ["Kênh số"], "direct": ["Kênh giấy"], "postal": ["Kênh thư"]}},
            }
        }
    }
    mapping.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = ingest(tmp_path, capsys, "--mapping", str(mapping))
    assert out.code == 0, out.err
    assert out.files[0]["unit_source"] == "mapping"
    assert figures(out.record()) == expected()


def test_mapping_errors_name_the_key(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD, dossiers()))
    for text, key in [
        ("columns:\n  chanel: J\n", "chanel"),
        ("columns:\n  channel: 7\n", "channel"),
        ("header_rows: [0]\n", "header_rows"),
        ("date_order: ymd\n", "date_order"),
        ("values:\n  channel:\n    web: [Cổng]\n", "web"),
        ("files:\n  ds.xlsx:\n    unit: Atlantis\n", "Atlantis"),
    ]:
        mapping = tmp_path / "m.yaml"
        mapping.write_text(text, encoding="utf-8")
        capsys.readouterr()
        assert main(["ingest", "--data-dir", str(tmp_path), "--mapping", str(mapping)]) == 2
        err = capsys.readouterr().err
        assert key in err and "Traceback" not in err, (text, err)


def test_inspect_shows_what_the_reader_sees_and_writes_a_starter_mapping(tmp_path, capsys):
    path = write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD, dossiers()))
    starter = tmp_path / "starter.yaml"
    capsys.readouterr()
    assert main(["inspect", str(path), "--data-dir", str(tmp_path), "--write-mapping", str(starter)]) == 0
    out = capsys.readouterr().out
    assert "Danh sách" in out and "Ngày tiếp nhận" in out and "received_at" in out
    assert "Thanh Giang" in out and "01/07/2023" in out
    assert "Trần Thị Bình" not in out and "0900000001" not in out  # personal values never shown in clear
    doc = yaml.safe_load(starter.read_text(encoding="utf-8"))["files"]["thanh-giang/ds.xlsx"]
    assert doc["columns"]["received_at"] == "G" and doc["columns"]["code"] == "B"
    assert doc["header_rows"] == [5] and doc["unit"] == "Xã Thanh Giang"
    # the starter mapping reads the file as the reader did
    out = ingest(tmp_path, capsys, "--mapping", str(starter))
    assert out.code == 0 and figures(out.record()) == expected()


def test_a_three_row_header_log_book(tmp_path, capsys):
    """TT 01/2020 Mẫu 06: the meaning of each "Ngày, tháng, năm" leaf is in the rows above it."""
    sheet = [
        ["ỦY BAN NHÂN DÂN XÃ THANH GIANG"],
        ["SỔ THEO DÕI HỒ SƠ"],
        [],
        ["STT", "Mã hồ sơ", "Tên TTHC", "Tên cá nhân, tổ chức", "Nhận và trả kết quả", None, None, "Kênh", "Ghi chú"],
        [None, None, None, None, "Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", None, None],
        [None, None, None, None, "Ngày, tháng, năm", "Ngày, tháng, năm", "Ngày, tháng, năm", None, None],
    ]
    for i, d in enumerate(dossiers(), start=1):
        done = f"{d.finished:%d/%m/%Y}" if d.finished else ""
        status_note = (
            "Rút hồ sơ" if d.outcome == "withdrawn" else ("Không tiếp nhận" if d.outcome == "not_accepted" else "")
        )
        sheet.append(
            [
                i,
                d.code,
                d.procedure,
                d.applicant,
                f"{d.received:%d/%m/%Y}",
                f"{d.due:%d/%m/%Y}",
                done,
                {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính"}[d.channel],
                status_note,
            ]
        )
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in sheet:
        ws.append(r)
    ws.merge_cells("E4:G4")
    for col in "ABCDHI":
        ws.merge_cells(f"{col}4:{col}6")
    path = tmp_path / "raw" / "thanh-giang" / "so.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("header_rows: [4, 5, 6]\ncolumns:\n  status: I\n", encoding="utf-8")
    out = ingest(tmp_path, capsys, "--mapping", str(mapping))
    assert out.code == 0, out.err
    rec = out.record()
    # a log book has no payment columns; channel, deadline and status come from its columns
    keys = [k for k in expected() if k not in ("fee_dossiers", "fee_paid_online", "online_payment_rate")]
    assert figures(rec, keys) == expected(keys)


def test_an_empty_raw_folder_is_a_clear_message(tmp_path, capsys):
    (tmp_path / "raw").mkdir()
    out = ingest(tmp_path, capsys)
    assert out.code == 1
    assert "raw" in out.err and "không mong đợi" not in out.err and "Traceback" not in out.err


def test_a_first_ingest_with_every_file_refused_is_a_clear_message(tmp_path, capsys):
    folder = tmp_path / "raw" / "thanh-giang"
    folder.mkdir(parents=True)
    (folder / "a.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "b.xlsx").write_text("chỉ là văn bản", encoding="utf-8")
    out = ingest(tmp_path, capsys)
    assert out.code == 1
    assert "a.xlsx" in out.err and "b.xlsx" in out.err
    assert "không mong đợi" not in out.err and "Traceback" not in out.err


def test_indicators_for_a_period_the_store_does_not_cover_say_so(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD, dossiers()))
    assert ingest(tmp_path, capsys).code == 0
    capsys.readouterr()
    code = main(["indicators", "--data-dir", str(tmp_path), "--period", "2021Q1", "--unit", "Thanh Giang"])
    captured = capsys.readouterr()
    assert code == 1
    assert "01/07/2023" in captured.err and "30/09/2023" in captured.err  # what the store does cover
