"""Answers from paper, the counter's tablet (kiosk) and the one-time online link."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.tokens import read_ids, sign_ids
from cchc.surveys.actions.common import _check_roles, _now
from cchc.surveys.actions.errors import (
    AlreadyAnswered,
    InvalidSurvey,
    KioskExpired,
    RoundNotOpen,
    UnknownInvitation,
)
from cchc.surveys.actions.rounds import _lock
from cchc.surveys.choices import COLLECTOR_ROLES, SCALE_POINTS, ResponseChannel, RoundStatus
from cchc.surveys.models import Answer, Invitation, Question, Questionnaire, Response, SurveyRound
from cchc.units.models import Unit, user_roles_in

KIOSK_SALT = "cchc.surveys.kiosk"
# A counter tablet stays in the hall for a working day once an officer opened it.
KIOSK_MAX_AGE = dt.timedelta(hours=12)


def clean_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> dict[Question, int | None]:
    """Every question of the questionnaire with its value (1..5, or None for no answer). An
    unknown question code or a value off the scale is refused, naming the question."""
    questions = {q.code: q for q in questionnaire.questions.all()}
    unknown = [code for code in answers if code not in questions]
    if unknown:
        raise InvalidSurvey(
            _("Câu hỏi không có trong bộ câu hỏi: %(codes)s.")
            % {"codes": ", ".join(str(c) for c in unknown[:10])},
            field="answers",
        )
    values: dict[Question, int | None] = {}
    for code, question in questions.items():
        raw = answers.get(code)
        if raw is None or raw == "":
            values[question] = None
            continue
        value: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and raw.strip().isdigit():
            value = int(raw.strip())
        if value is None or not 1 <= value <= SCALE_POINTS:
            raise InvalidSurvey(
                _("Câu %(code)s: “%(value)s” không thuộc thang điểm 1–5.")
                % {"code": code, "value": str(raw)[:20]},
                field="answers",
            )
        values[question] = value
    if all(v is None for v in values.values()):
        raise InvalidSurvey(_("Phiếu chưa trả lời câu nào."), field="answers")
    return values


def check_collecting(survey: SurveyRound, now: dt.datetime | None = None) -> None:
    """Refuse (`RoundNotOpen`) unless the round takes answers now: open, not past its date."""
    now = _now(now)
    if survey.status == RoundStatus.DRAFT:
        raise RoundNotOpen(_("Đợt khảo sát chưa bắt đầu thu phiếu."))
    if survey.status != RoundStatus.OPEN:
        raise RoundNotOpen(
            _("Đợt khảo sát đã kết thúc ngày %(day)s; phiếu không còn được nhận. Cảm ơn ông/bà.")
            % {"day": timezone.localtime(survey.closed_at or now).strftime("%d/%m/%Y")}
        )
    if timezone.localdate(now) > survey.answer_until:
        raise RoundNotOpen(
            _("Đợt khảo sát đã hết hạn trả lời phiếu (ngày %(day)s); cảm ơn ông/bà.")
            % {"day": survey.answer_until.strftime("%d/%m/%Y")}
        )


def _save(
    survey: SurveyRound,
    *,
    unit_id: int,
    channel: str,
    values: Mapping[Question, int | None],
    at: dt.datetime,
    invitation: Invitation | None = None,
    entered_by: Any = None,
    form_number: str = "",
) -> Response:
    response = Response.objects.create(
        round=survey,
        unit_id=unit_id,
        channel=channel,
        invitation=invitation,
        entered_by=entered_by,
        form_number=form_number,
        at=at,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value=value)
        for question, value in values.items()
    )
    return response


def _surveyed(survey: SurveyRound, unit: Unit) -> None:
    if not survey.surveyed_units.filter(pk=unit.pk).exists():
        raise InvalidSurvey(
            _("%(unit)s không thuộc các đơn vị của đợt khảo sát này.") % {"unit": unit.name},
            field="unit",
        )


@transaction.atomic
def record_paper_response(
    survey: SurveyRound,
    *,
    by: Any,
    unit: Unit,
    answers: Mapping[str, Any],
    form_number: str = "",
    at: dt.datetime | None = None,
) -> Response:
    """An officer types in a paper form; its number, when written on it, is taken once."""
    now = _now(at)
    locked = _lock(survey)
    _check_roles(
        by,
        locked.unit,
        COLLECTOR_ROLES,
        _("Chỉ cán bộ của %(unit)s được nhập phiếu khảo sát của đợt này."),
    )
    check_collecting(locked, now)
    _surveyed(locked, unit)
    values = clean_answers(locked.questionnaire, answers)
    number = form_number.strip()[:20]
    already = _("Phiếu số %(n)s đã được nhập cho đợt khảo sát này.") % {"n": number}
    if number and locked.responses.filter(form_number=number).exists():
        raise AlreadyAnswered(already, field="form_number")
    try:
        with transaction.atomic():
            return _save(
                locked,
                unit_id=unit.pk,
                channel=ResponseChannel.PAPER,
                values=values,
                at=now,
                entered_by=by,
                form_number=number,
            )
    except IntegrityError as exc:
        raise AlreadyAnswered(already, field="form_number") from exc


def kiosk_token(survey: SurveyRound, unit: Unit, officer: Any) -> str:
    return sign_ids(KIOSK_SALT, r=survey.pk, u=unit.pk, o=officer.pk)


def read_kiosk_token(token: str) -> tuple[int, int, int] | None:
    """(round id, unit id, officer id) of a kiosk session still valid, else None."""
    ids = read_ids(token, KIOSK_SALT, KIOSK_MAX_AGE, "r", "u", "o")
    return (ids[0], ids[1], ids[2]) if ids else None


def kiosk_expired_message() -> str:
    return _(
        "Phiên khảo sát trên máy tính bảng đã hết hạn hoặc không hợp lệ. Đề nghị cán bộ mở lại "
        "trang khảo sát tại quầy."
    )


def open_kiosk(survey: SurveyRound, *, unit: Unit, by: Any, at: dt.datetime | None = None) -> str:
    """An officer sets the counter's tablet up for the round: a token valid for a working day."""
    _check_roles(
        by,
        survey.unit,
        COLLECTOR_ROLES,
        _("Chỉ cán bộ của %(unit)s được mở trang khảo sát tại quầy."),
    )
    check_collecting(survey, _now(at))
    _surveyed(survey, unit)
    return kiosk_token(survey, unit, by)


def kiosk_session(token: str) -> tuple[SurveyRound, Unit, Any]:
    """The round, unit and officer of a kiosk token, or `KioskExpired`."""
    from django.contrib.auth import get_user_model

    session = read_kiosk_token(token)
    if session is None:
        raise KioskExpired(kiosk_expired_message())
    survey = SurveyRound.objects.select_related("questionnaire", "unit").filter(pk=session[0])
    found = survey.first()
    unit = Unit.objects.filter(pk=session[1]).first()
    officer = get_user_model().objects.filter(pk=session[2], is_active=True).first()
    if (
        found is None
        or unit is None
        or officer is None
        or not COLLECTOR_ROLES & user_roles_in(officer, found.unit)
    ):
        raise KioskExpired(kiosk_expired_message())
    return found, unit, officer


@transaction.atomic
def record_kiosk_response(
    token: str, *, answers: Mapping[str, Any], at: dt.datetime | None = None
) -> Response:
    """A citizen answers on the counter's tablet."""
    now = _now(at)
    survey, unit, officer = kiosk_session(token)
    locked = _lock(survey)
    check_collecting(locked, now)
    _surveyed(locked, unit)
    values = clean_answers(locked.questionnaire, answers)
    return _save(
        locked,
        unit_id=unit.pk,
        channel=ResponseChannel.KIOSK,
        values=values,
        at=now,
        entered_by=officer,
    )


def unknown_link_message() -> str:
    return _(
        "Đường dẫn khảo sát không đúng. Hãy mở lại đường dẫn trong tin nhắn hoặc quét lại mã QR."
    )


def already_answered_message() -> str:
    return _("Phiếu khảo sát này đã được trả lời; mỗi lời mời chỉ trả lời một lần. Cảm ơn ông/bà.")


def invitation_for_token(token: str) -> Invitation:
    """The invitation a one-time link names, or `UnknownInvitation`."""
    invitation = (
        Invitation.objects.select_related("round__questionnaire", "unit")
        .filter(token=token[:43])
        .first()
    )
    if invitation is None or not secrets.compare_digest(invitation.token, token):
        raise UnknownInvitation(unknown_link_message())
    return invitation


@transaction.atomic
def record_online_response(
    token: str, *, answers: Mapping[str, Any], at: dt.datetime | None = None
) -> Response:
    """The applicant answers through the link or QR code of their invitation, once. A second
    submit is told it was already answered (before anything else about the round)."""
    now = _now(at)
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise AlreadyAnswered(already_answered_message())
    locked = _lock(invitation.round)
    check_collecting(locked, now)
    values = clean_answers(locked.questionnaire, answers)
    try:
        with transaction.atomic():
            response = _save(
                locked,
                unit_id=invitation.unit_id,
                channel=ResponseChannel.ONLINE,
                values=values,
                at=now,
                invitation=invitation,
            )
    except IntegrityError as exc:
        raise AlreadyAnswered(already_answered_message()) from exc
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    return response
