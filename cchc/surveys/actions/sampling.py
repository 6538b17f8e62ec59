"""The sample: applicants whose dossiers were returned in the period, drawn reproducibly, and
their invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers.models import Dossier
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.notify.dispatch import normalise_email, sms_number
from cchc.surveys import notices
from cchc.surveys.actions.common import _check_roles, _manager_message, _now
from cchc.surveys.actions.errors import IllegalMove, RoundNotOpen
from cchc.surveys.actions.rounds import FLOW, _inside, _lock
from cchc.surveys.choices import MANAGER_ROLES, RoundAction, RoundStatus
from cchc.surveys.models import Invitation, SurveyRound
from cchc.workflow.transition import transition


def applicant_key(dossier: Dossier) -> str | None:
    """Who the applicant is, as a digest: the identity number, else the mobile, else the e-mail
    (None when the dossier has none of them: nobody to invite). Only a digest is stored."""
    identity = ""
    if dossier.applicant_id_number:
        identity = f"id:{dossier.applicant_id_number.upper()}"
    else:
        try:
            phone = normalise_phone(dossier.applicant_phone)
        except InvalidPhone:
            phone = ""
        if phone:
            identity = f"phone:{phone}"
        elif dossier.applicant_email:
            identity = f"email:{dossier.applicant_email.strip().lower()}"
    if not identity:
        return None
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _reachable(dossier: Dossier) -> bool:
    return bool(
        sms_number(dossier.applicant_phone)
        or (dossier.applicant_email and normalise_email(dossier.applicant_email))
    )


@dataclass(frozen=True)
class Eligible:
    """One applicant the round may invite, through their latest returned dossier."""

    key: str
    dossier_id: int
    unit_id: int


def _period_bounds(survey: SurveyRound) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(survey.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(survey.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def eligible_applicants(survey: SurveyRound) -> list[Eligible]:
    """The population: applicants whose dossiers, received or processed in a surveyed unit (or
    an agency inside it), were returned in the period, and who left a mobile or an e-mail.
    One entry per applicant (their latest dossier in the period), in dossier-id order."""
    units = list(survey.surveyed_units.all())
    where = Q(pk__in=[])
    for unit in units:
        where |= Q(processing_unit__path__startswith=unit.path)
        where |= Q(receiving_unit__path__startswith=unit.path)
    start, end = _period_bounds(survey)
    dossiers = (
        Dossier.objects.filter(where, returned_at__gte=start, returned_at__lt=end)
        .select_related("processing_unit", "receiving_unit")
        .order_by("-returned_at", "-pk")
    )
    chosen: dict[str, Eligible] = {}
    for dossier in dossiers.iterator(chunk_size=2000):
        key = applicant_key(dossier)
        if key is None or key in chosen or not _reachable(dossier):
            continue
        unit = next(
            (u for u in units if _inside(dossier.processing_unit, u)),
            next((u for u in units if _inside(dossier.receiving_unit, u)), units[0]),
        )
        chosen[key] = Eligible(key=key, dossier_id=dossier.pk, unit_id=unit.pk)
    return sorted(chosen.values(), key=lambda e: e.dossier_id)


def sample(population: Sequence[Eligible], size: int, seed: int) -> list[Eligible]:
    """A simple random sample without replacement, reproducible: Python's Mersenne Twister
    seeded with the round's seed, drawing from the population in dossier-id order. Everyone
    when the population is not larger than the sample."""
    if len(population) <= size:
        return list(population)
    return random.Random(seed).sample(list(population), size)


def draw_sample(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Draw the round's sample, once: one invitation (with its one-time token) per applicant
    drawn. The messages go out with `send_invitations` (or the morning run)."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        if s.drawn_at is not None:
            raise IllegalMove(_("Đợt khảo sát đã chọn mẫu; mỗi đợt chỉ chọn mẫu một lần."))
        population = eligible_applicants(s)
        drawn = sample(population, s.sample_size, s.seed)
        Invitation.objects.bulk_create(
            Invitation(
                round=s,
                dossier_id=e.dossier_id,
                unit_id=e.unit_id,
                applicant_key=e.key,
                token=secrets.token_urlsafe(24),
            )
            for e in drawn
        )
        s.population = len(population)
        s.drawn_at = now
        return {"population": len(population), "invited": len(drawn), "seed": s.seed}

    return transition(FLOW, survey, RoundAction.DRAW, by=by, at=_now(at), change=change)


@dataclass(frozen=True)
class SendResult:
    invitations: int
    messages: int

    @property
    def queued(self) -> int:
        return self.messages

    def summary(self) -> str:
        return f"{self.invitations} survey invitations, {self.messages} messages queued."


def send_invitations(
    survey: SurveyRound, *, by: Any = None, at: dt.datetime | None = None
) -> SendResult:
    """Queue the SMS and e-mail of every invitation not sent yet, while the round is open.
    `by`: the officer who pressed the button (checked); None: the morning run."""
    now = _now(at)
    with transaction.atomic():
        locked = _lock(survey)
        if by is not None:
            _check_roles(by, locked.unit, MANAGER_ROLES, _manager_message())
        if locked.status != RoundStatus.OPEN:
            raise RoundNotOpen(_("Chỉ gửi lời mời khi đợt khảo sát đang thu phiếu."))
        pending = list(
            locked.invitations.filter(sent_at__isnull=True)
            .select_related("dossier", "unit")
            .order_by("pk")
        )
        messages = 0
        for invitation in pending:
            invitation.round = locked
            messages += notices.invite(invitation)
            invitation.sent_at = now
        Invitation.objects.bulk_update(pending, ["sent_at"])
    return SendResult(invitations=len(pending), messages=messages)


def send_due_invitations(now: dt.datetime) -> SendResult:
    """The morning run's part (registered in apps.py): the invitations of every open round
    whose answers are still taken."""
    total = SendResult(0, 0)
    rounds = SurveyRound.objects.filter(
        status=RoundStatus.OPEN,
        answer_until__gte=timezone.localdate(now),
        invitations__sent_at__isnull=True,
    ).distinct()
    for survey in rounds:
        done = send_invitations(survey, at=now)
        total = SendResult(total.invitations + done.invitations, total.messages + done.messages)
    return total
