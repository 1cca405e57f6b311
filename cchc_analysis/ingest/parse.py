"""Vectorised parsers for cell values: day-first dates, VN-formatted amounts, decimal-comma scores, vocabularies.

Each parser takes a pandas Series of raw cell values (text, numbers, dates as the reader gives them) and returns
the parsed Series plus a boolean Series marking the cells that were present but could not be parsed, so the
caller can reject or report them with their raw value. Nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..text import fold

MIN_YEAR, MAX_YEAR = 1900, 2100  # dates outside are typing errors, not dossiers
# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the non-existent 1900-02-29.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_DAYFIRST = (
    r"^\s*(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})"
    r"(?:[\sT,]+(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\s*(?P<ampm>[AaPp][Mm]))?)?\s*$"
)
_ISO = r"^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[\sT](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*$"


def is_text_column(values) -> bool:
    """True for a pandas text column (every cell a string or missing), as the dossier reader gives them."""
    return isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype)


def _arrow_text(values: pd.Series):
    """The column as an Arrow string array (no copy for a pandas text column)."""
    import pyarrow as pa

    return pa.array(values.array if is_text_column(values) else values.astype("str").array)


def text_series(texts, index) -> pd.Series:
    """A pandas text column over the Arrow string array ``texts`` (no copy)."""
    return pd.Series(pd.array(texts, dtype="str"), index=index)


def repeated_text(value: str, index) -> pd.Series:
    """A text column holding ``value`` on every row of ``index`` (one Arrow buffer, no Python string per row)."""
    import pyarrow as pa

    return text_series(pa.repeat(pa.scalar(value, pa.string()), len(index)), index)


def text_matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Cells of a text column that match ``pattern`` whole (RE2 syntax, run by Arrow), as a boolean array."""
    import pyarrow.compute as pc

    arr = _arrow_text(values)
    return pc.match_substring_regex(arr, f"^(?:{pattern})$").to_numpy(zero_copy_only=False) & values.notna().to_numpy()


def by_distinct(parse):
    """Run ``parse`` (values -> (parsed, invalid)) once per distinct text of a text column, then spread the
    results back: an export repeats the same date, amount or status thousands of times."""

    @functools.wraps(parse)
    def wrapper(values):
        if not is_text_column(values) or len(values) < 64:
            return parse(values)
        codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=False)
        parsed, invalid = parse(pd.Series(uniques, dtype="str"))
        out = pd.Series(parsed.to_numpy()[codes], index=values.index, dtype=parsed.dtype)
        return out, pd.Series(invalid.to_numpy(dtype=bool)[codes], index=values.index)

    return wrapper


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())


@by_distinct
def parse_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse dates strictly day-first.

    Accepts datetime/date cells (also as the text "yyyy-mm-dd HH:MM:SS" the readers give for them), Excel serial
    numbers (1900 system, also as five-digit text; serial 60, the fictitious 29/02/1900, is invalid) and text
    ``dd/mm/yyyy``, ``dd/mm/yyyy HH:MM[:SS]`` (also with ``-`` or ``.``) or ISO ``yyyy-mm-dd[ HH:MM[:SS]]``.
    A text date that does not exist (31/04, 29/02 of a non-leap year) is invalid.

    Returns
    -------
    (datetimes, invalid)
        ``datetime64[ns]`` values (NaT where blank or invalid) and a mask of present-but-invalid cells.

    Examples
    --------
    >>> parse_datetimes(pd.Series(["05/10/2023 14:30", "29/02/2023", None]))[0].tolist()
    [Timestamp('2023-10-05 14:30:00'), NaT, NaT]
    """
    if is_text_column(values):
        return _parse_text_datetimes(values)
    values = pd.Series(values, dtype=object)
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
        result[is_text] = _parse_text_datetimes(values[is_text].astype("str"))[0].to_numpy()
    result = result.where((result.dt.year >= MIN_YEAR) & (result.dt.year <= MAX_YEAR))
    invalid = ~blank & result.isna()
    return result, invalid


_COMMON_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S")
_COMMON_SHAPE = r"^\d{2}/\d{2}/\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?$"
# date cells as text (see ingest.grid.cell_text): "yyyy-mm-dd HH:MM:SS"
_CELL_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
_CELL_SHAPE = r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$"
# a five-digit number where a date is expected is an Excel serial (10000 is 1927); fewer digits ("2023") are not
_SERIAL = r"^\s*\d{5}(?:\.\d+)?\s*$"


def _serials(serial: pd.Series) -> pd.Series:
    """Excel serial day numbers (1900 system) as datetimes; NaT outside 1900-2099 and for the fictitious
    29/02/1900 (serial 60)."""
    ok = (serial >= 1) & (serial < 73_051) & (serial != 60)  # 73051 is 01/01/2100
    days = serial.where(serial > 60, serial + 1)  # serials before the fictitious leap day are one day off
    stamps = _EXCEL_EPOCH + pd.to_timedelta((days[ok] * 86400).round(), unit="s")
    return stamps.astype("datetime64[ns]").reindex(serial.index)


def _parse_text_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_datetimes` for a text column: date cells come as "yyyy-mm-dd HH:MM:SS", serial numbers as
    digits, typed dates as the user wrote them."""
    text = values.fillna("")
    blank = text.str.strip().eq("")
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    serial = text_matches(text, _SERIAL) & ~blank.to_numpy(dtype=bool)
    if serial.any():
        result[serial] = _serials(text[serial].astype(float)).to_numpy()
    rest = text[~serial & ~blank.to_numpy(dtype=bool)]
    if len(rest):
        fast = _strptime_common(rest)
        result[fast.dropna().index] = fast.dropna().to_numpy()
        slow = rest[fast.isna()]
        if len(slow):
            parts = slow.str.extract(_DAYFIRST)
            iso = slow.str.extract(_ISO)
            parts = parts.fillna(iso.reindex(columns=parts.columns))
            result[slow.index] = _assemble(parts).to_numpy()
    result = result.where((result.dt.year >= MIN_YEAR) & (result.dt.year <= MAX_YEAR))
    return result, ~blank & result.isna()


def _strptime_common(text: pd.Series) -> pd.Series:
    """Text dates in the zero-padded ``dd/mm/yyyy[ HH:MM[:SS]]`` layouts and date cells given as text
    (``yyyy-mm-dd[ HH:MM:SS]``) parsed by Arrow (NaT elsewhere: those go through the general day-first rules).
    A date that does not exist (31/04) is NaT here and there."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for shape, formats, day, month in (
        (_COMMON_SHAPE, _COMMON_FORMATS, slice(0, 2), slice(3, 5)),
        (_CELL_SHAPE, _CELL_FORMATS, slice(8, 10), slice(5, 7)),
    ):
        stamps = _strptime(text, shape, formats, day, month)
        if stamps is not None:
            out[stamps.index] = stamps.to_numpy()
    return out


def _strptime(text: pd.Series, shape: str, formats, day: slice, month: slice) -> pd.Series | None:
    import pyarrow as pa
    import pyarrow.compute as pc

    shaped = text_matches(text, shape.strip("^$"))
    if not shaped.any():
        return None
    written = text[shaped]
    arr = _arrow_text(written)
    parsed = None
    for fmt in formats:
        attempt = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        parsed = attempt if parsed is None else pc.coalesce(parsed, attempt)

    # Arrow rolls impossible dates over (30/02 becomes 02/03): keep a result only when its day and month are the
    # ones written
    def written_number(part: slice):
        return pc.cast(pc.utf8_slice_codeunits(arr, part.start, part.stop), pa.int64())

    same = pc.and_(pc.equal(pc.day(parsed), written_number(day)), pc.equal(pc.month(parsed), written_number(month)))
    parsed = pc.if_else(same, parsed, pa.scalar(None, type=parsed.type))
    return pd.Series(parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]"), index=written.index)


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


def _assemble(parts: pd.DataFrame) -> pd.Series:
    nums = {k: pd.to_numeric(parts[k], errors="coerce") for k in ("y", "m", "d", "H", "M", "S")}
    hour = nums["H"].fillna(0)
    ampm = parts["ampm"].str.lower() if "ampm" in parts else pd.Series(np.nan, index=parts.index)
    hour = hour.where(~((ampm == "pm") & (hour < 12)), hour + 12)
    hour = hour.where(~((ampm == "am") & (hour == 12)), 0)
    frame = pd.DataFrame(
        {
            "year": nums["y"],
            "month": nums["m"],
            "day": nums["d"],
            "hour": hour,
            "minute": nums["M"].fillna(0),
            "second": nums["S"].fillna(0),
        }
    )
    valid = frame[["year", "month", "day"]].notna().all(axis=1) & frame["year"].between(MIN_YEAR, MAX_YEAR)
    valid &= frame["hour"].between(0, 23) & frame["minute"].between(0, 59) & frame["second"].between(0, 59)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ns]")
    if valid.any():
        out[valid] = pd.to_datetime(frame[valid].astype("int64"), errors="coerce")
    return out


def _numbers_first(values) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(values as objects, blank mask, float output holding the numeric cells, mask of text cells to parse)."""
    values = pd.Series(values, dtype=object)
    blank = _blank(values)
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    is_num = values.map(_is_number) & ~blank
    out[is_num] = values[is_num].astype(float)
    is_text = values.map(lambda v: isinstance(v, str)) & ~blank
    return values, blank, out, is_text


def _to_float(text: pd.Series) -> pd.Series:
    """Numbers from digit strings as float64, however many digits ("20000000000000000000" overflows int64)."""
    return pd.Series([float(t) for t in text], index=text.index, dtype="float64")


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


@by_distinct
def parse_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse money or counts written the Vietnamese way: "." for thousands ("2.000", "5.599.554.000").

    Also accepts numbers, a currency word ("đ", "đồng", "VNĐ"), a decimal comma ("1.234,5"), thousands
    separated by commas when unambiguous ("1,234,567"), a leading minus or parentheses for negatives, and
    words meaning none ("Không", "Miễn phí", "-") as 0.

    Examples
    --------
    >>> parse_amounts(pd.Series(["2.000", "1.234.567 đ", "(500)", "Miễn phí", "abc"]))[0].tolist()
    [2000.0, 1234567.0, -500.0, 0.0, nan]
    """
    values, blank, out, is_text = _numbers_first(values)
    if is_text.any():
        text = values[is_text].astype(str).map(fold)
        zero = text.isin({"khong", "mien phi", "mien", "0", "khong thu"}) | values[is_text].astype(
            str
        ).str.strip().isin({"-", "–"})
        raw = values[is_text].astype(str).str.replace(r"(?i)\s*(vnđ|vnd|đồng|đ|dong)\s*$", "", regex=True).str.strip()
        negative = raw.str.match(r"^\(.*\)$") | raw.str.startswith("-")
        core = raw.str.strip("()-– ").str.replace(" ", "", regex=False)
        vn = core.str.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+(,\d+)?")
        en = core.str.fullmatch(r"\d{1,3}(,\d{3})+")
        point = core.str.fullmatch(r"\d+\.\d{1,2}")  # "1.5": a decimal point (thousands take three digits)
        number = pd.Series(np.nan, index=core.index)
        number[vn] = _to_float(core[vn].str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        number[en] = _to_float(core[en].str.replace(",", "", regex=False))
        number[point] = _to_float(core[point])
        number = number.where(~negative, -number)
        number[zero] = 0.0
        out[number.index] = number
    invalid = ~blank & out.isna()
    return out, invalid


def parse_decimal(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse scores and rates written with a decimal comma ("8,417", "73,19"); "." also reads as a decimal point
    ("8.417" is 8.417 here, unlike an amount)."""
    values, blank, out, is_text = _numbers_first(values)
    if is_text.any():
        core = values[is_text].astype(str).str.strip().str.rstrip("%").str.strip()
        ok = core.str.fullmatch(r"-?\d+([.,]\d+)?")
        out[core[ok].index] = _to_float(core[ok].str.replace(",", ".", regex=False))
    return out, ~blank & out.isna()


@cache
def value_vocabularies() -> dict[str, dict[str, tuple[str, ...]]]:
    """The shipped value vocabularies (channel, status, payment_method, digitised), folded."""
    text = (resources.files("cchc_analysis") / "data" / "onestop_values.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    return {
        name: {str(canon): tuple(fold(w) for w in words) for canon, words in table.items()}
        for name, table in doc.items()
    }


def map_vocabulary(values: pd.Series, table: dict[str, tuple[str, ...]]) -> tuple[pd.Series, pd.Series]:
    """Map raw values to canonical ones: an exact folded match first, else the longest wording contained in
    the value as whole words. Returns (canonical values, mask of present values that matched nothing)."""
    if is_text_column(values):
        import pyarrow as pa

        codes, uniques = pd.factorize(values)
        canon = [_lookup(fold(u), table) if u.strip() else None for u in uniques]
        codes[codes < 0] = len(canon)  # a missing cell: the None after the distinct values
        # Arrow text, as the other text columns: no Python string per cell, and no conversion when stored
        out = text_series(pa.array([*canon, None], type=pa.string()).take(codes), values.index)
        blank = values.isna() | values.str.strip().eq("")
        return out, (~blank & out.isna()).astype(bool)
    values = pd.Series(values, dtype=object)
    blank = _blank(values)
    uniques = pd.unique(values[~blank])
    mapping = {}
    for raw in uniques:
        key = fold(raw if not isinstance(raw, float) or not raw.is_integer() else int(raw))
        mapping[raw] = _lookup(key, table)
    out = values.map(lambda v: mapping.get(v) if not (v is None or (isinstance(v, float) and np.isnan(v))) else None)
    out = out.where(~blank, None)
    unknown = ~blank & out.isna()
    return out.astype(object), unknown


def _lookup(key: str, table: dict[str, tuple[str, ...]]) -> str | None:
    best, best_len = None, 0
    padded = f" {key} "
    for canon, words in table.items():
        for w in words:
            if key == w:
                return canon
            if f" {w} " in padded and len(w) > best_len:
                best, best_len = canon, len(w)
    return best
