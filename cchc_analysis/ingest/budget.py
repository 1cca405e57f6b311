"""Reader of commune budget execution reports (State Treasury, TABMIS, commune accounting software).

Lines form a hierarchy marked A, B / I, II / 1, 2 / 1.1 with subtotals. The reader rebuilds it, checks every
group of children against its parent, and returns tidy lines with their path and level, so that nothing is ever
added twice: totals are the level-0 lines, leaves have ``is_leaf``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..registry import UnitRegistry
from ..text import clean_text, fold, to_unicode_many, vn_int
from .common import ReadResult, find_header, resolve_unit, start_report, title_lines
from .grid import Grid
from .headers import source_vocabulary
from .parse import parse_amounts

BUDGET_COLUMNS = [
    "unit_id",
    "fiscal_year",
    "as_of",
    "section",
    "line_path",
    "stt",
    "code",
    "name",
    "level",
    "is_leaf",
    "estimate",
    "adjusted_estimate",
    "actual_period",
    "actual_cumulative",
    "source_file",
    "source_row",
]
MONEY_FIELDS = ("estimate", "adjusted_estimate", "actual_period", "actual_cumulative")

_ROMAN = re.compile(r"^(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})$")
_LETTER = re.compile(r"^[A-Z]$")
_ARABIC = re.compile(r"^\d{1,3}$")
_DECIMAL = re.compile(r"^\d{1,3}(\.\d{1,3})+$")
_BULLET = re.compile(r"^([-–+*•]|[a-zđ]\))$")
_MONEY_UNIT = re.compile(r"\b(?:don vi tinh|dvt|don vi)\s*:?\s*(trieu dong|nghin dong|ngan dong|dong|ty dong)\b")
_RANGE = re.compile(r"(\d{1,2}/\d{1,2}/\d{4}).{0,30}?(\d{1,2}/\d{1,2}/\d{4})")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})\s+(?:nam\s+)?(\d{4})\b")
_QUARTER = re.compile(r"\bquy\s+(i{1,3}|iv|[1-4])\s+(?:nam\s+)?(\d{4})\b")
_HALF = re.compile(r"\b(6|sau)\s+thang\s+(?:dau\s+)?nam\s+(\d{4})\b")
_NINE = re.compile(r"\b(9|chin)\s+thang\s+(?:dau\s+)?nam\s+(\d{4})\b")
_YEAR = re.compile(r"\bnam\s+(\d{4})\b")


def money_unit(lines: list[str]) -> int | None:
    """đồng per unit of the table's amounts, from its "Đơn vị tính" line (None when not stated)."""
    for line in lines:
        m = _MONEY_UNIT.search(fold(line))
        if m:
            return {
                "dong": 1,
                "nghin dong": 1_000,
                "ngan dong": 1_000,
                "trieu dong": 1_000_000,
                "ty dong": 1_000_000_000,
            }[m.group(1)]
    return None


def stated_as_of(lines: list[str]) -> tuple[dt.date | None, str]:
    """The end of the period a report covers, from its title rows, never from the signing date below the table.

    Understands "Từ ngày 01/01/2023 đến ngày 31/08/2023", "Tháng 8 năm 2023", "Quý III/2023", "6 tháng đầu năm
    2023", "9 tháng năm 2023" and, last, "Năm 2023".
    """
    folded = [fold(x) for x in lines]
    for line in lines:
        m = _RANGE.search(line)
        if m:
            try:
                return dt.datetime.strptime(m.group(2), "%d/%m/%Y").date(), "range"
            except ValueError:
                pass
    for key in folded:
        m = _MONTH.search(key)
        if m and 1 <= int(m.group(1)) <= 12:
            y, mo = int(m.group(2)), int(m.group(1))
            return dt.date(y, mo, calendar.monthrange(y, mo)[1]), "month"
        m = _QUARTER.search(key)
        if m:
            q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m.group(1), None) or int(m.group(1))
            y = int(m.group(2))
            return dt.date(y, q * 3, calendar.monthrange(y, q * 3)[1]), "quarter"
        m = _HALF.search(key)
        if m:
            return dt.date(int(m.group(2)), 6, 30), "half"
        m = _NINE.search(key)
        if m:
            return dt.date(int(m.group(2)), 9, 30), "nine months"
    for key in folded:
        m = _YEAR.search(key)
        if m:
            return dt.date(int(m.group(1)), 12, 31), "year"
    return None, ""


def _decimals(raw: pd.Series) -> int:
    """The most decimal places written in a column of amounts (numbers or "1.234,567" text)."""
    most = 0
    for v in raw:
        if isinstance(v, float) and not pd.isna(v) and not v.is_integer():
            most = max(most, len(repr(v).split(".")[1].rstrip("0")))
        elif isinstance(v, str) and "," in v:
            most = max(most, len(v.rsplit(",", 1)[1].strip()))
    return min(most, 6)


def _kind(stt: str, last_letter: str | None) -> tuple[str, int] | None:
    """(kind, rank) of a line number: letter 0, roman 1, arabic 2, decimal 2+dots, bullet 9.

    A bare "I" (or "V", "X") is a section letter only right after "H" (or "U", "W"); otherwise a roman numeral.
    """
    s = stt.strip().rstrip(".").strip()
    if not s:
        return None
    if s in ("I", "V", "X") and last_letter and ord(s) == ord(last_letter) + 1:
        return "letter", 0
    if _ROMAN.match(s):
        return "roman", 1
    if _LETTER.match(s):
        return "letter", 0
    if _DECIMAL.match(s):
        return "decimal", 2 + s.count(".")
    if _ARABIC.match(s):
        return "arabic", 2
    if _BULLET.match(s.lower()):
        return "bullet", 9
    return None


def read_budget(
    path: Path | str, registry: UnitRegistry, *, raw_root=None, assume_unit=None, grids: list[Grid] | None = None
) -> ReadResult:
    """Read a budget execution report into tidy lines (see :data:`BUDGET_COLUMNS`), amounts in đồng.

    Checks each group of children against its parent (for the estimate and the cumulative actual) and reports
    every mismatch with both amounts.
    """
    path, report = start_report(path, raw_root, "budget")
    vocab = source_vocabulary("budget")
    grid, match = find_header(path, grids, vocab)
    cols = match.columns
    title = title_lines(grid, match.data_start)
    unit_of_money = money_unit(title)
    if unit_of_money is None:
        unit_of_money = 1
        report.warnings.append("Không thấy dòng 'Đơn vị tính'; coi số tiền là đồng.")
    as_of, how = stated_as_of(title[: match.first_row])
    if as_of is None:
        raise InputFileError(f"{path}: không xác định được kỳ báo cáo (cần 'Từ ngày … đến ngày …', 'Tháng M năm Y'…).")
    report.period_start, report.period_end, report.period_source = str(dt.date(as_of.year, 1, 1)), str(as_of), how
    unit, source = resolve_unit(
        path, title[: match.first_row], registry, as_of, raw_root, assume_unit, "báo cáo ngân sách"
    )
    report.unit_id, report.unit_name, report.unit_source = unit.unit_id, unit.full_name, source

    body = grid.rows[match.data_start :]
    parsed, step = _amounts(body, cols, unit_of_money)
    names = to_unicode_many(
        [r[cols["name"]] if cols["name"] < len(r) and isinstance(r[cols["name"]], str) else "" for r in body]
    )
    lines = []
    stack: list[dict] = []
    last_letter = None
    for offset, row in enumerate(body):
        sheet_row = match.data_start + 1 + offset
        name = clean_text(names[offset])
        raw_stt = row[cols["stt"]] if "stt" in cols and cols["stt"] < len(row) else ""
        stt = clean_text(str(int(raw_stt)) if isinstance(raw_stt, float) and raw_stt.is_integer() else raw_stt or "")
        amounts = {f: (None if pd.isna(v[offset]) else float(v[offset])) for f, v in parsed.items()}
        if not name or all(v is None for v in amounts.values()):
            report.rows_skipped += 1  # blank, notes, signatures
            continue
        kind = _kind(stt, last_letter) if stt else None
        if kind is None:
            kind = ("bullet", 9) if stack else ("letter", 0)
        if kind[0] == "letter":
            last_letter = stt.strip().rstrip(".") or last_letter
        while stack and stack[-1]["rank"] >= kind[1]:
            stack.pop()
        parent = stack[-1] if stack else None
        label = stt.strip().rstrip(".") or "-"
        node = {
            "stt": stt,
            "name": name,
            "rank": kind[1],
            "level": len(stack),
            "parent": parent,
            "path": (parent["path"] + "/" if parent else "") + label,
            "code": clean_text(row[cols["code"]]) if "code" in cols and cols["code"] < len(row) else "",
            "row": sheet_row,
            "children": [],
            **amounts,
        }
        if isinstance(row[cols["code"]] if "code" in cols and cols["code"] < len(row) else None, (int, float)):
            node["code"] = str(int(row[cols["code"]]))
        if parent:
            parent["children"].append(node)
        stack.append(node)
        lines.append(node)
        report.rows_read += 1
    if not lines:
        raise InputFileError(f"{path}: báo cáo ngân sách không có dòng số liệu nào.")
    for node in lines:
        kids = node["children"]
        if not kids or any(k["rank"] == 9 or fold(k["name"]).startswith("trong do") for k in kids):
            continue  # "of which" lines ("- Trong đó: …") detail a part of their parent, not all of it
        tol = 0.5 * step * (len(kids) + 1) + 1e-6  # each line rounded to the table's last digit
        for f, label in (("estimate", "dự toán"), ("actual_cumulative", "lũy kế")):
            if node.get(f) is None or any(k.get(f) is None for k in kids):
                continue
            total = sum(k[f] for k in kids)
            if abs(total - node[f]) > tol:
                report.warnings.append(
                    f"Dòng {node['row']} «{node['name']}»: {label} {vn_int(round(node[f]))} đồng khác tổng các dòng "
                    f"con {vn_int(round(total))} đồng (chênh {vn_int(round(node[f] - total))})."
                )
    frame = pd.DataFrame(
        [
            {
                "unit_id": unit.unit_id,
                "fiscal_year": as_of.year,
                "as_of": pd.Timestamp(as_of),
                "section": _section(n),
                "line_path": n["path"],
                "stt": n["stt"],
                "code": n["code"] or None,
                "name": n["name"],
                "level": n["level"],
                "is_leaf": not n["children"],
                **{f: n.get(f) for f in MONEY_FIELDS},
                "source_file": report.file,
                "source_row": n["row"],
            }
            for n in lines
        ]
    )
    for f in MONEY_FIELDS:
        frame[f] = frame[f].astype("float64").round(0)
    report.rows_kept = len(frame)
    return ReadResult(
        frame[BUDGET_COLUMNS],
        pd.DataFrame(columns=["file", "sheet", "row", "column", "value", "reason", "action"]),
        report,
    )


def _amounts(body: list, cols: dict, unit_of_money: float) -> tuple[dict, float]:
    """Each money column in đồng (unreadable cells missing) and the rounding step of the table's figures."""
    parsed = {}
    decimals = 0
    for f in MONEY_FIELDS:
        if f in cols:
            raw = pd.Series([r[cols[f]] if cols[f] < len(r) else None for r in body], dtype=object)
            values, invalid = parse_amounts(raw)
            parsed[f] = values.where(~invalid) * unit_of_money
            decimals = max(decimals, _decimals(raw))
    step = unit_of_money / 10 ** min(decimals, 6) if unit_of_money > 1 else 1.0
    return parsed, step


def _section(node: dict) -> str:
    """revenue or expenditure, from the top-level ancestor's name ("TỔNG THU…", "B. CHI NGÂN SÁCH")."""
    top = node
    while top["parent"] is not None:
        top = top["parent"]
    key = fold(top["name"])
    if re.search(r"\bthu\b", key):
        return "revenue"
    if re.search(r"\bchi\b", key):
        return "expenditure"
    return "other"


def budget_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """The level-0 revenue and expenditure totals of each report (unit, as-of): estimate and cumulative actual."""
    top = lines[(lines["level"] == 0) & lines["section"].isin(["revenue", "expenditure"])]
    return top.groupby(["unit_id", "fiscal_year", "as_of", "section"], as_index=False)[
        ["estimate", "adjusted_estimate", "actual_cumulative"]
    ].sum(min_count=1)


__all__ = ["BUDGET_COLUMNS", "budget_totals", "money_unit", "read_budget", "stated_as_of"]
