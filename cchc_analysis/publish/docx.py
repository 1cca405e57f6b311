"""The editable Word report (.docx) of a brief, in the layout of Decree 30/2020/NĐ-CP: A4, Times New Roman 13-14 pt,
margins 20/20/30/15 mm, the two-column heading with the national motto, "Số: .../BC-UBND", place and date line,
"Nơi nhận" and the signature block. Tables are real Word tables, charts are pictures: the office fills in the
number and the day, then signs."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..brief import MOTTO, Brief, Figure, Notice, Table, header_rows
from ..outline import CARRIED_MARK

FONT = "Times New Roman"


def _font(run, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(container, text: str = "", size: float = 13, bold=False, italic=False, align=None, indent=True, after=6):
    p = container.add_paragraph()
    if text:
        _font(p.add_run(text), size, bold, italic)
    p.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(0)
    if indent and align is None:
        fmt.first_line_indent = Mm(10)
    return p


def _cell_text(cell, text: str, size: float, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(text), size, bold, italic)


def _add_cell_line(cell, text: str, size: float, bold=False, italic=False) -> None:
    p = cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(text), size, bold, italic)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _heading(doc, brief: Brief) -> None:
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = t.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    _cell_text(left, brief.issuer[0], 13)
    _add_cell_line(left, brief.issuer[1], 13, bold=True)
    _add_cell_line(left, "________", 13)
    _add_cell_line(left, brief.number, 13)
    _cell_text(right, MOTTO[0], 12.5, bold=True)
    _add_cell_line(right, MOTTO[1], 13.5, bold=True)
    _add_cell_line(right, "______________________", 13)
    _add_cell_line(right, brief.date_line, 13, italic=True)
    _para(doc, "", after=6)
    _para(doc, "BÁO CÁO", 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, brief.subject, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    if brief.notice:
        _para(doc, brief.notice, 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _table(doc, table: Table) -> None:
    if table.caption:
        _para(doc, table.caption, 12, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=3)
    frame = table.frame
    rows = header_rows(table)
    t = doc.add_table(rows=len(rows), cols=len(frame.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = 10 if len(frame.columns) > 8 else 11
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for label, colspan, rowspan in row:
            while (r, c) in taken:
                c += 1
            cell = t.cell(r, c)
            if colspan > 1 or rowspan > 1:
                cell = cell.merge(t.cell(r + rowspan - 1, c + colspan - 1))
            _cell_text(cell, label, size, bold=True)
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    for row in t.rows:
        _repeat_header(row)
    last = len(frame) - 1
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = t.add_row().cells
        for cell, name, value in zip(cells, frame.columns, row, strict=True):
            align = WD_ALIGN_PARAGRAPH.RIGHT if name in table.numeric else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cell, str(value), size, bold=table.total_last and i == last, align=align)
    _para(doc, "", after=6)


def _figure(doc, figure: Figure) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(io.BytesIO(figure.png), width=Mm(160))
    _para(doc, figure.caption, 11, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=8)


def _closing(doc, brief: Brief) -> None:
    _para(doc, "", after=6)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    left, right = t.rows[0].cells
    left.width, right.width = Mm(75), Mm(90)
    _cell_text(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for r in brief.recipients:
        p = left.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(f"- {r}"), 11)
    _cell_text(right, brief.signature[0], 13, bold=True)
    _add_cell_line(right, brief.signature[1], 13, bold=True)


def _heading_of(doc, s) -> None:
    """A section's heading by its level: a "Phần" centred in capitals on two lines, "I." bold, "1." bold, "1.1." and
    "a)" bold italic, as the communes' reports set them."""
    if not s.title:
        return
    if s.level == 0:
        for i, line in enumerate(s.title.splitlines()):
            _para(doc, line, 14 if i else 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0 if i == 0 else 8)
        return
    p = _para(doc, s.title, 13, bold=True, italic=s.level >= 3, align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    p.paragraph_format.keep_with_next = True


def _highlighted(doc, text: str, rest: str = "") -> None:
    """A paragraph that starts with text the official must see (a placeholder, a carried-over mark): bold, on
    yellow, so that it is not signed unnoticed."""
    from docx.enum.text import WD_COLOR_INDEX

    p = _para(doc)
    run = p.add_run(text)
    _font(run, 13, bold=True)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if rest:
        _font(p.add_run(" " + rest), 13)


def _section(doc, s) -> None:
    _heading_of(doc, s)
    for block in s.blocks:
        if isinstance(block, str):
            _para(doc, block)
        elif hasattr(block, "what"):  # report.Placeholder: a part still to be written
            _highlighted(doc, block.text)
        elif hasattr(block, "source"):  # report.Authored: the official's text, a paragraph per line
            lines = [line for line in block.text.splitlines() if line.strip()]
            for i, line in enumerate(lines):
                if i == 0 and block.carried:
                    _highlighted(doc, CARRIED_MARK.strip(), line)
                else:
                    _para(doc, line)
        elif isinstance(block, Notice):
            _para(doc, block.text, 13, italic=True)
        elif isinstance(block, list):
            for k in block:
                _para(doc, f"- {k.label}: {k.value}" + (f" ({k.note})" if k.note else ""), after=2)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block)


def brief_docx(brief: Brief) -> bytes:
    """The brief as an editable .docx (bytes)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.get_or_add_rPr()
    doc.core_properties.title = f"Báo cáo {brief.subject}"
    doc.core_properties.author = "cchc-analysis"
    doc.core_properties.language = "vi-VN"
    _heading(doc, brief)
    for s in brief.body:
        _section(doc, s)
    _closing(doc, brief)
    for s in brief.annexes:
        _section(doc, s)
    _page_numbers(section)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _page_numbers(section) -> None:
    section.different_first_page_header_footer = True  # Decree 30/2020: no number on the first page
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(run, 13)


def save_docx(brief: Brief, path) -> None:
    """Write the .docx atomically; an empty ``path`` writes nothing (notebooks run outside ``cchc run``)."""
    from ..fileio import write_atomic

    if path:
        write_atomic(path, brief_docx(brief))
