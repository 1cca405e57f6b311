"""Raw sheets as grids of cell values: .xlsx and legacy .xls through calamine, HTML tables saved as .xls.

A grid keeps every cell as the reader gives it (text, number, date, datetime) with the sheet's merged ranges,
so header detection can combine group cells with their sub-headers. Nothing is interpreted here.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError

MAX_HEAD_ROWS = 64  # rows a header can start in (see headers.MAX_HEADER_SEARCH_ROWS), plus its sub-header

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (BIFF) and encrypted OOXML


@dataclass
class Grid:
    """One sheet: ``rows`` of cell values (0-based), ``merged`` as ((row0, col0), (row1, col1)) inclusive."""

    file: Path
    sheet: str
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    header_cache: dict = field(default_factory=dict, repr=False, compare=False)
    encoding: str | None = None  # text exports: the encoding the bytes were read in
    notes: list[str] = field(default_factory=list)  # what reading the file found worth reporting

    @property
    def width(self) -> int:
        if "_width" not in self.header_cache:  # rows never change after reading: measure once
            self.header_cache["_width"] = max((len(r) for r in self.rows), default=0)
        return self.header_cache["_width"]

    @property
    def height(self) -> int:
        return len(self.rows)

    def head(self, n: int) -> list[list[object]]:
        """The first ``n`` rows (title and header rows), cells as read."""
        return self.rows[:n]

    def row(self, r: int) -> list[object]:
        """Row ``r`` (0-based), cells as read; empty beyond the last row."""
        return self.rows[r] if r < len(self.rows) else []

    def is_blank(self) -> bool:
        return not any(str(c).strip() for r in self.rows for c in r if c is not None)

    def text_column(self, c: int, start: int = 0) -> pd.Series:
        """Column ``c`` from row ``start`` on as text (see :func:`cell_text`), indexed by 0-based sheet row."""
        values = [cell_text(r[c]) if c < len(r) else "" for r in self.rows[start:]]
        return pd.Series(values, index=pd.RangeIndex(start, start + len(values)), dtype="str")


def cell_text(value: object) -> str:
    """A cell as the text the columnar reader gives for it, so that both readers feed one cleaning path.

    Numbers in the shortest positional form ("12345", "1.5"), booleans "true"/"false", dates and date-times
    "yyyy-mm-dd HH:MM:SS", times on Excel's day zero ("1899-12-31 HH:MM:SS"), blanks "".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if value != value:
            return ""
        return np.format_float_positional(float(f"{value:.15g}"), trim="-")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, dt.time):
        return "1899-12-31 " + value.strftime("%H:%M:%S")
    return str(value)


class ColumnarGrid:
    """A large sheet read column by column into Arrow strings (fastexcel), with the same interface as
    :class:`Grid`: the first rows are materialised for header detection, the body stays columnar.

    ``row0``/``col0`` place the Arrow table in the sheet (calamine's range starts at the first cell holding a
    value), so row and column numbers match the sheet's.
    """

    HEAD = MAX_HEAD_ROWS

    def __init__(self, file: Path, sheet: str, columns: list, row0: int, col0: int, merged: list) -> None:
        self.file, self.sheet, self.merged = file, sheet, merged
        self._columns = columns  # pyarrow string arrays, one per column from col0
        self._row0, self._col0 = row0, col0
        self._n = len(columns[0]) if columns else 0
        self.header_cache: dict = {}
        self._rows: list[list[object]] | None = None

    @property
    def width(self) -> int:
        return self._col0 + len(self._columns)

    @property
    def height(self) -> int:
        return self._row0 + self._n if self._n else 0

    def _slice_rows(self, start: int, stop: int) -> list[list[object]]:
        stop = min(stop, self.height)
        out = [[""] * self.width for _ in range(max(0, min(stop, self._row0) - start))]
        lo = max(start, self._row0)
        if lo < stop:
            cols = [col.slice(lo - self._row0, stop - lo).to_pylist() for col in self._columns]
            pad = [""] * self._col0
            out.extend(pad + ["" if v is None else v for v in cells] for cells in zip(*cols, strict=True))
        return out

    def head(self, n: int) -> list[list[object]]:
        if n <= self.HEAD:
            if "_head" not in self.header_cache:
                self.header_cache["_head"] = self._slice_rows(0, self.HEAD)
            return self.header_cache["_head"][:n]
        return self._slice_rows(0, n)

    @property
    def rows(self) -> list[list[object]]:
        """Every row as a list (slow for a large sheet; the dossier reader uses :meth:`text_column`)."""
        if self._rows is None:
            self._rows = self._slice_rows(0, self.height)
        return self._rows

    def row(self, r: int) -> list[object]:
        if 0 <= r < min(self.HEAD, self.height):
            return self.head(self.HEAD)[r]
        return self._slice_rows(r, r + 1)[0] if 0 <= r < self.height else []

    def is_blank(self) -> bool:
        import pyarrow.compute as pc

        return not any(pc.any(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(c)), 0)).as_py() for c in self._columns)

    def text_column(self, c: int, start: int = 0) -> pd.Series:
        index = pd.RangeIndex(start, max(start, self.height))
        if c < self._col0 or c >= self.width or start >= self.height:
            return pd.Series("", index=index, dtype="str")
        col = self._columns[c - self._col0]
        if start > self._row0:
            col = col.slice(start - self._row0)
        elif start < self._row0:
            import pyarrow as pa

            col = pa.concat_arrays([pa.array([""] * (self._row0 - start), type=col.type), col])
        import pyarrow.compute as pc

        return pd.Series(pd.array(pc.fill_null(col, "") if col.null_count else col, dtype="str"), index=index)


def sniff(path: Path) -> str:
    """What the file really is, whatever its extension: "xlsx", "ole" (.xls or encrypted), "html", "text", "empty"."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", errors="ignore").encode("utf-8")
    elif len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) >= len(head) // 3:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        text = head.decode(encoding, errors="ignore").encode("utf-8")
    else:
        text = head
    text = text.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<meta", b"<head", b"<body")):
        return "html"
    if b"\x00" in text or sum(b < 9 or 13 < b < 32 for b in text[:1024]) > 8:
        return "binary"
    return "text"


def read_grids(path: Path | str, *, columnar: bool = True, beside=None) -> list[Grid] | list[ColumnarGrid]:
    """Every sheet of a workbook (or every table of an HTML export) as a :class:`Grid`.

    A large .xlsx sheet (:data:`COLUMNAR_MIN_BYTES`) comes as a :class:`ColumnarGrid` unless ``columnar`` is
    False (readers that need typed cells: budget, PAR, catalogue). Parsing such a sheet keeps one core busy for
    seconds; ``beside`` (a function of no arguments that does not raise), if given, then runs on the other.

    Raises
    ------
    InputFileError
        The file is empty, encrypted, corrupt, or not a spreadsheet at all (the message says which).
    """
    path = Path(path)
    kind = sniff(path)
    if kind == "empty":
        raise InputFileError(f"{path}: tệp rỗng (0 byte).")
    if kind == "html":
        return _read_html(path)
    if kind == "text":
        return _read_text(path)
    if kind == "binary":
        raise InputFileError(
            f"{path}: không phải bảng tính hay tệp văn bản (nội dung là dữ liệu nhị phân lạ). Hãy xuất lại tệp từ hệ "
            "thống dưới dạng .xlsx hoặc .csv."
        )
    if kind == "xlsx":
        large = columnar and _largest_sheet_bytes(path) >= COLUMNAR_MIN_BYTES and _has_fastexcel()
        # the columnar reader checks every part's checksum itself, beside the parser (no second pass here)
        if prescan_xlsx(path, verify=not large) == "suspicious":
            return _read_in_child(path, kind)
        if large:
            return _read_columnar(path, beside)
    return _read_calamine(path, kind)


# --- large workbooks: columnar reading ------------------------------------------------------------------------------
# Sheets whose XML is at least this large (about 30,000 dossier rows) are read by fastexcel into Arrow strings
# instead of Python cell lists: a 1,000,000-row export then takes a third of the time and memory.
COLUMNAR_MIN_BYTES = 8 << 20
# a row with its cells; an empty self-closing <row r="5"/> is not one (the look-behind keeps it from swallowing
# the next row)
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)(?<!/)>(.*?)</(?:\w+:)?row>", re.DOTALL)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b[^>]*>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_END_DATA = re.compile(rb"</(?:\w+:)?sheetData>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Target)="([^"]*)"')
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_NAME_ID = re.compile(rb'\b(name|r:id|\w+:id)="([^"]*)"')


def _has_fastexcel() -> bool:
    try:
        import fastexcel  # noqa: F401
    except ImportError:  # pragma: no cover - fastexcel is a dependency; a partial install still reads
        return False
    return True


def _largest_sheet_bytes(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as zf:
            return max((i.file_size for i in zf.infolist() if i.filename.startswith("xl/worksheets/")), default=0)
    except (zipfile.BadZipFile, OSError, EOFError):
        return 0  # the prescan says what is wrong


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, from workbook.xml and its relationships (entities refused by the prescan)."""
    from html import unescape

    rels = {}
    for m in _REL.finditer(zf.read("xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(m.group(0)))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8").lstrip("/")
            rels[attrs[b"Id"]] = target if target.startswith("xl/") else "xl/" + target
    parts = {}
    for m in _SHEET_ENTRY.finditer(zf.read("xl/workbook.xml")):
        attrs = dict(_NAME_ID.findall(m.group(0)))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        if b"name" in attrs and rid in rels:
            parts[unescape(attrs[b"name"].decode("utf-8"))] = rels[rid]
    return parts


def _scan_sheet(path: Path, part: str) -> tuple[int, list]:
    """The first row holding a value (0-based) and the merged ranges of one sheet, from its XML stream.

    Runs beside fastexcel (which releases the GIL), so it costs no wall time on a large sheet."""
    row0: int | None = None
    counted = 0  # rows may omit their r attribute: then they count in order
    carry, window = b"", b""
    after: list[bytes] = []
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        while chunk := fh.read(4 << 20):
            if row0 is None:
                buf = carry + chunk
                end = 0
                for m in _ROW.finditer(buf):
                    end = m.end()
                    number = _ROW_NUMBER.search(m.group(1))
                    counted = int(number.group(1)) if number else counted + 1
                    if _HAS_VALUE.search(m.group(2)):
                        row0 = counted - 1
                        break
                carry = buf[end:] if row0 is None else b""
                if len(carry) > (64 << 20):  # a row that never closes: not a sheet the reader can place
                    carry = b""
            if after:  # past the cell data: the merged ranges follow
                after.append(chunk)
            else:
                joined = window + chunk
                end = _end_of_data(joined)
                if end >= 0:
                    after.append(joined[end:])
                window = joined[-64:]
    merged = []
    for c0, r0, c1, r1 in _MERGE.findall(b"".join(after)):
        c1, r1 = c1 or c0, r1 or r0
        merged.append(((int(r0) - 1, _col_number(c0) - 1), (int(r1) - 1, _col_number(c1) - 1)))
    return (row0 or 0), merged


def _end_of_data(buf: bytes) -> int:
    """Where the closing sheetData tag (any namespace prefix) starts in ``buf``, or -1. A plain byte search for
    "sheetData>", the tag checked only where that occurs: a regular expression tried at every "</" of 700 MB of
    cell XML took 1.7 s of the scan's 2.9 s, the byte search 0.26 s."""
    at = buf.find(b"sheetData>")
    while at >= 0:
        m = _END_DATA.search(buf, max(0, at - 40), at + len(b"sheetData>"))
        if m:
            return m.start()
        at = buf.find(b"sheetData>", at + 1)
    return -1


def _read_columnar(path: Path, beside=None) -> list[ColumnarGrid]:
    import threading

    import fastexcel

    with zipfile.ZipFile(path) as zf:
        parts = _sheet_parts(zf)
    scans: dict[str, tuple[int, list]] = {}
    broken: list[str] = []

    def scan() -> None:
        """Row offsets and merged ranges of each sheet; on the way, every part is read to its end, which checks
        its CRC (what the prescan's testzip does for small files)."""
        try:
            for name, part in parts.items():
                scans[name] = _scan_sheet(path, part)
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if info.filename not in parts.values():
                        with zf.open(info) as fh:
                            while fh.read(4 << 20):
                                pass
        except (KeyError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            broken.append(str(exc))
        if beside is not None:  # the scan ends well before the parse: the core is free
            beside()

    scanner = threading.Thread(target=scan, daemon=True)
    scanner.start()
    grids = []
    try:
        reader = fastexcel.read_excel(str(path))
        for name in reader.sheet_names:
            # eager: calamine's cells go straight into Arrow (0.4-0.8 s faster on a million rows than loading the
            # sheet, then converting it); the column filter is told each column's place in the sheet, which eager
            # loading does not report otherwise. An empty sheet has no columns.
            places: list[int] = []
            batch = reader.load_sheet(
                name,
                header_row=None,
                dtypes="string",
                eager=True,
                use_columns=lambda column, seen=places: seen.append(column.absolute_index) or True,
            )
            grids.append((name, [batch.column(i) for i in range(batch.num_columns)], min(places, default=0)))
            del batch
        del reader
    except fastexcel.FastExcelError as exc:
        raise InputFileError(f"{path}: không đọc được bảng tính ({type(exc).__name__}: {exc}).") from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic arrives as pyo3's PanicException, a BaseException
        raise InputFileError(
            f"{path}: bộ đọc bảng tính gặp lỗi không mong đợi ({type(exc).__name__}); tệp bị bỏ qua. "
            "Hãy mở tệp bằng Excel, lưu lại rồi xuất lại."
        ) from None
    finally:
        scanner.join()
    if broken:
        raise InputFileError(f"{path}: tệp .xlsx bị hỏng ({broken[0]}).")
    out = []
    for name, columns, col0 in grids:
        row0, merged = scans.get(name, (0, []))
        out.append(ColumnarGrid(path, name, columns, row0, col0, merged))
    return out


# --- guards against crafted workbooks -----------------------------------------------------------------------------
MAX_UNCOMPRESSED = 4 << 30  # bytes of XML a workbook may declare in all
MAX_RATIO = 200  # uncompressed / compressed size of a large part
LARGE_PART = 64 << 20  # parts larger than this must not be compressed beyond MAX_RATIO
MAX_DECLARED_CELLS = 60_000_000  # 1,000,000 rows x 60 columns
CHILD_MEMORY = 6 << 30
CHILD_TIMEOUT_S = 600
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def prescan_xlsx(path: Path, verify: bool = True) -> str:
    """Check a workbook before parsing it: "ok", or "suspicious" (parse it in a child process).

    Refuses outright a corrupt zip and a zip bomb (declared sizes beyond limits). A sheet whose declared dimension
    is huge, or missing, is suspicious: calamine aborts the whole process on cells referenced far apart.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise InputFileError(
                    f"{path}: tệp khai báo {total / 2**30:.1f} GB dữ liệu sau giải nén, vượt giới hạn an toàn "
                    f"{MAX_UNCOMPRESSED / 2**30:.0f} GB (có thể là tệp nén độc hại)."
                )
            for info in infos:
                if info.file_size > LARGE_PART and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise InputFileError(
                        f"{path}: phần '{info.filename}' nén quá mức bất thường "
                        f"({info.file_size / 2**20:.0f} MB từ {info.compress_size / 2**10:.0f} KB): có thể là tệp nén "
                        "độc hại, không đọc."
                    )
            sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            if not any(i.filename == "xl/workbook.xml" for i in infos):
                raise InputFileError(f"{path}: tệp nén không phải bảng tính Excel (thiếu xl/workbook.xml).")
            with zf.open("xl/workbook.xml") as fh:
                workbook_xml = fh.read(4 << 20)
            if not _SHEET.search(workbook_xml):
                raise InputFileError(f"{path}: bảng tính không có trang tính nào; hãy xuất lại tệp từ hệ thống.")
            if not any(i.filename == "xl/_rels/workbook.xml.rels" for i in infos):
                raise InputFileError(
                    f"{path}: tệp .xlsx thiếu phần bắt buộc (xl/_rels/workbook.xml.rels); hãy xuất lại tệp từ hệ thống."
                )
            verdict = "ok"
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as fh:
                        if _DTD.search(fh.read(4096)):
                            raise InputFileError(
                                f"{path}: phần '{info.filename}' khai báo DOCTYPE/ENTITY, điều bảng tính Excel không "
                                "bao giờ có (dấu hiệu tệp độc hại, ví dụ 'billion laughs'); không đọc."
                            )
            for info in sheets:
                with zf.open(info) as fh:
                    head = fh.read(8192)
                m = _DIMENSION.search(head)
                if not m:
                    if info.file_size > (16 << 20):
                        verdict = "suspicious"
                    continue
                c0, r0, c1, r1 = m.groups()
                c1, r1 = c1 or c0, r1 or r0
                cells = (int(r1) - int(r0) + 1) * (_col_number(c1) - _col_number(c0) + 1)
                if cells > MAX_DECLARED_CELLS:
                    verdict = "suspicious"
            bad = zf.testzip() if verify else None
    except zipfile.BadZipFile:
        raise InputFileError(f"{path}: tệp .xlsx bị hỏng hoặc không đầy đủ (không giải nén được).") from None
    except (EOFError, OSError, zlib.error) as exc:
        raise InputFileError(f"{path}: tệp .xlsx bị hỏng ({exc}).") from None
    if bad:
        raise InputFileError(f"{path}: tệp .xlsx bị hỏng (phần '{bad}' sai dữ liệu).")
    return verdict


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # a parser that aborts prints a native backtrace: keep it from the user's terminal
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    except (ImportError, ValueError, OSError):
        pass


def _read_in_child(path: Path, kind: str) -> list[Grid]:
    """Parse a suspicious workbook in a child process with a memory limit and a timeout, so that a parser that
    aborts or runs away takes only the child down."""
    import concurrent.futures as cf
    import multiprocessing as mp

    with cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"), initializer=_limit_memory) as pool:
        future = pool.submit(_read_calamine, path, kind)
        try:
            return future.result(timeout=CHILD_TIMEOUT_S)
        except InputFileError:
            raise
        except cf.TimeoutError:
            for proc in getattr(pool, "_processes", {}).values():
                proc.kill()
            raise InputFileError(f"{path}: đọc tệp quá {CHILD_TIMEOUT_S} giây; dừng để bảo vệ máy.") from None
        except Exception:  # noqa: BLE001 - the child died (abort, out of memory)
            raise InputFileError(
                f"{path}: bảng tính có cấu trúc bất thường (vùng ô khai báo quá lớn hoặc ô nằm quá xa nhau); "
                "bộ đọc đã dừng để bảo vệ máy. Hãy mở tệp, chép vùng dữ liệu sang tệp mới rồi xuất lại."
            ) from None


def _read_calamine(path: Path, kind: str) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises several private error types
        if kind == "ole" and _is_encrypted_ooxml(path):
            raise InputFileError(f"{path}: tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi xuất lại.") from None
        raise InputFileError(f"{path}: không đọc được bảng tính ({type(exc).__name__}: {exc}).") from None
    grids = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(getattr(sheet, "merged_cell_ranges", None) or [])
        except Exception as exc:  # noqa: BLE001 - calamine raises several private error types
            raise InputFileError(
                f"{path}: trang tính '{name}' bị hỏng, không đọc được ({type(exc).__name__}: {exc})."
            ) from None
        grids.append(Grid(path, name, [list(r) for r in rows], merged))
    return grids


def _is_encrypted_ooxml(path: Path) -> bool:
    with open(path, "rb") as fh:
        data = fh.read(1 << 16)
    return "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data


class _TableParser(HTMLParser):
    """Collects <table> rows; colspan cells are padded with empty cells and recorded as merged ranges."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[object]], list]] = []
        self._rows: list[list[object]] | None = None
        self._merged: list = []
        self._row: list[object] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._depth = 0
        self.text_before: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._rows, self._merged = [], []
        elif tag == "tr" and self._rows is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() and 0 < int(span) <= 1000 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            value = "".join(self._cell).strip()
            col = len(self._row)
            self._row.append(value)
            if self._span > 1:
                self._row.extend([""] * (self._span - 1))
                r = len(self._rows or [])
                self._merged.append(((r, col), (r, col + self._span - 1)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._rows is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._depth -= 1
            if self._depth == 0 and self._rows is not None:
                self.tables.append((self._rows, self._merged))
                self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._rows is None and data.strip():
            self.text_before.append(data.strip())


def _read_text(path: Path) -> list[Grid]:
    from .textfile import TEXT_SHEET, read_text_table

    rows, encoding, note = read_text_table(path)
    width = max((len(r) for r in rows), default=0)
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    return [Grid(path, TEXT_SHEET, rows, [], encoding=encoding, notes=[note] if note else [])]


def _read_html(path: Path) -> list[Grid]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    if not parser.tables:
        raise InputFileError(f"{path}: tệp HTML không chứa bảng (<table>) nào.")
    # Web systems put titles in small tables or text above the data table: keep them as leading rows of one grid,
    # so a title row ("UBND XÃ ...") is found the same way as in a workbook.
    rows: list[list[object]] = [[t] for t in parser.text_before]
    merged = []
    for table_rows, table_merged in parser.tables:
        offset = len(rows)
        rows.extend(table_rows)
        merged.extend(((r0 + offset, c0), (r1 + offset, c1)) for (r0, c0), (r1, c1) in table_merged)
    width = max(len(r) for r in rows) if rows else 0
    rows = [r + [""] * (width - len(r)) for r in rows]
    return [Grid(path, "html", rows, merged)]
