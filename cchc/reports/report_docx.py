"""The periodic report as an editable .docx laid out as an administrative document (Decree
30/2020/NĐ-CP, Phụ lục I; docs/reports.md says which rule each setting follows).

- A4 portrait, margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, black.
- Page numbers centred in the top margin from the second page on.
- Header in two borderless columns: the issuing body (its governing body above it, regular;
  the body itself in bold; a short rule beneath) and the number "Số: …/BC-UBND"; the national
  motto (13 pt bold capitals) and the tagline (14 pt bold, underlined as long as itself), then
  place and date in italics.
- "BÁO CÁO" and the summary in bold, centred, a short rule beneath; the body 14 pt, justified,
  first-line indent 1.27 cm, 6 pt after each paragraph, line spacing 1.15.
- "Nơi nhận:" bold italic 12 pt with the recipients at 11 pt on the left, the signature block on
  the right; the Biểu 06 appendix in a landscape section.
- Places for the unit to write are italic, highlighted in yellow, in square brackets.
Charts go in as PNG (python-docx cannot embed SVG reliably), drawn from the same figure as the
page's SVG.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from cchc.reports import charts
from cchc.reports.report_content import (
    Block,
    FigureBlock,
    HeaderCell,
    Heading,
    OfficialReport,
    Para,
    Placeholder,
    TableBlock,
)

FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH_MM = 210 - 30 - 15
LANDSCAPE_TEXT_WIDTH_MM = 297 - 30 - 15
BLACK = RGBColor(0, 0, 0)


def _font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = BLACK


def _paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    after: float = 0,
    indent: float | None = None,
) -> Paragraph:
    p: Paragraph = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Cm(indent) if indent else None
    if text:
        _font(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _rule(container: Any, width_cm: float, box_cm: float) -> None:
    """A short horizontal rule, centred in a box `box_cm` wide: a paragraph's bottom border
    between indents (a drawing would float and move when people edit)."""
    p = _paragraph(container, size=4)
    side = Cm(max(0.0, (box_cm - width_cm) / 2))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def _widths(table: Table, widths: list[Any]) -> None:
    """Column widths both ways: on the grid (LibreOffice reads it) and on every cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _page_number_field(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _setup(document: Any) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.font.color.rgb = BLACK
    # East-Asian and complex-script slots too, so Word never substitutes another face.
    fonts = normal.element.rPr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    # Page numbers from the second page on, centred in the top margin (ND 30/2020).
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(header)


def _header(document: Any, report: OfficialReport) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left_cm, right_cm = 6.2, TEXT_WIDTH_MM / 10 - 6.2
    _widths(table, [Cm(left_cm), Cm(right_cm)])
    left, right = table.rows[0].cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    _paragraph(left, report.issuer_top, size=13)
    _paragraph(left, report.issuer, size=13, bold=True)
    _rule(left, 2.2, left_cm)
    _paragraph(left, report.number, size=13, after=0).paragraph_format.space_before = Pt(4)
    _paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    motto = _paragraph(right, "", size=14)
    run = motto.add_run("Độc lập - Tự do - Hạnh phúc")
    _font(run, 14, bold=True)
    run.font.underline = True  # the rule beneath, exactly as long as the tagline
    place = _paragraph(right, report.place_date, size=14, italic=True)
    place.paragraph_format.space_before = Pt(8)


def _title(document: Any, report: OfficialReport) -> None:
    _paragraph(document, report.title, size=14, bold=True).paragraph_format.space_before = Pt(18)
    _paragraph(document, report.summary, size=14, bold=True)
    _rule(document, 3.5, TEXT_WIDTH_MM / 10)
    _paragraph(document, size=8)


def _body_paragraph(document: Any, text: str = "", *, lead: str = "") -> Paragraph:
    p = _paragraph(document, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=1.27)
    p.paragraph_format.line_spacing = 1.15
    if lead:
        _font(p.add_run(lead + " "), BODY_PT, bold=True)
    if text:
        _font(p.add_run(text), BODY_PT)
    return p


def _heading(document: Any, block: Heading) -> None:
    p = _body_paragraph(document)
    p.paragraph_format.keep_with_next = True
    if block.level == 1:
        p.paragraph_format.space_before = Pt(6)
    _font(p.add_run(block.text), BODY_PT, bold=True, italic=block.level == 3)


def _placeholder(document: Any, block: Placeholder) -> None:
    p = _body_paragraph(document)
    run = p.add_run(f"[Đơn vị bổ sung: {block.text}]")
    _font(run, BODY_PT, italic=True)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _layout_header(
    rows: tuple[tuple[HeaderCell, ...], ...], columns: int
) -> list[tuple[int, int, HeaderCell]]:
    """Each header cell's (row, column): cells fill the next columns free of a cell spanning
    down from a row above."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    assert all(c < columns for _r, c, _cell in placed)
    return placed


def _set_cell(
    cell: _Cell, text: str, size: float, *, bold: bool, align: WD_ALIGN_PARAGRAPH
) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    _font(p.add_run(text), size, bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _no_split(row: Any) -> None:
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _table(document: Any, block: TableBlock, width_mm: float) -> None:
    if block.caption:
        p = _paragraph(document, block.caption, size=13, bold=True, after=4)
        p.paragraph_format.keep_with_next = True
    columns = len(block.widths)
    header_rows = len(block.header)
    table = document.add_table(rows=header_rows + len(block.rows), cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    whole = sum(block.widths)
    _widths(table, [Mm(width_mm * w / whole) for w in block.widths])
    for r, c, header in _layout_header(block.header, columns):
        cell = table.cell(r, c)
        if header.rowspan > 1 or header.colspan > 1:
            cell = cell.merge(table.cell(r + header.rowspan - 1, c + header.colspan - 1))
        _set_cell(cell, header.text, block.size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for r in range(header_rows):
        _repeat_header(table.rows[r])
    for i, values in enumerate(block.rows):
        cells = table.rows[header_rows + i].cells
        for j, value in enumerate(values):
            align = (
                WD_ALIGN_PARAGRAPH.RIGHT
                if j >= block.numeric_from
                else (WD_ALIGN_PARAGRAPH.CENTER if j == 0 else WD_ALIGN_PARAGRAPH.LEFT)
            )
            _set_cell(cells[j], value, block.size, bold=i in block.bold_rows, align=align)
    _paragraph(document, size=6)


def _figure(document: Any, block: FigureBlock, width_mm: float) -> None:
    image = io.BytesIO(charts.png(block.chart))
    p = _paragraph(document)
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(image, width=Mm(width_mm))
    _paragraph(document, block.caption, size=12, italic=True, after=6)


def _blocks(document: Any, blocks: list[Block], width_mm: float) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _heading(document, block)
        elif isinstance(block, Para):
            _body_paragraph(document, block.text, lead=block.lead)
        elif isinstance(block, Placeholder):
            _placeholder(document, block)
        elif isinstance(block, TableBlock):
            _table(document, block, width_mm)
        elif isinstance(block, FigureBlock):
            _figure(document, block, width_mm)


def _closing(document: Any, report: OfficialReport) -> None:
    last = _body_paragraph(document, report.closing)
    # Kept with the signature block, so that it never stands alone on a page.
    last.paragraph_format.keep_with_next = True
    last.paragraph_format.keep_together = True
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _no_split(table.rows[0])
    left_cm, right_cm = 7.5, TEXT_WIDTH_MM / 10 - 7.5
    _widths(table, [Cm(left_cm), Cm(right_cm)])
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    _paragraph(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in report.recipients:
        _paragraph(left, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in report.signer.authority:
        _paragraph(right, line, size=14, bold=True)
    for _i in range(4):  # room for the signature and the seal
        _paragraph(right, size=14)
    if report.signer.name:
        _paragraph(right, report.signer.name, size=14, bold=True)
    else:
        p = _paragraph(right, "")
        run = p.add_run("[Họ và tên người ký]")
        _font(run, 14, bold=True, italic=True)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _appendix(document: Any, report: OfficialReport) -> None:
    section = document.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.different_first_page_header_footer = False
    meta = document.add_table(rows=1, cols=2)
    _no_borders(meta)
    half = Mm(LANDSCAPE_TEXT_WIDTH_MM / 2)
    _widths(meta, [half, half])
    left, right = meta.rows[0].cells
    for cell in (left, right):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    form, basis = report.appendix_meta[0]
    _paragraph(left, form, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(left, basis, size=11, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for label, value in report.appendix_meta[1:]:
        _paragraph(right, f"{label}: {value}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    title, heading, reference = report.appendix_title
    _paragraph(document, title, size=14, bold=True).paragraph_format.space_before = Pt(8)
    _paragraph(document, heading, size=13, bold=True)
    _paragraph(document, reference, size=13, italic=True, after=8)
    _blocks(document, report.appendix, LANDSCAPE_TEXT_WIDTH_MM)


def report_docx(
    report: OfficialReport, progress: Callable[[int, str], None] | None = None
) -> bytes:
    step = progress or (lambda *_a: None)
    document = Document()
    _setup(document)
    _header(document, report)
    _title(document, report)
    step(60, "Đang vẽ biểu đồ và bảng")
    _blocks(document, report.body, TEXT_WIDTH_MM)
    _closing(document, report)
    if report.appendix:  # a report without a statistical appendix (the PAR lost points) ends here
        _appendix(document, report)
    core = document.core_properties
    core.title = f"{report.title} {report.summary}"
    core.author = report.issuer.title()
    core.language = "vi-VN"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
