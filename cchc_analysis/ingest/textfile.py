"""CSV and tab-separated text exports, whatever their name (.csv, .txt, .tsv, or .xls from Excel's "Save as Unicode
Text"), read into the same grid of cells as a workbook so that one header, value and unit path serves both.

The encoding is found from the bytes: a byte-order mark (UTF-8, UTF-16 LE/BE), UTF-16 without one (every other
byte zero), valid UTF-8, else Windows Vietnamese (cp1258, tone marks as combining characters) or, when the text
reads as TCVN3/VNI legacy text, the single-byte text those fonts store (decoded per column later, as in
workbooks). UTF-8 that went through a Windows-1252 round trip ("Ä‘Äƒng kÃ½") is repaired with ftfy, and the
report says so. The delimiter (comma, semicolon, tab, bar) is the one that gives the most rows of one width.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from ..errors import InputFileError
from ..text import legacy_encoding

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_LINES = 200
TEXT_SHEET = "(văn bản)"


class NotATable(InputFileError):
    """A text file that holds no table (a note, a README): listed by ingest, not refused."""


def decode(raw: bytes) -> tuple[str, str, str | None]:
    """(text, encoding name, a note for the report or None)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _repair(raw[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "UTF-16", None
    head = raw[:4096]
    if len(head) >= 4 and head.count(b"\x00") >= len(head) // 3:  # UTF-16 without a byte-order mark
        odd_zero = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        encoding = "utf-16-le" if odd_zero else "utf-16-be"
        return raw.decode(encoding, errors="replace"), encoding.upper(), None
    try:
        return _repair(raw.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    # Windows Vietnamese (cp1258) writes tone marks as combining characters after a letter: decoded and composed,
    # every mark finds its letter; text typed in a TCVN3 or VNI font reads as Latin-1 letters instead
    vietnamese = unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))
    head = vietnamese[:65536]
    stray = sum(1 for ch in head if unicodedata.category(ch) == "Mn")
    composed = sum(1 for ch in head if ord(ch) > 0x7F and unicodedata.category(ch).startswith("L"))
    single = raw.decode("cp1252", errors="replace")
    sample = [line for line in single[:65536].splitlines() if line.strip()]
    if stray > composed // 20 and any(legacy_encoding(line) for line in sample):
        return single, "Windows-1252 (chữ TCVN3/VNI)", None  # the columns are decoded one by one later
    return vietnamese, "Windows-1258 (cp1258)", None


def _repair(text: str, encoding: str) -> tuple[str, str, str | None]:
    """UTF-8 text, repaired when it went through a Windows-1252 round trip (mojibake)."""
    import ftfy

    head = text[:65536]
    if ftfy.fix_encoding(head) == head:
        return text, encoding, None
    return (
        ftfy.fix_encoding(text),
        encoding,
        "Tệp là chữ UTF-8 từng bị mở nhầm bằng Windows-1252 rồi lưu lại (ví dụ 'Ä‘Äƒng kÃ½'); đã khôi phục chữ "
        "tiếng Việt. Nên xuất lại tệp gốc từ hệ thống.",
    )


def _rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(
        io.StringIO(text if limit is None else "\n".join(text.splitlines()[:limit])), delimiter=delimiter
    )
    return [row for row in reader]


def delimiter_of(text: str) -> str | None:
    """The delimiter that splits the most sample lines into the same number (≥ 2) of cells, or None."""
    best, best_key = None, (0, 0)
    for delimiter in DELIMITERS:
        widths = [len(r) for r in _rows(text, delimiter, SAMPLE_LINES) if len(r) > 1]
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        key = (widths.count(common), common)
        if key > best_key:
            best, best_key = delimiter, key
    return best if best_key[0] >= 2 else None


def read_text_table(path: Path) -> tuple[list[list[object]], str, str | None]:
    """The file's rows of cells (text), the encoding read and a note for the report.

    Raises
    ------
    NotATable
        The text has no delimiter structure: a note or a README, not an export.
    """
    text, encoding, note = decode(path.read_bytes())
    text = text.lstrip("\ufeff")
    delimiter = delimiter_of(text)
    if delimiter is None:
        raise NotATable(
            f"{path}: tệp văn bản không phải bảng dữ liệu (không có cột phân cách bằng dấu phẩy, chấm phẩy "
            "hay tab); bỏ qua."
        )
    return _rows(text, delimiter), encoding, note
