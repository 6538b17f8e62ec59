"""Figures the reports reuse: satisfaction from ratings, and PAKN handled on time.

Pure queries over a unit's subtree (materialised path prefix), no writes. Shares are Decimal
percentages rounded to 1 decimal, or None when there is nothing to divide by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from cchc.feedback.choices import SATISFIED_LEVELS, Level
from cchc.feedback.models import Feedback, Rating
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Vietnam: periods are whole local days."""
    return (
        dt.datetime.combine(start, dt.time.min, TZ),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TZ),
    )


@dataclass(frozen=True)
class Satisfaction:
    by_level: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_level.values())

    @property
    def satisfied(self) -> int:
        return sum(n for level, n in self.by_level.items() if level in SATISFIED_LEVELS)

    @property
    def satisfied_share(self) -> Decimal | None:
        """Share of "rất hài lòng" + "hài lòng" (REFERENCE §6), in %."""
        return _share(self.satisfied, self.total)


def satisfaction(unit: Unit, start: dt.date, end: dt.date) -> Satisfaction:
    """Ratings of dossiers processed in `unit` or below, given between `start` and `end`
    (inclusive local dates), counted by level (every level present, zeros included)."""
    since, until = _day_bounds(start, end)
    rows = (
        Rating.objects.filter(
            processing_unit__path__startswith=unit.path, created_at__gte=since, created_at__lt=until
        )
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {level: 0 for level in Level.values}
    for row in rows:
        counts[row["level"]] = row["n"]
    return Satisfaction(by_level=counts)


@dataclass(frozen=True)
class Timeliness:
    answered_on_time: int
    answered_late: int
    open_within_time: int
    open_overdue: int

    @property
    def answered(self) -> int:
        return self.answered_on_time + self.answered_late

    @property
    def total(self) -> int:
        return self.answered + self.open_within_time + self.open_overdue

    @property
    def on_time_share(self) -> Decimal | None:
        """Answered on time among everything due to be judged: answered, or open and overdue."""
        return _share(self.answered_on_time, self.answered + self.open_overdue)

    @property
    def indicator_8(self) -> int:
        """TT 01/2018 indicator 8 (handling of PAKN): 2 if all on time, 1 if ≥ 90 %, else 0."""
        share = self.on_time_share
        if share is None or share == 100:
            return 2
        return 1 if share >= 90 else 0


def feedback_timeliness(unit: Unit, as_of: dt.datetime) -> Timeliness:
    """PAKN addressed to `unit` or below and received by `as_of`, as they stood at that moment:
    answered on time or late, still open within time or overdue. Rejected ones do not count."""
    answered = Q(answered_at__isnull=False, answered_at__lte=as_of)
    still_open = Q(answered_at__isnull=True) | Q(answered_at__gt=as_of)
    counts = (
        Feedback.objects.filter(unit__path__startswith=unit.path, received_at__lte=as_of)
        .exclude(rejected_at__lte=as_of)
        .aggregate(
            on_time=Count("id", filter=answered & Q(answered_at__lte=F("answer_due_at"))),
            late=Count("id", filter=answered & Q(answered_at__gt=F("answer_due_at"))),
            within=Count("id", filter=still_open & Q(answer_due_at__gte=as_of)),
            overdue=Count("id", filter=still_open & Q(answer_due_at__lt=as_of)),
        )
    )
    return Timeliness(
        answered_on_time=counts["on_time"],
        answered_late=counts["late"],
        open_within_time=counts["within"],
        open_overdue=counts["overdue"],
    )
