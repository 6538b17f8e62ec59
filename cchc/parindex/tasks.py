"""Remediation tasks as the pages, the API and the lost-points report read them: an
assessment's tasks with what each one shows (criterion, owner, evidence, history) in a fixed
number of queries however many there are, the unit's staff a task may be given to, and the
lateness derived from the due date (never stored)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cchc.accounts.models import User
from cchc.lib.text import person_key
from cchc.parindex.models import Assessment, RemediationEvent, RemediationTask
from cchc.units.models import Membership, Unit


def today() -> dt.date:
    """Today in Vietnam (settings.TIME_ZONE, Asia/Ho_Chi_Minh): the day a task is late after."""
    return timezone.localdate()


def tasks_of(assessment: Assessment, *, history: bool = True) -> QuerySet[RemediationTask]:
    """The assessment's tasks in the set's order, then by due date; with their events."""
    rows = (
        RemediationTask.objects.filter(assessment=assessment)
        .select_related("criterion", "owner", "evidence_record")
        .order_by("criterion__order", "due_on", "id")
    )
    if history:
        rows = rows.prefetch_related(
            Prefetch(
                "events",
                queryset=RemediationEvent.objects.select_related("actor").order_by("at", "id"),
            )
        )
    return rows


def tasks_by_code(assessment: Assessment, *, history: bool = False) -> dict[str, list[Any]]:
    """The tasks of each criterion, by its code (the lost-points rows')."""
    out: dict[str, list[Any]] = defaultdict(list)
    for task in tasks_of(assessment, history=history):
        out[task.criterion.code].append(task)
    return dict(out)


def unit_staff(unit: Unit) -> list[User]:
    """Who a task may be given to: the staff with a membership in force in the unit or an
    agency inside it (the same rule as `actions.own_roles`), by given name as Vietnamese staff
    lists are read (`lib.text.person_key`, as the dossier desk's recipients)."""
    members = Membership.objects.active().filter(unit__path__startswith=unit.path)
    staff = User.objects.filter(is_active=True, pk__in=members.values("user_id")).distinct()
    return sorted(staff, key=lambda u: person_key(u.full_name or u.username))


def owner_name(user: Any) -> str:
    return str(user.full_name or user.username)
