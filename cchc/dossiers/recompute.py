"""When the working calendar changes (a holiday decreed mid-year), open dossiers whose due
moment depended on the changed days get a new one, and their history says why. Finished
dossiers keep the outcome they were judged with."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone

from cchc.dossiers.actions.common import local_iso
from cchc.dossiers.actions.steps import duration_of, reallot_remaining
from cchc.dossiers.choices import Action, Status
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.dossiers.notices import on_dossier_event
from cchc.worktime import deadlines
from cchc.worktime.actions import CalendarChangeEvent
from cchc.worktime.snapshot import load_calendar

logger = logging.getLogger(__name__)

# The clock is stopped while the citizen supplements: it restarts from zero anyway.
RUNNING_CLOCK = [Status.RECEIVED, Status.PROCESSING, Status.PAYMENT]


def recompute_due_dates(event: CalendarChangeEvent) -> None:
    """Runs inside the calendar change's transaction; logs how many dossiers moved."""
    candidates = Dossier.objects.select_for_update().filter(
        status__in=RUNNING_CLOCK, clock_started_at__isnull=False, original_due_at__isnull=False
    )
    if event.unit_id is not None:
        candidates = candidates.filter(processing_unit__path__contains=f"/{event.unit_id}/")
    if event.dates and not event.hours_changed:
        first, last = min(event.dates), max(event.dates)
        # A changed day matters only between the clock's start and the due day.
        candidates = candidates.filter(
            Q(clock_started_at__date__lte=last) & Q(original_due_at__date__gte=first)
        )
    moved = 0
    now = timezone.now()
    for dossier in candidates.select_related("processing_unit", "procedure_version"):
        assert dossier.clock_started_at is not None and dossier.original_due_at is not None
        if not event.affects(
            dossier.clock_started_at,
            dossier.original_due_at,
            unit_path=dossier.processing_unit.path,
        ):
            continue
        calendar = load_calendar(dossier.processing_unit)
        new_due = deadlines.due(dossier.clock_started_at, duration_of(dossier), calendar)
        if new_due == dossier.original_due_at:
            continue
        old_due = dossier.original_due_at
        rescheduled = dossier.reschedule_count > 0
        dossier.original_due_at = new_due
        if not rescheduled:
            # The rescheduled date is a promise already made to the citizen: it stays.
            dossier.due_at = new_due
            current = dossier.steps.filter(finished_at__isnull=True).order_by("position").first()
            if current is not None:
                # The body holding the dossier keeps the moment it received it.
                reallot_remaining(dossier, current.started_at or now, calendar)
        dossier.row_version += 1
        dossier.save(update_fields=["original_due_at", "due_at", "row_version", "updated_at"])
        recorded = DossierEvent.objects.create(
            dossier=dossier,
            action=Action.RECOMPUTE_DUE,
            from_status=dossier.status,
            to_status=dossier.status,
            at=now,
            reason=event.reason,
            data={
                "old_due": local_iso(old_due),
                "new_due": local_iso(new_due),
                "calendar_change": event.token,
            },
        )
        on_dossier_event(recorded, new_event=True)
        moved += 1
    logger.info("calendar change %s moved the due moment of %d open dossiers", event.token, moved)
