"""Reporting periods: "2023Q3", "2023-08", "2023", "2023H1" and "2023-01-01..2023-08-31", calendar by default, and
the forms an official writes ("Quý III/2023", "6 tháng đầu năm 2023", "8 tháng năm 2023", "Tháng 8/2023", "Năm
2023", "01/07/2023-30/09/2023"), which become the same periods with the same ids."""

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


def parse_period(text: str, cutoff: str = "calendar") -> Period:
    """Parse a period.

    ``cutoff="official"`` gives the cut-off of periodic reports (Decree 09/2019/NĐ-CP, uncertain: verify the
    article): from the 15th of the month before the period to the 14th of its last month. A date range is kept
    as written.

    Examples
    --------
    >>> parse_period("2023Q3").end
    datetime.date(2023, 9, 30)
    >>> parse_period("2023-01-01..2023-08-31").id
    '2023-01-01_2023-08-31'
    """
    if str(text).strip().lower().endswith("-official"):  # an official period's id (see period_spec)
        text, cutoff = str(text).strip()[: -len("-official")], "official"
    period = _parse_calendar(text)
    if cutoff == "official" and period.kind != "range":
        first = period.start.replace(day=1)
        before = (first - dt.timedelta(days=1)).replace(day=15)
        return Period(before, period.end.replace(day=14), period.id + "-official", period.kind)
    if cutoff not in ("calendar", "official"):
        raise ConfigError(f"Cách tính kỳ '{cutoff}' không hợp lệ: dùng 'calendar' hoặc 'official'.")
    return period


def period_spec(period: Period) -> str:
    """The text ``parse_period`` turns back into ``period`` with its kind and id: the id ("2023Q3",
    "2023Q3-official"), or "start..end" for a range. How a period travels to notebooks and worker processes."""
    return f"{period.start}..{period.end}" if period.kind == "range" else period.id


def previous_period(period: Period) -> Period:
    """The previous comparable period: the one just before for months, quarters, halves and years; the same
    dates a year earlier for a custom range."""
    official = period.id.endswith("-official")
    base = period.id.removesuffix("-official")
    if period.kind == "range":
        start = _year_earlier(period.start)
        end = _year_earlier(period.end)
        return Period(start, end, f"{start}_{end}", "range")
    y = int(base[:4])
    if period.kind == "year":
        prev = f"{y - 1}"
    elif period.kind == "half":
        h = int(base[-1])
        prev = f"{y}H1" if h == 2 else f"{y - 1}H2"
    elif period.kind == "quarter":
        q = int(base[-1])
        prev = f"{y}Q{q - 1}" if q > 1 else f"{y - 1}Q4"
    else:
        m = int(base[5:7])
        prev = f"{y}-{m - 1:02d}" if m > 1 else f"{y - 1}-12"
    return parse_period(prev, "official" if official else "calendar")


def same_period_last_year(period: Period) -> Period:
    """The same period a year earlier ("cùng kỳ năm trước"): 2023Q3 -> 2022Q3, 2023-08 -> 2022-08, a range ->
    the same dates a year earlier."""
    if period.kind == "range":
        return previous_period(period)
    official = period.id.endswith("-official")
    base = period.id.removesuffix("-official")
    return parse_period(f"{int(base[:4]) - 1}{base[4:]}", "official" if official else "calendar")


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DMY = r"(\d{1,2}) (\d{1,2}) (\d{4})"


def _official_form(text: str) -> str | None:
    """The canonical text of a period written as in official documents, or None when it is not one. Read on the
    folded words (no diacritics, punctuation as spaces, "năm" dropped): "Quý III/2023" is "quy iii 2023"."""
    from .text import fold

    t = " ".join(w for w in fold(text).split() if w != "nam")
    if m := re.fullmatch(r"quy (i|ii|iii|iv|[1-4]) (\d{4})", t):
        q = m.group(1)
        return f"{m.group(2)}Q{_ROMAN.get(q) or int(q)}"
    if m := re.fullmatch(r"(\d{1,2}) thang (dau |cuoi )?(\d{4})", t):
        n, which, y = int(m.group(1)), (m.group(2) or "dau ").strip(), int(m.group(3))
        if n == 6:
            return f"{y}H{1 if which == 'dau' else 2}"
        if which == "dau" and 1 <= n <= 12:
            return f"{y}-01-01..{_month_end(y, n)}"  # "8 tháng năm 2023": from 1 January to the end of August
        return None
    if m := re.fullmatch(r"thang (\d{1,2}) (\d{4})", t):
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    if m := re.fullmatch(r"(?:tu )?" + _DMY + r" (?:den )?" + _DMY, t):
        d1, m1, y1, d2, m2, y2 = (int(g) for g in m.groups())
        try:
            return f"{dt.date(y1, m1, d1)}..{dt.date(y2, m2, d2)}"
        except ValueError:
            return None
    if m := re.fullmatch(r"(\d{4})", t):  # "Năm 2023"
        return m.group(1)
    return None


def _parse_calendar(text: str) -> Period:
    t = (_official_form(str(text)) or str(text)).strip().upper()
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
        "2023-08 (tháng), 2023-01-01..2023-08-31 (khoảng ngày); hoặc như văn bản: Quý III/2023, 6 tháng đầu năm 2023, "
        "Tháng 8/2023, Năm 2023, 01/07/2023-30/09/2023."
    )
