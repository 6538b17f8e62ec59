"""The seam: the domains register with the outbox; what they registered reaches the messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.dossiers.reminders import remind_officers
from cchc.feedback.notices import rating_invitation
from cchc.notify import registry
from cchc.notify.choices import Channel, Kind
from cchc.notify.models import Message
from cchc.notify.reminders import run_morning_jobs
from cchc.testing import at

pytestmark = pytest.mark.django_db


def returned(received: Dossier, reception: User, specialist: User) -> Dossier:
    d = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    d = actions.resolve(d, by=specialist, at=at("2025-08-05"))
    return actions.return_result(d, by=reception, at=at("2025-08-06"))


def test_the_result_returned_email_ends_with_the_rating_invitation_of_the_feedback_app(
    settings: Any, received: Dossier, reception: User, specialist: User
) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.example"
    d = returned(received, reception, specialist)
    email = Message.objects.get(dossier=d, kind=Kind.RETURNED, channel=Channel.EMAIL)
    sms = Message.objects.get(dossier=d, kind=Kind.RETURNED, channel=Channel.SMS)
    assert "Mời ông/bà đánh giá mức độ hài lòng: https://dichvucong.example/danh-gia/" in email.body
    # After the facts, before the signature, as before the seam.
    facts, invitation, signature = email.body.split("\n\n")[-3:]
    assert facts.endswith(f"/tra-cuu/{d.code}/")
    assert invitation.startswith("Cảm ơn ông/bà đã sử dụng dịch vụ.")
    assert signature.startswith(d.receiving_unit.name)
    assert "danh-gia" not in sms.body


def test_without_a_registered_addendum_the_email_has_no_invitation(
    received: Dossier, reception: User, specialist: User
) -> None:
    registry.unregister_addendum(Kind.RETURNED, rating_invitation)
    try:
        d = returned(received, reception, specialist)
    finally:
        registry.register_addendum(Kind.RETURNED, rating_invitation)
    email = Message.objects.get(dossier=d, kind=Kind.RETURNED, channel=Channel.EMAIL)
    assert "đánh giá" not in email.body


def test_registering_twice_keeps_one() -> None:
    # The dossiers app registered its reminders once at start-up; a second call changes nothing.
    assert registry.morning_jobs().count(remind_officers) == 1
    registry.register_morning_job(remind_officers)
    assert registry.morning_jobs().count(remind_officers) == 1

    def postscript(subject: Any) -> str:
        return f"P.S. {subject}" if subject else ""

    registry.register_addendum("test-kind", postscript)
    registry.register_addendum("test-kind", postscript)
    try:
        assert registry.addenda("test-kind", "x") == ["P.S. x"]
        assert registry.addenda("test-kind", "") == []  # an empty paragraph is left out
    finally:
        registry.unregister_addendum("test-kind", postscript)
    assert registry.addenda("test-kind", "x") == []


@dataclass
class Counted:
    queued: int

    def summary(self) -> str:
        return f"{self.queued} counted."


def test_the_morning_run_runs_every_registered_job_in_order(db: Any) -> None:
    seen: list[dt.datetime] = []

    def job(now: dt.datetime) -> Counted:
        seen.append(now)
        return Counted(3)

    # The domains' own jobs (the officers' digests, the survey invitations) come first.
    builtin = registry.morning_jobs()
    registry.register_morning_job(job)
    try:
        results = run_morning_jobs(at("2025-08-09", 7))  # a Saturday: the officers get nothing
    finally:
        registry.unregister_morning_job(job)
    assert [r.queued for r in results] == [0] * len(builtin) + [3]
    assert seen == [at("2025-08-09", 7)]
    assert job not in registry.morning_jobs()
