"""Small workbooks built inside tests (nothing binary is committed)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font


def write_xlsx(path: Path, rows: list[list], merged: list[str] = (), font: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                cell = ws.cell(row=r, column=c, value=value)
                if font:
                    cell.font = Font(name=font)
    for rng in merged:
        ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


HEADER = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Chủ hồ sơ",
    "Số điện thoại",
    "Ngày tiếp nhận",
    "Hạn trả",
    "Ngày kết thúc xử lý",
    "Kênh",
    "Trạng thái",
    "Phí (đồng)",
    "Thanh toán",
]


def dossier_row(
    n,
    code,
    received="03/07/2023 08:15",
    due="05/07/2023",
    done="04/07/2023 10:00",
    channel="Trực tuyến",
    status="Đã trả kết quả",
    fee="2.000",
    pay="Trực tuyến",
    name="Trần Văn Mẫu",
    phone="0912345678",
    procedure="Đăng ký khai sinh",
):
    return [n, code, procedure, name, phone, received, due, done, channel, status, fee, pay]


def simple_export(
    path: Path,
    rows: list[list],
    title: str = "UBND XÃ THANH GIANG",
    period: str = "Từ ngày 01/07/2023 đến ngày 30/09/2023",
    total: int | None = None,
) -> Path:
    body = [[title], [period], [], HEADER, *rows]
    if total is not None:
        body.append([f"Tổng cộng: {total} hồ sơ"])
    body += [[], [None, None, None, None, None, None, None, None, "Người lập biểu"]]
    return write_xlsx(path, body)
