"""Dashboards: the home page of leaders, the TTHC-control officer and supervisors, for their own
scope, and the public transparency figures of one unit.

Everything is read through `resolution.resolution` (the Biểu 06 counts, from the aggregate
tables; the monthly trend through `resolution_series`, every month in one pass), `service_index` (QĐ 766) and `feedback.reports` (ratings by level, PAKN on time); nothing
here counts dossiers
itself except one indexed query on the open ones for the "past the promised date" figure, which
is what the officers' overdue list shows. Each panel is a chart (charts.py) and the table of
the same numbers, with links to the staff worklist where the list holds exactly the dossiers a
figure counts (see `worklist_link`).

Interface:
    dashboard_unit_for(user)                       -> the unit of this person's home dashboard
    dashboard_for(user, unit_code, period, now)    -> Dashboard (404 outside the user's scope)
    public_figures(unit, now)                      -> PublicFigures (no personal data)
    period_from(params, today)                     -> Period (PeriodError on bad input)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cchc.dossiers import clock
from cchc.dossiers.choices import Channel
from cchc.dossiers.models import Dossier
from cchc.feedback import reports as feedback_reports
from cchc.feedback.choices import Level as RatingLevel
from cchc.feedback.models import Rating
from cchc.lib.numbers import localised
from cchc.reports import charts
from cchc.reports import service_index as si
from cchc.reports.charts import BAD, GOOD, LEVEL_COLOURS, SOFT, WAIT, Chart, Series
from cchc.reports.facts import month_of, next_month
from cchc.reports.models import ReportsState
from cchc.reports.resolution import (
    EARLIEST,
    Counts,
    PeriodError,
    ResolutionReport,
    check_period,
    resolution,
    resolution_series,
    units_in,
)
from cchc.units.choices import Role
from cchc.units.models import Unit, active_memberships, unit_scope, visible_unit_ids
from cchc.worktime.deadlines import TZ

# Whose home page is a dashboard (the others keep their worklist).
DASHBOARD_ROLES = frozenset({Role.LEADER, Role.TTHC_CONTROL, Role.SUPERVISOR})
TREND_MONTHS = 12
# The query parameters the staff worklist page (dossiers/views.py `worklist`) reads today. A
# figure gets a link only when these can select exactly the dossiers it counts.
WORKLIST_PARAMS = frozenset({"list", "field", "procedure", "channel", "q"})


def rank_min_resolved() -> int:
    return int(getattr(settings, "REPORTS_RANK_MIN_RESOLVED", 10))


# -- numbers as officials write them -------------------------------------------------------------


def number(value: int | None) -> str:
    return "—" if value is None else localised(value)


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(value: Decimal | float | None) -> str:
    """96,5 % (one decimal), or a dash when there is nothing to divide by."""
    if value is None:
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{localised(rounded, 1)} %"


def short_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


# -- the period ----------------------------------------------------------------------------------

PRESETS: dict[str, Any] = {
    "12m": gettext_lazy("12 tháng gần đây"),
    "month": gettext_lazy("Tháng này"),
    "quarter": gettext_lazy("Quý này"),
    "year": gettext_lazy("Năm nay"),
}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    preset: str = ""

    @property
    def label(self) -> str:
        return f"{short_date(self.start)} – {short_date(self.end)}"


def preset_period(preset: str, today: dt.date) -> Period:
    if preset == "month":
        return Period(month_of(today), today, preset)
    if preset == "quarter":
        return Period(dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today, preset)
    if preset == "year":
        return Period(dt.date(today.year, 1, 1), today, preset)
    start = month_of(today)
    for _i in range(TREND_MONTHS - 1):
        start = month_of(start - dt.timedelta(days=1))
    return Period(start, today, "12m")


def parse_day(value: str, name: str) -> dt.date:
    """A date typed as 31/12/2025 or sent by a date field as 2025-12-31."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise PeriodError(
        _("Ngày %(name)s không hợp lệ: “%(value)s” (ghi theo dạng ngày/tháng/năm).")
        % {"name": name, "value": value[:20]}
    )


def period_from(params: Mapping[str, str], today: dt.date) -> Period:
    """The period a dashboard request asks for: `from` and `to`, or a preset (`ky`), or the last
    twelve months. Reversed, absurd or too long periods raise PeriodError with the reason."""
    start_text, end_text = params.get("from", ""), params.get("to", "")
    if start_text or end_text:
        start = parse_day(start_text, _("bắt đầu")) if start_text else None
        end = parse_day(end_text, _("kết thúc")) if end_text else today
        if start is None:
            raise PeriodError(_("Hãy nhập ngày bắt đầu của kỳ."))
        # A period running past today is counted up to now: show it so.
        period = Period(start, today if end > today >= start else end)
    else:
        preset = params.get("ky", "12m")
        period = preset_period(preset if preset in PRESETS else "12m", today)
    check_period(period.start, period.end, today)
    return period


# -- tables and panels ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    numeric: bool = False


def num(value: int, href: str = "") -> Cell:
    return Cell(number(value), href if value else "", True)


def pct(value: Decimal | float | None) -> Cell:
    return Cell(percent(value), "", True)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    numeric_from: int = 1  # headers from this column on are right-aligned
    header_col: int = 0  # the column that names the row (a <th scope="row">)


@dataclass
class Panel:
    key: str
    title: str
    table: Table
    chart: Chart | None = None
    alt: str = ""
    note: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    wide: bool = False  # across the whole row of panels

    @property
    def svg_uri(self) -> str:
        return charts.data_uri(charts.svg(self.chart)) if self.chart else ""


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    hint: str = ""
    href: str = ""


@dataclass
class Month:
    start: dt.date
    end: dt.date
    counts: Counts

    @property
    def label(self) -> str:
        return f"{self.start:%m/%Y}"


@dataclass
class ChildFigures:
    """One unit directly under the dashboard's unit (a commune under the province, the one-stop
    centre inside a commune), or the unit itself for what it processes directly."""

    unit: Unit
    counts: Counts
    is_self: bool = False
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.unit.name


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    report: ResolutionReport
    total: Counts
    trend: list[Month]
    children: list[ChildFigures]
    satisfaction: feedback_reports.Satisfaction
    feedback: feedback_reports.Timeliness
    past_promised: int
    index: si.IndexReport | None = None
    # The service index of each unit directly below, by unit id (a province's communes).
    index_ranks: dict[int, si.RankEntry] = field(default_factory=dict)
    index_min_dossiers: int = 0
    tiles: list[Tile] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    exact_links: bool = False

    @property
    def as_of(self) -> dt.datetime:
        return self.report.as_of

    @property
    def live(self) -> bool:
        return self.report.live


# -- whose dashboard -----------------------------------------------------------------------------


def dashboard_unit_for(user: Any, *, roles: Iterable[str] | None = DASHBOARD_ROLES) -> Unit | None:
    """The highest unit where the person holds one of `roles` (None: any role): their home
    dashboard. None when they hold none."""
    if not getattr(user, "is_authenticated", False):
        return None
    wanted = set(roles) if roles is not None else None
    units = [
        m.unit
        for m in active_memberships(user)
        if (wanted is None or m.role in wanted) and m.unit.is_valid_on(timezone.localdate())
    ]
    if not units:
        return None
    return min(units, key=lambda u: (u.path.count("/"), u.path))


def scope_of(user: Any, unit: Unit) -> list[int]:
    """The processing units of `unit`'s subtree; 404 unless the user may see all of them (a
    dashboard shows a whole subtree or nothing, so no figure mixes in what they may not see)."""
    subtree = units_in(unit, subtree=True)
    visible = visible_unit_ids(user)
    if not set(subtree) <= visible:
        raise Http404(_("Không tìm thấy đơn vị"))
    return subtree


def find_unit_for(user: Any, unit_code: str) -> Unit:
    unit = Unit.objects.current().filter(unit_scope(user), code=unit_code).first()
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị"))
    return unit


# -- figures -------------------------------------------------------------------------------------


def trend_months(
    end: dt.date, today: dt.date, count: int = TREND_MONTHS
) -> list[tuple[dt.date, dt.date]]:
    """The `count` calendar months ending with `end`'s month, each cut at today and at the
    earliest date a report answers for."""
    months: list[tuple[dt.date, dt.date]] = []
    start = month_of(end)
    for _i in range(count):
        last = next_month(start) - dt.timedelta(days=1)
        first = max(start, EARLIEST)
        if first <= today and first <= last:
            months.append((first, min(last, today)))
        start = month_of(start - dt.timedelta(days=1))
    return list(reversed(months))


def monthly(
    unit: Unit,
    months: Sequence[tuple[dt.date, dt.date]],
    *,
    subtree: bool,
    units: Sequence[int] | None,
    now: dt.datetime,
) -> list[Month]:
    # Every month's total in one pass: a `resolution` per month read the same state, month
    # rows and pending changes twelve times.
    totals = resolution_series(unit, months, subtree=subtree, units=units, now=now)
    return [Month(first, last, total) for (first, last), total in zip(months, totals, strict=True)]


def _children(unit: Unit, report: ResolutionReport, scope: Sequence[int]) -> list[ChildFigures]:
    """The report's rows by processing unit, summed into the units directly under `unit`."""
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=scope).only(
            "pk", "code", "name", "kind", "path", "parent_id", "valid_from", "valid_to"
        )
    }
    by_code: dict[str, list[Unit]] = defaultdict(list)
    for u in units.values():
        by_code[u.code].append(u)
    children = {u.pk: u for u in units.values() if u.parent_id == unit.pk}
    depth = unit.path.count("/")  # "/1/7/" has 3 slashes: a child's id is the 3rd segment

    def child_of(u: Unit) -> int:
        parts = u.path.strip("/").split("/")
        return int(parts[depth - 1]) if len(parts) >= depth else unit.pk

    sums: dict[int, Counts] = defaultdict(Counts)
    position = report.group.index("unit")
    for row in report.rows:
        candidates = by_code.get(row.key[position], [])
        # A code taken over by a successor: the rows were summed under the code; count them
        # where the unit in force sits.
        chosen = next(
            (u for u in candidates if u.valid_to is None), candidates[0] if candidates else None
        )
        target = unit.pk if chosen is None else child_of(chosen)
        sums[target] = sums[target] + row.counts
    today = timezone.localdate()
    out = [
        ChildFigures(children.get(pk, unit), counts, is_self=pk == unit.pk)
        for pk, counts in sums.items()
    ]
    # Current units with nothing yet still belong in a ranking (a commune that received nothing).
    for pk, child in children.items():
        if pk not in sums and child.is_administrative and child.is_valid_on(today):
            out.append(ChildFigures(child, Counts()))
    return out


def _rank(children: list[ChildFigures]) -> list[ChildFigures]:
    """By on-time rate, highest first; a unit with fewer resolved dossiers than the minimum is
    listed after the ranked ones, unranked. Equal rates share a rank (1, 1, 3)."""
    minimum = rank_min_resolved()
    ranked = [c for c in children if c.counts.resolved_total >= minimum]
    others = [c for c in children if c.counts.resolved_total < minimum]
    ranked.sort(key=lambda c: (-(c.counts.on_time_rate or 0), -c.counts.resolved_total, c.name))
    previous: tuple[Any, int] | None = None
    for i, c in enumerate(ranked, start=1):
        if previous is not None and previous[0] == c.counts.on_time_rate:
            c.rank = previous[1]
        else:
            c.rank = i
        previous = (c.counts.on_time_rate, c.rank)
    others.sort(key=lambda c: (-c.counts.received_total, c.name))
    return ranked + others


def _past_promised(scope: Sequence[int], now: dt.datetime) -> int:
    """Open dossiers past the date promised to the citizen (the current due moment, after any
    apology's new date): exactly what the officers' "Quá hạn" list holds."""
    return Dossier.objects.filter(clock.overdue_q(now), processing_unit_id__in=scope).count()


def dashboard_for(
    user: Any, unit_code: str | None, period: Period, *, now: dt.datetime | None = None
) -> Dashboard:
    now = now or timezone.now()
    unit = find_unit_for(user, unit_code) if unit_code else dashboard_unit_for(user, roles=None)
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị"))
    scope = scope_of(user, unit)
    # Links to the worklist are exact only when the worklist shows what the dashboard counts:
    # every unit the person sees is in this dashboard's subtree.
    exact = set(scope) == set(visible_unit_ids(user))
    key = (
        f"dashboard:{get_language()}:{unit.pk}:{period.preset}:{period.start}:{period.end}:"
        f"{int(exact)}:{records_stamp(now)}"
    )
    return cached(key, lambda: build(unit, period, scope=scope, now=now, exact_links=exact))


# -- the per-process cache -------------------------------------------------------------------------

_STAMP_SQL = (
    # The newest change to any dossier and the newest rating: one indexed probe each.
    f"SELECT updated_at FROM {Dossier._meta.db_table} ORDER BY updated_at DESC LIMIT 1",
    f"SELECT created_at FROM {Rating._meta.db_table} ORDER BY created_at DESC LIMIT 1",
)


def records_stamp(now: dt.datetime) -> str:
    """What every figure here depends on, in a few characters: the aggregates' state, the
    newest dossier change and rating (a report adds what the aggregates have not counted yet),
    and the five minutes we are in (an open dossier becomes overdue at its due moment without
    any change to it). Any change to the records gives a new stamp."""
    parts = []
    with connection.cursor() as cursor:
        for sql in _STAMP_SQL:
            cursor.execute(sql)
            row = cursor.fetchone()
            parts.append(row[0].isoformat() if row and row[0] else "-")
    # No row yet and a row never built are the same state (a report creates the row).
    state = ReportsState.objects.filter(pk=1).values_list("watermark", "rebuilt_at").first()
    parts.append(repr(state or (None, None)))
    parts.append(str(int(now.timestamp()) // 300))
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]


T = TypeVar("T")


def cached(key: str, build: Callable[[], T]) -> T:
    """`build()`, from the per-process cache while the key holds (see `records_stamp`).

    Leaders reopen their home page, and citizens the public page, far more often than the
    figures move; building a dashboard takes a dozen reports' worth of queries."""
    cache = caches["local"]
    value: T | None = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


def build(
    unit: Unit,
    period: Period,
    *,
    scope: Sequence[int],
    now: dt.datetime,
    exact_links: bool = False,
) -> Dashboard:
    today = timezone.localtime(now, TZ).date()
    report = resolution(
        unit, period.start, period.end, subtree=True, group=("field", "unit"), units=scope, now=now
    )
    trend = monthly(unit, trend_months(period.end, today), subtree=True, units=scope, now=now)
    as_of = report.as_of
    board = Dashboard(
        unit=unit,
        period=period,
        report=report,
        total=report.total,
        trend=trend,
        children=_rank(_children(unit, report, scope)),
        satisfaction=feedback_reports.satisfaction(unit, period.start, period.end),
        feedback=feedback_reports.feedback_timeliness(unit, as_of),
        past_promised=_past_promised(scope, now) if report.live else 0,
        exact_links=exact_links,
    )
    # The service index (QĐ 766): this unit's score, and the units below it ranked. The ranking
    # counts the whole scope (the subtree) and scores it as the parent's own index, so with a
    # ranking the unit's index is taken from it rather than counted a second time.
    if len(board.children) > 1:
        ranking = si.ranking(unit, period.start, period.end, units=scope, now=now)
        board.index_min_dossiers = ranking.min_dossiers
        board.index_ranks = {e.unit.pk: e for e in [*ranking.ranked, *ranking.unranked]}
        assert ranking.result is not None
        board.index = si.IndexReport(
            unit, True, period.start, period.end, ranking.as_of, ranking.live, ranking.inputs,
            ranking.result,
        )  # fmt: skip
    else:
        board.index = si.service_index(
            unit, period.start, period.end, subtree=True, units=scope, now=now
        )
    board.tiles = _tiles(board)
    board.panels = [
        _trend_panel(board),
        _fields_panel(board),
        *([_children_panel(board)] if len(board.children) > 1 else []),
        _index_panel(board),
        _channel_panel(board),
        _apology_panel(board),
        _satisfaction_panel(board),
        _feedback_panel(board),
    ]
    return board


# -- links to the dossiers behind a figure ---------------------------------------------------------


def worklist_link(board: Dashboard, **params: str) -> str:
    """The staff worklist holding exactly the dossiers a figure counts, or "" when it cannot:
    the figure is not about now, the person sees more than this dashboard, or the worklist has
    no filter for it yet."""
    if not (board.exact_links and board.live) or not set(params) <= WORKLIST_PARAMS:
        return ""
    return f"{reverse('dossiers:worklist')}?{urlencode(params)}"


# -- panels -------------------------------------------------------------------------------------


def _tiles(board: Dashboard) -> list[Tile]:
    t = board.total
    online = share(t.received_online, t.received_new)
    tiles = [
        Tile(_("Tiếp nhận mới trong kỳ"), number(t.received_new),
             _("kỳ trước chuyển qua: %(n)s") % {"n": number(t.carried_over)}),
        Tile(_("Đã giải quyết"), number(t.resolved_total),
             _("quá hạn: %(n)s") % {"n": number(t.resolved_late)}),
        Tile(_("Tỷ lệ giải quyết đúng hạn"), percent(t.on_time_rate),
             _("trước hạn và đúng hạn trên số đã giải quyết")),
        Tile(_("Đang giải quyết"), number(t.in_progress_total),
             _("quá hạn: %(n)s") % {"n": number(t.in_progress_overdue)},
             worklist_link(board, list="open")),
        Tile(_("Tiếp nhận trực tuyến"), percent(online),
             _("%(n)s hồ sơ") % {"n": number(t.received_online)}),
        Tile(_("Hài lòng, rất hài lòng"), percent(board.satisfaction.satisfied_share),
             _("%(n)s lượt đánh giá") % {"n": number(board.satisfaction.total)}),
        Tile(_("PAKN trả lời đúng hạn"), percent(board.feedback.on_time_share),
             _("%(n)s phản ánh, kiến nghị") % {"n": number(board.feedback.total)}),
    ]  # fmt: skip
    if board.index is not None:
        result = board.index.result
        tiles.append(
            Tile(
                _("Chỉ số phục vụ (QĐ 766)"),
                score_text(result.score),
                _("trên 100 điểm; xếp loại: %(band)s") % {"band": result.band_label or "—"},
                index_link(board, "page"),
            )
        )
    if board.live:
        tiles.insert(
            4,
            Tile(
                _("Quá ngày hẹn trả, cần xử lý"),
                number(board.past_promised),
                _("đang mở, đã qua ngày hẹn (kể cả ngày hẹn lại)"),
                worklist_link(board, list="overdue") if board.past_promised else "",
            ),
        )
    return tiles


def month_chart(
    months: Sequence[Month], *, kind: str = "columns", width: float | None = None
) -> tuple[Chart, str]:
    """Resolved dossiers month by month, on time and late, with the on-time rate written on
    each; and the sentence that says the same for a screen reader."""
    if kind == "columns":
        categories = tuple(f"{m.start:%m}\n{m.start:%Y}" for m in months)
    else:  # rows read top to bottom, newest first, like the table beside them
        months = list(reversed(months))
        categories = tuple(m.label for m in months)
    chart = Chart(
        kind,
        categories,
        (
            Series(_("Trước hạn, đúng hạn"), tuple(float(m.counts.resolved_early + m.counts.resolved_on_time) for m in months), GOOD),
            Series(_("Quá hạn"), tuple(float(m.counts.resolved_late) for m in months), BAD),
        ),
        notes=tuple(percent(m.counts.on_time_rate) if m.counts.resolved_total else "" for m in months),
        empty_text=_("Chưa có hồ sơ nào được giải quyết trong các tháng này."),
        width=width,
    )  # fmt: skip
    rates = ", ".join(
        f"{m.label}: {percent(m.counts.on_time_rate)}" for m in months if m.counts.resolved_total
    )
    alt = _(
        "Biểu đồ số hồ sơ giải quyết trước hạn, đúng hạn và quá hạn theo tháng. Tỷ lệ đúng hạn: %(rates)s"
    ) % {"rates": rates or _("chưa có số liệu.")}
    return chart, alt


def _trend_panel(board: Dashboard) -> Panel:
    months = board.trend
    chart, alt = month_chart(months)
    rows = [
        [
            Cell(m.label),
            num(m.counts.received_new),
            num(m.counts.resolved_total),
            num(m.counts.resolved_early + m.counts.resolved_on_time),
            num(m.counts.resolved_late),
            pct(m.counts.on_time_rate),
        ]
        for m in months
    ]
    total = Counts()
    for m in months:
        total = total + m.counts
    return Panel(
        "trend",
        _("Tỷ lệ giải quyết đúng hạn theo tháng"),
        Table(
            [_("Tháng"), _("Tiếp nhận mới"), _("Đã giải quyết"), _("Trước hạn, đúng hạn"),
             _("Quá hạn"), _("Tỷ lệ đúng hạn")],
            rows,
            [Cell(_("Cộng")), num(total.received_new), num(total.resolved_total),
             num(total.resolved_early + total.resolved_on_time), num(total.resolved_late),
             pct(total.on_time_rate)],
        ),
        chart,
        alt=alt,
        wide=True,
        note=_("%(n)s tháng đến hết kỳ; mỗi tháng tính như một kỳ báo cáo (Biểu số 06/VPCP/KSTT).")
        % {"n": len(months)},
    )  # fmt: skip


def _field_rows(board: Dashboard) -> list[tuple[str, str, Counts]]:
    """(code, name, counts) per field, summed over the report's units."""
    position = board.report.group.index("field")
    sums: dict[str, tuple[str, Counts]] = {}
    for row in board.report.rows:
        code, name = row.key[position], row.label[position]
        before = sums.get(code)
        sums[code] = (name, row.counts if before is None else before[1] + row.counts)
    rows = [(code, name, counts) for code, (name, counts) in sums.items()]
    rows.sort(key=lambda r: (-r[2].in_progress_total, -r[2].received_total, r[1]))
    return rows


def _fields_panel(board: Dashboard) -> Panel:
    rows = _field_rows(board)
    with_backlog = [r for r in rows if r[2].in_progress_total] or rows
    chart = Chart(
        "bars",
        tuple(name for _c, name, _n in with_backlog),
        (
            Series(
                _("Trong hạn"),
                tuple(float(c.in_progress_within) for _c, _n, c in with_backlog),
                GOOD,
            ),
            Series(
                _("Quá hạn"), tuple(float(c.in_progress_overdue) for _c, _n, c in with_backlog), BAD
            ),
        ),
        notes=tuple(number(c.in_progress_total) for _c, _n, c in with_backlog),
        empty_text=_("Không có hồ sơ đang giải quyết."),
    )
    table_rows = [
        [
            Cell(name),
            num(c.in_progress_total, worklist_link(board, list="open", field=code)),
            num(c.in_progress_within),
            num(c.in_progress_overdue),
            num(c.waiting_supplement, worklist_link(board, list="supplement", field=code)),
            num(c.resolved_total),
            pct(c.on_time_rate),
        ]
        for code, name, c in rows
    ]
    t = board.total
    as_of = timezone.localtime(board.as_of, TZ)
    return Panel(
        "fields",
        _("Hồ sơ đang giải quyết và quá hạn theo lĩnh vực"),
        Table(
            [_("Lĩnh vực"), _("Đang giải quyết"), _("Trong hạn"), _("Quá hạn"),
             _("Trong đó chờ bổ sung"), _("Đã giải quyết trong kỳ"), _("Tỷ lệ đúng hạn")],
            table_rows,
            [Cell(_("Cộng")), num(t.in_progress_total, worklist_link(board, list="open")),
             num(t.in_progress_within), num(t.in_progress_overdue),
             num(t.waiting_supplement, worklist_link(board, list="supplement")),
             num(t.resolved_total), pct(t.on_time_rate)],
        ),
        chart,
        alt=_("Biểu đồ thanh: hồ sơ đang giải quyết trong hạn và quá hạn của từng lĩnh vực; số liệu ở bảng dưới."),
        note=_("Đang giải quyết tại thời điểm %(moment)s; quá hạn tính theo thời hạn giải quyết theo quy định (hạn ban đầu), hồ sơ chờ bổ sung tính là trong hạn.")
        % {"moment": f"{as_of:%H:%M} {as_of:%d/%m/%Y}"},
        # Seven columns do not fit half a desk screen (1366 px): the table would scroll.
        wide=True,
    )  # fmt: skip


def _children_panel(board: Dashboard) -> Panel:
    children = board.children
    charted = [c for c in children if c.rank is not None]
    note_rank = _(
        "Chỉ xếp hạng đơn vị có từ %(n)s hồ sơ đã giải quyết trong kỳ trở lên; các đơn vị khác được liệt kê sau, không xếp hạng."
    ) % {"n": number(rank_min_resolved())}
    if len(charted) > 30:
        # A chart of 168 communes reads as nothing: show the thirty that need attention most.
        charted = charted[-30:]
        note_rank += " " + _("Biểu đồ thể hiện 30 đơn vị có tỷ lệ đúng hạn thấp nhất.")
    chart = Chart(
        "bars",
        tuple(c.name for c in charted),
        (
            Series(
                _("Tỷ lệ đúng hạn"), tuple(float(c.counts.on_time_rate or 0) for c in charted), GOOD
            ),
        ),
        notes=tuple(percent(c.counts.on_time_rate) for c in charted),
        scale=100,
        empty_text=_("Chưa có đơn vị nào đủ số hồ sơ để xếp hạng."),
    )
    rows = []
    for c in children:
        name = c.name + (" " + _("(trực tiếp giải quyết)") if c.is_self else "")
        href = "" if c.is_self else reverse("dashboards:unit", args=[c.unit.code])
        rows.append(
            [
                Cell(str(c.rank) if c.rank else "—", "", True),
                Cell(name, href),
                num(c.counts.received_total),
                num(c.counts.resolved_total),
                pct(c.counts.on_time_rate),
                num(c.counts.in_progress_total),
                num(c.counts.in_progress_overdue),
                pct(c.counts.satisfaction_rate),
                *_index_cells(board, c),
            ]
        )
    index_headers = [_("Chỉ số phục vụ"), _("Hạng theo chỉ số")] if board.index_ranks else []
    if board.index_ranks:
        note_rank += " " + _(
            "Hạng theo chỉ số phục vụ (QĐ 766): chỉ xếp hạng đơn vị tiếp nhận từ %(n)s hồ sơ trong kỳ trở lên."
        ) % {"n": number(board.index_min_dossiers)}
    return Panel(
        "units",
        _("Xếp hạng đơn vị theo tỷ lệ giải quyết đúng hạn"),
        Table(
            [_("Hạng"), _("Đơn vị"), _("Tiếp nhận"), _("Đã giải quyết"), _("Tỷ lệ đúng hạn"),
             _("Đang giải quyết"), _("Đang quá hạn"), _("Hài lòng"), *index_headers],
            rows,
            numeric_from=2,
            header_col=1,
        ),
        chart,
        alt=_("Biểu đồ thanh: tỷ lệ giải quyết đúng hạn của từng đơn vị được xếp hạng; số liệu ở bảng dưới."),
        note=note_rank,
        links=[(index_link(board, "ranking"), _("Xếp hạng theo chỉ số phục vụ, chi tiết"))] if board.index_ranks else [],
    )  # fmt: skip


def score_text(value: Decimal | None) -> str:
    """85,25 (two decimals, as the index is published), or a dash."""
    return "—" if value is None else localised(value, 2)


def index_link(board: Dashboard, page: str) -> str:
    """The service index's own page for this unit and period (its sub-indicators, the points
    lost and the dossiers behind them), or its ranking of the units below."""
    params = {
        "unit": board.unit.code,
        "from": board.period.start.isoformat(),
        "to": board.period.end.isoformat(),
        **({"subtree": "1"} if page == "page" else {}),
    }
    return f"{reverse(f'service_index:{page}')}?{urlencode(params)}"


def _index_cells(board: Dashboard, child: ChildFigures) -> list[Cell]:
    if not board.index_ranks:
        return []
    entry = board.index_ranks.get(child.unit.pk)
    if entry is None:
        return [Cell("—", "", True), Cell("—", "", True)]
    return [
        Cell(score_text(entry.result.score), "", True),
        Cell(str(entry.rank) if entry.rank else "—", "", True),
    ]


def _index_panel(board: Dashboard) -> Panel:
    assert board.index is not None
    result = board.index.result
    groups = result.groups
    # Three parts per group: the points, the points the unit could have had, and what the
    # records cannot measure (left out of the scale to 100).
    chart = Chart(
        "bars",
        tuple(g.name for g in groups),
        (
            Series(_("Điểm đạt"), tuple(float(g.points) for g in groups), GOOD),
            Series(
                _("Điểm bị mất"), tuple(float(g.assessable_max - g.points) for g in groups), BAD
            ),
            Series(
                _("Chưa đo được"), tuple(float(g.max - g.assessable_max) for g in groups), "#d6dbe1"
            ),
        ),
        notes=tuple(f"{localised(g.points, 2)} / {localised(g.max)}" for g in groups),
        scale=float(max((g.max for g in groups), default=1)),
        empty_text=_("Chưa đủ số liệu để tính chỉ số."),
    )
    rows = [
        [
            Cell(g.name),
            Cell(localised(g.max), "", True),
            Cell(localised(g.points, 2), "", True),
            Cell(localised(g.assessable_max - g.points, 2), "", True),
            Cell(localised(g.max - g.assessable_max, 2), "", True),
        ]
        for g in groups
    ]
    rows.append(
        [
            Cell(_("Cộng")),
            Cell(localised(sum(g.max for g in groups)), "", True),
            Cell(localised(result.points, 2), "", True),
            Cell(localised(sum(g.assessable_max - g.points for g in groups), 2), "", True),
            Cell(localised(sum(g.max - g.assessable_max for g in groups), 2), "", True),
        ]
    )
    unverified = any(not sub.weight_verified for g in groups for sub in g.subs)
    note = _(
        "Điểm tính từ dữ liệu của hệ thống theo cấu hình chỉ số; phần hệ thống chưa đo được không tính vào thang điểm: chỉ số là điểm đạt quy về thang 100 trên phần đo được."
    )
    if unverified:
        note += " " + _(
            "Một số trọng số, công thức là mặc định, chưa xác minh với Phụ lục QĐ 766: xem chi tiết."
        )
    return Panel(
        "index",
        _("Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)"),
        Table(
            [_("Nhóm chỉ số"), _("Điểm tối đa"), _("Điểm đạt"), _("Điểm bị mất"), _("Chưa đo được")],
            rows,
            [Cell(_("Chỉ số (thang 100), xếp loại")), Cell("100", "", True),
             Cell(score_text(result.score), "", True), Cell(result.band_label or "—"), Cell("")],
        ),
        chart,
        alt=_("Biểu đồ thanh: điểm đạt, điểm bị mất và phần chưa đo được của năm nhóm chỉ số phục vụ. Chỉ số: %(score)s trên 100, xếp loại %(band)s.")
        % {"score": score_text(result.score), "band": result.band_label or "—"},
        note=note,
        links=[(index_link(board, "page"), _("Chi tiết từng chỉ tiêu, điểm bị mất và hồ sơ liên quan"))],
    )  # fmt: skip


CHANNELS = (
    (Channel.COUNTER, "received_counter", WAIT),
    (Channel.POSTAL, "received_postal", SOFT),
    (Channel.ONLINE_PARTIAL, "received_online_partial", "#5b8fc9"),
    (Channel.ONLINE_FULL, "received_online_full", GOOD),
)


def _channel_panel(board: Dashboard) -> Panel:
    t = board.total
    whole = t.received_new
    values = [(str(ch.label), getattr(t, column), colour) for ch, column, colour in CHANNELS]
    chart = Chart(
        "bars",
        tuple(label for label, _v, _c in values),
        tuple(
            Series(label, tuple(float(v) if j == i else 0.0 for j in range(len(values))), colour)
            for i, (label, v, colour) in enumerate(values)
        ),
        notes=tuple(f"{number(v)} ({percent(share(v, whole))})" for _l, v, _c in values),
        legend=False,
        empty_text=_("Chưa tiếp nhận hồ sơ nào trong kỳ."),
    )
    rows = [[Cell(label), num(v), pct(share(v, whole))] for label, v, _c in values]
    return Panel(
        "channels",
        _("Kênh tiếp nhận và tỷ lệ trực tuyến"),
        Table(
            [_("Kênh tiếp nhận"), _("Số hồ sơ mới tiếp nhận"), _("Tỷ lệ")],
            rows,
            [Cell(_("Cộng")), num(whole), pct(share(whole, whole))],
        ),
        chart,
        alt=_("Biểu đồ thanh: số hồ sơ mới tiếp nhận theo kênh. Trực tuyến: %(online)s.")
        % {"online": percent(share(t.received_online, whole))},
        note=_(
            "Trực tuyến (toàn trình và một phần): %(n)s hồ sơ, %(share)s; phi địa giới: %(cross)s hồ sơ."
        )
        % {
            "n": number(t.received_online),
            "share": percent(share(t.received_online, whole)),
            "cross": number(t.received_cross_boundary),
        },
    )


def _apology_panel(board: Dashboard) -> Panel:
    t = board.total
    rows_data = [
        (_("Đã giải quyết, quá hạn"), t.resolved_late_apology, t.resolved_late_no_apology),
        (
            _("Đang giải quyết, quá hạn"),
            t.in_progress_overdue_apology,
            t.in_progress_overdue_no_apology,
        ),
    ]
    chart = Chart(
        "bars",
        tuple(label for label, _a, _n in rows_data),
        (
            Series(_("Đã có thư xin lỗi"), tuple(float(a) for _l, a, _n in rows_data), GOOD),
            Series(_("Chưa có thư xin lỗi"), tuple(float(n) for _l, _a, n in rows_data), BAD),
        ),
        notes=tuple(number(a + n) for _l, a, n in rows_data),
        empty_text=_("Không có hồ sơ quá hạn."),
    )
    rows = [
        [Cell(label), num(a + n), num(a), num(n), pct(share(a, a + n))] for label, a, n in rows_data
    ]
    return Panel(
        "apologies",
        _("Hồ sơ quá hạn và thư xin lỗi"),
        Table([_("Hồ sơ"), _("Quá hạn"), _("Đã có thư xin lỗi"), _("Chưa có thư xin lỗi"),
               _("Tỷ lệ có thư xin lỗi")], rows),
        chart,
        alt=_("Biểu đồ thanh: hồ sơ quá hạn đã và chưa có thư xin lỗi, hẹn lại ngày trả (Mẫu 04)."),
        note=_("Hồ sơ quá hạn phải có thư xin lỗi và hẹn lại ngày trả kết quả (Mẫu số 04)."),
    )  # fmt: skip


def _satisfaction_panel(board: Dashboard) -> Panel:
    s = board.satisfaction
    levels = sorted(RatingLevel, key=lambda level: -int(level))
    values = [
        (str(level.label), s.by_level.get(int(level), 0), LEVEL_COLOURS[int(level) - 1])
        for level in levels
    ]
    chart = Chart(
        "bars",
        tuple(label for label, _v, _c in values),
        tuple(
            Series(label, tuple(float(v) if j == i else 0.0 for j in range(len(values))), colour)
            for i, (label, v, colour) in enumerate(values)
        ),
        notes=tuple(f"{number(v)} ({percent(share(v, s.total))})" for _l, v, _c in values),
        legend=False,
        empty_text=_("Chưa có lượt đánh giá nào trong kỳ."),
    )
    rows = [[Cell(label), num(v), pct(share(v, s.total))] for label, v, _c in values]
    return Panel(
        "satisfaction",
        _("Mức độ hài lòng của người dân, doanh nghiệp"),
        Table([_("Mức độ"), _("Lượt đánh giá"), _("Tỷ lệ")], rows,
              [Cell(_("Cộng")), num(s.total), pct(share(s.total, s.total))]),
        chart,
        alt=_("Biểu đồ thanh: số lượt đánh giá theo mức độ hài lòng. Hài lòng và rất hài lòng: %(share)s.")
        % {"share": percent(s.satisfied_share)},
        note=_("Đánh giá của người nộp hồ sơ (tại quầy, trên cổng, qua đường dẫn) trong kỳ; tỷ lệ hài lòng gồm “Hài lòng” và “Rất hài lòng”."),
    )  # fmt: skip


def _feedback_panel(board: Dashboard) -> Panel:
    f = board.feedback
    values = [
        (_("Đã trả lời đúng hạn"), f.answered_on_time, GOOD),
        (_("Đã trả lời quá hạn"), f.answered_late, BAD),
        (_("Đang xử lý, trong hạn"), f.open_within_time, SOFT),
        (_("Đang xử lý, quá hạn"), f.open_overdue, BAD),
    ]
    chart = Chart(
        "bars",
        tuple(label for label, _v, _c in values),
        tuple(
            Series(label, tuple(float(v) if j == i else 0.0 for j in range(len(values))), colour)
            for i, (label, v, colour) in enumerate(values)
        ),
        notes=tuple(number(v) for _l, v, _c in values),
        legend=False,
        empty_text=_("Chưa có phản ánh, kiến nghị nào."),
    )
    as_of = timezone.localtime(board.as_of, TZ)
    return Panel(
        "feedback",
        _("Tiếp nhận, xử lý phản ánh, kiến nghị"),
        Table([_("Phản ánh, kiến nghị"), _("Số lượng")],
              [[Cell(label), num(v)] for label, v, _c in values],
              [Cell(_("Tỷ lệ trả lời đúng hạn")), pct(f.on_time_share)]),
        chart,
        alt=_("Biểu đồ thanh: phản ánh, kiến nghị đã trả lời đúng hạn, quá hạn và đang xử lý. Tỷ lệ đúng hạn: %(share)s.")
        % {"share": percent(f.on_time_share)},
        note=_("Lũy kế các phản ánh, kiến nghị đã tiếp nhận đến %(moment)s (không tính phản ánh bị từ chối); tỷ lệ đúng hạn tính trên số đã trả lời và số đang quá hạn.")
        % {"moment": f"{as_of:%H:%M} {as_of:%d/%m/%Y}"},
        links=[(reverse("feedback:worklist") + "?list=all", _("Danh sách phản ánh, kiến nghị"))],
    )  # fmt: skip


# -- the public transparency page ----------------------------------------------------------------


@dataclass
class PublicFigures:
    """What a unit publishes about its dossiers: counts and rates only, never a person."""

    unit: Unit
    months: list[Month]
    as_of: dt.datetime
    chart: Chart
    alt: str
    table: Table
    tiles: list[Tile]

    @property
    def svg_uri(self) -> str:
        return charts.data_uri(charts.svg(self.chart))

    @property
    def this_month(self) -> Month | None:
        return self.months[-1] if self.months else None


def public_figures(unit: Unit, *, now: dt.datetime | None = None) -> PublicFigures:
    """The last twelve months of `unit` (its own dossiers and its agencies', not the units under
    it), month by month, and what is in progress now."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    scope = units_in(unit, subtree=False)
    months = monthly(unit, trend_months(today, today), subtree=False, units=scope, now=now)
    c = months[-1].counts if months else Counts()
    tiles = [
        Tile(_("Tiếp nhận mới"), number(c.received_new)),
        Tile(_("Đã giải quyết"), number(c.resolved_total)),
        Tile(_("Trước hạn, đúng hạn"), number(c.resolved_early + c.resolved_on_time)),
        Tile(_("Quá hạn"), number(c.resolved_late)),
        Tile(_("Đang giải quyết"), number(c.in_progress_total)),
        Tile(_("Tỷ lệ đúng hạn"), percent(c.on_time_rate)),
        Tile(_("Hài lòng"), percent(c.satisfaction_rate)),
    ]
    # Narrow: the page is read on phones, where a wider figure would shrink its text.
    chart, alt = month_chart(months, kind="bars", width=3.8)
    rows = [
        [
            Cell(m.label),
            num(m.counts.received_new),
            num(m.counts.received_online),
            num(m.counts.resolved_total),
            num(m.counts.resolved_early + m.counts.resolved_on_time),
            num(m.counts.resolved_late),
            pct(m.counts.on_time_rate),
            pct(m.counts.satisfaction_rate),
        ]
        for m in reversed(months)
    ]
    table = Table(
        [_("Tháng"), _("Tiếp nhận"), _("Trong đó trực tuyến"), _("Đã giải quyết"),
         _("Trước hạn, đúng hạn"), _("Quá hạn"), _("Tỷ lệ đúng hạn"), _("Hài lòng")],
        rows,
    )  # fmt: skip
    return PublicFigures(unit, months, now, chart, alt, table, tiles)


def public_unit(unit_code: str, *, today: dt.date | None = None) -> Unit:
    """A unit in force with this code, for the public page; 404 otherwise."""
    unit = (
        Unit.objects.current(on=today)
        .filter(Q(code=unit_code))
        .select_related("admin_owner")
        .first()
    )
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị"))
    return unit
