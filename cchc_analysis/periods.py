"""Reporting periods: "2023Q3", "2023-08", "2023", "2023H1" and "2023-01-01..2023-08-31", calendar by default."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .errors import ConfigError


@dataclass(frozen=True)
class Period:
    """A closed date range with a canonical id usable as a folder name."""

    start: dt.date
    end: dt.date
    id: str
    kind: str  # year, half, quarter, month, range

    @property
    def label_vi(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """Parse a period.

    Examples
    --------
    >>> parse_period("2023Q3").end
    datetime.date(2023, 9, 30)
    >>> parse_period("2023-01-01..2023-08-31").id
    '2023-01-01_2023-08-31'
    """
    t = str(text).strip().upper()
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m.group(1))
        return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}", "year")
    if m := re.fullmatch(r"(\d{4})H([12])", t):
        y, h = int(m.group(1)), int(m.group(2))
        return Period(dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h), f"{y}H{h}", "half")
    if m := re.fullmatch(r"(\d{4})Q([1-4])", t):
        y, q = int(m.group(1)), int(m.group(2))
        return Period(dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}Q{q}", "quarter")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return Period(dt.date(y, mo, 1), _month_end(y, mo), f"{y}-{mo:02d}", "month")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", t):
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError:
            start = end = None
        if start and end and start <= end:
            return Period(start, end, f"{start}_{end}", "range")
    raise ConfigError(
        f"Kỳ '{text}' không hợp lệ. Dùng một trong các dạng: 2023 (năm), 2023H1 (6 tháng), 2023Q3 (quý), "
        "2023-08 (tháng), 2023-01-01..2023-08-31 (khoảng ngày)."
    )
