"""The manual-input workbook: written for a period, filled by hand, read back with cell-level checks."""

import datetime as dt
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from cchc_analysis.cli import main
from cchc_analysis.ingest.classify import MANUAL_INPUT_MARKER, classify
from cchc_analysis.ingest.grid import read_grids
from cchc_analysis.ingest.manual import DATA_SHEET, TEXT_SHEET, read_manual_input, write_template
from cchc_analysis.periods import parse_period
from cchc_analysis.registry import UnitRegistry
from cchc_analysis.store import ingest

REG = UnitRegistry.shipped(scope="Huyện Thanh Miện")


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "bieu.xlsx"
    period = parse_period("2023-01-01..2023-08-31")
    path.write_bytes(write_template(period, REG.units(group="Huyện Thanh Miện", on=period.end)))
    return path


def columns(wb):
    meta = json.loads(wb[MANUAL_INPUT_MARKER]["A1"].value)
    return {v.get("key") or f"as_of:{v['group']}": k for k, v in meta["columns"].items()}, meta


def test_template_layout_validation_and_protection(template):
    wb = load_workbook(template)
    ws = wb[DATA_SHEET]
    cols, meta = columns(wb)
    assert meta["period_id"] == "2023-01-01_2023-08-31"
    assert wb[MANUAL_INPUT_MARKER].sheet_state == "veryHidden"
    assert "Hướng dẫn" in wb.sheetnames
    units = [ws.cell(r, 2).value for r in range(7, ws.max_row + 1)]
    assert len(units) == 17 and "Xã Thanh Giang" in units
    assert ws.protection.sheet is True
    assert ws["A7"].protection.locked is True  # unit columns and headers stay locked
    assert ws[f"{cols['plan_tasks_done']}7"].protection.locked is False
    ranges = {str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    assert f"{cols['plan_tasks_done']}7:{cols['plan_tasks_done']}23" in ranges
    assert f"{cols['as_of:plan']}7:{cols['as_of:plan']}23" in ranges
    capped = next(dv for dv in ws.data_validations.dataValidation if f"{cols['plan_tasks_done']}7" in str(dv.sqref))
    assert capped.type == "custom" and f"{cols['plan_tasks_total']}7" in capped.formula1
    assert ws[f"{cols['plan_tasks_done']}6"].value == "Nhiệm vụ đã hoàn thành"
    assert classify(read_grids(template)) == "manual_input"


def fill(template, values, target):
    wb = load_workbook(template)
    ws = wb[DATA_SHEET]
    cols, _ = columns(wb)
    row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value == "30-11287")
    for key, value in values.items():
        ws[f"{cols[key]}{row}"] = value
    wb.save(target)
    return row, cols


def test_filled_workbook_is_read_back_with_cell_level_errors(template, tmp_path):
    target = tmp_path / "raw" / "bieu-da-nhap.xlsx"
    target.parent.mkdir()
    row, cols = fill(
        template,
        {
            "as_of:plan": dt.date(2023, 6, 9),
            "plan_tasks_total": 36,
            "plan_tasks_done": 30,  # the seed's 83,33%
            "as_of:mailboxes": "31/08/2023",
            "mailboxes_issued": 15,
            "mailboxes_in_use": 16,  # more in use than issued
            "as_of:certification": dt.date(2023, 8, 31),
            "e_certifications": "bốn mươi",
            "as_of:survey": "30/02/2023",
            "survey_respondents": 20,
        },
        target,
    )
    result = read_manual_input(target, REG, raw_root=tmp_path / "raw")
    got = result.dossiers.set_index("key")
    assert got.loc["plan_tasks_done", "value"] == 30 and got.loc["plan_tasks_total", "value"] == 36
    assert got.loc["plan_tasks_done", "as_of"] == pd.Timestamp("2023-06-09")
    assert got.loc["mailboxes_issued", "as_of"] == pd.Timestamp("2023-08-31")
    assert "mailboxes_in_use" not in got.index and "e_certifications" not in got.index
    assert got.loc["survey_respondents", "as_of"] == pd.Timestamp("2023-08-31")  # invalid date: the period's end
    reasons = result.rejects["reason"].tolist()
    assert (
        f"ô {cols['mailboxes_in_use']}{row} («Số hòm thư đang sử dụng», Xã Thanh Giang): lớn hơn «Số hòm thư "
        f"đã cấp» (15) ở ô {cols['mailboxes_issued']}{row}"
    ) in reasons
    assert (
        f"ô {cols['e_certifications']}{row} («Hồ sơ chứng thực điện tử», Xã Thanh Giang): cần số nguyên không âm"
        in reasons
    )
    assert (
        f"ô {cols['as_of:survey']}{row} («Ngày số liệu», Xã Thanh Giang): ngày không hợp lệ, cần dd/mm/yyyy" in reasons
    )


def test_manual_figures_reach_the_store(template, tmp_path):
    target = tmp_path / "raw" / "bieu.xlsx"
    target.parent.mkdir()
    fill(template, {"as_of:communication": dt.date(2023, 8, 31), "reform_news": 22, "dialogues": 5}, target)
    outcome = ingest(tmp_path)
    assert outcome.refused == []
    manual = pd.read_parquet(tmp_path / "processed" / "manual.parquet")
    assert manual.set_index("key")["value"].to_dict() == {"reform_news": 22, "dialogues": 5}


def test_template_command(tmp_path, capsys):
    out = tmp_path / "b.xlsx"
    assert main(["template", "--period", "2023Q3", "--unit", "Thanh Giang", "--unit", "Lam Sơn", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    ws = load_workbook(out)[DATA_SHEET]
    assert [ws.cell(r, 2).value for r in (7, 8)] == ["Xã Thanh Giang", "Xã Lam Sơn"]
    assert ws["A2"].value == "Kỳ báo cáo: 01/07/2023 – 30/09/2023 (2023Q3)"


def test_template_with_a_malformed_period_is_a_usage_error(tmp_path, capsys):
    assert main(["template", "--period", "2023Q5", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "Kỳ '2023Q5' không hợp lệ" in capsys.readouterr().err


# --- the report's texts ------------------------------------------------------------------------------------------


def text_rows(wb):
    """(unit_id, part key) -> row of the texts sheet."""
    ws = wb[TEXT_SHEET]
    return {(ws.cell(r, 1).value, ws.cell(r, 5).value): r for r in range(6, ws.max_row + 1)}


def test_the_texts_sheet_has_a_row_per_unit_and_part_to_write(template):
    wb = load_workbook(template)
    ws = wb[TEXT_SHEET]
    rows = text_rows(wb)
    # 17 units x the 28 parts of the outline an official writes (opening, I, 1., 2. of Part I, 1.1-1.8, 2.1, 2.2,
    # a) and b) of the six areas, III and IV)
    assert len(rows) == 17 * 28
    r = rows[("30-11287", "direction_plan")]
    assert ws.cell(r, 2).value == "Xã Thanh Giang"
    assert ws.cell(r, 3).value.startswith("1.8. Báo cáo tiến độ triển khai các nhiệm vụ, đề án trong Kế hoạch CCHC")
    assert ws.cell(r, 4).value is None and ws.cell(r, 4).protection.locked is False
    assert ws.cell(r, 3).protection.locked is True and ws.column_dimensions["E"].hidden
    assert ws.cell(rows[("30-11287", "advantages")], 3).value == (
        "1. Thuận lợi\n(Những thuận lợi trong thực hiện công tác cải cách hành chính)"
    )
    assert ws.cell(rows[("30-11287", "opening")], 3).value.startswith("Mở đầu\n(Căn cứ báo cáo")
    assert ws.protection.sheet is True


def test_texts_are_read_back_and_bad_rows_said(template, tmp_path):
    wb = load_workbook(template)
    ws = wb[TEXT_SHEET]
    rows = text_rows(wb)
    ws.cell(rows[("30-11287", "advantages")], 4).value = "  Đội ngũ cán bộ đoàn kết.\nCơ sở vật chất được đầu tư. "
    ws.cell(rows[("30-11287", "tasks")], 4).value = 2024  # a number typed as the text: kept as text
    ws.cell(rows[("30-11260", "proposals")], 4).value = "   "  # blank: still to write
    moved = rows[("30-11260", "difficulties")]
    ws.cell(moved, 4).value = "Thiếu máy tính."
    ws.cell(moved, 5).value = "muc-khong-co"  # the hidden key edited
    stranger = rows[("30-11278", "difficulties")]
    ws.cell(stranger, 1).value = "99-99999"
    ws.cell(stranger, 4).value = "Nội dung của đơn vị lạ."
    target = tmp_path / "bieu.xlsx"
    wb.save(target)
    result = read_manual_input(target, REG)
    texts = result.dossiers[result.dossiers["group"] == "text"]
    assert texts[["unit_id", "key", "text"]].values.tolist() == [
        ["30-11287", "advantages", "Đội ngũ cán bộ đoàn kết.\nCơ sở vật chất được đầu tư."],
        ["30-11287", "tasks", "2024"],
    ]
    assert texts["source_row"].tolist() == [rows[("30-11287", "advantages")], rows[("30-11287", "tasks")]]
    assert texts["value"].isna().all() and (texts["period_end"] == pd.Timestamp("2023-08-31")).all()
    rejects = result.rejects.set_index("row")
    assert (
        rejects.loc[moved, "sheet"] == TEXT_SHEET
        and "không rõ mục của báo cáo ('muc-khong-co')" in rejects.loc[moved, "reason"]
    )
    assert rejects.loc[stranger, "column"] == "unit" and f"dòng {stranger}" in rejects.loc[stranger, "reason"]
    assert result.report.rows_rejected == 2


def test_the_previous_periods_texts_are_carried_over_marked(template, tmp_path):
    wb = load_workbook(template)
    rows = text_rows(wb)
    wb[TEXT_SHEET].cell(rows[("30-11287", "tasks")], 4).value = "Tiếp tục đẩy mạnh chuyển đổi số."
    previous = tmp_path / "bieu-ky-truoc.xlsx"
    wb.save(previous)
    out = tmp_path / "bieu-ky-nay.xlsx"
    assert main(["template", "--period", "2023Q4", "--unit", "Thanh Giang", "--from-previous", str(previous),
                 "-o", str(out)]) == 0  # fmt: skip
    new = load_workbook(out)
    cell = new[TEXT_SHEET].cell(text_rows(new)[("30-11287", "tasks")], 4)
    assert cell.value == "[Nội dung kỳ trước – cần cập nhật] Tiếp tục đẩy mạnh chuyển đổi số."
    # carried twice, marked once
    again = tmp_path / "bieu-ky-sau.xlsx"
    assert main(["template", "--period", "2024Q1", "--unit", "Thanh Giang", "--from-previous", str(out),
                 "-o", str(again)]) == 0  # fmt: skip
    third = load_workbook(again)
    assert third[TEXT_SHEET].cell(text_rows(third)[("30-11287", "tasks")], 4).value == cell.value
    assert main(["template", "--period", "2024Q1", "--unit", "Thanh Giang", "--from-previous",
                 str(tmp_path / "khong-co.xlsx"), "-o", str(again)]) == 2  # fmt: skip


def test_texts_reach_the_store_and_never_count_as_figures(template, tmp_path):
    from cchc_analysis.indicators import compute_indicators

    wb = load_workbook(template)
    wb[TEXT_SHEET].cell(text_rows(wb)[("30-11287", "tasks")], 4).value = "Nhiệm vụ năm tới."
    cols, _ = columns(wb)
    row = next(r for r in range(7, 30) if wb[DATA_SHEET].cell(r, 1).value == "30-11287")
    wb[DATA_SHEET][f"{cols['reform_news']}{row}"] = 22
    (tmp_path / "raw").mkdir()
    wb.save(tmp_path / "raw" / "bieu.xlsx")
    assert ingest(tmp_path).refused == []
    manual = pd.read_parquet(tmp_path / "processed" / "manual.parquet").set_index("key")
    assert manual.loc["tasks", "text"] == "Nhiệm vụ năm tới." and manual.loc["reform_news", "value"] == 22
    (rec,) = compute_indicators(tmp_path, parse_period("2023-01-01..2023-08-31"), units=["Thanh Giang"])
    assert set(rec["manual"]) == {"reform_news"}
