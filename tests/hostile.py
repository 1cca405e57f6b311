"""A corpus of hostile and broken inputs, generated (nothing binary is committed): each builder writes one file into
a raw folder. Used by tests/test_hostile.py and by benchmarks/bench_hostile.py."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from openpyxl import Workbook

from cchc_analysis.text import encode_tcvn3

from .ingest.builders import HEADER, dossier_row, simple_export, write_xlsx

RANGE_Q3 = "Từ ngày 01/07/2023 đến ngày 30/09/2023"


def _xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _patched(rows: list[list], patch) -> bytes:
    """An .xlsx written by openpyxl, with some of its parts rewritten by ``patch(name, data) -> data``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx_bytes(rows))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, patch(info.filename, src.read(info.filename)))
    return out.getvalue()


def export_rows(n: int = 3, prefix: str = "N") -> list[list]:
    return [dossier_row(i, f"{prefix}-{i}", received="03/07/2023 08:00") for i in range(1, n + 1)]


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + b"".join(f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">'.encode() for i in range(2, 10))
    + b"]>"
)


def _with_doctype(xml: bytes, entity_ref: bytes) -> bytes:
    """``xml`` with the billion-laughs DOCTYPE before its root element and ``entity_ref`` in place of CHUOI."""
    root = min(i for i in (xml.find(b"<worksheet"), xml.find(b"<sst")) if i >= 0)
    body = xml[root:].replace(b"CHUOI", entity_ref, 1)
    return xml[:root] + LAUGHS + body


def _shared(rows: list[list], text: bytes, doctype: bool = False) -> bytes:
    """An .xlsx whose cell CHUOI is a shared string holding ``text`` (raw bytes, written as they are)."""
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + (LAUGHS if doctype else b"")
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        + b"<si><t>"
        + text
        + b"</t></si></sst>"
    )

    def patch(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b't="inlineStr"><is><t>CHUOI</t></is>', b't="s"><v>0</v>')
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return data

    buf = io.BytesIO(_patched(rows, patch))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", sst)
    return buf.getvalue()


def build_corpus(raw: Path) -> dict[str, str]:
    """Write every hostile file under ``raw/hostile/`` and one normal export under ``raw/thanh-giang/``.

    Returns file name -> what it is (for messages)."""
    d = raw / "hostile"
    d.mkdir(parents=True, exist_ok=True)
    what: dict[str, str] = {}

    def put(name: str, data: bytes, desc: str) -> None:
        (d / name).write_bytes(data)
        what[name] = desc

    normal = [["UBND XÃ THANH GIANG"], [RANGE_Q3], [], HEADER, *export_rows(3)]
    good = _xlsx_bytes(normal)
    put("truncated.xlsx", good[: len(good) // 2], "truncated zip")
    # an "encrypted" OOXML: an OLE compound file holding EncryptionInfo / EncryptedPackage streams
    put("encrypted.xlsx", _ole_encrypted(), "encrypted workbook")
    put(
        "laughs-sheet.xlsx",
        _patched(
            [*normal[:4], dossier_row(1, "L-1", received="03/07/2023 08:00", procedure="CHUOI")],
            lambda n, b: _with_doctype(b, b"&lol9;") if n == "xl/worksheets/sheet1.xml" else b,
        ),
        "billion laughs in a sheet",
    )
    put(
        "laughs-shared.xlsx",
        _shared([*normal[:4], dossier_row(1, "L-2", received="03/07/2023 08:00", procedure="CHUOI")], b"&lol9;", True),
        "billion laughs in sharedStrings",
    )
    put("bomb.xlsx", _zip_bomb(300 << 20), "zip bomb: 300 MB sheet, dimension A1:XFD1048576")
    wb = Workbook()
    wb.active["A1"] = "x"
    wb.active["XFD1048576"] = "y"
    buf = io.BytesIO()
    wb.save(buf)
    put("far-apart.xlsx", buf.getvalue(), "cells far apart")
    put("csv.xlsx", "STT;Mã hồ sơ;Ngày tiếp nhận\n1;H-1;03/07/2023\n".encode(), "CSV under .xlsx")
    put("garbage.xls", random.Random(0).randbytes(8192), "binary garbage under .xls")
    write_xlsx(
        d / "formulas.xlsx",
        [
            ["UBND XÃ THANH GIANG"],
            [RANGE_Q3],
            [],
            HEADER,
            [
                1,
                "F-1",
                '=HYPERLINK("http://example.org","bấm")',
                *dossier_row(1, "F-1", received="03/07/2023 08:00")[3:],
            ],
            [2, "F-2", "=cmd|' /C calc'!A0", *dossier_row(2, "F-2", received="03/07/2023 08:00")[3:]],
            [3, "F-3", "@SUM(1+1)", *dossier_row(3, "F-3", received="03/07/2023 08:00")[3:]],
        ],
    )
    what["formulas.xlsx"] = "formula strings"
    write_xlsx(
        d / "long-cells.xlsx",
        [
            ["UBND XÃ THANH GIANG"],
            [RANGE_Q3],
            [],
            HEADER,
            [1, "LC-1", "Đăng ký khai sinh " + "x" * 10_000, *dossier_row(1, "LC-1")[3:]],
        ],
    )
    what["long-cells.xlsx"] = "10,000-character cells"
    put(
        "control-chars.xlsx",
        _shared(
            [*normal[:4], dossier_row(1, "C-1", received="03/07/2023 08:00", procedure="CHUOI")],
            "Khai\x00sinh\x07 \x1b[31mđỏ".encode(),
        ),
        "NUL and control characters",
    )
    rtl = "\u200fĐăng ký\u202e khai sinh\u200b"
    simple_export(d / "rtl-marks.xlsx", [dossier_row(1, "R-1", received="03/07/2023 08:00", procedure=rtl)])
    what["rtl-marks.xlsx"] = "right-to-left and zero-width marks"
    write_xlsx(
        d / "duplicate-headers.xlsx",
        [["UBND XÃ THANH GIANG"], [RANGE_Q3], [], [*HEADER, "Mã hồ sơ"], [*dossier_row(1, "D-1"), "D-1-bis"]],
    )
    what["duplicate-headers.xlsx"] = "duplicated header"
    put("empty-workbook.xlsx", _empty_workbook(), "workbook without sheets")
    write_xlsx(d / "empty-sheet.xlsx", [])
    what["empty-sheet.xlsx"] = "empty sheet"
    write_xlsx(d / "header-only.xlsx", [["UBND XÃ THANH GIANG"], [RANGE_Q3], [], HEADER])
    what["header-only.xlsx"] = "header-only sheet"
    legacy = encode_tcvn3("Chứng thực bản sao")
    write_xlsx(
        d / "mixed-legacy.xlsx",
        [
            ["UBND XÃ THANH GIANG"],
            [RANGE_Q3],
            [],
            HEADER,
            dossier_row(1, "M-1", received="03/07/2023 08:00", procedure="Đăng ký khai sinh"),
            dossier_row(2, "M-2", received="03/07/2023 08:00", procedure=legacy),
        ],
    )
    what["mixed-legacy.xlsx"] = "legacy and Unicode text in one column"
    simple_export(raw / "thanh-giang" / "normal.xlsx", export_rows(3))
    what["normal.xlsx"] = "a normal export"
    return what


def _zip_bomb(size: int) -> bytes:
    out = io.BytesIO()
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
    )
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx_bytes([["x"]]))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head)
                chunk = b"<row/>" * (1 << 17)
                written = 0
                while written < size:
                    fh.write(chunk)
                    written += len(chunk)
                fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _empty_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<sheets/></workbook>",
        )
    return out.getvalue()


def _ole_encrypted() -> bytes:
    """The start of a compound file holding the EncryptionInfo stream Office writes for a password-protected .xlsx."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1024
