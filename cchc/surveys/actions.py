"""What people do with SIPAS surveys: one function per business action, used by pages and API
alike.

Questionnaires are imported as new versions, edited only while they are unused drafts, and
activated. A round moves on the one workflow mechanism (`cchc.workflow`): created → opened →
sample drawn → closed → published, one `SurveyRoundEvent` per step. Responses come from paper
(an officer types the form in), the counter's tablet (a kiosk session an officer opened) and the
one-time online link sent to each sampled applicant. A refusal raises a `SurveyError` whose
Vietnamese message says why; nothing is half-saved (one transaction per action).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers.models import Dossier
from cchc.lib.errors import DomainError
from cchc.lib.importing import ImportFileError
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.notify.dispatch import normalise_email, sms_number
from cchc.surveys import notices
from cchc.surveys.choices import (
    COLLECTOR_ROLES,
    MANAGER_ROLES,
    SCALE_POINTS,
    TRANSITIONS,
    QuestionnaireStatus,
    ResponseChannel,
    RoundAction,
    RoundStatus,
)
from cchc.surveys.io import QuestionnaireShape, read_questionnaire
from cchc.surveys.models import (
    Answer,
    Factor,
    Invitation,
    Question,
    Questionnaire,
    Response,
    SurveyCriterion,
    SurveyRound,
    SurveyRoundEvent,
)
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition

# -- refusals (the API's one handler for DomainError answers them with their status) -----------


class SurveyError(DomainError):
    status_code = 409


class InvalidSurvey(SurveyError):
    status_code = 422


class NotAllowed(SurveyError):
    status_code = 403


class IllegalMove(SurveyError):
    status_code = 409


class QuestionnaireInUse(SurveyError):
    status_code = 409


class AlreadyAnswered(SurveyError):
    status_code = 409


class RoundNotOpen(SurveyError):
    status_code = 409


class UnknownInvitation(SurveyError):
    status_code = 404


class KioskExpired(SurveyError):
    status_code = 403


MAX_SAMPLE = 10_000
KIOSK_SALT = "cchc.surveys.kiosk"
# A counter tablet stays in the hall for a working day once an officer opened it.
KIOSK_MAX_AGE = dt.timedelta(hours=12)


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("naive datetime")
    return moment


def _check_roles(user: Any, unit: Unit, roles: frozenset[str], message: str) -> None:
    if not roles & user_roles_in(user, unit):
        raise NotAllowed(message % {"unit": unit.name})


def _manager_message() -> str:
    return _("Chỉ lãnh đạo hoặc đầu mối kiểm soát TTHC của %(unit)s được thực hiện việc này.")


# -- questionnaires ----------------------------------------------------------------------------


def _read(data: bytes | str | dict[str, Any]) -> QuestionnaireShape:
    try:
        return read_questionnaire(data)
    except ImportFileError as exc:
        shown = exc.messages[:20]
        more = len(exc.messages) - len(shown)
        text = "; ".join(shown) + (_(" … và %(n)d lỗi khác") % {"n": more} if more else "")
        raise InvalidSurvey(_("Bộ câu hỏi có lỗi: %(errors)s") % {"errors": text}) from exc


def _write_tree(questionnaire: Questionnaire, shape: QuestionnaireShape) -> None:
    position = 0
    for f_pos, f in enumerate(shape.factors, start=1):
        factor = Factor.objects.create(
            questionnaire=questionnaire, position=f_pos, code=f.code, title=f.title
        )
        for c_pos, c in enumerate(f.criteria, start=1):
            criterion = SurveyCriterion.objects.create(
                factor=factor, position=c_pos, code=c.code, title=c.title
            )
            for q in c.questions:
                position += 1
                Question.objects.create(
                    questionnaire=questionnaire,
                    criterion=criterion,
                    position=position,
                    code=q.code,
                    text=q.text,
                    kind=q.kind,
                    scale=q.scale,
                )


def import_questionnaire(
    data: bytes | str | dict[str, Any], *, unit: Unit, by: Any, at: dt.datetime | None = None
) -> Questionnaire:
    """A new draft version of the questionnaire the JSON describes (docs/surveys.md): version 1
    for a new code, else the next number; earlier versions are never touched."""
    _check_roles(by, unit, MANAGER_ROLES, _manager_message())
    shape = _read(data)
    now = _now(at)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = Questionnaire.objects.filter(code=shape.code).aggregate(n=Max("version"))
                questionnaire = Questionnaire.objects.create(
                    unit=unit,
                    code=shape.code,
                    version=(latest["n"] or 0) + 1,
                    year=shape.year,
                    title=shape.title,
                    introduction=shape.introduction,
                    scale=shape.scale,
                    created_at=now,
                )
                _write_tree(questionnaire, shape)
                return questionnaire
        except IntegrityError:
            # Two imports of one code at once took the same number: take the next.
            continue
    raise SurveyError(_("Không tạo được phiên bản mới của bộ câu hỏi; hãy thử lại."))


def _check_editable(questionnaire: Questionnaire) -> None:
    if questionnaire.status != QuestionnaireStatus.DRAFT or questionnaire.rounds.exists():
        raise QuestionnaireInUse(
            _(
                "Bộ câu hỏi %(code)s phiên bản %(version)s đã áp dụng hoặc đã dùng cho đợt khảo "
                "sát nên không sửa được; hãy nhập phiên bản mới."
            )
            % {"code": questionnaire.code, "version": questionnaire.version}
        )


@transaction.atomic
def replace_questionnaire(
    questionnaire: Questionnaire, data: bytes | str | dict[str, Any], *, by: Any
) -> Questionnaire:
    """Correct a draft nobody has used yet, in place (same code and version)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_roles(by, locked.unit, MANAGER_ROLES, _manager_message())
    _check_editable(locked)
    shape = _read(data)
    if shape.code != locked.code:
        raise InvalidSurvey(
            _("Mã bộ câu hỏi trong tệp (%(new)s) khác mã đang sửa (%(old)s).")
            % {"new": shape.code, "old": locked.code},
            field="code",
        )
    locked.factors.all().delete()
    locked.year, locked.title = shape.year, shape.title
    locked.introduction, locked.scale = shape.introduction, shape.scale
    locked.save()
    _write_tree(locked, shape)
    return locked


@transaction.atomic
def activate_questionnaire(
    questionnaire: Questionnaire, *, by: Any, at: dt.datetime | None = None
) -> Questionnaire:
    """Put a draft in use; the version of the same code in use until now stops being offered
    for new rounds (its rounds keep it)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_roles(by, locked.unit, MANAGER_ROLES, _manager_message())
    if locked.status != QuestionnaireStatus.DRAFT:
        raise IllegalMove(
            _("Chỉ áp dụng được bộ câu hỏi đang ở trạng thái dự thảo (hiện: %(status)s).")
            % {"status": QuestionnaireStatus(locked.status).label}
        )
    if not locked.questions.exists():
        raise InvalidSurvey(_("Bộ câu hỏi chưa có câu hỏi nào."))
    Questionnaire.objects.filter(code=locked.code, status=QuestionnaireStatus.ACTIVE).update(
        status=QuestionnaireStatus.CLOSED
    )
    locked.status = QuestionnaireStatus.ACTIVE
    locked.activated_at = _now(at)
    locked.save(update_fields=["status", "activated_at"])
    return locked


def usable_questionnaires(unit: Unit) -> Any:
    """Active questionnaires a unit may run a round with: its own and its ancestors' (a commune
    uses the province's)."""
    ancestors = [int(p) for p in unit.path.strip("/").split("/") if p] or [unit.pk]
    return Questionnaire.objects.filter(status=QuestionnaireStatus.ACTIVE, unit_id__in=ancestors)


# -- the round's workflow ----------------------------------------------------------------------


def _lock(survey: SurveyRound) -> SurveyRound:
    locked = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    locked.unit = Unit.objects.get(pk=locked.unit_id)
    return locked


def _illegal(survey: SurveyRound, action: str) -> SurveyError:
    return IllegalMove(
        _("Không thể “%(action)s” khi đợt khảo sát đang ở trạng thái “%(status)s”.")
        % {"action": RoundAction(action).label, "status": RoundStatus(survey.status).label}
    )


def _not_allowed(survey: SurveyRound, action: str, rule: Rule) -> SurveyError:
    return NotAllowed(_manager_message() % {"unit": survey.unit.name})


FLOW: Workflow[SurveyRound] = Workflow(
    table=TRANSITIONS,
    event=SurveyRoundEvent,
    lock=_lock,
    illegal=_illegal,
    roles_of=lambda survey, user, _where: user_roles_in(user, survey.unit),
    not_allowed=_not_allowed,
    roles_first=True,
)


def _inside(unit: Unit, ancestor: Unit) -> bool:
    return unit.path.startswith(ancestor.path)


@transaction.atomic
def create_round(
    *,
    questionnaire: Questionnaire,
    unit: Unit,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    answer_until: dt.date,
    sample_size: int,
    surveyed_units: Sequence[Unit] = (),
    seed: int | None = None,
    by: Any,
    at: dt.datetime | None = None,
) -> SurveyRound:
    """A round in preparation: which questionnaire, which units' citizens, which period of
    returned dossiers, how many to invite. `seed` fixes the draw (random when not given)."""
    now = _now(at)
    _check_roles(by, unit, MANAGER_ROLES, _manager_message())
    title = title.strip()
    if not title:
        raise InvalidSurvey(_("Hãy đặt tên đợt khảo sát."), field="title")
    if not usable_questionnaires(unit).filter(pk=questionnaire.pk).exists():
        raise InvalidSurvey(
            _("Hãy chọn một bộ câu hỏi đang áp dụng của đơn vị hoặc cấp trên."),
            field="questionnaire",
        )
    if period_end < period_start:
        raise InvalidSurvey(
            _("Ngày kết thúc kỳ khảo sát phải sau ngày bắt đầu."), field="period_end"
        )
    if answer_until < period_end:
        raise InvalidSurvey(
            _("Hạn trả lời phiếu không được trước ngày kết thúc kỳ khảo sát."),
            field="answer_until",
        )
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise InvalidSurvey(
            _("Cỡ mẫu phải từ 1 đến %(max)d.") % {"max": MAX_SAMPLE}, field="sample_size"
        )
    units = list(dict.fromkeys(surveyed_units)) or [unit]
    outside = [u.name for u in units if not _inside(u, unit)]
    if outside:
        raise InvalidSurvey(
            _("Đơn vị được khảo sát phải thuộc %(unit)s: %(names)s.")
            % {"unit": unit.name, "names": ", ".join(outside)},
            field="surveyed_units",
        )
    survey = SurveyRound.objects.create(
        questionnaire=questionnaire,
        unit=unit,
        title=title[:300],
        period_start=period_start,
        period_end=period_end,
        answer_until=answer_until,
        sample_size=sample_size,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        created_at=now,
    )
    survey.surveyed_units.set(units)
    record(
        FLOW,
        survey,
        RoundAction.CREATE,
        "",
        RoundStatus.DRAFT,
        by=by,
        at=now,
        data={"questionnaire": str(questionnaire), "sample_size": sample_size},
    )
    return survey


def open_round(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Start collecting: paper and kiosk forms are taken from now on."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        s.opened_at = now
        return {}

    return transition(FLOW, survey, RoundAction.OPEN, by=by, at=_now(at), change=change)


def close_round(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Stop collecting: every channel refuses answers from now on."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        s.closed_at = now
        return {"responses": s.responses.count()}

    return transition(FLOW, survey, RoundAction.CLOSE, by=by, at=_now(at), change=change)


def publish_round(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Publish the results: what the PAR Index's survey component reads (`index.unit_index`)."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        if not s.responses.exists():
            raise InvalidSurvey(_("Đợt khảo sát chưa có phiếu nào nên chưa công bố được."))
        s.published_at = now
        return {"responses": s.responses.count()}

    return transition(FLOW, survey, RoundAction.PUBLISH, by=by, at=_now(at), change=change)


# -- the sample --------------------------------------------------------------------------------


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


# -- answers -----------------------------------------------------------------------------------


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
    return signing.dumps({"r": survey.pk, "u": unit.pk, "o": officer.pk}, salt=KIOSK_SALT)


def read_kiosk_token(token: str) -> tuple[int, int, int] | None:
    """(round id, unit id, officer id) of a kiosk session still valid, else None."""
    try:
        payload = signing.loads(token, salt=KIOSK_SALT, max_age=KIOSK_MAX_AGE)
        return int(payload["r"]), int(payload["u"]), int(payload["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


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


def allowed_actions(survey: SurveyRound, user: Any) -> list[str]:
    """The round's moves this user may make now (the page's buttons)."""
    if not MANAGER_ROLES & user_roles_in(user, survey.unit):
        return []
    moves = [a for a in TRANSITIONS if TRANSITIONS.target(a, survey.status) is not None]
    if survey.drawn_at is not None:
        moves = [a for a in moves if a != RoundAction.DRAW]
    return moves


def may_collect(survey: SurveyRound, user: Any) -> bool:
    return bool(COLLECTOR_ROLES & user_roles_in(user, survey.unit))


def may_manage(unit: Unit, user: Any) -> bool:
    return bool(MANAGER_ROLES & user_roles_in(user, unit))


def managed_units(user: Any, units: Iterable[Unit]) -> list[Unit]:
    return [u for u in units if may_manage(u, user)]
