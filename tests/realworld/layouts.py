"""Writers of the known dossiers in the shapes real offices and systems produce (one knob per class of issue 16).

A :class:`Layout` says which columns, in which order and wording, how dates and values are written, whether the
rows are grouped by field with section and subtotal rows, and the file format (.xlsx, CSV in several encodings,
Excel's "Unicode Text", HTML saved as .xls). Nothing here knows how the reader works.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from openpyxl import Workbook

from .dossiers import Dossier

# the values each outcome shows in a status column, and the channel / payment wordings, as most systems write them
STATUS = {
    "early": "Đã trả kết quả",
    "on_time": "Đã trả kết quả",
    "late": "Đã trả kết quả",
    "carried": "Đã trả kết quả",
    "pending": "Đang xử lý",
    "overdue": "Đang xử lý",
    "withdrawn": "Công dân yêu cầu rút hồ sơ",
    "not_accepted": "Không được tiếp nhận",
}
CHANNEL = {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính công ích"}
PAYMENT = {"online": "Thanh toán trực tuyến", "cash": "Tiền mặt"}


def dmy(value: dt.datetime | dt.date | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and with_time:
        return f"{value:%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y}"


@dataclass
class Layout:
    """How one export writes the dossiers."""

    # (what, header text): what is an attribute of Dossier or one of: seq, received_at, due_at, finished_at,
    # result_at, handed_at, status, duration, delivery, department, unit, note
    columns: list[tuple[str, str]]
    title: list[list[object]] = field(
        default_factory=lambda: [
            ["ỦY BAN NHÂN DÂN XÃ THANH GIANG"],
            ["DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT"],
            ["Từ ngày 01/07/2023 đến ngày 30/09/2023"],
            [],
        ]
    )
    group_row: list[str] | None = None  # a group header row above the column headers (merged labels spread)
    date: Callable[[object, bool], object] = dmy  # (value, with time) -> cell
    channel: dict[str, str] = field(default_factory=lambda: dict(CHANNEL))
    status: dict[str, str] = field(default_factory=lambda: dict(STATUS))
    payment: dict[str, str] = field(default_factory=lambda: dict(PAYMENT))
    section: str | None = None  # e.g. "Lĩnh vực: {field}" (rows grouped by field)
    subtotal: str | None = None  # e.g. "Cộng: {n} hồ sơ"
    grand_total: str | None = "Tổng cộng: {n} hồ sơ"
    footer: list[list[object]] = field(
        default_factory=lambda: [[], [None, None, "Người lập biểu", None, None, "Thủ trưởng đơn vị"]]
    )
    code: Callable[[Dossier], object] = lambda d: d.code
    unit: Callable[[Dossier], str] = lambda d: "UBND xã Thanh Giang"

    def with_(self, **kw) -> Layout:
        return replace(self, **kw)


STANDARD = Layout(
    columns=[
        ("seq", "STT"),
        ("code", "Mã hồ sơ"),
        ("procedure", "Tên thủ tục hành chính"),
        ("field", "Lĩnh vực"),
        ("applicant", "Chủ hồ sơ"),
        ("phone", "Số điện thoại"),
        ("received_at", "Ngày tiếp nhận"),
        ("due_at", "Ngày hẹn trả"),
        ("finished_at", "Ngày kết thúc xử lý"),
        ("channel", "Hình thức nộp"),
        ("status", "Trạng thái"),
        ("fee", "Phí, lệ phí (đồng)"),
        ("payment", "Hình thức thanh toán"),
    ]
)


def _cell(layout: Layout, what: str, d: Dossier, n: int) -> object:
    if what == "seq":
        return n
    if what == "code":
        return layout.code(d)
    if what == "received_at":
        return layout.date(d.received, True)
    if what == "due_at":
        return layout.date(d.due, False)
    if what in ("finished_at", "result_at", "handed_at"):
        return layout.date(d.finished, True) if d.finished else ""
    if what == "channel":
        return layout.channel.get(d.channel, d.channel)
    if what == "status":
        return layout.status[d.outcome]
    if what == "payment":
        return layout.payment.get(d.payment, "") if d.payment else ""
    if what == "fee":
        return f"{d.fee:,}".replace(",", ".") if d.fee else "0"
    if what == "duration":
        return f"{(d.due - d.received.date()).days} ngày làm việc"
    if what == "delivery":
        return "Trực tiếp" if d.channel == "direct" else ("Qua bưu chính" if d.channel == "postal" else "Trực tuyến")
    if what == "department":
        return "Công chức Tư pháp - Hộ tịch" if d.field != "Đất đai" else "Công chức Địa chính - Xây dựng"
    if what == "unit":
        return layout.unit(d)
    if what == "note":
        return ""
    if what == "code_b":  # a second identifier: the receipt number
        return f"BN-{d.received:%Y}-{d.code[-4:]}"
    if what == "timeliness":
        return {"early": "Trước hạn", "carried": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}.get(
            d.outcome, "Đang giải quyết" if d.outcome in ("pending", "overdue") else ""
        )
    return getattr(d, what)


def rows(layout: Layout, dossiers: list[Dossier]) -> list[list[object]]:
    """The sheet's rows: title, header(s), dossiers (grouped with section and subtotal rows if asked), total,
    footer."""
    width = len(layout.columns)
    out: list[list[object]] = [list(r) for r in layout.title]
    if layout.group_row:
        out.append(list(layout.group_row))
    out.append([h for _w, h in layout.columns])
    first_text = next(i for i, (w, _h) in enumerate(layout.columns) if w != "seq")

    def label_row(text: str) -> list[object]:
        row = [None] * width
        row[0] = text
        return row

    n = 0
    if layout.section or layout.subtotal:
        groups: dict[str, list[Dossier]] = {}
        for d in dossiers:
            groups.setdefault(d.field, []).append(d)
        for name, members in groups.items():
            if layout.section:
                out.append(label_row(layout.section.format(field=name, FIELD=name.upper(), n=len(members))))
            for d in members:
                n += 1
                out.append([_cell(layout, w, d, n) for w, _h in layout.columns])
            if layout.subtotal:
                text = layout.subtotal.format(n=len(members), field=name)
                if "{n}" in layout.subtotal:
                    out.append(label_row(text))
                else:  # the count in a cell of its own, under the second column
                    row = label_row(text)
                    row[first_text + 1 if first_text + 1 < width else 1] = len(members)
                    out.append(row)
    else:
        for d in dossiers:
            n += 1
            out.append([_cell(layout, w, d, n) for w, _h in layout.columns])
    if layout.grand_total:
        out.append(label_row(layout.grand_total.format(n=n)))
    out.extend(list(r) for r in layout.footer)
    return out


def write_xlsx(path: Path, sheet_rows: list[list[object]], sheet: str = "Danh sách") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in sheet_rows:
        ws.append([None if v == "" else v for v in r])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def write_text(path: Path, sheet_rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV / tab-separated text file as systems and Excel's "Save as" write them."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in sheet_rows:
        writer.writerow([_text(v) for v in r])
    path.parent.mkdir(parents=True, exist_ok=True)
    text = buf.getvalue()
    path.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def _in_cp1258(ch: str) -> bool:
    try:
        ch.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def encode_cp1258(text: str) -> bytes:
    """Windows Vietnamese (cp1258) as Windows writes it: precomposed letters where the code page has them (â, ơ,
    đ...), tone marks as combining characters after them. Python's codec has no such decomposition."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for mark in list(marks):  # "ậ" is a + dot below + circumflex: â is in the code page, the dot is a mark
            joined = unicodedata.normalize("NFC", base + mark)
            if len(joined) == 1 and _in_cp1258(joined):
                base = joined
                marks.remove(mark)
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def write_mojibake(path: Path, sheet_rows: list[list[object]]) -> Path:
    """UTF-8 text opened as Windows-1252 and saved again as UTF-8 (each byte became a character)."""
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([[_text(v) for v in r] for r in sheet_rows])
    garbled = "".join(_CP1252.get(b, chr(b)) for b in buf.getvalue().encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(garbled.encode("utf-8"))
    return path


# Windows-1252's characters for 0x80-0x9F (the five unassigned bytes stay as C1 controls, as Windows maps them)
_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
