"""Which events tell the citizen what, in one transaction with the change."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.dossiers.notices import on_dossier_event
from cchc.notify.choices import Channel, Kind, MessageStatus
from cchc.notify.dispatch import queue_message, sms_number
from cchc.notify.models import Message
from cchc.testing import EMAIL, ID_NUMBER, World, at, receive

pytestmark = pytest.mark.django_db


def kinds(dossier: Dossier) -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(dossier=dossier).values_list("kind", "channel"))


def test_receipt_queues_one_email_and_one_sms_with_the_code_and_due_date(
    received: Dossier,
) -> None:
    email = Message.objects.get(dossier=received, channel=Channel.EMAIL)
    sms = Message.objects.get(dossier=received, channel=Channel.SMS)
    assert (email.kind, sms.kind) == (Kind.RECEIVED, Kind.RECEIVED)
    assert email.recipient == EMAIL
    assert sms.recipient == "0912345678"
    assert received.code in email.subject
    for text in (email.body, sms.body):
        assert received.code in text
        assert "07/08/2025" in text
        assert f"/tra-cuu/{received.code}/" in text
    assert "Chứng thực bản sao từ bản chính" in email.body
    assert "Chung thuc ban sao tu ban chinh" in sms.body
    assert sms.body.isascii()


def test_the_delivery_jobs_are_written_with_the_messages(received: Dossier) -> None:
    ids = set(Message.objects.filter(dossier=received).values_list("pk", flat=True))
    jobs = DBTaskResult.objects.filter(task_path="cchc.notify.delivery.deliver")
    assert {job.args_kwargs["args"][0] for job in jobs} == ids
    assert all(job.status == "READY" for job in jobs)


def test_a_rolled_back_receipt_queues_nothing(
    world: World, reception: User, copy_implemented: None
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(world, reception, "2025-08-04")
        assert Message.objects.count() == 2  # written, inside the transaction…
        raise RuntimeError("the counter's printer jammed")
    # …and gone with it, job rows included.
    assert not Dossier.objects.exists()
    assert not Message.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_event_rolled_back_after_dispatch_queues_nothing(received: Dossier) -> None:
    before = (Message.objects.count(), DBTaskResult.objects.count())
    event = received.events.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        replay = DossierEvent.objects.create(
            dossier=received, action=event.action, to_status=event.to_status, at=event.at
        )
        on_dossier_event(replay)
        assert Message.objects.count() == before[0] + 2
        raise RuntimeError
    assert (Message.objects.count(), DBTaskResult.objects.count()) == before


def test_one_event_never_yields_two_messages_of_a_kind_to_one_recipient(
    received: Dossier,
) -> None:
    event = received.events.get()
    on_dossier_event(event)
    on_dossier_event(event)
    assert kinds(received) == [(Kind.RECEIVED, Channel.EMAIL), (Kind.RECEIVED, Channel.SMS)]
    assert DBTaskResult.objects.count() == 2


def test_only_the_contacts_given_are_used(
    world: World, reception: User, copy_implemented: None
) -> None:
    nothing = receive(world, reception, "2025-08-04", phone="", email="")
    phone_only = receive(world, reception, "2025-08-04", email="")
    assert kinds(nothing) == []
    assert kinds(phone_only) == [(Kind.RECEIVED, Channel.SMS)]


def test_a_landline_is_kept_as_a_failed_sms_without_a_job(
    world: World, reception: User, copy_implemented: None
) -> None:
    # A landline is a valid phone at the counter, but no SMS reaches it.
    dossier = receive(world, reception, "2025-08-04", email="", phone="(0237) 3870 123")
    assert dossier.applicant_phone == "02373870123"
    message = Message.objects.get(dossier=dossier)
    assert (message.channel, message.status, message.last_error) == (
        Channel.SMS,
        MessageStatus.FAILED,
        "invalid_recipient",
    )
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize(("channel", "recipient"), [("email", "not-an-address"), ("sms", "12345")])
def test_a_malformed_address_is_kept_as_failed_without_a_job(
    db: Any, channel: str, recipient: str
) -> None:
    # The doors refuse such addresses now; one stored earlier still leaves a visible trace.
    message = queue_message(
        channel=channel, kind=Kind.RECEIVED, recipient=recipient, subject="", body="…", key="k"
    )
    assert message is not None
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "invalid_recipient")
    assert not DBTaskResult.objects.exists()


def test_the_whole_journey_tells_the_citizen_five_things_and_nothing_else(
    received: Dossier, reception: User, specialist: User
) -> None:
    d = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    d = actions.request_supplement(d, by=specialist, items=["Bản sao CCCD"], at=at("2025-08-05"))
    d = actions.supplement_received(d, by=reception, at=at("2025-08-06"))
    assert d.due_at == at("2025-08-11", 17)  # Wed + 3 working days: Monday
    d = actions.reschedule(
        d, by=specialist, new_due=at("2025-08-13", 17), reason="Chờ xác minh", at=at("2025-08-07")
    )
    d = actions.add_note(d, by=specialist, text="Đã xác minh", at=at("2025-08-08", 8))
    d = actions.resolve(d, by=specialist, at=at("2025-08-08"))
    d = actions.return_result(d, by=reception, at=at("2025-08-11"))

    expected = [
        Kind.RECEIVED,
        Kind.SUPPLEMENT_REQUESTED,
        Kind.RESCHEDULED,
        Kind.RESULT_READY,
        Kind.RETURNED,
    ]
    assert kinds(d) == sorted((k, c) for k in expected for c in (Channel.EMAIL, Channel.SMS))

    by_kind = {(m.kind, m.channel): m for m in Message.objects.filter(dossier=d)}
    supplement = by_kind[Kind.SUPPLEMENT_REQUESTED, Channel.EMAIL]
    assert "Bản sao CCCD" in supplement.body
    assert "Ban sao CCCD" in by_kind[Kind.SUPPLEMENT_REQUESTED, Channel.SMS].body
    for channel in (Channel.EMAIL, Channel.SMS):
        apology = by_kind[Kind.RESCHEDULED, channel].body
        assert "11/08/2025" in apology and "13/08/2025" in apology
    assert "Chờ xác minh" in by_kind[Kind.RESCHEDULED, Channel.EMAIL].body
    assert "Mời ông/bà đến Xã Nga Sơn để nhận kết quả" in by_kind[Kind.RESULT_READY, "email"].body

    for message in Message.objects.all():
        assert d.code in message.body
        assert f"/tra-cuu/{d.code}/" in message.body
        assert ID_NUMBER not in message.body
        assert ID_NUMBER not in message.subject
        assert ID_NUMBER not in message.idempotency_key


def test_a_refusal_after_appraisal_says_so(
    received: Dossier, leader: User, reception: User
) -> None:
    actions.refuse(received, by=leader, reason="Bản chính bị tẩy xóa", at=at("2025-08-05"))
    refused = Message.objects.get(dossier=received, kind=Kind.REFUSED, channel=Channel.EMAIL)
    assert "Bản chính bị tẩy xóa" in refused.body
    assert Message.objects.filter(dossier=received, kind=Kind.REFUSED).count() == 2


def test_sms_keep_their_diacritics_when_the_gateway_takes_unicode(
    settings: Any, world: World, reception: User, copy_implemented: None
) -> None:
    settings.SMS_STRIP_DIACRITICS = False
    dossier = receive(world, reception, "2025-08-04")
    sms = Message.objects.get(dossier=dossier, channel=Channel.SMS)
    assert "Đã tiếp nhận hồ sơ" in sms.body


def test_tracking_links_are_absolute_when_the_site_url_is_known(
    settings: Any, world: World, reception: User, copy_implemented: None
) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.thanhhoa.gov.vn/"
    dossier = receive(world, reception, "2025-08-04")
    for message in Message.objects.filter(dossier=dossier):
        assert f"https://dichvucong.thanhhoa.gov.vn/tra-cuu/{dossier.code}/" in message.body


def test_sms_stay_within_two_segments(received: Dossier) -> None:
    sms = Message.objects.get(dossier=received, channel=Channel.SMS)
    assert len(sms.body) <= 306


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84-912-345-678", "0912345678"),
        ("(024) 3825 1234", None),  # a landline: no SMS
        ("12345", None),
        ("", None),
    ],
)
def test_sms_go_to_normalised_mobiles_only(raw: str, expected: str | None) -> None:
    assert sms_number(raw) == expected


def test_nothing_is_sent_for_a_dossier_turned_away_at_the_counter(
    world: World, reception: User, copy_implemented: None
) -> None:
    from cchc.testing import applicant, receipt_for

    dossier = actions.turn_away_incomplete(
        receipt_for(world, applicant=applicant()),
        missing=["Tờ khai"],
        by=reception,
        at=at("2025-08-04"),
    )
    # The citizen is at the counter and is handed the list (Mẫu 02) in person.
    assert kinds(dossier) == []
