"""Dossier-list exports in three vendor layouts, as the provincial one-stop-shop systems produce them."""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
import zlib
from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..text import encode_tcvn3, vn_int
from .xlsx import font_style, workbook_bytes

END_OF_DAY = dt.time(23, 59, 59)


@dataclass(frozen=True)
class ExportSpec:
    """One export: the unit, its stated date range and the day it was made."""

    unit_name: str  # short name, "Thanh Giang"
    unit_type: str  # "xã", "thị trấn"
    area: str  # the level above: "Huyện Thanh Miện" (until 30/06/2025), "Thành phố Hải Phòng" (since)
    start: dt.date
    end: dt.date
    made_on: dt.date
    vendor: str  # "A", "B", "C"
    encoding: str = "unicode"  # "unicode", "nfd", "tcvn3"


STATUS_LABELS = {
    "A": {
        "progress": "Đang xử lý",
        "supplement": "Yêu cầu bổ sung giấy tờ",
        "processed": "Đã xử lý xong",
        "handed": "Đã trả kết quả",
        "withdrawn": "Công dân yêu cầu rút hồ sơ",
        "returned": "Trả lại",
        "not_accepted": "Không được tiếp nhận",
    },
    "B": {
        "progress": "Đang giải quyết",
        "supplement": "Chờ bổ sung",
        "processed": "Đã giải quyết",
        "handed": "Đã trả kết quả",
        "withdrawn": "Đã rút hồ sơ",
        "returned": "Dừng xử lý",
        "not_accepted": "Từ chối tiếp nhận",
    },
    "C": {
        "progress": "Đang xử lý",
        "supplement": "Chờ công dân bổ sung",
        "processed": "Đã có kết quả",
        "handed": "Đã trả kết quả",
        "withdrawn": "Rút hồ sơ",
        "returned": "Trả lại hồ sơ",
        "not_accepted": "Không tiếp nhận",
    },
}
CHANNEL_LABELS = {
    "A": {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính công ích"},
    "B": {"online": "Nộp trực tuyến", "direct": "Nộp trực tiếp", "postal": "Qua dịch vụ BCCI"},
    "C": {"online": "Trực tuyến", "direct": "Tại quầy", "postal": "Bưu điện"},
}
PAYMENT_LABELS = {
    "A": {True: "Trực tuyến", False: "Tiền mặt"},
    "B": {True: "Thanh toán trực tuyến", False: "Tiền mặt"},
    "C": {True: "Đã thanh toán trực tuyến", False: "Thu tiền mặt"},
}


def area_phrase(area: str) -> str:
    """An area as written inside a sentence: its type word in lower case ("huyện Thanh Miện", "thành phố Hải
    Phòng")."""
    for word in ("Thành phố", "Tỉnh", "Huyện", "Thị xã", "Quận"):
        if area.startswith(word + " "):
            return word.lower() + area[len(word) :]
    return area


def select_for_export(dossiers: list[dict], start: dt.date, end: dt.date) -> list[dict]:
    """The dossiers an export of ``start``..``end`` lists: received, ended or still open in the range."""
    chosen = []
    for d in dossiers:
        received = d["received_at"].date()
        ended = d["ended_at"].date() if d["ended_at"] else None
        if d["outcome"] == "not_accepted":
            keep = start <= received <= end
        else:
            keep = (
                start <= received <= end
                or (ended is not None and start <= ended <= end)
                or (received < start and (ended is None or ended >= start))
            )
        if keep:
            chosen.append(d)
    return sorted(chosen, key=lambda d: (d["received_at"], d["code"]))


def view_at(d: dict, made_on: dt.date, vendor: str, payment_from: dt.date) -> dict:
    """What the system shows for dossier ``d`` on the export day: dates not yet reached are blank."""
    cutoff = dt.datetime.combine(made_on, END_OF_DAY)

    def seen(value):
        return value if value is not None and value <= cutoff else None

    labels = STATUS_LABELS[vendor]
    outcome = d["outcome"]
    processed, result, handed, ended = (
        seen(d["processed_at"]),
        seen(d["result_at"]),
        seen(d["handed_at"]),
        seen(d["ended_at"]),
    )
    if outcome == "not_accepted":
        status = labels["not_accepted"]
    elif outcome in ("withdrawn", "returned"):
        status = labels[outcome] if ended else labels["progress"]
    elif handed:
        status = labels["handed"]
    elif processed:
        status = labels["processed"]
    else:
        status = labels["supplement"] if zlib.crc32(d["code"].encode()) % 10 == 0 else labels["progress"]
    payment = ""
    if d["fee"] and d.get("paid_online") is not None and d["received_at"].date() >= payment_from:
        payment = PAYMENT_LABELS[vendor][bool(d["paid_online"])]
    finished = ended if outcome in ("withdrawn", "returned") else processed
    return {
        **d,
        "status": status,
        "channel_label": CHANNEL_LABELS[vendor][d["channel"]],
        "processed_at": finished if outcome != "not_accepted" else None,
        "result_at": result if outcome not in ("withdrawn", "returned") else None,
        "handed_at": handed if outcome not in ("withdrawn", "returned") else None,
        "payment": payment,
    }


def _fmt(value: dt.datetime | dt.date | None, pattern: str) -> str:
    return value.strftime(pattern) if value else ""


def _encoder(encoding: str):
    if encoding == "tcvn3":
        return encode_tcvn3
    if encoding == "nfd":
        return lambda s: unicodedata.normalize("NFD", s)
    return lambda s: s


def write_vendor_a(spec: ExportSpec, rows: list[dict]) -> bytes:
    """Layout A: title rows, one header row, dates as text, fees as VN-formatted text, totals and signature."""
    enc = _encoder(spec.encoding)
    legacy = spec.encoding == "tcvn3"
    body_font = Font(name=".VnTime" if legacy else "Times New Roman", size=11)
    title_font = Font(name=".VnTimeH" if legacy else "Times New Roman", size=12, bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "DanhSachHoSo"
    headers = [
        "STT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Lĩnh vực",
        "Chủ hồ sơ",
        "Số điện thoại",
        "Địa chỉ",
        "Ngày tiếp nhận",
        "Ngày hẹn trả",
        "Ngày kết thúc xử lý",
        "Ngày trả kết quả",
        "Hình thức nộp",
        "Trạng thái",
        "Phí, lệ phí (đồng)",
        "Hình thức thanh toán",
        "Số hóa",
    ]
    ncol = len(headers)

    def title(row: int, text: str, col: int = 1, span: int = 6) -> None:
        cell = ws.cell(row=row, column=col, value=enc(text))
        cell.font = title_font
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)

    title(1, f"ỦY BAN NHÂN DÂN {spec.area.upper()}")
    title(2, f"ỦY BAN NHÂN DÂN {spec.unit_type.upper()} {spec.unit_name.upper()}")
    title(1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", col=9, span=8)
    title(2, "Độc lập - Tự do - Hạnh phúc", col=9, span=8)
    title(4, "DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", span=ncol)
    title(5, f"Từ ngày {spec.start:%d/%m/%Y} đến ngày {spec.end:%d/%m/%Y}", span=ncol)
    for j, h in enumerate(headers, start=1):
        c = ws.cell(row=7, column=j, value=enc(h))
        c.font = Font(name=body_font.name, bold=True)
    r = 8
    body_style = font_style(wb, body_font)
    for i, d in enumerate(rows, start=1):
        values = [
            i,
            d["code"],
            enc(d["procedure"]),
            enc(d["field"]),
            enc(d["applicant"]),
            d["phone"],
            enc(d["address"]),
            _fmt(d["received_at"], "%d/%m/%Y %H:%M:%S"),
            _fmt(d["due_date"], "%d/%m/%Y"),
            _fmt(d["processed_at"], "%d/%m/%Y %H:%M"),
            _fmt(d["handed_at"], "%d/%m/%Y %H:%M"),
            enc(d["channel_label"]),
            enc(d["status"]),
            vn_int(d["fee"]),
            enc(d["payment"]),
            "x" if d["digitised"] and d["handed_at"] else "",
        ]
        for j, v in enumerate(values, start=1):
            ws.cell(row=r, column=j, value=v)._style = copy(body_style)
        r += 1
    ws.cell(row=r, column=1, value=enc(f"Tổng cộng: {vn_int(len(rows))} hồ sơ")).font = title_font
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
    made = spec.made_on
    ws.cell(row=r + 2, column=11, value=enc(f"{spec.unit_name}, ngày {made:%d} tháng {made.month} năm {made.year}"))
    ws.cell(row=r + 3, column=11, value=enc("NGƯỜI LẬP BIỂU")).font = title_font
    ws.cell(row=r + 4, column=11, value=enc("(Ký, ghi rõ họ tên)"))
    for j, width in enumerate([6, 26, 60, 18, 24, 14, 40, 20, 13, 18, 18, 16, 26, 14, 18, 8], start=1):
        ws.column_dimensions[ws.cell(row=7, column=j).column_letter].width = width
    return workbook_bytes(wb)


def write_vendor_b(spec: ExportSpec, rows: list[dict], repeat_header_every: int = 1000) -> bytes:
    """Layout B: two header rows with merged group cells, a blank column, real Excel dates, header repeated."""
    enc = _encoder(spec.encoding)
    wb = Workbook()
    ws = wb.active
    ws.title = "Chi tiết hồ sơ"
    ws["A1"] = enc("HỆ THỐNG THÔNG TIN GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TỈNH HẢI DƯƠNG")
    ws["A2"] = enc(f"Đơn vị: UBND {spec.unit_type} {spec.unit_name} - {area_phrase(spec.area)}")
    ws["A3"] = enc("BÁO CÁO CHI TIẾT HỒ SƠ")
    ws["A4"] = enc(f"Kỳ báo cáo: từ {spec.start:%d/%m/%Y} đến {spec.end:%d/%m/%Y}")
    for cell in ("A1", "A3"):
        ws[cell].font = Font(bold=True)
    # columns: 1 STT | 2-4 Thông tin hồ sơ | 5 blank | 6-9 Người nộp | 10-13 Thời gian | 14 Kênh | 15 Tình trạng
    #          | 16 Lệ phí | 17 Phương thức thanh toán | 18 Đã số hóa
    groups = [(2, 4, "Thông tin hồ sơ"), (6, 9, "Người nộp"), (10, 13, "Thời gian")]
    subs = {
        2: "Số hồ sơ",
        3: "Thủ tục",
        4: "Lĩnh vực",
        6: "Họ và tên",
        7: "Số CCCD",
        8: "Điện thoại",
        9: "Địa chỉ",
        10: "Ngày nhận",
        11: "Hạn xử lý",
        12: "Ngày có kết quả",
        13: "Ngày trả",
    }
    singles = {
        1: "STT",
        14: "Kênh nộp",
        15: "Tình trạng",
        16: "Lệ phí (đồng)",
        17: "Phương thức thanh toán",
        18: "Đã số hóa",
    }

    def header(top: int) -> None:
        for col, text in singles.items():
            ws.cell(row=top, column=col, value=enc(text)).font = Font(bold=True)
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        for c0, c1, text in groups:
            ws.cell(row=top, column=c0, value=enc(text)).font = Font(bold=True)
            ws.merge_cells(start_row=top, start_column=c0, end_row=top, end_column=c1)
        for col, text in subs.items():
            ws.cell(row=top + 1, column=col, value=enc(text)).font = Font(bold=True)

    header(6)
    r = 8
    for i, d in enumerate(rows, start=1):
        if i > 1 and (i - 1) % repeat_header_every == 0:
            header(r)
            r += 2
        values = {
            1: i,
            2: d["code"],
            3: enc(d["procedure"]),
            4: enc(d["field"]),
            6: enc(d["applicant"]),
            7: d["id_number"],
            8: d["phone"],
            9: enc(d["address"]),
            10: d["received_at"],
            11: d["due_date"],
            12: d["result_at"],
            13: d["handed_at"],
            14: enc(d["channel_label"]),
            15: enc(d["status"]),
            16: d["fee"],
            17: enc(d["payment"]),
            18: "Có" if d["digitised"] else "Không",
        }
        for col, v in values.items():
            cell = ws.cell(row=r, column=col, value=v)
            if isinstance(v, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(v, dt.date):
                cell.number_format = "dd/mm/yyyy"
            elif col == 16:
                cell.number_format = "#,##0"
        r += 1
    ws.cell(row=r, column=1, value=enc("Tổng số"))
    ws.cell(row=r, column=2, value=len(rows))
    made = spec.made_on
    ws.cell(row=r + 2, column=12, value=enc(f"Ngày {made:%d} tháng {made:%m} năm {made.year}"))
    ws.cell(row=r + 3, column=12, value=enc("Người tổng hợp"))
    return workbook_bytes(wb)


def write_vendor_c(spec: ExportSpec, rows: list[dict]) -> bytes:
    """Layout C: an HTML table saved with an .xls name, as many web systems export; dates without times."""
    enc = _encoder(spec.encoding)

    def esc(text: object) -> str:
        return html.escape(enc(str(text)), quote=False)

    headers = [
        "STT",
        "Mã HS",
        "Thủ tục",
        "Lĩnh vực",
        "Người nộp",
        "Số CMND/CCCD",
        "Điện thoại",
        "Ngày nhận",
        "Hạn trả",
        "Ngày có kết quả",
        "Ngày trả kết quả",
        "Loại tiếp nhận",
        "Trạng thái HS",
        "Số tiền phí",
        "Thanh toán",
    ]
    commune = f"UBND {spec.unit_type.upper()} {spec.unit_name.upper()}"
    out = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>',
        "<table>",
        f'<tr><td colspan="15"><b>{esc("UBND " + spec.area.upper())}</b></td></tr>',
        f'<tr><td colspan="15"><b>{esc(commune)}</b></td></tr>',
        f'<tr><td colspan="15">{esc("THỐNG KÊ HỒ SƠ THỦ TỤC HÀNH CHÍNH")}</td></tr>',
        f'<tr><td colspan="15">{esc(f"Thời gian: {spec.start:%d/%m/%Y} - {spec.end:%d/%m/%Y}")}</td></tr>',
        "</table>",
        '<table border="1"><thead><tr>' + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead><tbody>",
    ]
    for i, d in enumerate(rows, start=1):
        cells = [
            i,
            d["code"],
            d["procedure"],
            d["field"],
            d["applicant"],
            d["id_number"],
            d["phone"],
            _fmt(d["received_at"], "%d/%m/%Y %H:%M"),
            _fmt(d["due_date"], "%d/%m/%Y"),
            _fmt(d["result_at"], "%d/%m/%Y"),
            _fmt(d["handed_at"], "%d/%m/%Y"),
            d["channel_label"],
            d["status"],
            vn_int(d["fee"]) if d["fee"] else "",
            d["payment"],
        ]
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    out.append(f'</tbody><tfoot><tr><td colspan="2">{esc("Tổng cộng")}</td><td>{len(rows)}</td></tr></tfoot></table>')
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")
