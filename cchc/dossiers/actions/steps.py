"""The dossier's clock and its steps: the due moment from receipt, the steps laid out from the
procedure's template with their share of the time, and the two actions that move work between
bodies (`hand_over`, `send_back`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cchc.catalogue.models import ProcedureVersion
from cchc.dossiers import rules
from cchc.dossiers.actions.common import _current_step, _transition, local_iso
from cchc.dossiers.actions.errors import IllegalTransition, InvalidDossierData
from cchc.dossiers.choices import Action
from cchc.dossiers.models import Dossier, DossierStep
from cchc.units.choices import Role
from cchc.worktime import deadlines
from cchc.worktime.deadlines import WorkCalendar
from cchc.worktime.snapshot import load_calendar


def duration_of(dossier: Dossier) -> deadlines.Duration:
    """The processing time this dossier is judged against: the procedure's, or the longer time
    of its stated case once an officer has applied it (`extend`)."""
    version = dossier.procedure_version
    if dossier.extended_at is not None and version.extended_duration is not None:
        return version.extended_duration
    return version.duration


def _start_clock(
    dossier: Dossier,
    at: dt.datetime,
    calendar: WorkCalendar | None = None,
) -> None:
    calendar = calendar or load_calendar(dossier.processing_unit)
    due = deadlines.due(at, duration_of(dossier), calendar)
    dossier.clock_started_at = at
    dossier.original_due_at = due
    dossier.due_at = due


def _create_steps(
    dossier: Dossier,
    version: ProcedureVersion,
    start: dt.datetime,
    *,
    by: Any,
    calendar: WorkCalendar | None = None,
) -> None:
    """The procedure's step template becomes the dossier's steps, each with its share of the time."""
    # A procedure without a step template is handled as one step by a specialist.
    templates_data: list[tuple[str, str, str, Decimal]] = [
        (t.name, t.role, t.body, t.share) for t in version.steps.all()
    ] or [(_("Tiếp nhận và xử lý"), Role.SPECIALIST, "", Decimal(100))]
    steps = [
        DossierStep(
            dossier=dossier, position=i, name=name, role=role, body=body, allotted=dt.timedelta(0)
        )
        for i, (name, role, body, _share) in enumerate(templates_data, start=1)
    ]
    allot_steps(steps, [share for *_x, share in templates_data], start, dossier, calendar)
    steps[0].given_by = by
    steps[0].assignee = by if steps[0].role == Role.RECEPTION else None
    DossierStep.objects.bulk_create(steps)


def allot_steps(
    steps: list[DossierStep],
    shares: Sequence[Decimal],
    start: dt.datetime,
    dossier: Dossier,
    calendar: WorkCalendar | None = None,
) -> None:
    """Split the working time from `start` to the dossier's due moment by the steps' shares. The
    first step starts at `start`; each later step gets its due moment when it starts, from the
    moment that body receives the dossier plus its own share (CALENDAR.md: a body is never late
    because the one before it was)."""
    assert dossier.due_at is not None
    calendar = calendar or load_calendar(dossier.processing_unit)
    span = max(0, calendar.position(dossier.due_at) - calendar.position(start))
    total = sum(shares) or Decimal(1)
    for step, share in zip(steps, shares, strict=True):
        step.allotted = dt.timedelta(microseconds=int(span * share / total))
        step.started_at = None
        step.due_at = None
    _start_step(steps[0], start, calendar)


def _start_step(step: DossierStep, at: dt.datetime, calendar: WorkCalendar) -> None:
    """The body of `step` receives the dossier at `at`: its own time starts now."""
    step.started_at = at
    if step.position == 1 and step.role == Role.RECEPTION:
        step.due_at = reception_handover_due(at, calendar)
    else:
        step.due_at = calendar.moment(
            calendar.position(at) + step.allotted // dt.timedelta(microseconds=1)
        )


def reception_handover_due(received: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """ND 61 Art. 18: reception hands the dossier over the same working day, or by the start of
    the next working day when it was received after the cut-off (15:00) or on a day that is not
    a working day. "Start" lasts `rules.next_morning_grace()` (UNVERIFIED, default one hour)."""
    local = deadlines.to_local(received)
    day = local.date()
    if calendar.is_working_day(day) and local.time() <= calendar.hours.same_day_cutoff:
        return calendar.closing(day)
    opening = calendar.opening(calendar.next_working_day(day))
    grace = rules.next_morning_grace() // dt.timedelta(microseconds=1)
    return calendar.moment(calendar.position(opening) + grace)


def reallot_remaining(
    dossier: Dossier, start: dt.datetime, calendar: WorkCalendar | None = None
) -> list[dict[str, Any]]:
    """Share the time from `start` to the (new) due moment among the steps not yet finished, in
    the proportions they had; the first of them (re)starts at `start`. Returns what the steps
    were before, for the history: earlier times are kept there, never lost."""
    remaining = list(dossier.steps.filter(finished_at__isnull=True).order_by("position"))
    before = [
        {
            "position": s.position,
            "name": s.name,
            "started_at": local_iso(s.started_at),
            "due_at": local_iso(s.due_at),
        }
        for s in remaining
        if s.started_at is not None
    ]
    if remaining:
        weights = [Decimal(s.allotted // dt.timedelta(microseconds=1) or 1) for s in remaining]
        allot_steps(remaining, weights, start, dossier, calendar)
        DossierStep.objects.bulk_update(remaining, ["allotted", "due_at", "started_at"])
    return before


def _finish_step(step: DossierStep, at: dt.datetime) -> None:
    step.finished_at = at
    if step.due_at is not None:
        step.outcome = deadlines.outcome(step.due_at, at)
    step.save(update_fields=["finished_at", "outcome"])


def hand_over(
    dossier: Dossier,
    *,
    by: Any,
    to: Any | None = None,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Finish the current step and start the next one, recording who gave and who received."""

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        if d.due_at is not None and not d.steps.exists():
            # An imported dossier arrives without steps: lay them out from its clock start.
            start = d.clock_started_at or d.received_at or now
            _create_steps(d, d.procedure_version, start, by=by)
        current = _current_step(d)
        following = d.steps.filter(started_at__isnull=True).order_by("position").first()
        if following is None:
            raise IllegalTransition(
                _("Đây là bước cuối: hãy ghi nhận kết quả thay vì chuyển bước.")
            )
        data: dict[str, Any] = {}
        if current is not None:
            _finish_step(current, now)
            data["finished_step"] = current.name
            data["step_outcome"] = current.outcome
        _start_step(following, now, load_calendar(d.processing_unit))
        following.given_by = by
        following.assignee = to
        following.note = note[:500]
        following.save(update_fields=["started_at", "due_at", "given_by", "assignee", "note"])
        d.assignee = to
        data["step"] = following.name
        data["to"] = getattr(to, "username", None)
        return data

    return _transition(
        dossier,
        Action.HAND_OVER,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=note,
    )


def send_back(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The leader does not sign and sends the work back ("Trả lại"), with the reason: the
    leader's step waits again and the step before it restarts, with the one who did it. Only
    from a leader's step; the history keeps the times the steps had."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do trả lại."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        current = _current_step(d)
        if current is None or current.role != Role.LEADER:
            raise IllegalTransition(_("Chỉ trả lại được khi hồ sơ đang ở bước lãnh đạo ký duyệt."))
        previous = (
            d.steps.filter(position__lt=current.position, finished_at__isnull=False)
            .order_by("-position")
            .first()
        )
        if previous is None or previous.role == Role.RECEPTION:
            raise IllegalTransition(_("Không có bước xử lý trước bước này để trả lại."))
        data = {
            "from_step": current.name,
            "step": previous.name,
            "before": {
                "started_at": local_iso(previous.started_at),
                "finished_at": local_iso(previous.finished_at),
                "outcome": previous.outcome,
            },
            "to": getattr(previous.assignee, "username", None),
        }
        current.started_at = None
        current.due_at = None
        current.assignee = None
        current.save(update_fields=["started_at", "due_at", "assignee"])
        previous.finished_at = None
        previous.outcome = ""
        _start_step(previous, now, load_calendar(d.processing_unit))
        previous.given_by = by
        previous.note = reason.strip()[:500]
        previous.save(
            update_fields=["started_at", "due_at", "finished_at", "outcome", "given_by", "note"]
        )
        d.assignee = previous.assignee
        return data

    return _transition(
        dossier,
        Action.SEND_BACK,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
        public=False,
    )
