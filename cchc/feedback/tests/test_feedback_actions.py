"""PAKN actions: receipt with its working-day deadlines, then classify, forward, answer, publish,
reject — each refusal changes nothing and says why."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.accounts.models import User
from cchc.feedback import errors, pakn, ratings
from cchc.feedback.choices import Category, Status
from cchc.feedback.models import Feedback, FeedbackAttachment, FeedbackEvent, FeedbackSettings
from cchc.feedback.tests.support import send
from cchc.notify.choices import Kind as MessageKind
from cchc.notify.models import Message
from cchc.testing import World, at, make_user
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


# -- receipt -----------------------------------------------------------------------------------


def test_a_feedback_gets_a_random_tracking_code_and_a_submit_event(world: World) -> None:
    feedback = send(world)
    assert re.fullmatch(r"PAKN-260302-[23456789A-HJ-NP-Z]{5}", feedback.code)
    assert feedback.status == Status.RECEIVED
    assert list(feedback.events.values_list("action", "to_status")) == [("submit", "received")]
    other = send(world)
    assert other.code != feedback.code


def test_the_forward_deadline_skips_tet_on_the_working_calendar(world: World) -> None:
    # Received Friday 13/02/2026; Tết runs Sat 14 – Sun 22/02: working days 1–5 are 23–27/02.
    feedback = send(world, at=at("2026-02-13", 10))
    assert feedback.forward_due_at == at("2026-02-27", 17)
    # Ten working days by default: 23/02 … 06/03.
    assert feedback.answer_due_at == at("2026-03-06", 17)


def test_the_unit_or_its_province_sets_the_answer_deadline(world: World) -> None:
    FeedbackSettings.objects.create(unit=world.province, answer_working_days=7)
    assert send(world, at=at("2026-03-02", 9)).answer_due_at == at("2026-03-11", 17)
    FeedbackSettings.objects.create(unit=world.commune_a, answer_working_days=3)
    assert send(world, at=at("2026-03-02", 9)).answer_due_at == at("2026-03-05", 17)


def test_a_complaint_about_an_officer_needs_a_name_and_a_contact(world: World) -> None:
    with pytest.raises(errors.InvalidFeedback, match="phải ghi họ tên"):
        send(world, kind="complaint", subject="conduct", name="Trần Thị Bình")
    feedback = send(
        world, kind="complaint", subject="conduct", name="Trần Thị Bình", phone="0912 345 678"
    )
    assert feedback.phone == "0912345678"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content": "ngắn"}, "quá ngắn"),
        ({"content": "x" * 5001}, "dài quá"),
        ({"phone": "12345"}, "Số điện thoại"),
        ({"email": "not-an-address"}, "thư điện tử"),
        ({"kind": "rumour"}, "Hãy chọn loại"),
        ({"subject": "weather"}, "Hãy chọn nội dung"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(world: World, overrides: dict, message: str) -> None:
    with pytest.raises(errors.InvalidFeedback, match=message):
        send(world, **overrides)
    assert not Feedback.objects.exists()


def test_a_province_or_an_agency_cannot_be_addressed(world: World) -> None:
    with pytest.raises(errors.InvalidFeedback, match="xã, phường"):
        send(world, unit=world.centre_a)


def test_attachments_are_stored_under_random_names(world: World) -> None:
    feedback = send(world, files=[SimpleUploadedFile("../../etc/giay to.pdf", PDF)])
    attachment = FeedbackAttachment.objects.get(feedback=feedback)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_filename == "giay to.pdf"  # Django drops the path
    assert re.fullmatch(r"feedback/[0-9a-f]{32}\.pdf", attachment.file.name)


def test_a_program_disguised_as_a_pdf_is_refused_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(errors.InvalidFeedback, match="giay-to.pdf.*Chỉ nhận tệp PDF"):
        send(world, files=[SimpleUploadedFile("giay-to.pdf", EXE, "application/pdf")])
    assert not Feedback.objects.exists()
    assert not FeedbackAttachment.objects.exists()


def test_too_large_and_too_many_files_are_refused(world: World, settings) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 1024
    with pytest.raises(errors.InvalidFeedback, match="lớn hơn"):
        send(world, files=[SimpleUploadedFile("a.pdf", PDF + b"0" * 2048)])
    with pytest.raises(errors.InvalidFeedback, match="tối đa 3 tệp"):
        send(world, files=[SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(4)])


def test_a_sender_with_a_contact_is_told_the_code(world: World) -> None:
    feedback = send(world, phone="0912345678", email="an@example.vn")
    sent = Message.objects.filter(kind=MessageKind.FEEDBACK_RECEIVED).order_by("channel")
    assert [(m.channel, m.recipient) for m in sent] == [
        ("email", "an@example.vn"),
        ("sms", "0912345678"),
    ]
    assert all(feedback.code in m.body for m in sent)
    assert "/phan-anh/tra-cuu/" in sent[0].body


def test_an_anonymous_sender_gets_no_message(world: World) -> None:
    send(world)
    assert not Message.objects.exists()


# -- staff actions -----------------------------------------------------------------------------


def test_the_whole_way_from_receipt_to_publication(
    world: World, reception: User, leader: User
) -> None:
    feedback = send(world, name="Lê Văn Cường", email="cuong@example.vn")
    feedback = pakn.classify(feedback, by=reception, category=Category.OUTSIDE, at=at("2026-03-03"))
    feedback = pakn.forward(feedback, by=reception, to_name="Sở Tư pháp", at=at("2026-03-04", 9))
    assert feedback.forward_outcome == "early"
    feedback = pakn.answer(
        feedback, by=leader, text="Sở Tư pháp đã hướng dẫn bỏ yêu cầu.", at=at("2026-03-10")
    )
    assert feedback.answer_outcome == "early"
    answered = Message.objects.get(kind=MessageKind.FEEDBACK_ANSWERED)
    assert "Sở Tư pháp đã hướng dẫn" in answered.body and answered.recipient == "cuong@example.vn"
    feedback = pakn.publish(
        feedback,
        by=leader,
        summary="Công dân phản ánh yêu cầu thêm giấy tờ.",
        text="Đã bỏ yêu cầu.",
        at=at("2026-03-11"),
    )
    assert feedback.status == Status.PUBLISHED and feedback.is_published
    assert list(feedback.events.values_list("action", flat=True)) == [
        "submit",
        "classify",
        "forward",
        "answer",
        "publish",
    ]
    assert FeedbackEvent.objects.filter(feedback=feedback, actor=leader).count() == 2


def test_a_late_answer_is_judged_late(world: World, reception: User) -> None:
    feedback = send(world, at=at("2026-03-02"))
    feedback = pakn.classify(feedback, by=reception, category=Category.WITHIN)
    feedback = pakn.answer(feedback, by=reception, text="Trả lời", at=at("2026-03-17", 8))
    assert feedback.answer_outcome == "late"


def test_a_matter_within_the_units_competence_is_not_forwarded(
    world: World, reception: User
) -> None:
    feedback = pakn.classify(send(world), by=reception, category=Category.WITHIN)
    with pytest.raises(errors.IllegalMove, match="phân loại lại"):
        pakn.forward(feedback, by=reception, to_name="Sở Tư pháp")
    feedback.refresh_from_db()
    assert feedback.status == Status.CLASSIFIED and feedback.forwarded_at is None


def test_an_unclassified_item_cannot_be_answered_or_published(
    world: World, reception: User
) -> None:
    feedback = send(world)
    with pytest.raises(errors.IllegalMove, match="Trả lời"):
        pakn.answer(feedback, by=reception, text="Trả lời")
    with pytest.raises(errors.IllegalMove):
        pakn.publish(feedback, by=reception, summary="a", text="b")
    assert Feedback.objects.get().status == Status.RECEIVED


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f, u: pakn.classify(f, by=u, category="gossip"), "phân loại"),
        (lambda f, u: pakn.reject(f, by=u, reason="  "), "lý do"),
    ],
)
def test_missing_action_input_is_refused(world: World, reception: User, call, message) -> None:
    with pytest.raises(errors.InvalidFeedback, match=message):
        call(send(world), reception)


def test_rejection_records_the_reason(world: World, reception: User) -> None:
    feedback = pakn.reject(send(world), by=reception, reason="Nội dung không rõ ràng")
    assert feedback.status == Status.REJECTED and feedback.reject_reason
    with pytest.raises(errors.IllegalMove):
        pakn.classify(feedback, by=reception, category=Category.WITHIN)


def test_only_staff_of_the_addressed_unit_may_act(
    world: World, reception_b: User, bob: User, sam: User
) -> None:
    feedback = send(world)
    for user in (reception_b, bob, sam):
        with pytest.raises(errors.NotAllowed, match="Xã Nga Sơn"):
            pakn.classify(feedback, by=user, category=Category.WITHIN)
    assert Feedback.objects.get().status == Status.RECEIVED


def test_a_province_leader_may_act_on_a_communes_feedback(world: World) -> None:
    chief = make_user("chutich", world.province, Role.LEADER)
    feedback = pakn.classify(send(world), by=chief, category=Category.WITHIN)
    assert feedback.status == Status.CLASSIFIED


@pytest.mark.parametrize(
    ("summary", "text", "what"),
    [
        ("Ông Lê Văn Cường phản ánh", "Đã xử lý", "họ tên"),
        ("Phản ánh", "Liên hệ 0912 345 678", "số điện thoại"),
        ("Phản ánh", "Gửi cuong@example.vn", "thư điện tử"),
    ],
)
def test_a_public_text_with_the_senders_identity_is_refused(
    world: World, reception: User, summary: str, text: str, what: str
) -> None:
    feedback = send(world, name="Lê Văn Cường", phone="0912345678", email="cuong@example.vn")
    feedback = pakn.classify(feedback, by=reception, category=Category.WITHIN)
    feedback = pakn.answer(feedback, by=reception, text="Trả lời riêng cho ông Cường")
    with pytest.raises(errors.InvalidFeedback, match=what):
        pakn.publish(feedback, by=reception, summary=summary, text=text)
    assert Feedback.objects.get().status == Status.ANSWERED


def test_events_are_append_only(world: World) -> None:
    event = send(world).events.get()
    event.note = "rewritten"
    with pytest.raises(RuntimeError):
        event.save()


def test_overdue_covers_late_forwarding_and_late_answers(world: World, reception: User) -> None:
    waiting = send(world, at=at("2026-03-02"))  # forward due 09/03, answer due 16/03
    within = pakn.classify(send(world, at=at("2026-03-02")), by=reception, category="within")
    now = at("2026-03-10", 9)
    assert set(Feedback.objects.overdue(now)) == {waiting}
    assert set(Feedback.objects.overdue(at("2026-03-17"))) == {waiting, within}
    assert waiting.forward_overdue(now) and not within.forward_overdue(now)
    assert within.answer_overdue(at("2026-03-17")) and not within.answer_overdue(now)


def test_code_collisions_draw_again(world: World, monkeypatch) -> None:
    first = send(world)
    codes = iter([first.code, "PAKN-260302-ZZZZZ"])
    monkeypatch.setattr(pakn, "new_code", lambda day: next(codes))
    assert send(world).code == "PAKN-260302-ZZZZZ"


def test_the_default_answer_deadline_is_documented(world: World) -> None:
    assert pakn.working_days_for(world.commune_a) == (5, 10)
    assert dt.timedelta(minutes=15) == ratings.KIOSK_MAX_AGE
