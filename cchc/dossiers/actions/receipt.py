"""Receipt: a dossier created at the counter (or by post, or by API) with its code, and the
counter's decision on an online submission. Complete: received, the clock starts (Mẫu 01);
incomplete: one full list of what is missing (Mẫu 02); not eligible: refused (Mẫu 03).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import Procedure, ProcedureVersion
from cchc.dossiers import rules
from cchc.dossiers.actions.common import MissingInput, _event, _now, _transition
from cchc.dossiers.actions.documents import _check_scans, _record_documents
from cchc.dossiers.actions.errors import InvalidDossierData, NotAllowed
from cchc.dossiers.actions.steps import _create_steps, _start_clock
from cchc.dossiers.choices import Action, ApplicantKind, Channel, ReturnMethod, Status
from cchc.dossiers.missing import clean_items, missing_lines
from cchc.dossiers.models import Dossier, crosses_boundary
from cchc.lib import personal
from cchc.units.choices import Role
from cchc.units.models import Unit, user_roles_in
from cchc.worktime.snapshot import load_calendar

if TYPE_CHECKING:
    from cchc.dossiers.actions.online import OnlineDocument

# The most sets of the documents (số bộ hồ sơ) one receipt may record.
MAX_SETS = 99


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


def missing_required_documents(
    version: ProcedureVersion, documents: Sequence[ReceivedDocument] | Sequence[OnlineDocument]
) -> list[str]:
    """The names of the procedure's required documents not among those given (by position), at
    the counter or online."""
    given = {d.position for d in documents if d.position is not None}
    return [d.name for d in version.documents.all() if d.required and d.position not in given]


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
