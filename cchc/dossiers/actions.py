"""What people do to a dossier: one function per business action, used by pages and API alike.

Every action runs in one transaction with the dossier row locked, checks the transition table
(`choices.TRANSITIONS`), the actor's role in the right unit and the form's row version, changes
the reporting facts, and appends one `DossierEvent`. A refused action raises a `DossierError`
subclass whose message says why (in Vietnamese) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import Procedure, ProcedureVersion, RequiredDocument
from cchc.dossiers import rules
from cchc.dossiers.choices import (
    ACTION_RULES,
    PROCESSING_SIDE,
    RECEIPT_SIDE,
    TRANSITIONS,
    Action,
    ApplicantKind,
    Channel,
    EndType,
    PaymentMethod,
    ReturnMethod,
    Status,
    target_status,
)
from cchc.dossiers.missing import MissingItem, clean_items, missing_lines
from cchc.dossiers.models import (
    DocumentKind,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPayment,
    DossierStep,
    crosses_boundary,
)
from cchc.dossiers.notices import on_dossier_event
from cchc.lib import personal
from cchc.lib.errors import DomainError
from cchc.lib.numbers import localised
from cchc.lib.uploads import CheckedUpload, UploadRejected, check_upload, max_file_bytes
from cchc.units.choices import Role
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition
from cchc.worktime import deadlines
from cchc.worktime.choices import RescheduleRefusal
from cchc.worktime.deadlines import WorkCalendar
from cchc.worktime.snapshot import load_calendar

# -- errors: each maps to one HTTP status in the API and to a message on the page -------------


class DossierError(DomainError):
    status_code = 409


class IllegalTransition(DossierError):
    status_code = 409


class StaleDossier(DossierError):
    status_code = 409


class InvalidDossierData(DossierError):
    status_code = 422


class NotAllowed(DossierError):
    status_code = 403


class FileTooLarge(InvalidDossierData):
    status_code = 413


# -- the dossier's workflow: the table, the row lock and the refusals (`cchc.workflow`) ---------


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update()
        .select_related("processing_unit", "receiving_unit", "procedure_version")
        .get(pk=dossier.pk)
    )


def _stale(dossier: Dossier) -> DossierError:
    return StaleDossier(
        _("Hồ sơ %(code)s vừa được người khác cập nhật. Hãy tải lại trang để xem trạng thái mới.")
        % {"code": dossier.code}
    )


def _illegal(dossier: Dossier, action: str) -> DossierError:
    allowed_from = ", ".join(str(Status(s).label) for s in sorted(TRANSITIONS.sources(action)))
    return IllegalTransition(
        _("Không thể “%(action)s” khi hồ sơ đang “%(status)s” (chỉ được khi: %(allowed)s).")
        % {
            "action": Action(action).label,
            "status": Status(dossier.status).label,
            "allowed": allowed_from,
        }
    )


def _side_unit(dossier: Dossier, side: str) -> Unit:
    return dossier.receiving_unit if side == RECEIPT_SIDE else dossier.processing_unit


def _not_allowed(dossier: Dossier, action: str, rule: Rule) -> DossierError:
    names = ", ".join(str(Role(r).label) for r in sorted(rule.roles))
    return NotAllowed(
        _("Vai trò của bạn tại %(unit)s không được thực hiện “%(action)s” (cần: %(roles)s).")
        % {
            "unit": _side_unit(dossier, rule.where).name,
            "action": Action(action).label,
            "roles": names,
        }
    )


FLOW: Workflow[Dossier] = Workflow(
    table=TRANSITIONS,
    event=DossierEvent,
    lock=_lock,
    version_field="row_version",
    stale=_stale,
    illegal=_illegal,
    roles_of=lambda dossier, user, side: user_roles_in(user, _side_unit(dossier, side)),
    not_allowed=_not_allowed,
    on_event=lambda _dossier, event: on_dossier_event(cast(DossierEvent, event), new_event=True),
)


MissingInput = str | MissingItem | dict[str, Any]
MAX_SETS = 99
# Above any fee or tax a commune collects; guards against a mistyped amount and integer overflow.
MAX_AMOUNT_VND = 100_000_000_000


def allowed_actions(dossier: Dossier, user: Any) -> list[str]:
    """The actions this user may take on this dossier now (for the page's buttons)."""
    roles_by_side = {
        RECEIPT_SIDE: user_roles_in(user, dossier.receiving_unit),
        PROCESSING_SIDE: user_roles_in(user, dossier.processing_unit),
    }
    out = []
    for action, (side, roles) in ACTION_RULES.items():
        if action in (Action.NOTE, Action.ATTACH):
            continue
        if action == Action.EXTEND and (
            dossier.extended_at is not None or dossier.procedure_version.extended_duration is None
        ):
            continue
        if target_status(action, dossier.status) is not None and roles & roles_by_side[side]:
            out.append(action)
    if Action.RESOLVE in out and _leader_must_sign(dossier, roles_by_side[PROCESSING_SIDE]):
        out.remove(Action.RESOLVE)
    if Action.SEND_BACK in out and not _at_leader_step(dossier):
        out.remove(Action.SEND_BACK)
    return out


def _at_leader_step(dossier: Dossier) -> bool:
    current = _current_step(dossier)
    return current is not None and current.role == Role.LEADER


def _leader_must_sign(dossier: Dossier, roles: set[str]) -> bool:
    """Whether a leader's step is still ahead and the actor is no leader: the procedure's steps
    say a leader signs, so a specialist hands over to the leader instead of recording the
    result (issue 12). Checked by `resolve` itself, so the page and the API agree."""
    if Role.LEADER in roles:
        return False
    return dossier.steps.filter(role=Role.LEADER, finished_at__isnull=True).exists()


def _check_role(dossier: Dossier, action: str, user: Any) -> None:
    FLOW.check_role(dossier, action, user)


# -- the dossier code ---------------------------------------------------------------------------


def next_code(agency_identifier: str, day: dt.date) -> str:
    """`<agency identifier>-YYMMDD-NNNN` (the pattern is a setting), the day's next number for
    that agency.

    One statement increments the counter and returns the new value, so concurrent receipts
    never get the same number (the row stays locked until the caller's transaction ends).
    Works on PostgreSQL and on SQLite ≥ 3.35 alike.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dossiercounter (agency_identifier, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (agency_identifier, day) DO UPDATE SET last = dossiers_dossiercounter.last + 1 "
            "RETURNING last",
            [agency_identifier, day],
        )
        (number,) = cursor.fetchone()
    return rules.dossier_code_pattern().format(agency=agency_identifier, day=day, number=number)


# -- receipt at the counter (or by post, or by API) ------------------------------------------


@dataclass
class Applicant:
    name: str
    kind: str = ApplicantKind.PERSON
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass
class ReceivedDocument:
    """A document handed in: one of the procedure's list (by position) or an extra one by name."""

    name: str = ""
    position: int | None = None
    originals: int = 0
    copies: int = 0
    # Scans of this document made at the counter (ND 45/2020: digitised at receipt). The first
    # file goes on the document's own row, any further page on a row of its own, all marked
    # digitised, so the service index counts the dossier as digitised when every row has one.
    files: list[UploadedFile] = field(default_factory=list)


@dataclass
class Receipt:
    procedure_code: str
    processing_unit: Unit
    applicant: Applicant
    documents: list[ReceivedDocument] = field(default_factory=list)
    channel: str = Channel.COUNTER
    return_method: str = ReturnMethod.COUNTER
    receiving_unit: Unit | None = None  # defaults to the processing unit
    sets: int = 1  # số bộ hồ sơ: how many sets of the documents were handed in


def _validate_receipt(
    receipt: Receipt, at: dt.datetime
) -> tuple[Procedure, ProcedureVersion, Unit]:
    errors: list[str] = []
    # The version in force with its procedure in one query (what `Procedure.version_at` picks);
    # only when there is none does a second query tell which message applies.
    version = (
        ProcedureVersion.objects.select_related("procedure__field")
        .filter(procedure__code=receipt.procedure_code, effective_from__lte=timezone.localdate(at))
        .order_by("-effective_from")
        .first()
    )
    if version is None:
        if not Procedure.objects.filter(code=receipt.procedure_code).exists():
            raise InvalidDossierData(
                _("Không có thủ tục mã %(code)s.") % {"code": receipt.procedure_code}
            )
        raise InvalidDossierData(
            _("Thủ tục %(code)s chưa có hiệu lực vào ngày tiếp nhận.")
            % {"code": receipt.procedure_code}
        )
    procedure = version.procedure
    processing = receipt.processing_unit
    receiving = receipt.receiving_unit or processing
    if not processing.adoptions.filter(procedure=procedure, implemented=True).exists():
        errors.append(
            _("Thủ tục %(code)s không được thực hiện tại %(unit)s.")
            % {"code": procedure.code, "unit": processing.name}
        )
    if receiving != processing and receiving.path.split("/")[1] != processing.path.split("/")[1]:
        errors.append(_("Chỉ được tiếp nhận hồ sơ phi địa giới trong cùng tỉnh."))
    if not receiving.agency_identifier and not (
        receiving.admin_owner and receiving.admin_owner.agency_identifier
    ):
        errors.append(_("Đơn vị tiếp nhận chưa có mã định danh: không cấp được mã hồ sơ."))
    if not 1 <= receipt.sets <= MAX_SETS:
        errors.append(_("Số bộ hồ sơ phải từ 1 đến %(n)s.") % {"n": MAX_SETS})
    if receipt.channel not in Channel.values:
        errors.append(_("Kênh nộp “%(v)s” không hợp lệ.") % {"v": receipt.channel})
    if receipt.return_method not in ReturnMethod.values:
        errors.append(
            _("Hình thức nhận kết quả “%(v)s” không hợp lệ.") % {"v": receipt.return_method}
        )
    if errors:
        raise InvalidDossierData(" ".join(errors))
    return procedure, version, receiving


def clean_applicant(applicant: Applicant, *, mobile_only: bool = False) -> Applicant:
    """The applicant as stored, whichever door it came through (counter, post, API, portal):
    one spelling of the phone, the identity number checked by kind, every text within its
    column and free of NUL characters. Refuses with every problem at once."""
    errors: list[str] = []
    phone = id_number = ""
    try:
        phone = personal.normalise_phone(applicant.phone, mobile_only=mobile_only)
    except personal.InvalidPhone as exc:
        errors.append(str(exc))
    if applicant.kind not in ApplicantKind.values:
        errors.append(_("Loại người nộp “%(v)s” không hợp lệ.") % {"v": applicant.kind})
    else:
        try:
            id_number = personal.check_id_number(applicant.kind, applicant.id_number)
        except personal.InvalidIdNumber as exc:
            errors.append(str(exc))
    texts = {
        "name": (applicant.name.strip(), 200, _("Tên người nộp")),
        "email": (applicant.email.strip(), 254, _("Thư điện tử")),
        "address": (applicant.address.strip(), 300, _("Địa chỉ")),
    }
    for value, limit, label in texts.values():
        if "\x00" in value:
            errors.append(_("%(field)s có ký tự không hợp lệ.") % {"field": label})
        elif len(value) > limit:
            errors.append(_("%(field)s dài quá %(n)s ký tự.") % {"field": label, "n": limit})
    email = texts["email"][0]
    if email and "\x00" not in email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("Thư điện tử “%(v)s” không hợp lệ.") % {"v": email[:80]})
    if not texts["name"][0]:
        errors.append(_("Thiếu tên người nộp hồ sơ."))
    if errors:
        raise InvalidDossierData(" ".join(errors))
    return Applicant(
        name=texts["name"][0],
        kind=applicant.kind,
        id_number=id_number,
        phone=phone,
        email=email,
        address=texts["address"][0],
    )


def _agency_identifier(unit: Unit) -> str:
    return unit.agency_identifier or (
        unit.admin_owner.agency_identifier if unit.admin_owner else ""
    )


def _create(
    receipt: Receipt,
    status: str,
    action: str,
    *,
    by: Any,
    at: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    require_complete: bool = False,
) -> Dossier:
    procedure, version, receiving = _validate_receipt(receipt, at)
    applicant = clean_applicant(receipt.applicant)
    checked = _check_scans(receipt.documents)
    # Read once, before the dossier number is taken (see below): the documents serve the
    # completeness check and the documents recorded, the fees the amount due, the steps the plan.
    prefetch_related_objects(
        [version], "documents", "fees", *(["steps"] if status == Status.RECEIVED else [])
    )
    if require_complete:
        missing = missing_required_documents(version, receipt.documents)
        if missing:
            raise InvalidDossierData(
                _("Hồ sơ còn thiếu: %(docs)s. Hãy hướng dẫn bổ sung (Mẫu 02) thay vì tiếp nhận.")
                % {"docs": "; ".join(missing)}
            )
    side_unit = receiving
    if not {Role.RECEPTION} & user_roles_in(by, side_unit):
        raise NotAllowed(
            _("Chỉ cán bộ tiếp nhận của %(unit)s được tiếp nhận hồ sơ tại đây.")
            % {"unit": side_unit.name}
        )
    fee_due_vnd = version.total_fee_vnd
    calendar = load_calendar(receipt.processing_unit) if status == Status.RECEIVED else None
    # Everything is read and checked before the number is taken: the day's counter row stays
    # locked from here until commit, so only the inserts below run while other receipts of the
    # same agency wait for it.
    dossier = Dossier(
        code=next_code(_agency_identifier(receiving), timezone.localdate(at)),
        status=status,
        procedure=procedure,
        procedure_version=version,
        field=procedure.field,
        receiving_unit=receiving,
        processing_unit=receipt.processing_unit,
        channel=receipt.channel,
        return_method=receipt.return_method,
        sets=receipt.sets,
        cross_boundary=crosses_boundary(receiving, receipt.processing_unit),
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        submitted_at=at,
        received_by=by,
        fee_due_vnd=fee_due_vnd,
    )
    if calendar is not None:
        dossier.received_at = at
        _start_clock(dossier, at, calendar)
    dossier.save()
    _record_documents(dossier, version, receipt.documents, by=by, checked=checked)
    if calendar is not None:
        _create_steps(dossier, version, at, by=by, calendar=calendar)
    _event(dossier, action, "", status, by=by, at=at, reason=reason, data=data or {})
    return dossier


def _check_scans(documents: Sequence[ReceivedDocument]) -> dict[int, CheckedUpload]:
    """Every scan handed in with a receipt checked by content and size (by the file's id), before
    the dossier number is taken; a refusal names the file and changes nothing."""
    checked: dict[int, CheckedUpload] = {}
    limit = max_file_bytes()
    total = 0
    for doc in documents:
        for file in doc.files:
            label = (file.name or "")[:80]
            if file.size is not None and file.size > limit:
                raise FileTooLarge(
                    _("Tệp “%(name)s” lớn hơn %(mb)s MB.")
                    % {"name": label, "mb": limit // (1024 * 1024)}
                )
            try:
                result = check_upload(file, size=file.size)
            except UploadRejected as exc:
                raise InvalidDossierData(f"{label}: {exc}") from exc
            total += result.size
            checked[id(file)] = result
    if total > max_dossier_bytes():
        raise FileTooLarge(
            _("Tổng dung lượng giấy tờ của hồ sơ vượt %(mb)s MB.")
            % {"mb": max_dossier_bytes() // (1024 * 1024)}
        )
    return checked


def _record_documents(
    dossier: Dossier,
    version: ProcedureVersion,
    documents: Sequence[ReceivedDocument],
    *,
    by: Any,
    checked: dict[int, CheckedUpload] | None = None,
) -> None:
    by_position = {d.position: d for d in version.documents.all()}
    checked = checked or {}
    rows = []
    for doc in documents:
        required: RequiredDocument | None = (
            by_position.get(doc.position) if doc.position is not None else None
        )
        if doc.position is not None and required is None:
            raise InvalidDossierData(
                _("Không có thành phần hồ sơ số %(n)s trong thủ tục.") % {"n": doc.position}
            )
        name = doc.name.strip() or (required.name if required else "")
        if not name:
            raise InvalidDossierData(_("Mỗi giấy tờ phải có tên hoặc số thứ tự trong danh mục."))
        row = DossierDocument(
            dossier=dossier,
            required_document=required,
            name=name,
            originals=doc.originals,
            copies=doc.copies,
            uploaded_by=by,
        )
        rows.append(row)
        for i, file in enumerate(doc.files):
            scan = (
                row
                if i == 0
                else DossierDocument(
                    dossier=dossier, required_document=required, name=name, uploaded_by=by
                )
            )
            info = checked.get(id(file)) or check_upload(file, size=file.size)
            scan.original_filename = (file.name or "")[:255]
            scan.content_type = info.content_type
            scan.size = info.size
            scan.sha256 = info.sha256
            scan.digitised = True
            # Stored under a random name (models.document_path); the row is saved below.
            scan.file.save(f"upload.{info.extension}", file, save=False)
            if i:
                rows.append(scan)
    DossierDocument.objects.bulk_create(rows)


def missing_required_documents(
    version: ProcedureVersion, documents: Sequence[ReceivedDocument]
) -> list[str]:
    given = {d.position for d in documents if d.position is not None}
    return [d.name for d in version.documents.all() if d.required and d.position not in given]


def local_iso(moment: dt.datetime | None) -> str | None:
    """Moments in the history read as officials see them: ISO 8601 with +07:00."""
    return timezone.localtime(moment).isoformat() if moment else None


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise InvalidDossierData(_("Thời điểm phải có múi giờ."))
    return moment


@transaction.atomic
def receive_dossier(receipt: Receipt, *, by: Any, at: dt.datetime | None = None) -> Dossier:
    """The dossier is complete: give it its code and its due moment (Mẫu 01)."""
    return _create(
        receipt, Status.RECEIVED, Action.RECEIVE, by=by, at=_now(at), require_complete=True
    )


@transaction.atomic
def turn_away_incomplete(
    receipt: Receipt, *, missing: Sequence[MissingInput], by: Any, at: dt.datetime | None = None
) -> Dossier:
    """The dossier is incomplete: one full list of what is missing, each with its reason (Mẫu
    02); no clock starts."""
    items = _items_or_refuse(missing)
    return _create(
        receipt,
        Status.INCOMPLETE,
        Action.ASK_COMPLETION,
        by=by,
        at=_now(at),
        reason="; ".join(missing_lines(items)),
        data={"missing": items},
    )


def _items_or_refuse(items: Sequence[MissingInput]) -> list[dict[str, str]]:
    cleaned = clean_items(items)
    if not cleaned:
        raise InvalidDossierData(_("Phải ghi đầy đủ, một lần các nội dung cần bổ sung."))
    return cleaned


@transaction.atomic
def refuse_at_counter(
    receipt: Receipt, *, reason: str, by: Any, at: dt.datetime | None = None
) -> Dossier:
    """Outside competence or not eligible (Mẫu 03): recorded, with the reason, never processed."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do từ chối tiếp nhận."))
    return _create(
        receipt, Status.REFUSED, Action.REFUSE_RECEIPT, by=by, at=_now(at), reason=reason.strip()
    )


# -- the clock and the steps --------------------------------------------------------------------


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


def _current_step(dossier: Dossier) -> DossierStep | None:
    return (
        dossier.steps.filter(started_at__isnull=False, finished_at__isnull=True)
        .order_by("position")
        .first()
    )


def _finish_step(step: DossierStep, at: dt.datetime) -> None:
    step.finished_at = at
    if step.due_at is not None:
        step.outcome = deadlines.outcome(step.due_at, at)
    step.save(update_fields=["finished_at", "outcome"])


# -- moving an existing dossier -----------------------------------------------------------------


def _event(
    dossier: Dossier,
    action: str,
    from_status: str,
    to_status: str,
    *,
    by: Any,
    at: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
) -> DossierEvent:
    event = record(
        FLOW,
        dossier,
        action,
        from_status,
        to_status,
        by=by,
        at=at,
        reason=reason,
        data=data or {},
        public=public,
    )
    assert isinstance(event, DossierEvent)
    return event


def _transition(
    dossier: Dossier,
    action: str,
    *,
    by: Any,
    expected_version: int | None,
    at: dt.datetime | None,
    change: Callable[[Dossier, dt.datetime], dict[str, Any] | None] | None = None,
    reason: str = "",
    public: bool = True,
    by_citizen: bool = False,
    leads_to: Callable[[Dossier], str] | None = None,
) -> Dossier:
    """The one workflow mechanism (`cchc.workflow.transition`) with the dossier's table and
    refusals. `leads_to` names the status where the table's target depends on the change (a
    part payment stays waiting)."""
    return transition(
        FLOW,
        dossier,
        action,
        by=by,
        at=_now(at),
        expected_version=expected_version,
        check_role=not by_citizen,
        change=change,
        leads_to=leads_to,
        details={"reason": reason, "public": public},
    )


def receive_submitted(
    dossier: Dossier, *, by: Any, expected_version: int | None = None, at: dt.datetime | None = None
) -> Dossier:
    """An online submission checked and found complete: the clock starts now."""

    def change(d: Dossier, now: dt.datetime) -> None:
        d.received_at = now
        d.received_by = by
        _start_clock(d, now)
        _create_steps(d, d.procedure_version, now, by=by)

    return _transition(
        dossier, Action.RECEIVE, by=by, expected_version=expected_version, at=at, change=change
    )


def ask_completion(
    dossier: Dossier,
    *,
    by: Any,
    missing: Sequence[MissingInput],
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """An online submission is incomplete: tell the applicant, once, everything that is missing."""
    items = _items_or_refuse(missing)
    return _transition(
        dossier,
        Action.ASK_COMPLETION,
        by=by,
        expected_version=expected_version,
        at=at,
        change=lambda d, now: {"missing": items},
        reason="; ".join(missing_lines(items)),
    )


def refuse_submission(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """An online submission outside the unit's competence or not eligible (Mẫu 03)."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do từ chối tiếp nhận."))
    return _transition(
        dossier,
        Action.REFUSE_RECEIPT,
        by=by,
        expected_version=expected_version,
        at=at,
        reason=reason.strip(),
    )


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


def request_supplement(
    dossier: Dossier,
    *,
    by: Any,
    items: Sequence[MissingInput],
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Ask once, with the complete list, within 3 working days of receipt; the clock stops.
    (How many times and how soon are settings: `rules.max_supplements`, `supplement_window_days`.)"""
    wanted = clean_items(items)

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        if not wanted:
            raise InvalidDossierData(_("Phải ghi đầy đủ, một lần các nội dung cần bổ sung."))
        if d.supplement_count >= rules.max_supplements():
            raise IllegalTransition(
                _("Hồ sơ đã được yêu cầu bổ sung %(n)s lần; không được yêu cầu thêm.")
                % {"n": d.supplement_count}
            )
        assert d.received_at is not None
        window = rules.supplement_window_days()
        limit = deadlines.due_in_working_days(
            d.received_at, window, load_calendar(d.processing_unit)
        )
        if now > limit:
            raise IllegalTransition(
                _(
                    "Đã quá %(days)s ngày làm việc kể từ khi tiếp nhận (hạn %(limit)s): không được yêu cầu bổ sung."
                )
                % {"days": window, "limit": timezone.localtime(limit).strftime("%H:%M %d/%m/%Y")}
            )
        d.supplement_count += 1
        d.supplement_requested_at = now
        return {"items": wanted}

    return _transition(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason="; ".join(missing_lines(wanted)),
    )


def supplement_received(
    dossier: Dossier, *, by: Any, expected_version: int | None = None, at: dt.datetime | None = None
) -> Dossier:
    """The complete dossier is back: the full processing time counts again from now."""

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        # Imported dossiers may not know when the request was made: the wait is then unknown.
        if d.supplement_requested_at is not None:
            waited = now - d.supplement_requested_at
            d.supplement_wait = (d.supplement_wait or dt.timedelta(0)) + waited
        old_due = d.due_at
        calendar = load_calendar(d.processing_unit)
        _start_clock(d, now, calendar)
        # The steps not yet finished share the new span; their times until now stay here.
        before = reallot_remaining(d, now, calendar)
        return {
            "old_due": local_iso(old_due),
            "new_due": local_iso(d.due_at),
            "steps_before": before,
        }

    return _transition(
        dossier,
        Action.SUPPLEMENT_RECEIVED,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
    )


def request_payment(
    dossier: Dossier,
    *,
    by: Any,
    amount_vnd: int,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Fees or taxes are due (status 6). The amount set in the catalogue is what is asked; a
    different amount needs its reason, kept in the history with both amounts."""
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise InvalidDossierData(_("Số tiền phải nộp phải lớn hơn 0 và hợp lý."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        catalogue_fee = d.procedure_version.total_fee_vnd
        if amount_vnd != catalogue_fee and not note.strip():
            raise InvalidDossierData(
                _(
                    "Số tiền %(amount)s đ khác mức thu công bố %(fee)s đ: phải ghi rõ lý do "
                    "(ví dụ thuế, phí do cơ quan thuế xác định)."
                )
                % {"amount": localised(amount_vnd), "fee": localised(catalogue_fee)}
            )
        d.payment_requested_at = now
        d.fee_due_vnd = d.fee_paid_vnd + amount_vnd
        return {
            "amount_vnd": amount_vnd,
            "catalogue_fee_vnd": catalogue_fee,
            "fee_due_vnd": d.fee_due_vnd,
        }

    return _transition(
        dossier,
        Action.REQUEST_PAYMENT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=note.strip(),
    )


def record_payment(
    dossier: Dossier,
    *,
    by: Any,
    amount_vnd: int,
    method: str = PaymentMethod.CASH,
    receipt_number: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """One payment, with its amount, receipt number and method. The dossier goes back to
    processing only once the amount asked is paid in full; a part payment is recorded and the
    dossier keeps waiting. Where waiting for payment stops the clock (a setting), the due moment
    moves by the working time waited."""
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise InvalidDossierData(_("Số tiền đã nộp phải lớn hơn 0 và hợp lý."))
    if method not in PaymentMethod.values:
        raise InvalidDossierData(_("Hình thức nộp “%(v)s” không hợp lệ.") % {"v": method})
    receipt_number = receipt_number.strip()
    if len(receipt_number) > 60:
        raise InvalidDossierData(_("Số biên lai quá dài (tối đa 60 ký tự)."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        outstanding = max(0, d.fee_due_vnd - d.fee_paid_vnd)
        if amount_vnd > outstanding:
            raise InvalidDossierData(
                _("Số tiền %(amount)s đ lớn hơn số còn phải nộp %(left)s đ.")
                % {"amount": localised(amount_vnd), "left": localised(outstanding)}
            )
        DossierPayment.objects.create(
            dossier=d,
            amount_vnd=amount_vnd,
            method=method,
            receipt_number=receipt_number,
            paid_at=now,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        d.fee_paid_vnd += amount_vnd
        data: dict[str, Any] = {
            "amount_vnd": amount_vnd,
            "method": method,
            "receipt_number": receipt_number,
            "paid_vnd": d.fee_paid_vnd,
            "outstanding_vnd": d.fee_due_vnd - d.fee_paid_vnd,
        }
        if d.fee_paid_vnd < d.fee_due_vnd:
            return data
        if d.payment_requested_at is not None:
            waited = now - d.payment_requested_at
            d.payment_wait = (d.payment_wait or dt.timedelta(0)) + waited
            if rules.payment_stops_clock():
                data.update(_resume_clock(d, d.payment_requested_at, now))
        return data

    def paid_in_full(d: Dossier) -> str:
        return Status.PROCESSING if d.fee_paid_vnd >= d.fee_due_vnd else Status.PAYMENT

    return _transition(
        dossier,
        Action.RECORD_PAYMENT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        leads_to=paid_in_full,
    )


def _resume_clock(d: Dossier, stopped_at: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """The clock stood still from `stopped_at` to `now`: the due moments (the dossier's and the
    current step's) move by that much working time."""
    calendar = load_calendar(d.processing_unit)
    waited = calendar.position(now) - calendar.position(stopped_at)

    def later(moment: dt.datetime) -> dt.datetime:
        return calendar.moment(calendar.position(moment) + waited)

    assert d.due_at is not None and d.original_due_at is not None
    old_due = d.due_at
    d.original_due_at = later(d.original_due_at)
    d.due_at = later(d.due_at)
    current = _current_step(d)
    if current is not None and current.due_at is not None:
        current.due_at = later(current.due_at)
        current.save(update_fields=["due_at"])
    return {"old_due": local_iso(old_due), "new_due": local_iso(d.due_at)}


def reschedule(
    dossier: Dossier,
    *,
    by: Any,
    new_due: dt.datetime,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Apology and a new date (Mẫu 04): at most once (a setting), at least 1 working day before
    the due date, to a moment within office hours on a working day, later than the current due
    moment. Reports keep judging against the original due moment."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do chậm trễ trong thư xin lỗi."))
    if timezone.is_naive(new_due):
        raise InvalidDossierData(_("Ngày hẹn mới phải có múi giờ."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        assert d.due_at is not None
        calendar = load_calendar(d.processing_unit)
        # The date asked for is checked first: bad input is told as such (422) before the rules.
        _check_appointment(new_due, d.due_at, calendar)
        refusal = deadlines.reschedule_refusal(
            d.due_at,
            now,
            calendar,
            times_rescheduled=d.reschedule_count,
            max_times=rules.max_reschedules(),
        )
        if refusal is not None:
            raise IllegalTransition(str(refusal.label))
        old_due = d.due_at
        d.due_at = new_due
        d.rescheduled_at = now
        d.reschedule_count += 1
        return {"old_due": local_iso(old_due), "new_due": local_iso(new_due)}

    return _transition(
        dossier,
        Action.RESCHEDULE,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
    )


def _check_appointment(new_due: dt.datetime, due_at: dt.datetime, calendar: WorkCalendar) -> None:
    """A new date the citizen can come on: a working day, within office hours, later than now due."""
    shown = timezone.localtime(new_due).strftime("%H:%M %d/%m/%Y")
    try:
        working = calendar.is_working_moment(new_due)
    except deadlines.DeadlineError as exc:
        raise InvalidDossierData(
            _("Ngày hẹn mới %(when)s nằm ngoài lịch làm việc.") % {"when": shown}
        ) from exc
    if not working:
        raise InvalidDossierData(
            _(
                "Ngày hẹn mới %(when)s không phải giờ làm việc của một ngày làm việc: hãy chọn "
                "một thời điểm trong giờ hành chính."
            )
            % {"when": shown}
        )
    if new_due <= due_at:
        raise InvalidDossierData(str(RescheduleRefusal.NOT_LATER.label))


def extend(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Apply the longer time the procedure allows in its stated case (e.g. "trường hợp cần xác
    minh … không quá 05 ngày làm việc"). Not an apology: the dossier is judged against the
    extended time from now on, and the current body's due moment moves by the same working time."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ căn cứ áp dụng thời hạn kéo dài."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        version = d.procedure_version
        longer = version.extended_duration
        if longer is None:
            raise IllegalTransition(
                _("Thủ tục này không có thời hạn kéo dài theo quy định để áp dụng.")
            )
        if d.extended_at is not None:
            raise IllegalTransition(_("Hồ sơ đã được áp dụng thời hạn kéo dài."))
        assert d.clock_started_at is not None and d.original_due_at is not None
        assert d.due_at is not None
        calendar = load_calendar(d.processing_unit)
        start = d.clock_started_at
        added = calendar.position(deadlines.due(start, longer, calendar)) - calendar.position(
            deadlines.due(start, version.duration, calendar)
        )
        if added <= 0:
            raise IllegalTransition(_("Thời hạn kéo dài không dài hơn thời hạn thông thường."))

        def later(moment: dt.datetime) -> dt.datetime:
            return calendar.moment(calendar.position(moment) + added)

        old_due, old_original = d.due_at, d.original_due_at
        d.extended_at = now
        d.original_due_at = later(d.original_due_at)
        d.due_at = max(d.due_at, d.original_due_at)
        current = _current_step(d)
        if current is not None and current.due_at is not None:
            current.due_at = later(current.due_at)
            current.allotted += dt.timedelta(microseconds=added)
            current.save(update_fields=["due_at", "allotted"])
        return {
            "old_due": local_iso(old_due),
            "new_due": local_iso(d.due_at),
            "old_original_due": local_iso(old_original),
            "condition": version.extended_time_condition,
        }

    return _transition(
        dossier,
        Action.EXTEND,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
    )


def _finish(end_type: str, by: Any = None) -> Callable[[Dossier, dt.datetime], None]:
    def finish(d: Dossier, now: dt.datetime) -> None:
        d.finished_at = now
        d.end_type = end_type
        if end_type in (EndType.RESOLVED, EndType.REFUSED) and d.original_due_at is not None:
            d.outcome = deadlines.outcome(d.original_due_at, now)
        current = _current_step(d)
        if current is not None:
            _finish_step(current, now)
        if end_type in (EndType.RESOLVED, EndType.REFUSED):
            last = d.steps.filter(started_at__isnull=True).order_by("-position").first()
            if last is not None and last.role == Role.RECEPTION:
                # The return step starts when the result is ready; the steps between were skipped.
                d.steps.filter(started_at__isnull=True).exclude(pk=last.pk).update(
                    started_at=now, finished_at=now
                )
                _start_step(last, now, load_calendar(d.processing_unit))
                # The one who signs the result gives it to the counter (Mẫu 05's "Giao").
                last.given_by = by if getattr(by, "is_authenticated", False) else None
                last.save(update_fields=["started_at", "due_at", "given_by"])
            else:
                d.steps.filter(finished_at__isnull=True).update(started_at=now, finished_at=now)
        else:
            d.steps.filter(finished_at__isnull=True).update(finished_at=now)

    return finish


def resolve(
    dossier: Dossier,
    *,
    by: Any,
    digital: bool = False,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is ready (signed, issued): judged early / on time / late against the original due."""

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        if _leader_must_sign(d, user_roles_in(by, d.processing_unit)):
            raise NotAllowed(
                _(
                    "Thủ tục này có bước lãnh đạo ký duyệt: hãy trình lãnh đạo (chuyển bước) "
                    "thay vì ghi nhận kết quả."
                )
            )
        _finish(EndType.RESOLVED, by)(d, now)
        d.result_digital = digital
        return {"outcome": d.outcome, "digital": digital}

    return _transition(
        dossier,
        Action.RESOLVE,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=note,
    )


def refuse(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Not eligible after appraisal (Mẫu 03): counts as resolved, with the reason."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do từ chối giải quyết."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        _finish(EndType.REFUSED, by)(d, now)
        return {"outcome": d.outcome}

    return _transition(
        dossier,
        Action.REFUSE,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
    )


def withdraw(
    dossier: Dossier,
    *,
    by: Any,
    reason: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The citizen asks for the dossier back."""
    return _transition(
        dossier,
        Action.WITHDRAW,
        by=by,
        expected_version=expected_version,
        at=at,
        change=_finish(EndType.WITHDRAWN),
        reason=reason.strip(),
    )


def stop(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do dừng xử lý."))
    return _transition(
        dossier,
        Action.STOP,
        by=by,
        expected_version=expected_version,
        at=at,
        change=_finish(EndType.STOPPED),
        reason=reason.strip(),
    )


def return_result(
    dossier: Dossier,
    *,
    by: Any,
    method: str | None = None,
    postal_tracking: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is handed over: at the counter, by post (with its tracking number) or online."""
    if method is not None and method not in ReturnMethod.values:
        raise InvalidDossierData(_("Hình thức trả kết quả “%(v)s” không hợp lệ.") % {"v": method})
    if method == ReturnMethod.POSTAL and not postal_tracking.strip():
        raise InvalidDossierData(_("Trả qua bưu chính phải có mã bưu gửi."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        d.returned_at = now
        if method:
            d.return_method = method
        d.postal_tracking = postal_tracking.strip()
        d.steps.filter(finished_at__isnull=True).update(finished_at=now)
        return {"method": d.return_method, "postal_tracking": d.postal_tracking}

    return _transition(
        dossier,
        Action.RETURN_RESULT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
    )


def add_note(dossier: Dossier, *, by: Any, text: str, at: dt.datetime | None = None) -> Dossier:
    if not text.strip():
        raise InvalidDossierData(_("Ghi chú trống."))
    return _transition(
        dossier, Action.NOTE, by=by, expected_version=None, at=at, reason=text.strip(), public=False
    )


# -- one entry point for pages and API: an action by name with its parameters ------------------


@dataclass
class ActionParams:
    expected_version: int | None = None
    reason: str = ""
    items: Sequence[MissingInput] = field(default_factory=list)
    to: Any | None = None
    new_due: dt.datetime | None = None
    amount_vnd: int | None = None
    receipt_number: str = ""
    payment_method: str = PaymentMethod.CASH
    method: str | None = None
    postal_tracking: str = ""
    digital: bool = False


def perform(
    dossier: Dossier, action: str, *, by: Any, params: ActionParams, at: dt.datetime | None = None
) -> Dossier:
    """Run the named action; unknown names are refused like any other bad input."""
    p = params
    v = p.expected_version

    def need_amount() -> int:
        if p.amount_vnd is None:
            raise InvalidDossierData(_("Thiếu số tiền (amount_vnd)."))
        return p.amount_vnd

    def need_new_due() -> dt.datetime:
        if p.new_due is None:
            raise InvalidDossierData(_("Thiếu ngày hẹn mới (new_due)."))
        return p.new_due

    handlers: dict[str, Callable[[], Dossier]] = {
        Action.RECEIVE: lambda: receive_submitted(dossier, by=by, expected_version=v, at=at),
        Action.ASK_COMPLETION: lambda: ask_completion(
            dossier, by=by, missing=p.items, expected_version=v, at=at
        ),
        Action.REFUSE_RECEIPT: lambda: refuse_submission(
            dossier, by=by, reason=p.reason, expected_version=v, at=at
        ),
        Action.HAND_OVER: lambda: hand_over(
            dossier, by=by, to=p.to, note=p.reason, expected_version=v, at=at
        ),
        Action.SEND_BACK: lambda: send_back(
            dossier, by=by, reason=p.reason, expected_version=v, at=at
        ),
        Action.REQUEST_SUPPLEMENT: lambda: request_supplement(
            dossier, by=by, items=p.items, expected_version=v, at=at
        ),
        Action.SUPPLEMENT_RECEIVED: lambda: supplement_received(
            dossier, by=by, expected_version=v, at=at
        ),
        Action.REQUEST_PAYMENT: lambda: request_payment(
            dossier, by=by, amount_vnd=need_amount(), note=p.reason, expected_version=v, at=at
        ),
        Action.RECORD_PAYMENT: lambda: record_payment(
            dossier,
            by=by,
            amount_vnd=need_amount(),
            method=p.payment_method,
            receipt_number=p.receipt_number,
            expected_version=v,
            at=at,
        ),
        Action.RESCHEDULE: lambda: reschedule(
            dossier, by=by, new_due=need_new_due(), reason=p.reason, expected_version=v, at=at
        ),
        Action.EXTEND: lambda: extend(dossier, by=by, reason=p.reason, expected_version=v, at=at),
        Action.REFUSE: lambda: refuse(dossier, by=by, reason=p.reason, expected_version=v, at=at),
        Action.RESOLVE: lambda: resolve(
            dossier, by=by, digital=p.digital, note=p.reason, expected_version=v, at=at
        ),
        Action.WITHDRAW: lambda: withdraw(
            dossier, by=by, reason=p.reason, expected_version=v, at=at
        ),
        Action.STOP: lambda: stop(dossier, by=by, reason=p.reason, expected_version=v, at=at),
        Action.RETURN_RESULT: lambda: return_result(
            dossier,
            by=by,
            method=p.method,
            postal_tracking=p.postal_tracking,
            expected_version=v,
            at=at,
        ),
        Action.NOTE: lambda: add_note(dossier, by=by, text=p.reason, at=at),
    }
    handler = handlers.get(action)
    if handler is None:
        raise InvalidDossierData(_("Không có thao tác “%(action)s”.") % {"action": action})
    return handler()


# -- documents ------------------------------------------------------------------------------------


def max_dossier_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_BYTES", 50 * 1024 * 1024))


def attach_document(
    dossier: Dossier,
    *,
    by: Any,
    file: UploadedFile,
    name: str = "",
    kind: str = DocumentKind.SUBMITTED,
    position: int | None = None,
    digitised: bool = False,
    at: dt.datetime | None = None,
) -> DossierDocument:
    """Store a scanned document or a result file: checked by content and size, saved under a
    random name through the storage API, recorded in the history."""
    if kind not in DocumentKind.values:
        raise InvalidDossierData(_("Loại giấy tờ không hợp lệ."))
    try:
        checked = check_upload(file, size=file.size)
    except UploadRejected as exc:
        raise InvalidDossierData(str(exc)) from exc
    used = dossier.documents.aggregate(total=Sum("size"))["total"] or 0
    if used + checked.size > max_dossier_bytes():
        raise InvalidDossierData(
            _("Tổng dung lượng giấy tờ của hồ sơ vượt %(mb)s MB.")
            % {"mb": max_dossier_bytes() // (1024 * 1024)}
        )
    required = None
    if position is not None:
        required = dossier.procedure_version.documents.filter(position=position).first()
        if required is None:
            raise InvalidDossierData(
                _("Không có thành phần hồ sơ số %(n)s trong thủ tục.") % {"n": position}
            )
    title = (name.strip() or (required.name if required else "") or (file.name or "")).strip()[:500]
    holder: list[DossierDocument] = []

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        document = DossierDocument(
            dossier=d,
            kind=kind,
            required_document=required,
            name=title,
            original_filename=(file.name or "")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            digitised=digitised,
            uploaded_by=by,
        )
        document.file.save(f"upload.{checked.extension}", file, save=False)
        document.save()
        holder.append(document)
        return {"document": document.pk, "name": title, "kind": kind}

    _transition(
        dossier,
        Action.ATTACH,
        by=by,
        expected_version=None,
        at=at,
        change=change,
        public=kind == DocumentKind.RESULT,
    )
    return holder[0]


# -- the citizen's own actions (online submission, completion, supplement) -----------------------


@dataclass
class OnlineDocument:
    """A file the citizen uploaded (already checked and stored) for one item of the list."""

    name: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    position: int | None = None
    digitised: bool = False


def _add_online_documents(dossier: Dossier, documents: Sequence[OnlineDocument], kind: str) -> None:
    required: dict[int | None, RequiredDocument] = {
        d.position: d for d in dossier.procedure_version.documents.all()
    }
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier,
            kind=kind,
            required_document=required.get(doc.position),
            name=doc.name or (required[doc.position].name if doc.position in required else ""),
            file=doc.file_name,
            content_type=doc.content_type,
            size=doc.size,
            sha256=doc.sha256,
            digitised=doc.digitised,
        )
        for doc in documents
    )


@transaction.atomic
def submit_online(
    *,
    procedure_code: str,
    unit: Unit,
    applicant: Applicant,
    documents: Sequence[OnlineDocument],
    return_method: str = ReturnMethod.ONLINE,
    at: dt.datetime | None = None,
) -> Dossier:
    """A citizen's online submission: it waits in the counter's "to receive" list (status 1)."""
    at = _now(at)
    receipt = Receipt(
        procedure_code=procedure_code,
        processing_unit=unit,
        applicant=applicant,
        return_method=return_method,
    )
    procedure, version, receiving = _validate_receipt(receipt, at)
    applicant = clean_applicant(applicant)
    if version.online_service == "none":
        raise InvalidDossierData(
            _("Thủ tục này chưa cung cấp dịch vụ công trực tuyến: hãy nộp tại bộ phận một cửa.")
        )
    if not (applicant.phone.strip() or applicant.email.strip()):
        raise InvalidDossierData(
            _("Cần số điện thoại hoặc thư điện tử để nhận thông báo về hồ sơ.")
        )
    given = {d.position for d in documents if d.position is not None}
    missing = [d.name for d in version.documents.all() if d.required and d.position not in given]
    if missing:
        raise InvalidDossierData(_("Còn thiếu giấy tờ: %(docs)s.") % {"docs": "; ".join(missing)})
    dossier = Dossier.objects.create(
        code=next_code(_agency_identifier(receiving), timezone.localdate(at)),
        status=Status.SUBMITTED,
        procedure=procedure,
        procedure_version=version,
        field=procedure.field,
        receiving_unit=receiving,
        processing_unit=unit,
        cross_boundary=crosses_boundary(receiving, unit),
        channel=Channel.ONLINE_FULL if version.online_service == "full" else Channel.ONLINE_PARTIAL,
        return_method=return_method,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        submitted_at=at,
        fee_due_vnd=version.total_fee_vnd,
    )
    _add_online_documents(dossier, documents, DocumentKind.SUBMITTED)
    _event(dossier, Action.SUBMIT, "", Status.SUBMITTED, by=None, at=at)
    return dossier


def resubmit_online(
    dossier: Dossier,
    *,
    documents: Sequence[OnlineDocument],
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The citizen completes a dossier sent back before receipt; it returns to the counter's list."""
    if not documents and not note.strip():
        raise InvalidDossierData(
            _("Hãy tải lên giấy tờ còn thiếu hoặc ghi rõ nội dung đã hoàn thiện.")
        )

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        _add_online_documents(d, documents, DocumentKind.SUPPLEMENT)
        # `submitted_at` stays the moment the code was issued: it places the dossier in the
        # ledger (Mẫu 06), whose numbers must never move; the resubmission is in the history.
        return {"documents": len(documents)}

    return _transition(
        dossier,
        Action.RESUBMIT,
        by=None,
        expected_version=None,
        at=at,
        change=change,
        reason=note.strip(),
        by_citizen=True,
    )


def supplement_online(
    dossier: Dossier,
    *,
    documents: Sequence[OnlineDocument],
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The citizen sends the supplement asked for after receipt. The clock restarts only when the
    one-stop officer checks it and records `supplement_received`."""
    if dossier.status != Status.SUPPLEMENT:
        raise IllegalTransition(_("Hồ sơ không ở trạng thái chờ bổ sung."))
    if not documents:
        raise InvalidDossierData(_("Hãy tải lên giấy tờ bổ sung."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        if d.status != Status.SUPPLEMENT:
            raise IllegalTransition(_("Hồ sơ không ở trạng thái chờ bổ sung."))
        _add_online_documents(d, documents, DocumentKind.SUPPLEMENT)
        return {"documents": len(documents), "by_citizen": True}

    return _transition(
        dossier,
        Action.ATTACH,
        by=None,
        expected_version=None,
        at=at,
        change=change,
        reason=note.strip(),
        by_citizen=True,
    )
