"""The officers' worklists: which dossiers each list holds, and keyset paging through them.

Lists page by keyset (the last row's sort value and id), not OFFSET, so page 500 costs what
page 1 costs; scoping is one `IN (unit ids)` computed once per request.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Field, Func, Q, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.dossiers import clock
from cchc.dossiers.choices import OPEN_STATUSES, Status
from cchc.dossiers.models import Dossier, DossierQuerySet
from cchc.lib.text import fold
from cchc.worktime.deadlines import WorkCalendar
from cchc.worktime.snapshot import load_calendar


@dataclass(frozen=True)
class Worklist:
    key: str
    label: Any
    sort: str  # a Dossier column; rows are ordered by (sort, id)
    descending: bool
    # The list's condition, as one Q: the list filters by it and the tab counts aggregate it
    # (`counts`), so a tab's number is the length of its list by construction.
    where: Callable[[Any, dt.datetime, WorkCalendar | None], Q]
    # Whether rows may lack a sort value (imported dossiers may not know when a supplement or a
    # payment was asked for); those lists page with an extra "IS NULL" branch.
    nullable: bool = False
    # Whether the tab shows a count. The archive of finished dossiers is most of the table
    # (93 % at the 1M-row benchmark): counting it at every page view would read the whole
    # history, so its tab has no number.
    counted: bool = True

    def rows(
        self,
        qs: DossierQuerySet,
        user: Any,
        now: dt.datetime,
        calendar: WorkCalendar | None = None,
    ) -> DossierQuerySet:
        return qs.filter(self.where(user, now, calendar))


def _due_within(days: int) -> Callable[[Any, dt.datetime, WorkCalendar | None], Q]:
    def where(user: Any, now: dt.datetime, calendar: WorkCalendar | None) -> Q:
        # clock.due_within_q, with the request's calendar (one look-up for all the tabs).
        end = clock.end_of_working_day(now, days - 1, calendar)
        return clock.running_q() & Q(due_at__gte=now, due_at__lte=end)

    return where


def _mine(user: Any, now: dt.datetime, calendar: WorkCalendar | None = None) -> Q:
    """Open dossiers the officer holds: named as the dossier's assignee, or holding its current
    step (reception holds the first step of what it received before handing it over). The
    steps are found from the officer's side (an indexed foreign key: a few rows), never per
    dossier."""
    from cchc.dossiers.models import DossierStep

    held = DossierStep.objects.filter(
        assignee=user, started_at__isnull=False, finished_at__isnull=True
    ).values("dossier_id")
    return Q(status__in=sorted(OPEN_STATUSES)) & (Q(assignee=user) | Q(id__in=held))


FINISHED = [Status.RETURNED, Status.WITHDRAWN, Status.STOPPED, Status.REFUSED]

WORKLISTS: dict[str, Worklist] = {
    w.key: w
    for w in [
        Worklist("to_receive", _("Chờ tiếp nhận (trực tuyến)"), "submitted_at", False,
                 lambda u, now, cal: Q(status=Status.SUBMITTED)),
        Worklist("mine", _("Tôi đang xử lý"), "due_at", False, _mine),
        Worklist("open", _("Đang giải quyết"), "due_at", False,
                 lambda u, now, cal: Q(status__in=sorted(OPEN_STATUSES))),
        Worklist("due_1", _("Đến hạn trong 1 ngày làm việc"), "due_at", False, _due_within(1)),
        Worklist("due_3", _("Đến hạn trong 3 ngày làm việc"), "due_at", False, _due_within(3)),
        Worklist("overdue", _("Quá hạn"), "due_at", False,
                 lambda u, now, cal: clock.overdue_q(now)),
        Worklist("supplement", _("Chờ công dân bổ sung"), "supplement_requested_at", False,
                 lambda u, now, cal: Q(status=Status.SUPPLEMENT), nullable=True),
        Worklist("payment", _("Chờ nộp phí, thuế"), "payment_requested_at", False,
                 lambda u, now, cal: Q(status=Status.PAYMENT), nullable=True),
        # Two lists of results not yet handed over, named so they cannot be confused: every
        # one of them, and the "never closed" ones, ready before today and still waiting.
        Worklist("to_return", _("Có kết quả, chờ trả (tất cả)"), "finished_at", False,
                 lambda u, now, cal: Q(status=Status.RESOLVED)),
        Worklist("not_returned", _("Có kết quả từ trước hôm nay, vẫn chưa trả"), "finished_at",
                 False, lambda u, now, cal: Q(status=Status.RESOLVED, finished_at__lt=_start_of_today(now))),
        Worklist("finished", _("Đã kết thúc"), "updated_at", True,
                 lambda u, now, cal: Q(status__in=FINISHED), counted=False),
    ]
}  # fmt: skip


def _start_of_today(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Filters:
    field: str = ""
    procedure: str = ""
    channel: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""
    # One unit (by id, already checked against the user's scope): dossiers it processes or
    # received. Only offered to people who see several units.
    unit: int | None = None


def apply_filters(qs: DossierQuerySet, f: Filters) -> DossierQuerySet:
    if f.field:
        qs = qs.filter(field__code=f.field)
    if f.procedure:
        qs = qs.filter(procedure__code=f.procedure)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.unit:
        qs = qs.filter(Q(processing_unit_id=f.unit) | Q(receiving_unit_id=f.unit))
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    q = f.q.strip()
    if q:
        qs = qs.filter(_search(q))
    return qs


FULL_CODE = re.compile(r"^\S+-\d{6}-\d{4,}$")


def _search(q: str) -> Q:
    """One condition per kind of input, so each can use its own index: a whole dossier code, a
    phone number or the end of a code, or part of the applicant's name."""
    from cchc.lib.personal import InvalidPhone, normalise_phone

    if FULL_CODE.match(q):
        # Typed in any case; codes are issued in capitals (see dossiers.lookup.code_candidates).
        return Q(code__in=list(dict.fromkeys((q, q.upper()))))
    digits = re.sub(r"[\s.\-+()]", "", q)
    if digits.isdigit():
        by_digits = Q(code__endswith=q)
        # Phones are stored normalised: "0912 345 678" and "+84912345678" are one equality. A
        # number typed without its leading 0 is worth a guess in a search (not at a door).
        for spelling in (q, f"0{digits}" if len(digits) == 9 else ""):
            try:
                phone = normalise_phone(spelling)
            except InvalidPhone:
                continue
            if phone:
                by_digits |= Q(applicant_phone=phone)
        return by_digits
    # Names without their diacritics, in any case: "le thi hoa" finds "Lê Thị Hoa" (the folded
    # name is stored beside the name, filled on every save).
    return Q(applicant_name_folded__contains=fold(q))


@dataclass
class Page:
    rows: list[Dossier]
    next_cursor: str | None


def _encode(value: Any, pk: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, dt.datetime) else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    """The (sort value, id) a cursor stands for; ValueError for a forged or broken one."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if value is not None:
            value = dt.datetime.fromisoformat(value)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError("invalid cursor") from exc


class _Row(Func):
    """A row value, `(a, b)`, for comparing a composite sort key in one condition."""

    template = "(%(expressions)s)"
    output_field = Field()  # only ever compared, never read back


def _after(key: str, value: Any, pk: int, descending: bool) -> Q:
    """`(key, id) > (value, pk)` (`<` when descending), as one row comparison.

    Not its expansion `key > value OR (key = value AND id > pk)`: PostgreSQL turns that OR into
    a bitmap OR that fetches and sorts every row past the cursor whenever it underestimates how
    many there are, and deep in the open lists it does, by a factor of 20 or more (their due
    moments lie ahead while most of the table's are past): page 501 of the province's open list
    read 6,700 rows and took 70 ms. A row comparison is a single index condition that an
    ordered index scan starts at and leaves after one page (0.1 ms).
    """
    lookup = LessThan if descending else GreaterThan
    return Q(lookup(_Row(F(key), F("id")), _Row(Value(value), Value(pk))))


def page(qs: DossierQuerySet, worklist: Worklist, *, cursor: str | None, size: int) -> Page:
    """One page of a worklist after `cursor`, in (sort, id) order; rows with no sort value last.

    Two queries whatever the page: its ids, then its rows with the related ones `qs` selects.
    """
    key = worklist.sort
    if cursor:
        value, pk = decode_cursor(cursor)
        if value is None:
            after = Q(**{f"{key}__isnull": True}) & (
                Q(id__lt=pk) if worklist.descending else Q(id__gt=pk)
            )
        else:
            after = _after(key, value, pk, worklist.descending)
            if worklist.nullable:
                after |= Q(**{f"{key}__isnull": True})
        qs = qs.filter(after)
    # Plain ordering where the column is never empty, so it matches the indexes exactly.
    column: Any = F(key) if worklist.nullable else key
    if worklist.nullable:
        column = (
            F(key).desc(nulls_last=True) if worklist.descending else F(key).asc(nulls_last=True)
        )
    elif worklist.descending:
        column = f"-{key}"
    order = [column, "-id" if worklist.descending else "id"]
    # The page's (sort value, id) from the list's conditions, then its rows by id alone. In one
    # query PostgreSQL joins the related tables to every row the conditions match, before the
    # sort and the limit, whenever it underestimates how many match (see `_after`); and with the
    # conditions repeated, the second query may again walk every row past the cursor.
    keys = list(qs.order_by(*order).values_list(key, "id")[: size + 1])
    wanted = [pk for _value, pk in keys[:size]]
    fetch = Dossier.objects.filter(id__in=wanted)
    fetch.query.select_related = qs.query.select_related  # what the caller asked to join
    by_id = {row.pk: row for row in fetch}
    rows = [by_id[pk] for pk in wanted if pk in by_id]
    next_cursor = _encode(*keys[size - 1]) if len(keys) > size else None
    return Page(rows=rows, next_cursor=next_cursor)


def worklist_rows(
    user: Any,
    key: str,
    filters: Filters,
    *,
    now: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> DossierQuerySet:
    worklist = WORKLISTS[key]
    qs = Dossier.objects.visible_to(user).select_related("procedure", "processing_unit", "assignee")
    return apply_filters(worklist.rows(qs, user, now or timezone.now(), calendar), filters)


def counts(
    user: Any,
    filters: Filters,
    *,
    now: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[str, int]:
    """Every counted tab's number in ONE query: a conditional count per list over the user's
    dossiers that are not finished (the finished archive is not counted: see `Worklist`)."""
    now = now or timezone.now()
    counted = [w for w in WORKLISTS.values() if w.counted]
    # The statuses named (not "NOT IN finished"), so the (unit, status, …) indexes serve it.
    unfinished = sorted(set(Status.values) - set(FINISHED))
    qs = apply_filters(Dossier.objects.visible_to(user), filters).filter(status__in=unfinished)
    calendar = calendar or load_calendar()
    totals = qs.aggregate(
        **{w.key: Count("id", filter=w.where(user, now, calendar)) for w in counted}
    )
    return {key: int(value or 0) for key, value in totals.items()}
