"""Yearly counts per unit that the PAR Index reads: documents by type and signed, plan
progress ("12/15 tasks done, 2 late"), communication activities by kind, initiatives.

Each function answers for one unit and one year from plain indexed columns (a few aggregate
queries, whatever the number of rows); `on` is the day lateness is judged on (today by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from cchc.records.choices import InitiativeStatus, TaskProgress
from cchc.records.models import (
    CchcPlan,
    CommunicationActivity,
    Initiative,
    OfficialDocument,
    PlanTask,
    late_q,
    signed_q,
)
from cchc.units.models import Unit


@dataclass(frozen=True)
class TypeCount:
    key: str
    name: str
    abbreviation: str
    total: int
    signed: int


def documents_by_type(unit: Unit, year: int) -> list[TypeCount]:
    """The unit's documents of `year` per type, with how many are digitally signed."""
    rows = (
        OfficialDocument.objects.filter(unit=unit, year=year)
        .values("type__key", "type__name", "type__abbreviation", "type__position")
        .annotate(total=Count("id"), signed=Count("id", filter=signed_q()))
        .order_by("type__position", "type__name")
    )
    return [
        TypeCount(r["type__key"], r["type__name"], r["type__abbreviation"], r["total"], r["signed"])
        for r in rows
    ]


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    late: int  # past due and not done on the day asked
    done_late: int  # done, but after the due date
    in_progress: int
    not_started: int

    @property
    def rate(self) -> float | None:
        """Share of tasks done (0–1); None for a plan without tasks."""
        return self.done / self.total if self.total else None

    def __str__(self) -> str:
        return f"{self.done}/{self.total}"


def task_progress(tasks: QuerySet[PlanTask], on: dt.date | None = None) -> Progress:
    """The counts of a queryset of tasks on `on` (late ones are counted apart from the
    not-started and in-progress ones they would otherwise be)."""
    late = late_q(on or timezone.localdate())
    counts = tasks.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(progress=TaskProgress.DONE)),
        late=Count("id", filter=late),
        done_late=Count("id", filter=Q(progress=TaskProgress.DONE, done_on__gt=F("due_on"))),
        in_progress=Count("id", filter=Q(progress=TaskProgress.IN_PROGRESS) & ~late),
        not_started=Count("id", filter=Q(progress=TaskProgress.NOT_STARTED) & ~late),
    )
    return Progress(**counts)


def plan_progress(plan: CchcPlan, on: dt.date | None = None) -> Progress:
    return task_progress(plan.tasks.all(), on)


def plans_progress(unit: Unit, year: int, on: dt.date | None = None) -> Progress:
    """Every task of the unit's plans for `year`, counted together."""
    return task_progress(PlanTask.objects.filter(plan__unit=unit, plan__year=year), on)


def plan_topics(unit: Unit, year: int) -> dict[str, int]:
    """How many followed plans of each topic the unit has for `year` (a criterion asks for a
    communication plan, another for a self-inspection plan)."""
    rows = (
        CchcPlan.objects.filter(unit=unit, year=year)
        .values("topic")
        .annotate(n=Count("id"))
        .order_by("topic")
    )
    return {r["topic"]: r["n"] for r in rows}


def communication_by_kind(unit: Unit, year: int) -> dict[str, int]:
    """Activities of `year` per kind, summed by their count ("25 news items on the loudspeaker")."""
    rows = (
        CommunicationActivity.objects.filter(unit=unit, year=year)
        .values("kind")
        .annotate(n=Sum("count"))
        .order_by("kind")
    )
    return {r["kind"]: r["n"] or 0 for r in rows}


def initiatives_by_status(unit: Unit, year: int) -> dict[str, int]:
    rows = (
        Initiative.objects.filter(unit=unit, year=year)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    return {r["status"]: r["n"] for r in rows}


@dataclass(frozen=True)
class YearSummary:
    unit: Unit
    year: int
    documents: list[TypeCount]
    plans: Progress
    plan_topics: dict[str, int]
    communication: dict[str, int]
    initiatives: dict[str, int]

    @property
    def documents_total(self) -> int:
        return sum(t.total for t in self.documents)

    @property
    def documents_signed(self) -> int:
        return sum(t.signed for t in self.documents)

    @property
    def initiatives_recognised(self) -> int:
        return sum(
            self.initiatives.get(s, 0)
            for s in (InitiativeStatus.RECOGNISED, InitiativeStatus.APPLIED)
        )


def year_summary(unit: Unit, year: int, on: dt.date | None = None) -> YearSummary:
    """Everything the register counts for one unit and year, for the PAR Index's criteria."""
    return YearSummary(
        unit=unit,
        year=year,
        documents=documents_by_type(unit, year),
        plans=plans_progress(unit, year, on),
        plan_topics=plan_topics(unit, year),
        communication=communication_by_kind(unit, year),
        initiatives=initiatives_by_status(unit, year),
    )
