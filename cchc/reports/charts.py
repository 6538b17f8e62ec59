"""Charts drawn on the server with matplotlib: SVG for the pages, PNG of the same figure for the
.docx and .pdf reports (python-docx cannot embed SVG reliably).

Two shapes cover every dashboard panel: horizontal bars (one row per field, unit, channel or
level, several series stacked) and a monthly column chart (stacked, with a figure over each
column). Each is a small description (`Chart`) turned into a figure by `figure(chart)`.

Drawn with figure-level patches and text rather than Axes: an Axes builds and lays out tick
objects even when they are hidden, which made each chart 2.5 times as slow (60 ms against
25 ms on the development machine) for nothing the reader sees; the values are written on the
bars and every chart has its table beside it. Text stays text in the SVG (`svg.fonttype`
none, DejaVu Sans, which matplotlib ships and which covers Vietnamese), so a chart weighs a
few kilobytes on a commune's connection. Rendered SVG is kept in the per-process cache under
a hash of the chart's description: the same figures are never drawn twice.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.core.cache import caches

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Colours that stay apart for the common colour-blindnesses (blue against orange, not green
# against red) and keep a contrast of at least 4.5:1 with the white labels inside bars.
GOOD = "#1f5fa8"
BAD = "#b93e0c"
WAIT = "#6b7785"
SOFT = "#7aa6d6"
INK = "#1f2933"
LINE = "#c9d1d9"
LEVEL_COLOURS = ("#b93e0c", "#d9822b", "#6b7785", "#5b8fc9", "#1f5fa8")  # levels 1..5

RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cchc",  # the same chart gives the same bytes (ids), so caches can keep it
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "text.color": INK,
}
# Sized to be read at about their own size: a bar chart fits a phone (a 360-px screen shows it
# at three quarters), a month chart a desktop panel. SVG scales up without loss.
BARS_WIDTH_IN = 5.0
COLUMNS_WIDTH_IN = 6.4
FONT_PT = 10.0
ROW_IN = 0.34
# About how wide a DejaVu Sans character is, in ems: enough to size the label column.
CHAR_EM = 0.56


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]
    colour: str


@dataclass(frozen=True)
class Chart:
    """What to draw. `kind` is "bars" (horizontal, one row per category) or "columns" (one
    column per category, left to right, for months; a category may hold a line break). `notes`
    are written at the end of each bar or over each column (a total, a rate); `scale` is the
    value of a full-length bar (100 for percentages), else the largest stacked total."""

    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    notes: tuple[str, ...] = ()
    scale: float | None = None
    empty_text: str = ""
    legend: bool = True
    width: float | None = None  # inches, when the default for its kind does not suit

    def key(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:32]

    @property
    def is_empty(self) -> bool:
        return not self.categories or not any(any(s.values) for s in self.series)

    @property
    def width_in(self) -> float:
        if self.width:
            return self.width
        return COLUMNS_WIDTH_IN if self.kind == "columns" else BARS_WIDTH_IN


def _style() -> Any:
    """matplotlib's settings for our charts, for the time a chart is drawn and saved."""
    import matplotlib

    return matplotlib.rc_context(RC)  # type: ignore[arg-type]  # its stubs list the keys


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_w(chars: int, width_in: float, size: float = FONT_PT) -> float:
    """The approximate width, in fractions of a figure `width_in` wide, of `chars` characters."""
    return chars * size * CHAR_EM / 72 / width_in


def figure(chart: Chart) -> Figure:
    """The matplotlib Figure for `chart` (not yet saved)."""
    from matplotlib.figure import Figure

    with _style():
        if chart.is_empty:
            fig = Figure(figsize=(chart.width_in, 0.6))
            fig.text(0.5, 0.5, chart.empty_text, ha="center", va="center", color=WAIT)
            return fig
        if chart.kind == "columns":
            return _columns(chart)
        return _bars(chart)


def _box(fig: Figure, x: float, y: float, w: float, h: float, colour: str) -> None:
    from matplotlib.patches import Rectangle

    fig.add_artist(Rectangle((x, y), w, h, transform=fig.transFigure, color=colour))


def _legend_height(chart: Chart) -> float:
    return 0.32 if chart.legend and len(chart.series) > 1 else 0.08


def _legend(fig: Figure, chart: Chart, height_in: float) -> None:
    """The series' names in a row at the top, each after a small square of its colour."""
    if _legend_height(chart) < 0.3:
        return
    width_in = chart.width_in
    x, y = 0.01, 1 - 0.16 / height_in
    box_w, box_h = 0.11 / width_in, 0.11 / height_in
    for s in chart.series:
        _box(fig, x, y - box_h / 2, box_w, box_h, s.colour)
        fig.text(x + box_w + 0.008, y, s.label, va="center", fontsize=FONT_PT - 1)
        x += box_w + 0.04 + _text_w(len(s.label), width_in, FONT_PT - 1)


def _bars(chart: Chart) -> Figure:
    from matplotlib.figure import Figure

    n = len(chart.categories)
    width_in = chart.width_in
    legend_in = _legend_height(chart)
    height_in = legend_in + n * ROW_IN + 0.1
    fig = Figure(figsize=(width_in, height_in))
    _legend(fig, chart, height_in)
    # The label column takes at most 45 % of the width; longer names are cut (the table
    # beside the chart has them whole).
    fits = int(0.43 * width_in * 72 / (FONT_PT * CHAR_EM))
    labels = [_shorten(c, fits) for c in chart.categories]
    label_w = _text_w(max(len(c) for c in labels), width_in) + 0.02
    note_w = _text_w(max((len(t) for t in chart.notes), default=0) + 1, width_in) + 0.01
    left = label_w + 0.015
    span = max(0.2, 0.99 - left - note_w)
    totals = [sum(s.values[i] for s in chart.series) for i in range(n)]
    scale = chart.scale or max(totals) or 1
    row_h = ROW_IN / height_in
    bar_h = row_h * 0.66
    top = 1 - legend_in / height_in
    for i, label in enumerate(labels):
        y = top - (i + 1) * row_h + (row_h - bar_h) / 2
        fig.text(label_w, y + bar_h / 2, label, ha="right", va="center")
        x = left
        for s in chart.series:
            width = span * s.values[i] / scale
            if width > 0:
                _box(fig, x, y, width, bar_h, s.colour)
            x += width
        if i < len(chart.notes):
            fig.text(x + 0.008, y + bar_h / 2, chart.notes[i], va="center")
    # The zero line, so that an empty row still shows where its bar would start.
    _box(fig, left - 0.002, top - n * row_h, 0.003, n * row_h, LINE)
    return fig


def _columns(chart: Chart) -> Figure:
    from matplotlib.figure import Figure

    n = len(chart.categories)
    width_in = chart.width_in
    legend_in = _legend_height(chart)
    lines = max(c.count("\n") + 1 for c in chart.categories)
    height_in = 2.6 + 0.16 * lines
    fig = Figure(figsize=(width_in, height_in))
    _legend(fig, chart, height_in)
    size = FONT_PT - (1 if n > 8 else 0)
    base = (0.1 + 0.17 * lines) / height_in  # room for the category names under the columns
    top = 1 - (legend_in + 0.28) / height_in  # and for the notes over the tallest
    slot = 0.98 / n
    col_w = slot * 0.62
    totals = [sum(s.values[i] for s in chart.series) for i in range(n)]
    scale = chart.scale or max(totals) or 1
    for i, category in enumerate(chart.categories):
        x = 0.01 + i * slot + (slot - col_w) / 2
        y = base
        for s in chart.series:
            h = (top - base) * s.values[i] / scale
            if h > 0:
                _box(fig, x, y, col_w, h, s.colour)
            y += h
        centre = x + col_w / 2
        fig.text(
            centre,
            base - 0.06 / height_in,
            category,
            ha="center",
            va="top",
            fontsize=size,
            linespacing=1.1,
        )
        if i < len(chart.notes) and chart.notes[i]:
            fig.text(
                centre,
                y + 0.05 / height_in,
                chart.notes[i],
                ha="center",
                va="bottom",
                fontsize=size,
            )
    _box(fig, 0.005, base - 0.002, 0.99, 0.004, LINE)
    return fig


# -- output ---------------------------------------------------------------------------------------

_SPACE = re.compile(r">\s+<")
_PATH_BREAKS = re.compile(r"\s*\n\s*")


def _render_svg(chart: Chart) -> str:

    fig = figure(chart)
    out = io.StringIO()
    with _style():
        fig.savefig(
            out,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    text = out.getvalue()
    # No XML declaration or DOCTYPE (an image needs neither), no indentation or line breaks.
    text = text[text.index("<svg") :]
    text = _PATH_BREAKS.sub(" ", text)
    return _SPACE.sub("><", text).strip()


def svg(chart: Chart) -> str:
    """The chart as SVG text, from the per-process cache when it was drawn before."""
    cache = caches["local"]
    key = f"chart:svg:{chart.key()}"
    value: str | None = cache.get(key)
    if value is None:
        value = _render_svg(chart)
        cache.set(key, value, 3600)
    return value


def png(chart: Chart, *, dpi: int = 200) -> bytes:
    """The same figure as PNG, for documents."""

    fig = figure(chart)
    out = io.BytesIO()
    with _style():
        fig.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()


def data_uri(svg_text: str) -> str:
    """An `<img src>` for the SVG: percent-encoded, not base64, so it stays compressible.

    Inline `<svg>` is not used because matplotlib styles its elements with `style` attributes,
    which the site's Content-Security-Policy forbids in the page; an image is its own document.
    """
    return "data:image/svg+xml;charset=utf-8," + quote(svg_text, safe=" =:/;,.'()-_~!*@$+?")
