"""Reader of PAR-index (Chỉ số CCHC) scoring sheets: every unit's score per component, with the sheet's maxima."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..errors import InputFileError, UnitLookupError
from ..registry import UnitRegistry
from ..text import clean_text, fold, to_unicode_many, vn_decimal
from .common import ReadResult, start_report
from .grid import Grid, read_grids
from .parse import parse_decimal

PAR_COLUMNS = [
    "unit_id",
    "year",
    "published_date",
    "component",
    "score",
    "max_score",
    "total_score",
    "official_rank",
    "source_file",
    "source_row",
]
_MAX_IN_HEADER = re.compile(r"\(?\s*(?:tối đa\s*:?\s*)?(\d+(?:[.,]\d+)?)\s*(?:điểm|đ)\s*\)?\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\bnam\s+(\d{4})\b")
_DECISION_DATE = re.compile(r"ngày\s+(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", re.IGNORECASE)
_DECISION_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
SKIP_COLUMN_WORDS = ("stt", "so tt", "tt", "ghi chu", "xep loai")


def _labels(grid: Grid, r: int) -> list[str]:
    row = grid.rows[r] if r < len(grid.rows) else []
    return to_unicode_many([clean_text(v) if isinstance(v, str) else "" for v in row])


def read_par(path: Path | str, registry: UnitRegistry, *, raw_root=None, grids: list[Grid] | None = None) -> ReadResult:
    """Read a PAR-index sheet: one row per unit and component (see :data:`PAR_COLUMNS`).

    Maxima are read from the sheet: a row labelled "Điểm tối đa" or the header text "(11,5 điểm)". The total is
    checked against the sum of the components, the sheet's own rank kept for comparison, the year and the
    deciding document's date taken from the title. Units are resolved through the registry; rows that name no
    known unit are reported (signature rows below the table hold no scores and are skipped).
    """
    path, report = start_report(path, raw_root, "par")
    grids = grids if grids is not None else read_grids(path, columnar=False)
    grid = max(grids, key=lambda g: g.height)
    header_row, unit_col, total_col, rank_col = _find_header(grid)
    if header_row is None:
        raise InputFileError(
            f"{path}: không tìm thấy dòng tiêu đề của bảng điểm (cần các cột «Đơn vị» và «Tổng điểm»)."
        )
    names, maxima, two_rows = _components(grid, header_row, unit_col, total_col)
    if not names:
        raise InputFileError(f"{path}: bảng điểm không có cột chỉ số thành phần nào giữa «Đơn vị» và «Tổng điểm».")
    first_data = header_row + (2 if two_rows else 1)
    title = [
        clean_text(" ".join(to_unicode_many([c for c in r if isinstance(c, str)]))) for r in grid.rows[:header_row]
    ]
    year, published = _year_and_date(title)
    if year is None:
        raise InputFileError(f"{path}: không xác định được năm chấm điểm (cần 'NĂM 2022' trong tiêu đề).")
    report.period_start, report.period_end, report.period_source = f"{year}-01-01", f"{year}-12-31", "title"
    on = dt.date(year, 12, 31)
    records, rejects, units_seen = [], [], []
    for r in range(first_data, len(grid.rows)):
        row = grid.rows[r]
        labels = _labels(grid, r)
        unit_text = labels[unit_col] if unit_col < len(labels) else ""
        scores, invalid = parse_decimal(pd.Series([row[c] if c < len(row) else None for c in names], dtype=object))
        if "toi da" in fold(unit_text):
            for (c, _name), v in zip(names.items(), scores, strict=True):
                if pd.notna(v):
                    maxima[c] = float(v)
            report.rows_skipped += 1
            continue
        if scores.notna().sum() == 0:
            report.rows_skipped += 1  # blank, notes, signatures
            continue
        report.rows_read += 1
        try:
            unit = registry.lookup(unit_text, on=on)
        except UnitLookupError as exc:
            rejects.append(
                {
                    "file": report.file,
                    "sheet": grid.sheet,
                    "row": r + 1,
                    "column": "unit",
                    "value": unit_text,
                    "reason": str(exc),
                    "action": "row_rejected",
                }
            )
            report.rows_rejected += 1
            continue
        total, _ = parse_decimal(pd.Series([row[total_col] if total_col < len(row) else None], dtype=object))
        rank = row[rank_col] if rank_col is not None and rank_col < len(row) else None
        rank = int(rank) if isinstance(rank, (int, float)) and not pd.isna(rank) else None
        comp_sum = float(scores.sum())
        if pd.notna(total[0]) and abs(total[0] - comp_sum) > 0.0015:
            report.warnings.append(
                f"{unit.full_name}: tổng điểm ghi {vn_decimal(total[0], 3)} khác tổng các chỉ số thành phần "
                f"{vn_decimal(comp_sum, 3)}."
            )
        for (c, name), v, bad in zip(names.items(), scores, invalid, strict=True):
            if bad:
                rejects.append(
                    {
                        "file": report.file,
                        "sheet": grid.sheet,
                        "row": r + 1,
                        "column": name,
                        "value": str(row[c]),
                        "reason": "điểm không đọc được",
                        "action": "value_dropped",
                    }
                )
            records.append(
                {
                    "unit_id": unit.unit_id,
                    "component": name,
                    "score": v,
                    "_col": c,
                    "total_score": total[0],
                    "official_rank": rank,
                    "source_row": r + 1,
                }
            )
        units_seen.append(unit)
    if not records:
        raise InputFileError(f"{path}: bảng điểm không có đơn vị nào đọc được.")
    missing_max = [names[c] for c in names if c not in maxima]
    if missing_max:
        raise InputFileError(
            f"{path}: không đọc được điểm tối đa của: {', '.join(missing_max)} (cần dòng «Điểm tối đa» hoặc "
            "tiêu đề dạng «(11,5 điểm)»)."
        )
    frame = pd.DataFrame(records)
    frame["max_score"] = frame.pop("_col").map(maxima)
    frame["year"] = year
    frame["published_date"] = pd.Timestamp(published) if published else pd.NaT
    frame["source_file"] = report.file
    groups = _sheet_warnings(frame, units_seen, registry, on, report)
    dup = frame.drop_duplicates(["unit_id", "component"]).shape[0] != frame.shape[0]
    if dup:
        report.warnings.append("Một đơn vị xuất hiện nhiều lần trong bảng điểm; giữ dòng đầu tiên.")
        frame = frame.drop_duplicates(["unit_id", "component"], keep="first")
    report.rows_kept = report.rows_read - report.rows_rejected
    if len(groups) == 1:
        report.unit_name = next(iter(groups))
    rej = pd.DataFrame(rejects, columns=["file", "sheet", "row", "column", "value", "reason", "action"])
    return ReadResult(frame[PAR_COLUMNS].reset_index(drop=True), rej, report)


def _sheet_warnings(frame: pd.DataFrame, units_seen: list, registry: UnitRegistry, on: dt.date, report) -> set[str]:
    """Warn of scores above their maximum and of units of the sheet's groups the sheet lacks; the groups seen."""
    over = frame[frame["score"] > frame["max_score"] + 1e-9]
    for _, o in over.iterrows():
        report.warnings.append(
            f"{o['unit_id']}: điểm «{o['component']}» {o['score']} vượt điểm tối đa {o['max_score']}."
        )
    groups = {u.group for u in units_seen}
    seen = {u.unit_id for u in units_seen}
    for group in sorted(groups):
        for u in registry.units(group=group, on=on):
            if u.unit_id not in seen:
                report.warnings.append(f"Bảng điểm thiếu đơn vị {u.full_name} ({group}).")
    return groups


def _components(grid: Grid, header_row: int, unit_col: int, total_col: int) -> tuple[dict, dict, bool]:
    """The component columns between the unit and the total (column -> name), the maxima their headers state
    ("(11,5 điểm)") and whether the header has two rows (components named on the second)."""
    top = _labels(grid, header_row)
    sub = _labels(grid, header_row + 1)
    sub_numbers, _ = parse_decimal(pd.Series(sub[unit_col + 1 : total_col], dtype=object))
    two_rows = (
        not sub[unit_col]  # the unit column is merged over both header rows
        and sum(1 for c in range(unit_col + 1, total_col) if sub[c]) >= 2
        and sub_numbers.isna().all()
    )
    names = {}
    maxima: dict[int, float] = {}
    for c in range(unit_col + 1, total_col):
        label = sub[c] if two_rows and sub[c] else top[c]
        if not label or fold(label) in SKIP_COLUMN_WORDS:
            continue
        m = _MAX_IN_HEADER.search(label)
        if m:
            maxima[c] = float(m.group(1).replace(",", "."))
            label = clean_text(label[: m.start()]).rstrip(" (:-")
        names[c] = label
    return names, maxima, two_rows


def _find_header(grid: Grid) -> tuple[int | None, int, int, int | None]:
    for r in range(min(len(grid.rows), 40)):
        keys = [fold(t) for t in _labels(grid, r)]
        unit = next((c for c, k in enumerate(keys) if k in ("don vi", "ten don vi", "xa thi tran", "don vi xa")), None)
        total = next((c for c, k in enumerate(keys) if k.startswith("tong diem") or k == "tong"), None)
        if unit is not None and total is not None and total > unit:
            rank = next((c for c, k in enumerate(keys) if k.startswith(("xep hang", "xep thu", "thu hang"))), None)
            return r, unit, total, rank
    return None, -1, -1, None


def _year_and_date(title: list[str]) -> tuple[int | None, dt.date | None]:
    year = None
    for line in title:
        m = _YEAR.search(fold(line))
        if m:
            year = int(m.group(1))
            break
    published = None
    for line in title:
        m = _DECISION_DATE.search(line) or _DECISION_WORDS.search(line)
        if m:
            try:
                published = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                published = None
            break
    return year, published
