"""The page set-up every printed form shares: fonts, the official two-column header, titles,
labelled fields, tables, the signature block and the small-print legal basis.

Layout follows the presentation rules for administrative documents (ND 30/2020): the issuing
body top left, the national motto top right, the place and date under the motto, a centred
bold title, and the signature block bottom right.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path
from typing import Any, ParamSpec

from django.utils import timezone, translation
from fpdf import FPDF

from cchc.dossiers.rules import TT01_2018
from cchc.units.models import Unit

P = ParamSpec("P")

# fontTools logs every subsetting step at INFO; one form would put ~60 lines in the log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Millimetres of padding inside table cells, across and down.
_PAD_X, _PAD_Y = 1.0, 0.9
# fpdf2 < 2.8.5 had A5 slightly wrong and 2.8.x warns on every use of the name; the
# dimensions are given instead, in millimetres (ISO 216).
PAPER_MM = {"A5": (148.0, 210.0), "A4": (210.0, 297.0)}

FONT = "DejaVuSerif"
MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Where the six forms come from; printed in small print at the foot of every page.

# Prefixes of administrative unit names, dropped to get the place name in "Nga Sơn, ngày …".
_PLACE_PREFIXES = (
    "Thành phố ",
    "Tỉnh ",
    "Phường ",
    "Xã ",
    "Thị trấn ",
    "Đặc khu ",
    "Huyện ",
    "Quận ",
    "Thị xã ",
)


@cache
def font_files() -> dict[str, Path]:
    """The DejaVu Serif faces shipped inside matplotlib (they cover Vietnamese).

    Located at run time rather than vendored so no font file lives in the repository;
    `matplotlib` alone is imported, never pyplot, so no GUI backend is loaded.
    """
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {
        "": folder / "DejaVuSerif.ttf",
        "B": folder / "DejaVuSerif-Bold.ttf",
        "I": folder / "DejaVuSerif-Italic.ttf",
        "BI": folder / "DejaVuSerif-BoldItalic.ttf",
    }
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise RuntimeError(f"Printing fonts not found: {', '.join(missing)}")
    return files


def text(value: Any) -> str:
    """Text ready for the PDF: NFC, so a name typed with combining accents (NFD, as some
    keyboards and scanners produce) uses the font's precomposed glyphs instead of stacking
    loose marks; None becomes empty."""
    return unicodedata.normalize("NFC", "" if value is None else str(value))


# -- dates as Vietnamese officials write them ----------------------------------------------------


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _day_month(day: dt.date) -> tuple[str, str]:
    # ND 30/2020 Annex I: days below 10 and the months January and February take a leading
    # zero ("ngày 04 tháng 02"), other months do not ("tháng 8"), so a date cannot be altered.
    return f"{day.day:02d}", (f"{day.month:02d}" if day.month < 3 else str(day.month))


def long_date(day: dt.date | dt.datetime) -> str:
    """ngày 07 tháng 8 năm 2025"""
    if isinstance(day, dt.datetime):
        day = local(day).date()
    dd, mm = _day_month(day)
    return f"ngày {dd} tháng {mm} năm {day.year}"


def long_moment(moment: dt.datetime | None) -> str:
    """17 giờ 00 phút, ngày 07 tháng 8 năm 2025"""
    if moment is None:
        return ""
    m = local(moment)
    return f"{m:%H} giờ {m:%M} phút, {long_date(m.date())}"


def short_date(moment: dt.date | dt.datetime | None) -> str:
    """07/08/2025"""
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = local(moment).date()
    return f"{moment:%d/%m/%Y}"


def hm_moment(moment: dt.datetime | None) -> str:
    """17 giờ 00 phút, ngày 07/08/2025 (the control slip's compact form)."""
    if moment is None:
        return ""
    m = local(moment)
    return f"{m:%H} giờ {m:%M} phút, ngày {m:%d/%m/%Y}"


def compact_moment(moment: dt.datetime | None) -> str:
    """07/08/2025 17:00 (ledger cells; the time wraps under the date in narrow columns)."""
    if moment is None:
        return ""
    m = local(moment)
    return f"{m:%d/%m/%Y %H:%M}"


# -- units ----------------------------------------------------------------------------------------


def place_name(unit: Unit) -> str:
    """The place in the header's date line: Nga Sơn for Xã Nga Sơn or an agency inside it."""
    owner = unit if unit.is_administrative else (unit.admin_owner or unit)
    name = owner.name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def issuer_lines(unit: Unit) -> tuple[str, str]:
    """The two lines of the top-left header: the governing body and the issuing body.

    A commune prints as "ỦY BAN NHÂN DÂN / XÃ NGA SƠN"; an agency inside it (the one-stop
    centre) prints under its commune's People's Committee.
    """
    if unit.is_administrative or unit.admin_owner is None or unit.admin_owner_id == unit.pk:
        return "ỦY BAN NHÂN DÂN", unit.name.upper()
    return f"ỦY BAN NHÂN DÂN {unit.admin_owner.name.upper()}", unit.name.upper()


# -- the page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    title: str
    name: str = ""
    hint: str = "(Ký và ghi rõ họ tên)"


class FormPDF(FPDF):
    """An A5 (or A4) page with the fonts loaded and the form's legal basis in the footer."""

    def __init__(
        self,
        *,
        form_number: str,
        title: str,
        paper: str = "A5",
        orientation: str = "P",
        body_size: float = 9.5,
        author: str = "",
        numbered: bool = False,
        legal_basis: str = TT01_2018,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format=PAPER_MM[paper])
        self.form_number = form_number
        # The text the form is issued under, by the dossier's date of receipt (rules.py).
        self.legal_basis = legal_basis
        self.body_size = body_size
        self.numbered = numbered
        self._widths: dict[tuple[str, float, str], float] = {}
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        # A wider left margin leaves room for binding or a hole punch, as on paper forms.
        margin = 12.0
        self.set_margins(left=margin + 3, top=margin - 2, right=margin)
        self.set_auto_page_break(auto=True, margin=margin)
        self.set_title(text(title))
        self.set_subject(text(f"Mẫu số {form_number}"))
        self.set_author(text(author))
        self.set_creator("CCHC – Một cửa điện tử")
        self.set_lang("vi-VN")
        self.set_font(FONT, size=body_size)
        self.add_page()

    # fpdf2 calls this on every page: the small print, and page numbers on long documents.
    def footer(self) -> None:
        self.set_y(-self.b_margin + 3)
        self.set_font(FONT, "I", 6.5)
        basis = f"Mẫu số {self.form_number} – {self.legal_basis}"
        if self.numbered:
            self.cell(self.epw * 0.75, 4, text(basis), align="L")
            self.cell(self.epw * 0.25, 4, f"Trang {self.page_no()}/{{nb}}", align="R")
        else:
            self.cell(self.epw, 4, text(basis), align="L")
        self.set_font(FONT, size=self.body_size)

    # -- building blocks ---------------------------------------------------------------------

    def fitted_size(self, value: str, style: str, width: float, largest: float) -> float:
        """The largest font size (at most `largest`) at which `value` fits in `width`."""
        size = largest
        while size > 5:
            self.set_font(FONT, style, size)
            if self.get_string_width(value) <= width:
                break
            size -= 0.25
        return size

    def official_header(self, unit: Unit, *, day: dt.date | dt.datetime | None) -> None:
        """Issuer top left; the national motto, and the place and date, top right."""
        top, issuer = issuer_lines(unit)
        left_w = self.epw * 0.42
        right_w = self.epw - left_w
        x0, y0 = self.l_margin, self.get_y()
        line_h = self.body_size * 0.46
        # Left column: governing body (regular), issuing body (bold), a short rule.
        size = self.body_size - 1
        self.set_xy(x0, y0)
        self.set_font(FONT, "", self.fitted_size(text(top), "", left_w, size))
        self.multi_cell(left_w, line_h, text(top), align="C")
        self.set_x(x0)
        self.set_font(FONT, "B", size)
        self.multi_cell(left_w, line_h, text(issuer), align="C")
        rule_y = self.get_y() + 0.8
        self.line(x0 + left_w * 0.35, rule_y, x0 + left_w * 0.65, rule_y)
        left_bottom = rule_y + 1.5
        # Right column: the national motto, underlined by a rule as wide as the motto itself.
        xr = x0 + left_w
        self.set_xy(xr, y0)
        self.set_font(FONT, "B", self.fitted_size(MOTTO_NATION, "B", right_w, size))
        self.cell(right_w, line_h, MOTTO_NATION, align="C", new_x="LEFT", new_y="NEXT")
        self.set_font(FONT, "B", size + 0.5)
        self.cell(right_w, line_h, text(MOTTO), align="C", new_x="LEFT", new_y="NEXT")
        motto_w = self.get_string_width(text(MOTTO))
        rule_y = self.get_y() + 0.4
        self.line(xr + (right_w - motto_w) / 2, rule_y, xr + (right_w + motto_w) / 2, rule_y)
        right_bottom = rule_y + 1.5
        if day is not None:
            self.set_xy(xr, right_bottom)
            self.set_font(FONT, "I", size)
            self.cell(right_w, line_h, text(f"{place_name(unit)}, {long_date(day)}"), align="C")
            right_bottom += line_h
        self.set_xy(x0, max(left_bottom, right_bottom) + 4)
        self.set_font(FONT, size=self.body_size)

    def heading(self, value: str, *subtitles: str) -> None:
        self.set_font(FONT, "B", self.body_size + 2.5)
        self.multi_cell(0, 6, text(value.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
        for sub in subtitles:
            self.set_font(FONT, "I" if sub.startswith("(") else "B", self.body_size)
            self.multi_cell(0, 5, text(sub), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_font(FONT, size=self.body_size)

    @property
    def line_h(self) -> float:
        return self.body_size * 0.5

    def field(self, label: str, value: Any, *, bold: bool = True) -> None:
        """A label and its value wrapping as one paragraph, the value in bold like a filled-in
        blank; an empty value prints as an ellipsis, as on a form left blank."""
        self.set_x(self.l_margin)
        self.set_font(FONT, "", self.body_size)
        self.write(self.line_h, text(label) + (" " if label else ""))
        self.set_font(FONT, "B" if bold else "", self.body_size)
        self.write(self.line_h, text(value) or "…")
        self.set_font(FONT, "", self.body_size)
        self.ln(self.line_h + 0.6)

    def paragraph(
        self, value: str, *, style: str = "", align: str = "J", indent: float = 0
    ) -> None:
        self.set_font(FONT, style, self.body_size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent,
            self.line_h,
            text(value),
            align=align,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(0.6)
        self.set_font(FONT, "", self.body_size)

    # -- tables ---------------------------------------------------------------------------------
    #
    # Drawn here rather than with fpdf2's `table()`: that one breaks every cell's text twice
    # through `multi_cell` (about 25 ms a ledger row), while measuring words once and placing
    # lines with `text()` prints a several-hundred-row ledger in well under a second.

    def _width_of(self, word: str) -> float:
        key = (self.font_style, self.font_size_pt, word)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(word)
        return width

    def wrap(self, value: str, width: float) -> list[str]:
        """`value` broken into lines no wider than `width` at the current font, at spaces, and
        inside a word only when the word alone is wider than the column."""
        lines: list[str] = []
        space = self._width_of(" ")
        for paragraph in value.split("\n"):
            current, current_w = "", 0.0
            for word in paragraph.split():
                word_w = self._width_of(word)
                if current and current_w + space + word_w <= width:
                    current, current_w = f"{current} {word}", current_w + space + word_w
                    continue
                if current:
                    lines.append(current)
                while word_w > width and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self._width_of(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_w = self._width_of(word)
                current, current_w = word, word_w
            lines.append(current)
        return lines

    def _lay_out(self, cells: list[str], widths: list[float]) -> tuple[list[list[str]], float]:
        """Each cell's lines at the current font, and the height of the row they need."""
        wrapped = [self.wrap(text(c), w - 2 * _PAD_X) for c, w in zip(cells, widths, strict=True)]
        height = max(len(lines) for lines in wrapped) * self.font_size * 1.25 + 2 * _PAD_Y
        return wrapped, height

    def _draw_row(
        self,
        wrapped: list[list[str]],
        height: float,
        widths: list[float],
        aligns: list[str],
        *,
        heading: bool,
    ) -> None:
        """One row at the current y, each cell's lines centred vertically."""
        line_h = self.font_size * 1.25
        x, y = self.l_margin, self.get_y()
        for lines, w, align in zip(wrapped, widths, aligns, strict=True):
            self.rect(x, y, w, height, style="DF" if heading else "D")
            top = y + (height - len(lines) * line_h) / 2
            for i, line in enumerate(lines):
                if align == "C":
                    left = x + (w - self._width_of(line)) / 2
                elif align == "R":
                    left = x + w - _PAD_X - self._width_of(line)
                else:
                    left = x + _PAD_X
                # text() takes the baseline: about 0.3 em below the middle of the line box.
                self.text(left, top + i * line_h + line_h / 2 + self.font_size * 0.32, line)
            x += w
        self.set_y(y + height)

    def grid(
        self,
        headings: list[list[str]],
        rows: list[list[str]],
        *,
        widths: list[float],
        aligns: list[str],
        size: float | None = None,
    ) -> None:
        """A bordered table whose heading rows repeat at the top of every page."""
        size = size or self.body_size - 1
        self.set_draw_color(0)
        self.set_fill_color(235)
        self.set_line_width(0.2)

        centred = ["C"] * len(widths)

        def draw_headings() -> None:
            self.set_font(FONT, "B", size)
            for heading in headings:
                self._draw_row(*self._lay_out(heading, widths), widths, centred, heading=True)
            self.set_font(FONT, "", size)

        draw_headings()
        at_top = True
        for values in rows:
            wrapped, height = self._lay_out(values, widths)
            # A row is never split across pages: it moves to a new page, under the headings
            # again, unless it is the first under them (it could not fit anywhere better).
            if not at_top and self.get_y() + height > self.page_break_trigger:
                self.add_page()
                draw_headings()
            at_top = False
            self._draw_row(wrapped, height, widths, aligns, heading=False)
        self.set_font(FONT, "", self.body_size)
        self.ln(1.5)

    def signatures(self, *signers: Signer, space: float = 16) -> None:
        """One signer bottom right, or two side by side (the applicant's on the left)."""
        needed = 3 * self.line_h + space + 4
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()
        y = self.get_y() + 2
        col_w = self.epw / 2
        lefts = (
            [self.l_margin + col_w] if len(signers) == 1 else [self.l_margin, self.l_margin + col_w]
        )
        for x, signer in zip(lefts, signers, strict=True):
            self.set_xy(x, y)
            self.set_font(FONT, "B", self.body_size)
            self.multi_cell(col_w, self.line_h, text(signer.title.upper()), align="C")
            self.set_x(x)
            self.set_font(FONT, "I", self.body_size - 1)
            self.multi_cell(col_w, self.line_h, text(signer.hint), align="C")
            self.set_xy(x, self.get_y() + space)
            self.set_font(FONT, "B", self.body_size)
            self.multi_cell(col_w, self.line_h, text(signer.name), align="C")
        self.set_font(FONT, "", self.body_size)

    def render(self) -> bytes:
        return bytes(self.output())


def in_vietnamese(render: Callable[P, bytes]) -> Callable[P, bytes]:
    """Forms are legal documents in Vietnamese whatever language the clerk's session uses:
    choice labels and number formats (31.724; 0,5) come out Vietnamese."""

    @wraps(render)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with translation.override("vi"):
            return render(*args, **kwargs)

    return wrapper
