"""Write a realistic one-stop-shop dossier export of N rows as .xlsx (title rows, 15 columns, shared strings, text
dates, personal-data columns), streamed straight to XML so that a million rows take seconds to write."""

from __future__ import annotations

import random
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Lĩnh vực",
    "Chủ hồ sơ",
    "Số điện thoại",
    "Số CCCD",
    "Địa chỉ",
    "Ngày tiếp nhận",
    "Hạn trả",
    "Ngày kết thúc xử lý",
    "Kênh",
    "Trạng thái",
    "Phí (đồng)",
    "Thanh toán",
]
PROCEDURES = [
    ("Đăng ký khai sinh", "Hộ tịch"),
    ("Đăng ký kết hôn", "Hộ tịch"),
    ("Chứng thực bản sao", "Chứng thực"),
    ("Đăng ký khai tử", "Hộ tịch"),
    ("Chứng thực chữ ký", "Chứng thực"),
    ("Xác nhận tình trạng hôn nhân", "Hộ tịch"),
    ("Trợ cấp xã hội hằng tháng", "Bảo trợ xã hội"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hồng", "Quang"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Lan", "Long", "Mai", "Nam", "Phương", "Sơn", "Trang", "Tuấn"]
HAMLETS = ["Tiêu Sơn", "Phù Tải 1", "Phù Tải 2", "Gia Cốc"]

CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook'
    '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
    '.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="DanhSach" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_export(
    path: Path, n: int, seed: int = 1, unit: str = "THANH GIANG", months: tuple[int, int] = (1, 12)
) -> None:
    """``n`` dossiers of commune ``unit`` received in ``months`` (first, last) of 2023."""
    import calendar

    rnd = random.Random(seed)
    strings: dict[str, int] = {}

    def sid(text: str) -> int:
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    cols = [col(i) for i in range(len(HEADER))]
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", CT)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WB)
        zf.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            last = n + 4
            fh.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.'
                    'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:O'
                    f'{last}"/><sheetData>'
                ).encode()
            )
            last_day = calendar.monthrange(2023, months[1])[1]
            titles = [
                f"UBND XÃ {unit}",
                "DANH SÁCH HỒ SƠ TIẾP NHẬN",
                f"Từ ngày 01/{months[0]:02d}/2023 đến ngày {last_day}/{months[1]:02d}/2023",
            ]
            for r, t in enumerate(titles, start=1):
                fh.write(f'<row r="{r}"><c r="A{r}" t="s"><v>{sid(t)}</v></c></row>'.encode())
            cells = "".join(f'<c r="{c}4" t="s"><v>{sid(h)}</v></c>' for c, h in zip(cols, HEADER, strict=True))
            fh.write(f'<row r="4">{cells}</row>'.encode())
            buf = []
            for i in range(1, n + 1):
                r = i + 4
                proc, field = PROCEDURES[rnd.randrange(len(PROCEDURES))]
                day = rnd.randrange(1, 29)
                month = rnd.randrange(months[0], months[1] + 1)
                received = f"{day:02d}/{month:02d}/2023 {rnd.randrange(7, 17):02d}:{rnd.randrange(60):02d}"
                due = f"{min(day + 3, 28):02d}/{month:02d}/2023"
                done = f"{min(day + rnd.randrange(0, 4), 28):02d}/{month:02d}/2023 10:00"
                name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
                online = rnd.random() < 0.9
                values = [
                    None,
                    f"H30.36.{rnd.randrange(10, 99)}-{month:02d}{day:02d}23-{i:07d}",
                    proc,
                    field,
                    name,
                    f"09{rnd.randrange(10**8):08d}",
                    f"030{rnd.randrange(10**9):09d}",
                    f"Số {rnd.randrange(1, 200)}, thôn {rnd.choice(HAMLETS)}, xã Thanh Giang",
                    received,
                    due,
                    done,
                    "Trực tuyến" if online else "Trực tiếp",
                    "Đã trả kết quả",
                    None,
                    "Trực tuyến" if online else "Tiền mặt",
                ]
                parts = [f'<row r="{r}"><c r="A{r}"><v>{i}</v></c>']
                for c, v in zip(cols[1:], values[1:], strict=True):
                    if v is None:
                        parts.append(f'<c r="{c}{r}"><v>{rnd.choice((0, 2000, 5000, 10000))}</v></c>')
                    elif c in ("B", "E", "F", "G", "H", "I", "K"):  # unique-ish values: inline strings, as vendors do
                        parts.append(f'<c r="{c}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
                    else:
                        parts.append(f'<c r="{c}{r}" t="s"><v>{sid(v)}</v></c>')
                parts.append("</row>")
                buf.append("".join(parts))
                if len(buf) >= 5000:
                    fh.write("".join(buf).encode())
                    buf = []
            fh.write("".join(buf).encode())
            fh.write(b"</sheetData></worksheet>")
        items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        zf.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns='
            f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{items}</sst>',
        )


if __name__ == "__main__":
    write_export(Path(sys.argv[1]), int(sys.argv[2]))
