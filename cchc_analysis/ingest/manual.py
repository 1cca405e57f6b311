"""The manual-input workbook: figures no system exports, typed once per period by an official.

``write_template`` makes the workbook (Vietnamese, one row per unit, data validation on every input cell, locked
headers, instructions); ``read_manual_input`` reads a filled one back with the same rules and a clear message for
each invalid cell. A hidden sheet carries the period and the meaning of each column, so the reader never guesses.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputFileError
from ..periods import Period
from ..registry import Unit, UnitRegistry
from .classify import MANUAL_INPUT_MARKER
from .common import ReadResult, start_report
from .dates import parse_datetimes

TEMPLATE_VERSION = 2  # 2: the sheet of the report's texts
DATA_SHEET = "Số liệu"
TEXT_SHEET = "Nội dung báo cáo"
TEXT_HEADER_ROWS = 5  # texts start on row 6
TEXT_GROUP = "text"  # the group of a text row in the store's manual table (its value is empty)
HEADER_ROWS = 6  # data starts on row 7
MANUAL_COLUMNS = [
    "unit_id",
    "period_start",
    "period_end",
    "group",
    "key",
    "value",
    "as_of",
    "source_file",
    "source_row",
    "text",
]
INPUT_COLOUR = "FFF2CC"  # the cells an official fills in


@dataclass(frozen=True)
class ManualField:
    key: str
    label: str
    group: str
    group_label: str
    of: str | None = None


@cache
def manual_groups() -> list[dict]:
    """The groups of figures, each with its fields, from ``data/manual_fields.yaml``."""
    text = (resources.files("cchc_analysis") / "data" / "manual_fields.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["groups"]


def _layout() -> list[tuple[str, ManualField | None, dict]]:
    """Columns after the two unit columns: ("as_of", None, group) or ("value", field, group)."""
    columns = []
    for group in manual_groups():
        columns.append(("as_of", None, group))
        for f in group["fields"]:
            columns.append(
                ("value", ManualField(f["key"], f["label"], group["key"], group["label"], f.get("of")), group)
            )
    return columns


def write_template(period: Period, units: list[Unit], carried: dict[tuple[str, str], str] | None = None) -> bytes:
    """The workbook for ``period`` with one row per unit (see the module docstring), and the sheet of the report's
    texts: a row per unit and part of the report. ``carried`` ((unit_id, part key) -> text, from the previous
    period's workbook) pre-fills the texts, each marked as a draft to update."""
    # openpyxl is imported where it is used: an ingest without manual input never loads it (0.2 s of start-up)
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    layout = _layout()
    first_col = 3
    last_col = first_col + len(layout) - 1
    _sheet_top(
        ws,
        "BIỂU NHẬP SỐ LIỆU CẢI CÁCH HÀNH CHÍNH (CÁC SỐ LIỆU KHÔNG CÓ TRÊN HỆ THỐNG)",
        period,
        "Chỉ nhập vào các ô màu vàng: số nguyên không âm; số 'đạt/hoàn thành' không vượt số tổng; mỗi nhóm "
        "ghi ngày số liệu (dd/mm/yyyy). Ô để trống nghĩa là chưa có số liệu. Xem trang «Hướng dẫn».",
        min(last_col, 14),
        32,
    )
    ws.cell(row=5, column=1, value="Mã đơn vị")
    ws.cell(row=5, column=2, value="Tên đơn vị")
    ws.merge_cells("A5:A6")
    ws.merge_cells("B5:B6")
    col = first_col
    meta_columns = {}
    for group in manual_groups():
        width = 1 + len(group["fields"])
        ws.cell(row=5, column=col, value=group["label"])
        ws.merge_cells(start_row=5, start_column=col, end_row=5, end_column=col + width - 1)
        ws.cell(row=6, column=col, value="Ngày số liệu")
        meta_columns[get_column_letter(col)] = {"group": group["key"], "kind": "as_of"}
        for i, f in enumerate(group["fields"], start=1):
            ws.cell(row=6, column=col + i, value=f["label"])
            meta_columns[get_column_letter(col + i)] = {
                "group": group["key"],
                "kind": "value",
                "key": f["key"],
                "of": f.get("of"),
            }
        col += width
    for c in range(1, last_col + 1):
        for r in (5, 6):
            cell = ws.cell(row=r, column=c)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > 2 else (12 if c == 1 else 26)
    ws.row_dimensions[6].height = 60
    n = len(units)
    last_row = HEADER_ROWS + max(n, 1)
    for r, unit in enumerate(units, start=HEADER_ROWS + 1):
        ws.cell(row=r, column=1, value=unit.unit_id)
        ws.cell(row=r, column=2, value=unit.full_name)
    _input_cells(ws, layout, first_col, last_row)
    ws.cell(row=6, column=first_col).comment = Comment("Ngày mà số liệu của nhóm này được chốt.", "cchc")
    ws.freeze_panes = ws.cell(row=HEADER_ROWS + 1, column=first_col)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    _text_sheet(wb.create_sheet(TEXT_SHEET), period, units, carried or {})
    _instructions(wb.create_sheet("Hướng dẫn"), period)
    # the reader's key
    meta = wb.create_sheet(MANUAL_INPUT_MARKER)
    meta["A1"] = json.dumps(
        {
            "version": TEMPLATE_VERSION,
            "period_id": period.id,
            "start": str(period.start),
            "end": str(period.end),
            "columns": meta_columns,
            "text_sheet": {"unit": "A", "text": "D", "key": "E", "first_row": TEXT_HEADER_ROWS + 1},
        },
        ensure_ascii=False,
    )
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _input_cells(ws, layout, first_col: int, last_row: int) -> None:
    """Unlock and colour the input cells, with Excel's validation: whole numbers >= 0, dates, and figures capped by
    the total they are part of."""
    from openpyxl.styles import PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        errorTitle="Giá trị không hợp lệ",
        error="Nhập số nguyên không âm.",
        showErrorMessage=True,
    )
    dates = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(2000,1,1)",
        formula2="DATE(2100,12,31)",
        allow_blank=True,
        errorTitle="Ngày không hợp lệ",
        error="Nhập ngày dạng dd/mm/yyyy.",
        showErrorMessage=True,
    )
    ws.add_data_validation(whole)
    ws.add_data_validation(dates)
    letters = {f.key: get_column_letter(first_col + i) for i, (_k, f, _g) in enumerate(layout) if f}
    for i, (kind, f, _g) in enumerate(layout):
        c = first_col + i
        letter = get_column_letter(c)
        rng = f"{letter}{HEADER_ROWS + 1}:{letter}{last_row}"
        if kind == "as_of":
            dates.add(rng)
        elif f.of:
            total = letters[f.of]
            capped = DataValidation(
                type="custom",
                formula1=f"AND(ISNUMBER({letter}{HEADER_ROWS + 1}),INT({letter}{HEADER_ROWS + 1})="
                f"{letter}{HEADER_ROWS + 1},{letter}{HEADER_ROWS + 1}>=0,{letter}{HEADER_ROWS + 1}<="
                f"{total}{HEADER_ROWS + 1})",
                allow_blank=True,
                errorTitle="Giá trị không hợp lệ",
                error=f"Nhập số nguyên không âm, không lớn hơn «{_label_of(f.of)}».",
                showErrorMessage=True,
            )
            ws.add_data_validation(capped)
            capped.add(rng)
        else:
            whole.add(rng)
        for r in range(HEADER_ROWS + 1, last_row + 1):
            cell = ws.cell(row=r, column=c)
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor=INPUT_COLOUR)
            if kind == "as_of":
                cell.number_format = "dd/mm/yyyy"


def _sheet_top(ws, title: str, period: Period, how: str, width: int, height: float) -> None:
    """A sheet's title, period and instructions (rows 1-3, the instructions merged over ``width`` columns)."""
    from openpyxl.styles import Alignment, Font

    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"Kỳ báo cáo: {period.label_vi} ({period.id})"
    ws["A3"] = how
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws.row_dimensions[3].height = height


def _text_sheet(ws, period: Period, units: list[Unit], carried: dict[tuple[str, str], str]) -> None:
    """The sheet of the report's texts: per unit, a row per part of the report the official writes (its heading
    and what to write), the text in column D; column E (hidden) keys the part for the reader."""
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    from ..outline import CARRIED_MARK, text_parts

    _sheet_top(
        ws,
        "NỘI DUNG BÁO CÁO CẢI CÁCH HÀNH CHÍNH (PHẦN LỜI VĂN)",
        period,
        "Viết nội dung của từng mục vào cột «Nội dung» (ô màu vàng; xuống dòng trong ô: Alt+Enter). Mục để trống sẽ "
        "hiện «[cần bổ sung: …]» trong bản dự thảo. Các số liệu lấy từ hệ thống và trang «Số liệu» do bộ công cụ tự "
        f"viết, không cần chép lại. Nội dung bắt đầu bằng «{CARRIED_MARK.strip()}» là của kỳ trước: sửa cho đúng kỳ "
        "này rồi xóa dấu đó.",
        4,
        48,
    )
    for col, label in enumerate(("Mã đơn vị", "Tên đơn vị", "Mục của báo cáo (nội dung cần viết)", "Nội dung"), 1):
        cell = ws.cell(row=TEXT_HEADER_ROWS, column=col, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    year = period.end.year
    r = TEXT_HEADER_ROWS + 1
    for unit in units:
        for part in text_parts():
            heading = part.heading(year).replace("\n", " – ") or "Mở đầu"
            ws.cell(row=r, column=1, value=unit.unit_id)
            ws.cell(row=r, column=2, value=unit.full_name)
            prompt = ws.cell(row=r, column=3, value=f"{heading}\n({part.text})")
            prompt.alignment = Alignment(wrap_text=True, vertical="top")
            text = ws.cell(row=r, column=4)
            previous = carried.get((unit.unit_id, part.key))
            if previous:
                text.value = CARRIED_MARK + previous.removeprefix(CARRIED_MARK)
            text.alignment = Alignment(wrap_text=True, vertical="top")
            text.protection = Protection(locked=False)
            text.fill = PatternFill("solid", fgColor=INPUT_COLOUR)
            ws.cell(row=r, column=5, value=part.key)
            r += 1
    for letter, width in (("A", 11), ("B", 18), ("C", 45), ("D", 100)):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["E"].hidden = True
    ws.freeze_panes = ws.cell(row=TEXT_HEADER_ROWS + 1, column=4)
    ws.protection.sheet = True
    ws.protection.formatRows = False  # the official may make a row taller to see a long text


def carried_texts(path: Path | str, registry: UnitRegistry) -> dict[tuple[str, str], str]:
    """The texts of a filled workbook ((unit_id, part key) -> text): the starting draft of the next period's."""
    result = read_manual_input(path, registry)
    texts = result.dossiers[result.dossiers["group"] == TEXT_GROUP]
    return {(r.unit_id, r.key): r.text for r in texts.itertuples()}


def _instructions(guide, period: Period) -> None:
    """The workbook's «Hướng dẫn» sheet: how to fill the data sheet, and every figure with its cap."""
    from openpyxl.styles import Font

    guide["A1"] = "HƯỚNG DẪN NHẬP SỐ LIỆU"
    guide["A1"].font = Font(bold=True)
    lines = [
        f"Kỳ báo cáo: {period.label_vi}. Mỗi dòng của trang «{DATA_SHEET}» là một đơn vị; không sửa cột mã và tên.",
        "Ô màu vàng là ô nhập. Để trống nếu chưa có số liệu; không ghi chữ, không ghi 0 thay cho 'chưa có'.",
        "Mỗi nhóm có cột «Ngày số liệu»: ngày chốt số liệu của nhóm đó (có thể khác ngày cuối kỳ).",
        "Số 'đạt', 'hoàn thành', 'đúng hạn' không được lớn hơn số tổng tương ứng.",
        "Lưu tệp dạng .xlsx và chép vào thư mục data/raw/ rồi chạy: cchc ingest.",
    ]
    for i, text in enumerate(lines, start=3):
        guide.cell(row=i, column=1, value=text)
    r = len(lines) + 4
    for group in manual_groups():
        guide.cell(row=r, column=1, value=group["label"]).font = Font(bold=True)
        r += 1
        for f in group["fields"]:
            note = f" (không lớn hơn «{_label_of(f['of'])}»)" if f.get("of") else ""
            guide.cell(row=r, column=1, value=f"  - {f['label']}{note}")
            r += 1
    guide.column_dimensions["A"].width = 110
    guide.protection.sheet = True


def _label_of(key: str) -> str:
    for group in manual_groups():
        for f in group["fields"]:
            if f["key"] == key:
                return f["label"]
    return key


def read_manual_input(path: Path | str, registry: UnitRegistry, *, raw_root=None) -> ReadResult:
    """Read a filled manual-input workbook back: one row per unit and figure, with its "as of" date.

    Every invalid cell is reported with its sheet, cell, figure, unit, value and what was expected, and left out.
    """
    from openpyxl import load_workbook

    path, report = start_report(path, raw_root, "manual_input")
    try:
        wb = load_workbook(path, data_only=True)
        meta = json.loads(wb[MANUAL_INPUT_MARKER]["A1"].value)
        ws = wb[DATA_SHEET]
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise InputFileError(
            f"{path}: biểu nhập liệu bị sửa cấu trúc hoặc hỏng ({exc}); hãy tạo lại bằng cchc template."
        ) from None
    start, end = dt.date.fromisoformat(meta["start"]), dt.date.fromisoformat(meta["end"])
    report.period_start, report.period_end, report.period_source = meta["start"], meta["end"], "template"
    columns = meta["columns"]
    records, rejects = [], []

    def reject(cell, label, unit_name, value, expected):
        rejects.append(
            {
                "file": report.file,
                "sheet": DATA_SHEET,
                "row": cell.row,
                "column": label,
                "value": "" if value is None else str(value),
                "reason": f"ô {cell.coordinate} («{label}», {unit_name}): {expected}",
                "action": "value_dropped",
            }
        )

    key_letter = {c["key"]: letter for letter, c in columns.items() if c["kind"] == "value"}
    for row in ws.iter_rows(min_row=HEADER_ROWS + 1):
        unit_cell = row[0]
        if unit_cell.value in (None, ""):
            continue
        report.rows_read += 1
        try:
            unit = registry.lookup(str(unit_cell.value), on=end)
        except Exception as exc:  # noqa: BLE001 - UnitLookupError: report the row
            rejects.append(
                {
                    "file": report.file,
                    "sheet": DATA_SHEET,
                    "row": unit_cell.row,
                    "column": "unit",
                    "value": str(unit_cell.value),
                    "reason": str(exc),
                    "action": "row_rejected",
                }
            )
            report.rows_rejected += 1
            continue
        cells = {c.column_letter: c for c in row}
        values: dict[str, int] = {}
        as_of: dict[str, dt.date | None] = {}
        for letter, spec in columns.items():
            cell = cells.get(letter)
            value = cell.value if cell is not None else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if spec["kind"] == "as_of":
                parsed, invalid = parse_datetimes(pd.Series([value], dtype=object))
                if invalid[0]:
                    reject(cell, "Ngày số liệu", unit.full_name, value, "ngày không hợp lệ, cần dd/mm/yyyy")
                    continue
                as_of[spec["group"]] = parsed[0].date()
                if as_of[spec["group"]] > end + dt.timedelta(days=90):
                    report.warnings.append(
                        f"Ô {cell.coordinate} ({unit.full_name}): ngày số liệu {as_of[spec['group']]:%d/%m/%Y} "
                        f"sau cuối kỳ {end:%d/%m/%Y} hơn 90 ngày."
                    )
                continue
            number = _whole(value)
            label = _label_of(spec["key"])
            if number is None:
                reject(cell, label, unit.full_name, value, "cần số nguyên không âm")
                continue
            values[spec["key"]] = number
        _drop_over_totals(values, columns, cells, key_letter, unit.full_name, reject)
        for letter, spec in columns.items():
            key = spec.get("key")
            if spec["kind"] == "value" and key in values:
                group = spec["group"]
                if group not in as_of:
                    report.warnings.append(
                        f"{unit.full_name}: nhóm «{_group_label(group)}» có số liệu nhưng thiếu ngày số liệu; "
                        f"dùng ngày cuối kỳ {end:%d/%m/%Y}."
                    )
                    as_of[group] = end
                records.append(
                    {
                        "unit_id": unit.unit_id,
                        "period_start": pd.Timestamp(start),
                        "period_end": pd.Timestamp(end),
                        "group": group,
                        "key": key,
                        "value": values[key],
                        "as_of": pd.Timestamp(as_of[group]),
                        "source_file": report.file,
                        "source_row": cells[letter].row,
                        "text": None,
                    }
                )
    if meta.get("text_sheet") and TEXT_SHEET in wb.sheetnames:
        records += _read_texts(wb[TEXT_SHEET], meta["text_sheet"], registry, start, end, report, rejects)
    report.rows_kept = report.rows_read - report.rows_rejected
    for r in rejects:
        report.warnings.append(r["reason"])
    frame = pd.DataFrame(records, columns=MANUAL_COLUMNS)
    rej = pd.DataFrame(rejects, columns=["file", "sheet", "row", "column", "value", "reason", "action"])
    return ReadResult(frame, rej, report)


def _read_texts(ws, layout: dict, registry: UnitRegistry, start, end, report, rejects: list) -> list[dict]:
    """The report's texts: a record per unit and part written (an empty text is no record: the part is to write)."""
    from openpyxl.utils import column_index_from_string

    from ..outline import text_parts

    known = {p.key for p in text_parts()}
    unit_col, text_col, key_col = (column_index_from_string(layout[k]) - 1 for k in ("unit", "text", "key"))
    records = []

    def reject(row: int, column: str, value, reason: str) -> None:
        rejects.append(
            {
                "file": report.file,
                "sheet": TEXT_SHEET,
                "row": row,
                "column": column,
                "value": "" if value is None else str(value)[:80],
                "reason": reason,
                "action": "row_rejected",
            }
        )
        report.rows_rejected += 1

    for row in ws.iter_rows(min_row=int(layout["first_row"])):
        cells = [c.value for c in row]
        value = cells[text_col] if len(cells) > text_col else None
        text = str(value).strip() if value is not None else ""
        if not text:
            continue
        report.rows_read += 1
        where = f"trang «{TEXT_SHEET}», dòng {row[0].row}"
        key = cells[key_col] if len(cells) > key_col else None
        if key not in known:
            reject(
                row[0].row,
                "Mục",
                key,
                f"{where}: không rõ mục của báo cáo ({key!r}); hãy tạo lại biểu bằng "
                "cchc template và chép nội dung sang",
            )
            continue
        try:
            unit = registry.lookup(str(cells[unit_col]), on=end)
        except Exception as exc:  # noqa: BLE001 - UnitLookupError: report the row
            reject(row[0].row, "unit", cells[unit_col], f"{where}: {exc}")
            continue
        records.append(
            {
                "unit_id": unit.unit_id,
                "period_start": pd.Timestamp(start),
                "period_end": pd.Timestamp(end),
                "group": TEXT_GROUP,
                "key": key,
                "value": None,
                "as_of": pd.Timestamp(end),
                "source_file": report.file,
                "source_row": row[0].row,
                "text": text,
            }
        )
    return records


def _drop_over_totals(values: dict, columns: dict, cells: dict, key_letter: dict, unit_name: str, reject) -> None:
    """Reject (and drop) each figure larger than the total it is part of ("đạt" over "tổng số")."""
    for letter, spec in columns.items():
        key = spec.get("key")
        if spec["kind"] != "value" or key not in values or not spec.get("of"):
            continue
        total = values.get(spec["of"])
        if total is not None and values[key] > total:
            cell = cells[letter]
            reject(
                cell,
                _label_of(key),
                unit_name,
                values[key],
                f"lớn hơn «{_label_of(spec['of'])}» ({total}) ở ô {key_letter[spec['of']]}{cell.row}",
            )
            del values[key]


def _group_label(key: str) -> str:
    return next((g["label"] for g in manual_groups() if g["key"] == key), key)


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(".", "")
        return int(text) if text.isdigit() else None
    return None
