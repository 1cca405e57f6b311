"""The manual-input workbook: written for a period, filled by hand, read back with cell-level checks."""

import datetime as dt
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from cchc_analysis.cli import main
from cchc_analysis.ingest.classify import MANUAL_INPUT_MARKER, classify
from cchc_analysis.ingest.grid import read_grids
from cchc_analysis.ingest.manual import DATA_SHEET, read_manual_input, write_template
from cchc_analysis.periods import parse_period
from cchc_analysis.registry import UnitRegistry
from cchc_analysis.store import ingest

REG = UnitRegistry.shipped()


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
