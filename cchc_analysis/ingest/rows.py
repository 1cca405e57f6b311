"""What each row below a dossier list's header is, and whether the totals the sheet states agree with its rows.

Office staff re-shape exports: rows grouped by field under section rows ("Lĩnh vực Hộ tịch"), a subtotal after
each group ("Cộng: 15 hồ sơ", "Tổng lĩnh vực: 15", "Cộng trang"), a grand total ("Tổng cộng", "TỔNG SỐ"), then
notes and signatures. Dossier rows are read wherever they are, above or below a subtotal; a total row is told apart
from a dossier by its wording and by having no receipt date. Each stated count is checked (:func:`check_totals`):
a subtotal against the dossier rows of its group (or the running count, for "cộng dồn"), the grand total against
every dossier row of the sheet. A count that disagrees means rows were lost or the sheet was edited: the file is
refused unless the mapping file says not to check.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..text import clean_text, fold, to_unicode_many
from .parse import text_matches

# a total's first word, with diacritics ("cộng" is not "công"), or without any diacritic at all ("Tong cong")
_TOTAL_STARTS = ("tổng cộng", "tổng số", "tổng", "cộng")
_ASCII_TOTAL_STARTS = ("tong cong", "tong so", "tong", "cong")
_NOT_TOTAL = ("cong hoa", "cong dan", "cong nhan", "cong chung", "cong van", "cong trinh", "cong bo", "cong ty")
# a subtotal's wording (a grand total says "tổng cộng", "tổng số" or "tổng" alone)
_SUBTOTAL_WORDS = ("linh vuc", "trang", "nhom", "thang", "quy", "loai", "chuyen", "don vi")
# a cell whose first word could be "Tổng"/"Cộng" in any encoding or case: T or C, then at most seven more
# characters (only these are decoded and judged)
_SHORT_FIRST_WORD = r"\s*[TtCc]\S{0,7}(?:\s|$|:)"
# a column number as forms print them under the header: "1", "(2)", "3." (never a dossier code with a date)
_COLUMN_NUMBER = r"\s*\(?\d{1,3}\)?\.?\s*"
_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+|[A-Z]|\d{1,2}(?:\.\d{1,2})*)\s*[.):\-]\s*", re.IGNORECASE)
_FIELD_SECTION = re.compile(r"^\s*linh\s+vuc\b\s*:?\s*", re.IGNORECASE)
_COUNT_AFTER = re.compile(r"\s*[(:\-–]\s*\d[\d.]*\s*(?:hồ sơ|hs|ho so)?\s*\)?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")


def is_total_text(text: str) -> bool:
    """Whether a cell's text opens a total row ("Tổng cộng", "Cộng: 15 hồ sơ", "TỔNG SỐ", "Tong cong")."""
    low = unicodedata.normalize("NFC", clean_text(text)).lower()
    key = fold(low)
    if not low or key.startswith(_NOT_TOTAL):
        return False
    if low.isascii():
        return any(key == w or key.startswith(w + " ") for w in _ASCII_TOTAL_STARTS)
    return any(low == w or (low.startswith(w) and not low[len(w)].isalnum()) for w in _TOTAL_STARTS)


def is_subtotal_wording(text: str) -> bool:
    """A total that names its group ("Cộng lĩnh vực", "Cộng trang", "Tổng tháng 7") or says only "Cộng"."""
    key = fold(text)
    return (key.startswith("cong") and not key.startswith("cong don")) or any(w in key for w in _SUBTOTAL_WORDS)


def total_rows(grid, start: int, raw: pd.DataFrame, received_is_date: np.ndarray) -> pd.Series:
    """Rows whose first cells open with a total's wording (in any encoding) and that hold no receipt date."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = np.zeros(len(raw), dtype=bool)
    for c in range(min(4, grid.width)):
        column = grid.text_column(c, start)
        arr = pa.array(column.array)
        # first letter T or C (any encoding keeps it), or a leading space: few distinct texts, checked in Python
        first = pc.is_in(
            pc.utf8_slice_codeunits(arr, 0, 1), value_set=pa.array(["T", "t", "C", "c", " ", "\u00a0", "\t"])
        )
        short = [u for u in pc.unique(arr.filter(first)).to_pylist() if re.match(_SHORT_FIRST_WORD, u)]
        words = [u for u in short if is_total_text(to_unicode_many([u])[0])]  # each cell judged alone
        if words:
            total |= column.isin(words).to_numpy(dtype=bool)
    total &= ~received_is_date
    return pd.Series(total, index=raw.index)


def numbering_rows(raw: pd.DataFrame, cols: dict[str, int]) -> pd.Series:
    """Rows that number the columns ("(1) (2) (3) …" or "A B 1 2 …" below the header, again after a page
    break): the received date is a bare small number, the code one too or a letter, and the numbers rise from
    left to right across at least three columns; other cells hold at most a letter or two."""
    out = pd.Series(False, index=raw.index)
    if "code" not in raw or "received_at" not in raw:
        return out
    candidates = text_matches(raw["received_at"], _COLUMN_NUMBER)  # rare: the codes are looked at only there
    if candidates.any():
        code = raw["code"][candidates]
        candidates[candidates] = text_matches(code, _COLUMN_NUMBER) | text_matches(code, r"\s*[A-Za-z]{1,2}\s*")
    order = sorted(cols, key=cols.get)  # the sheet's column order
    for label in raw.index[candidates]:
        cells = [str(raw.at[label, name]).strip() for name in order]
        numbers = [int(re.sub(r"\D", "", c)) for c in cells if re.fullmatch(_COLUMN_NUMBER, c)]
        others = [c for c in cells if c and not re.fullmatch(_COLUMN_NUMBER, c)]
        rising = all(b > a for a, b in itertools.pairwise(numbers))
        out[label] = len(numbers) >= 3 and rising and all(len(c) <= 2 for c in others)
    return out


def row_text(row: list) -> str:
    """A sheet row's text cells joined, legacy encodings decoded."""
    cells = [c for c in row if isinstance(c, str) and c.strip()]
    return clean_text(" ".join(to_unicode_many(cells)))


_COUNTED = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:hồ\s*sơ|hs|bộ)\b", re.IGNORECASE)
_AFTER_COLON = re.compile(r":\s*(\d{1,3}(?:\.\d{3})+|\d+)")


def stated_number(text: str, row: list, skip_columns: set[int]) -> int | None:
    """The count a total row states: in its label, the number before "hồ sơ" ("Tổng cộng 26 hồ sơ (trực tuyến
    15)") or after a colon ("Tổng cộng quý 3: 26"); else a number in a cell of its own outside the amount columns
    (a total of fees is not a count): "Cộng tháng 7 | 10"; else the label's last number ("Cộng lĩnh vực 1 13")."""
    label = next((c for c in row if isinstance(c, str) and c.strip()), "")
    label = clean_text(to_unicode_many([label])[0]) if label else ""
    for pattern in (_COUNTED, _AFTER_COLON):
        m = pattern.search(label)
        if m:
            return int(m.group(1).replace(".", ""))
    for c, cell in enumerate(row):
        if c in skip_columns or cell is None or isinstance(cell, bool):
            continue
        if isinstance(cell, (int, float, np.integer, np.floating)) and not pd.isna(cell):
            return int(cell)
        if isinstance(cell, str) and cell is not label:
            m = re.fullmatch(r"\s*(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:hồ sơ|hs)?\s*", cell, flags=re.IGNORECASE)
            if m:
                return int(m.group(1).replace(".", ""))
    numbers = _NUMBER.findall(label)
    return int(numbers[-1].replace(".", "")) if numbers else None


def section_field(text: str) -> str | None:
    """The field a section row names ("Lĩnh vực Hộ tịch", "I. LĨNH VỰC CHỨNG THỰC (9 hồ sơ)"), or None."""
    bare = _NUMBERING.sub("", clean_text(text), count=1)
    folded = fold(bare)
    if not folded.startswith("linh vuc "):
        return None
    # drop "Lĩnh vực" and a count after the name, keep the name as written (its case made sentence-like)
    words = bare.split()
    name = " ".join(words[2:]).lstrip(":").strip()
    name = _COUNT_AFTER.sub("", name).strip(" :-–")
    if not name:
        return None
    return name[0].upper() + name[1:].lower() if name.isupper() else name


@dataclass
class Total:
    """A total row the sheet states, where it stands and what it says."""

    row: int  # 1-based sheet row
    text: str
    number: int | None
    grand: bool = False


@dataclass
class TotalCheck:
    totals: list[Total] = field(default_factory=list)
    stated_total: int | None = None  # the grand total, or the sum of the subtotals
    errors: list[str] = field(default_factory=list)


def check_totals(totals: list[Total], dossier_rows: np.ndarray) -> TotalCheck:
    """Check each stated count against the dossier rows (1-based sheet rows, sorted) it can count.

    A total row below which no dossier row follows is the grand total when its wording says so ("Tổng cộng",
    "Tổng số") or when its count is that of every row above; otherwise it is the last subtotal. A subtotal
    counts the rows since the previous total row, or all the rows above it ("cộng dồn")."""
    out = TotalCheck(totals)
    previous = 0
    subtotal_sum = 0
    for t in totals:
        above = int(np.searchsorted(dossier_rows, t.row))
        group = above - int(np.searchsorted(dossier_rows, previous))
        later = len(dossier_rows) - above
        previous = t.row
        if later == 0 and (not is_subtotal_wording(t.text) or t.number == above != group):
            t.grand = True
        if t.number is None:
            continue
        if t.grand:
            out.stated_total = t.number
            if t.number != above:
                out.errors.append(
                    f"dòng {t.row} ghi «{t.text}» nhưng bảng có {above} dòng hồ sơ: có thể đã mất dòng hoặc bảng đã "
                    "bị sửa"
                )
        elif t.number == group or (t.number == above and group != above):
            subtotal_sum += group
        else:
            out.errors.append(
                f"dòng {t.row} ghi «{t.text}» nhưng nhóm phía trên (từ sau dòng tổng trước) có {group} dòng hồ sơ"
            )
    if out.stated_total is None and subtotal_sum:
        out.stated_total = subtotal_sum
    return out
