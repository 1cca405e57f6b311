"""Dates and times as exports write them, parsed strictly; day-first or month-first decided per column.

Forms read: date cells (and the text "yyyy-mm-dd HH:MM:SS" the readers give for them), Excel serial numbers,
``dd/mm/yyyy`` with ``/``, ``-`` or ``.`` (two-digit years too) and a time ``HH:MM[:SS]``, ``8h30`` or ``8g30``,
with AM/PM or the Vietnamese SA/CH (sáng/chiều), a weekday before the date ("Thứ Hai, 15/05/2023", "T2", "CN"),
the time before the date ("08:30 15/05/2023"), the long form "ngày 15 tháng 5 năm 2023", ISO 8601 with "T", a
fraction and a time zone (converted to Vietnam's UTC+7), ``yyyy/mm/dd``, and the compact ``yyyyMMdd[HHmm[ss]]`` of
national-portal synchronisation fields. A date that does not exist (31/04, 29/02/2023) is invalid, never rolled
over.

Whether ``a/b/yyyy`` is day-first or month-first is a property of the machine that wrote the column, so it is
decided per column from its own values (:func:`date_order_evidence`): a first number above 12 proves day-first, a
second number above 12 month-first, both at once is a contradiction the reader refuses.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parse import _arrow_text, is_text_column

MIN_YEAR, MAX_YEAR = 1900, 2100  # dates outside are typing errors, not dossiers
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"
ORDER_LABELS = {DAY_FIRST: "ngày/tháng/năm", MONTH_FIRST: "tháng/ngày/năm"}
VIETNAM_UTC_OFFSET = dt.timedelta(hours=7)
# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the non-existent 1900-02-29.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# --- the general (slow) path, on folded text: one compiled pattern per form ------------------------------------------
_WEEKDAY = r"(?:thu\s*(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat|cn|t\s*[2-7]|mon|tue|wed|thu|fri|sat|sun)\w*"
_TIME = (
    r"(?P<H>\d{1,2})\s*(?:[:hg]\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2})(?:[.,]\d+)?)?|\s*(?=am|pm|sa|ch|sang|chieu))"
    r"(?:\s*(?P<ampm>am|pm|sa|ch|sang|chieu)\b)?"
)
_NUMERIC = r"(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4}|\d{2})"
_PATTERNS = [
    # [weekday,] a/b/y [time]
    re.compile(rf"^(?:{_WEEKDAY}\s*[,\-]?\s*)?(?:ngay\s*)?{_NUMERIC}(?:\s*[,\-]?\s*(?:luc\s*)?{_TIME})?$"),
    # time [,-] [weekday,] [ngày] a/b/y
    re.compile(rf"^{_TIME}\s*[,\-]?\s*(?:{_WEEKDAY}\s*[,\-]?\s*)?(?:ngay\s*)?{_NUMERIC}$"),
    # [weekday,] ngày d tháng m năm y [time]
    re.compile(
        rf"^(?:{_WEEKDAY}\s*[,\-]?\s*)?ngay\s*(?P<d>\d{{1,2}})\s*thang\s*(?P<m>\d{{1,2}})\s*nam\s*(?P<y>\d{{4}})"
        rf"(?:\s*[,\-]?\s*(?:luc\s*)?{_TIME})?$"
    ),
    # yyyy/mm/dd [time]
    re.compile(rf"^(?P<y>\d{{4}})\s*[/.]\s*(?P<m>\d{{1,2}})\s*[/.]\s*(?P<d>\d{{1,2}})(?:\s+{_TIME})?$"),
]
# ISO 8601 on the raw text (the time zone's sign and "T" would not survive folding)
_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[\sT](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?\s*$"
)
_COMPACT = re.compile(r"^\s*(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?\s*$")
# the a/b of a/b/yyyy anywhere in a text (after a weekday, a time or "ngày"), for the evidence of a column's order
_ORDER_PARTS = r"(?:^|[^\d:/.\-])(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})\s*[/.\-]\s*(?:\d{4}|\d{2})(?:$|[^\d/.\-])"

# --- the fast path, run by Arrow on the raw text -----------------------------------------------------------------
_PADDED_SHAPE = r"\d{2}/\d{2}/\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?"
_PADDED_FORMATS = {
    DAY_FIRST: (("%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S"), slice(0, 2), slice(3, 5)),
    MONTH_FIRST: (("%m/%d/%Y %H:%M", "%m/%d/%Y", "%m/%d/%Y %H:%M:%S"), slice(3, 5), slice(0, 2)),
}
# date cells as text (see ingest.grid.cell_text): "yyyy-mm-dd HH:MM:SS"
_CELL_SHAPE = r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?"
_CELL_FORMATS = (("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"), slice(8, 10), slice(5, 7))
# a five-digit number where a date is expected is an Excel serial (10000 is 1927); fewer digits ("2023") are not
_SERIAL = r"\s*\d{5}(?:\.\d+)?\s*"


@dataclass(frozen=True)
class OrderEvidence:
    """What a column's ``a/b/yyyy`` dates show: some can only be day-first, some only month-first."""

    day_first: bool = False
    month_first: bool = False
    example_day_first: str = ""
    example_month_first: str = ""
    written: bool = False  # the column holds a/b/yyyy texts at all (date cells and ISO texts need no order)

    @property
    def contradictory(self) -> bool:
        return self.day_first and self.month_first

    @property
    def order(self) -> str | None:
        """The order the evidence proves, or None (no evidence, or a contradiction)."""
        if self.day_first != self.month_first:
            return DAY_FIRST if self.day_first else MONTH_FIRST
        return None


def _matches(arr, pattern: str) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.match_substring_regex(arr, f"^(?:{pattern})$").to_numpy(zero_copy_only=False)


def date_order_evidence(values: pd.Series) -> OrderEvidence:
    """Which order a column's ``a/b/yyyy`` dates can be in.

    Zero-padded "dd/mm/yyyy[ HH:MM[:SS]]" texts (nearly every export) are judged by the largest first and second
    numbers, sliced by Arrow; only the other texts go through a regular expression."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(values):
        return OrderEvidence()
    arr = pc.drop_null(_arrow_text(values))
    padded = pc.match_substring_regex(arr, f"^(?:{_PADDED_SHAPE})$")
    found = []  # (first numbers, second numbers, their texts)
    if pc.any(padded).as_py():
        shaped = arr if pc.all(padded).as_py() else arr.filter(padded)
        found.append(
            (
                pc.cast(pc.utf8_slice_codeunits(shaped, 0, 2), pa.int32()),
                pc.cast(pc.utf8_slice_codeunits(shaped, 3, 5), pa.int32()),
                shaped,
            )
        )
        arr = arr.filter(pc.invert(padded)) if len(shaped) < len(arr) else arr.slice(0, 0)
    if len(arr):
        parts = pc.extract_regex(arr, _ORDER_PARTS)
        ok = pc.is_valid(pc.struct_field(parts, "a"))
        if pc.any(ok).as_py():
            parts = pc.filter(parts, ok)
            found.append(
                (
                    pc.cast(pc.struct_field(parts, "a"), pa.int32()),
                    pc.cast(pc.struct_field(parts, "b"), pa.int32()),
                    pc.filter(arr, ok),
                )
            )
    evidence = {"day": (False, ""), "month": (False, "")}
    for a, b, texts in found:
        for name, mask in (
            ("day", pc.and_(pc.greater(a, 12), pc.less_equal(b, 12))),
            ("month", pc.and_(pc.greater(b, 12), pc.less_equal(a, 12))),
        ):
            if not evidence[name][0] and pc.any(mask).as_py():
                evidence[name] = (True, pc.filter(texts, mask)[0].as_py())
    return OrderEvidence(
        evidence["day"][0], evidence["month"][0], evidence["day"][1], evidence["month"][1], written=bool(found)
    )


def parse_datetimes(values: pd.Series, order: str = DAY_FIRST) -> tuple[pd.Series, pd.Series]:
    """Parse dates strictly, ``a/b/yyyy`` as day-first (``order="dmy"``, the Vietnamese norm) or month-first.

    Accepts datetime/date cells, Excel serial numbers (1900 system, also as five-digit text; serial 60, the
    fictitious 29/02/1900, is invalid) and every text form of the module docstring.

    Returns
    -------
    (datetimes, invalid)
        ``datetime64[ns]`` values (NaT where blank or invalid) and a mask of present-but-invalid cells.

    Examples
    --------
    >>> parse_datetimes(pd.Series(["05/10/2023 14:30", "29/02/2023", None]))[0].tolist()
    [Timestamp('2023-10-05 14:30:00'), NaT, NaT]
    >>> parse_datetimes(pd.Series(["3/15/2023 2:05 PM"]), order="mdy")[0][0]
    Timestamp('2023-03-15 14:05:00')
    >>> parse_datetimes(pd.Series(["Thứ Hai, 15/05/2023 08:30 SA", "20230515170000"]))[0].tolist()
    [Timestamp('2023-05-15 08:30:00'), Timestamp('2023-05-15 17:00:00')]
    """
    if order not in (DAY_FIRST, MONTH_FIRST):
        raise ValueError(f"order must be {DAY_FIRST!r} or {MONTH_FIRST!r}, not {order!r}")
    if is_text_column(values):
        if len(values) < 64:
            return _parse_texts(values, order)
        # an export repeats the same date thousands of times: parse each distinct text once
        codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=False)
        parsed, invalid = _parse_texts(pd.Series(uniques, dtype="str"), order)
        out = pd.Series(parsed.to_numpy()[codes], index=values.index, dtype=parsed.dtype)
        return out, pd.Series(invalid.to_numpy(dtype=bool)[codes], index=values.index)
    return _parse_cells(pd.Series(values, dtype=object), order)


def _parse_cells(values: pd.Series, order: str) -> tuple[pd.Series, pd.Series]:
    """Cells of mixed types (the cell-list reader of budget and catalogue sheets)."""
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    kinds = values.map(type)  # one pass over the cells; the masks below compare types, not cells
    distinct = set(pd.unique(kinds))
    is_str = kinds.eq(str)
    blank = values.isna()
    if is_str.any():
        blank[is_str] = values[is_str].str.strip().eq("").to_numpy(dtype=bool)
    date_types = {t for t in distinct if issubclass(t, (dt.datetime, dt.date))}
    is_dt = kinds.isin(date_types) & ~blank if date_types else pd.Series(False, index=values.index)
    if is_dt.any():
        cells = values[is_dt]
        in_range = cells.map(lambda v: MIN_YEAR <= v.year <= MAX_YEAR)
        is_dt[is_dt] = in_range.to_numpy(dtype=bool)
        result[is_dt] = pd.to_datetime(values[is_dt].map(_as_datetime)).values
    number_types = {
        t for t in distinct if issubclass(t, (int, float, np.integer, np.floating)) and not issubclass(t, bool)
    }
    is_num = kinds.isin(number_types) & ~blank if number_types else pd.Series(False, index=values.index)
    if is_num.any():
        result[is_num] = _serials(values[is_num].astype(float)).to_numpy()
    is_text = is_str & ~blank
    if is_text.any():
        result[is_text] = _parse_texts(values[is_text].astype("str"), order)[0].to_numpy()
    result = result.where((result.dt.year >= MIN_YEAR) & (result.dt.year <= MAX_YEAR))
    return result, ~blank & result.isna()


def _serials(serial: pd.Series) -> pd.Series:
    """Excel serial day numbers (1900 system) as datetimes; NaT outside 1900-2099 and for the fictitious
    29/02/1900 (serial 60)."""
    ok = (serial >= 1) & (serial < 73_051) & (serial != 60)  # 73051 is 01/01/2100
    days = serial.where(serial > 60, serial + 1)  # serials before the fictitious leap day are one day off
    stamps = _EXCEL_EPOCH + pd.to_timedelta((days[ok] * 86400).round(), unit="s")
    return stamps.astype("datetime64[ns]").reindex(serial.index)


def _parse_texts(values: pd.Series, order: str) -> tuple[pd.Series, pd.Series]:
    """A text column: serials and the common shapes through Arrow, every other form through :func:`_parse_one`."""
    text = values.fillna("")
    arr = _arrow_text(text)
    import pyarrow.compute as pc

    blank = pc.utf8_is_space(arr).to_numpy(zero_copy_only=False) | (text.str.len() == 0).to_numpy()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    serial = _matches(arr, _SERIAL) & ~blank
    if serial.any():
        result[serial] = _serials(text[serial].astype(float)).to_numpy()
    todo = ~serial & ~blank
    for shape, (formats, day, month) in ((_PADDED_SHAPE, _PADDED_FORMATS[order]), (_CELL_SHAPE, _CELL_FORMATS)):
        if not todo.any():
            break
        shaped = todo & _matches(arr, shape)
        if shaped.any():
            result[shaped] = _strptime(arr.filter(shaped), formats, day, month)
            todo &= ~shaped
    if todo.any():  # the rare forms, one distinct text at a time
        rest = text[todo]
        done = {u: _parse_one(u, order) for u in pd.unique(rest)}
        result[todo] = pd.to_datetime(rest.map(done), errors="coerce").astype("datetime64[ns]").to_numpy()
    result = result.where((result.dt.year >= MIN_YEAR) & (result.dt.year <= MAX_YEAR))
    return result, pd.Series(~blank, index=values.index) & result.isna()


def _strptime(arr, formats, day: slice, month: slice) -> np.ndarray:
    """Arrow's strptime over texts of one fixed shape, keeping a result only when its day and month are the ones
    written (Arrow rolls 30/02 over to 02/03)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parsed = None
    for fmt in formats:
        attempt = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        parsed = attempt if parsed is None else pc.coalesce(parsed, attempt)

    def written(part: slice):
        return pc.cast(pc.utf8_slice_codeunits(arr, part.start, part.stop), pa.int64())

    same = pc.and_(pc.equal(pc.day(parsed), written(day)), pc.equal(pc.month(parsed), written(month)))
    parsed = pc.if_else(same, parsed, pa.scalar(None, type=parsed.type))
    return parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")


def _parse_one(text: str, order: str) -> dt.datetime | None:
    """One text in any of the module's forms, or None."""
    m = _ISO.match(text)
    if m:
        stamp = _assemble(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], None)
        if stamp is not None and m["tz"]:
            stamp = _to_vietnam_time(stamp, m["tz"])
        return stamp
    m = _COMPACT.match(text)
    if m:
        return _assemble(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], None)
    key = _key(text)
    for pattern in _PATTERNS:
        m = pattern.match(key)
        if not m:
            continue
        groups = m.groupdict()
        if "a" in groups:
            a, b = groups["a"], groups["b"]
            day, month = (a, b) if order == DAY_FIRST else (b, a)
        else:
            day, month = groups["d"], groups["m"]
        year = groups["y"]
        if len(year) == 2:
            year = f"20{year}"
        return _assemble(year, month, day, groups.get("H"), groups.get("M"), groups.get("S"), groups.get("ampm"))
    return None


def _key(text: str) -> str:
    """Lower case without diacritics, runs of space as one; punctuation kept (unlike :func:`text.fold`)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").split())


def _assemble(y, m, d, hour, minute, second, ampm) -> dt.datetime | None:
    try:
        h = int(hour) if hour else 0
        if ampm:
            if not 1 <= h <= 12:
                return None
            pm = ampm in ("pm", "ch", "chieu")
            h = (h % 12) + (12 if pm else 0)
        stamp = dt.datetime(int(y), int(m), int(d), h, int(minute or 0), int(second or 0))
    except ValueError:  # 31/04, 25:00, 13th month
        return None
    return stamp if MIN_YEAR <= stamp.year <= MAX_YEAR else None


def _to_vietnam_time(stamp: dt.datetime, zone: str) -> dt.datetime:
    if zone == "Z":
        offset = dt.timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return stamp - offset + VIETNAM_UTC_OFFSET


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)
