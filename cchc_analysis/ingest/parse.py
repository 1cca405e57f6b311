"""Vectorised parsers for cell values: VN-formatted amounts, decimal-comma scores, vocabularies (dates: .dates).

Each parser takes a pandas Series of raw cell values (text, numbers, dates as the reader gives them) and returns
the parsed Series plus a boolean Series marking the cells that were present but could not be parsed, so the
caller can reject or report them with their raw value. Nothing is guessed.
"""

from __future__ import annotations

import functools
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..text import fold


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

    matched = pc.match_substring_regex(_arrow_text(values), f"^(?:{pattern})$")
    # A missing cell matches nothing (Arrow answers null for it).
    return pc.fill_null(matched, False).to_numpy(zero_copy_only=False) & values.notna().to_numpy()


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
    """The canonical value of a folded cell: an exact wording, else the longest wording inside the cell as whole
    words; None when nothing matches, or when two canonical values tie for the longest ("tại quầy bưu điện")."""
    best, best_len, tied = None, 0, False
    padded = f" {key} "
    for canon, words in table.items():
        for w in words:
            if key == w:
                return canon
            # digits and one- or two-letter codes ("2", "x") match a whole cell only: "Loại 1" is not channel 1
            if len(w) <= 2 or w.isdigit() or f" {w} " not in padded:
                continue
            if len(w) > best_len:
                best, best_len, tied = canon, len(w), False
            elif len(w) == best_len and canon != best:
                tied = True
    return None if tied else best
