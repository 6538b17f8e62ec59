"""The periodic report as a PDF, from the same content as the .docx (report_content.py), with
the same layout rules (Decree 30/2020: A4, margins 20/20/30/15 mm, the two-column header, page
numbers from page 2, "Nơi nhận" and the signature block, the Biểu 06 appendix landscape).

fpdf2, as the printed forms use (dossiers/printing/layout.py): the fonts are the DejaVu Serif
faces matplotlib ships, since Times New Roman cannot be assumed on a server; the .docx, which
people edit and print from Word, names Times New Roman.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from cchc.dossiers.printing.layout import MOTTO, MOTTO_NATION, font_files, text
from cchc.reports import charts
from cchc.reports.report_content import (
    Block,
    FigureBlock,
    Heading,
    OfficialReport,
    Para,
    Placeholder,
    TableBlock,
)

FONT = "DejaVuSerif"
# DejaVu Serif is wider than Times New Roman: one point less keeps the lines about as long.
BODY_PT = 12.5
LINE = BODY_PT * 0.3528 * 1.3  # mm: 1.3 lines, the .docx's 1.15 in Times New Roman's metrics
PLACEHOLDER_FILL = (255, 243, 176)


class ReportPDF(FPDF):
    def __init__(self, report: OfficialReport) -> None:
        super().__init__(orientation="P", unit="mm", format=(210, 297))
        self.report = report
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_margins(left=30, top=20, right=15)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(text(f"{report.title} {report.summary}"))
        self.set_author(text(report.issuer.title()))
        self.set_creator("CCHC – Báo cáo định kỳ")
        self.set_lang("vi-VN")
        self.set_text_color(0)
        self.set_draw_color(0)

    # Page numbers centred in the top margin, from the second page on (ND 30/2020).
    def header(self) -> None:
        if self.page_no() > 1:
            self.set_y(9)
            self.set_font(FONT, "", 12)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(self.t_margin)

    def font(self, style: str = "", size: float = BODY_PT) -> None:
        self.set_font(FONT, style, size)

    def centred(
        self,
        value: str,
        *,
        style: str = "",
        size: float = BODY_PT,
        width: float | None = None,
        x: float | None = None,
    ) -> None:
        self.font(style, size)
        if x is not None:
            self.set_x(x)
        self.multi_cell(
            width or self.epw,
            size * 0.3528 * 1.25,
            text(value),
            align="C",
            new_x="LEFT" if x is not None else "LMARGIN",
            new_y="NEXT",
        )

    def rule(self, x_centre: float, width: float) -> None:
        y = self.get_y() + 0.6
        self.set_line_width(0.25)
        self.line(x_centre - width / 2, y, x_centre + width / 2, y)
        self.set_y(y + 1.5)


def _header(pdf: ReportPDF, report: OfficialReport) -> None:
    left_w = 62.0
    right_w = pdf.epw - left_w
    x0, y0 = pdf.l_margin, pdf.get_y()
    pdf.centred(report.issuer_top, size=11.5, width=left_w, x=x0)
    pdf.centred(report.issuer, style="B", size=11.5, width=left_w, x=x0)
    pdf.rule(x0 + left_w / 2, 22)
    pdf.set_y(pdf.get_y() + 1)
    pdf.centred(report.number, size=12, width=left_w, x=x0)
    left_bottom = pdf.get_y()
    xr = x0 + left_w
    pdf.set_xy(xr, y0)
    pdf.centred(MOTTO_NATION, style="B", size=11.5, width=right_w, x=xr)
    pdf.font("B", 12.5)
    motto_w = pdf.get_string_width(text(MOTTO))
    pdf.centred(MOTTO, style="B", size=12.5, width=right_w, x=xr)
    pdf.rule(xr + right_w / 2, motto_w)
    pdf.set_y(pdf.get_y() + 2)
    pdf.centred(report.place_date, style="I", size=12.5, width=right_w, x=xr)
    pdf.set_xy(x0, max(left_bottom, pdf.get_y()) + 8)


def _title(pdf: ReportPDF, report: OfficialReport) -> None:
    pdf.centred(report.title, style="B", size=13.5)
    pdf.centred(report.summary, style="B", size=13)
    pdf.rule(pdf.l_margin + pdf.epw / 2, 35)
    pdf.ln(4)


def _paragraph(pdf: ReportPDF, value: str, *, lead: str = "", style: str = "") -> None:
    """A body paragraph: justified, first line indented 1.27 cm, an optional bold lead-in."""
    columns = pdf.text_columns(text_align="J", line_height=1.3)
    with columns, columns.paragraph(first_line_indent=12.7, bottom_margin=2) as paragraph:
        if lead:
            pdf.font("B")
            paragraph.write(text(lead) + " ")
        pdf.font(style)
        paragraph.write(text(value))
    pdf.font()


def _heading(pdf: ReportPDF, block: Heading) -> None:
    # A heading never ends a page: it moves on with the lines it heads.
    if pdf.get_y() + 4 * LINE > pdf.page_break_trigger:
        pdf.add_page()
    if block.level == 1:
        pdf.ln(1.5)
    _paragraph(pdf, block.text, style="BI" if block.level == 3 else "B")


def _placeholder(pdf: ReportPDF, block: Placeholder) -> None:
    pdf.set_fill_color(*PLACEHOLDER_FILL)
    pdf.font("I")
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(
        0, LINE, text(f"[Đơn vị bổ sung: {block.text}]"), align="J", fill=True,
        new_x="LMARGIN", new_y="NEXT", padding=(1, 2),
    )  # fmt: skip
    pdf.set_fill_color(255)
    pdf.ln(2)


def _table(pdf: ReportPDF, block: TableBlock) -> None:
    size = block.size - 1.5
    if block.caption:
        if pdf.get_y() + 20 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.centred(block.caption, style="B", size=BODY_PT - 1)
        pdf.ln(1)
    pdf.font("", size)
    pdf.set_line_width(0.2)
    columns = len(block.widths)
    aligns = ["C"] + ["L"] * (block.numeric_from - 1) + ["R"] * (columns - block.numeric_from)
    with pdf.table(
        col_widths=block.widths,
        width=pdf.epw,
        num_heading_rows=len(block.header),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=size * 0.3528 * 1.3,
        text_align="CENTER",
        padding=(0.8, 1.0),
        v_align="MIDDLE",
        align="LEFT",
        cell_fill_mode="NONE",
    ) as table:
        for header in block.header:
            row = table.row()
            for cell in header:
                row.cell(text(cell.text), align="C", colspan=cell.colspan, rowspan=cell.rowspan)
        for i, values in enumerate(block.rows):
            style = FontFace(emphasis="BOLD") if i in block.bold_rows else None
            row = table.row()
            for j, value in enumerate(values):
                row.cell(text(value), align=aligns[j], style=style)
    pdf.font()
    pdf.ln(3)


def _figure(pdf: ReportPDF, block: FigureBlock) -> None:
    import io

    image = charts.png(block.chart)
    from PIL import Image

    with Image.open(io.BytesIO(image)) as im:
        w_px, h_px = im.size
    height = pdf.epw * h_px / w_px
    if pdf.get_y() + height + 8 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(image), x=pdf.l_margin, w=pdf.epw)
    pdf.centred(block.caption, style="I", size=BODY_PT - 1.5)
    pdf.ln(2)


def _blocks(pdf: ReportPDF, blocks: list[Block]) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _heading(pdf, block)
        elif isinstance(block, Para):
            _paragraph(pdf, block.text, lead=block.lead)
        elif isinstance(block, Placeholder):
            _placeholder(pdf, block)
        elif isinstance(block, TableBlock):
            _table(pdf, block)
        elif isinstance(block, FigureBlock):
            _figure(pdf, block)


def _closing(pdf: ReportPDF, report: OfficialReport) -> None:
    # The last sentence and the signature block stay together, so a signature never stands
    # alone on a page (ND 30/2020 practice).
    if pdf.get_y() + 3 * LINE + 42 > pdf.page_break_trigger:
        pdf.add_page()
    _paragraph(pdf, report.closing)
    pdf.ln(1)
    y0 = pdf.get_y()
    left_w = 75.0
    right_w = pdf.epw - left_w
    pdf.set_xy(pdf.l_margin, y0)
    pdf.font("BI", 11)
    pdf.cell(left_w, 5, text("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
    pdf.font("", 10)
    for line in report.recipients:
        pdf.cell(left_w, 4.5, text(f"- {line}"), new_x="LMARGIN", new_y="NEXT")
    xr = pdf.l_margin + left_w
    pdf.set_xy(xr, y0)
    for line in report.signer.authority:
        pdf.centred(line, style="B", size=12.5, width=right_w, x=xr)
    pdf.set_xy(xr, pdf.get_y() + 22)
    if report.signer.name:
        pdf.centred(report.signer.name, style="B", size=12.5, width=right_w, x=xr)
    else:
        pdf.set_fill_color(*PLACEHOLDER_FILL)
        pdf.font("BI", 12.5)
        pdf.set_x(xr + right_w / 2 - 30)
        pdf.cell(60, 6, text("[Họ và tên người ký]"), align="C", fill=True)
        pdf.set_fill_color(255)


def _appendix(pdf: ReportPDF, report: OfficialReport) -> None:
    pdf.add_page(orientation="L")
    y0 = pdf.get_y()
    half = pdf.epw / 2
    form, basis = report.appendix_meta[0]
    pdf.font("B", 11)
    pdf.cell(half, 5, text(form), new_x="LMARGIN", new_y="NEXT")
    pdf.font("I", 9.5)
    pdf.multi_cell(half - 10, 4.5, text(basis), new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, y0)
    pdf.font("", 10.5)
    for label, value in report.appendix_meta[1:]:
        pdf.set_x(pdf.l_margin + half)
        pdf.multi_cell(half, 5, text(f"{label}: {value}"), new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 3)
    title, heading, reference = report.appendix_title
    pdf.centred(title, style="B", size=12.5)
    pdf.centred(heading, style="B", size=11.5)
    pdf.centred(reference, style="I", size=11)
    pdf.ln(3)
    _blocks(pdf, report.appendix)


def report_pdf(report: OfficialReport, progress: Callable[[int, str], None] | None = None) -> bytes:
    step = progress or (lambda *_a: None)
    pdf = ReportPDF(report)
    pdf.add_page()
    _header(pdf, report)
    _title(pdf, report)
    step(60, "Đang vẽ biểu đồ và bảng")
    _blocks(pdf, report.body)
    _closing(pdf, report)
    _appendix(pdf, report)
    out: Any = pdf.output()
    return bytes(out)
