"""What citizens do on the portal: prove a phone or address with a one-time code, fill a draft,
upload documents, submit. One function per action; the pages and the public API call them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers import actions as dossier_actions
from cchc.dossiers.choices import ApplicantKind, ReturnMethod
from cchc.dossiers.models import Dossier, DossierDocument
from cchc.lib.errors import DomainError
from cchc.lib.personal import (
    InvalidIdNumber,
    InvalidPhone,
    check_id_number,
    normalise_phone,
)
from cchc.lib.uploads import UploadRejected, check_upload
from cchc.notify.choices import Channel, Kind
from cchc.notify.dispatch import digest, queue_message
from cchc.portal.models import Citizen, Draft, DraftFile, OneTimeCode

CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
DRAFT_FIELDS = {
    "applicant_name": 200,
    "applicant_kind": 20,
    "applicant_id_number": 20,
    "applicant_phone": 20,
    "applicant_email": 254,
    "applicant_address": 300,
    "return_method": 20,
    "note": 2000,
}


class PortalError(DomainError):
    """A refusal with a message for the citizen saying what to do. Mostly input the citizen can
    correct (422); a refused dossier action it wraps keeps that refusal's own status."""

    status_code = 422

    @classmethod
    def wrapping(cls, exc: DomainError) -> PortalError:
        """The portal's refusal for another app's: same message, same status (a 409 for a stale
        dossier stays a 409, a 413 for a large file a 413)."""
        return cls(exc.message, status_code=exc.status_code, field=exc.field)


def destination_of(raw: str) -> tuple[str, str]:
    """('sms', '0912345678') or ('email', 'an@example.vn'); PortalError if it is neither."""
    raw = raw.strip()
    if "@" in raw:
        try:
            validate_email(raw)
        except ValidationError as exc:
            raise PortalError(_("Địa chỉ thư điện tử không hợp lệ.")) from exc
        return Channel.EMAIL, raw.lower()
    try:
        # The code is sent by SMS: a mobile.
        phone = normalise_phone(raw, mobile_only=True)
    except InvalidPhone as exc:
        raise PortalError(str(exc)) from exc
    if not phone:
        raise PortalError(_("Hãy nhập số điện thoại di động hoặc địa chỉ thư điện tử."))
    return Channel.SMS, phone


def _hash(destination: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{destination}:{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def request_code(raw_destination: str) -> tuple[OneTimeCode, str]:
    """Send a fresh 6-digit code (earlier unused ones stop working); returns the code for the demo page."""
    channel, destination = destination_of(raw_destination)
    now = timezone.now()
    OneTimeCode.objects.filter(destination=destination, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    otp = OneTimeCode.objects.create(
        destination=destination, code_hash=_hash(destination, code), expires_at=now + CODE_LIFETIME
    )
    text = _("Mã xác thực CCHC: %(code)s (hiệu lực 10 phút). Không đưa mã này cho người khác.") % {
        "code": code
    }
    queue_message(
        channel=channel,
        kind=Kind.ONE_TIME_CODE,
        recipient=destination,
        subject=_("Mã xác thực"),
        body=text,
        key=f"otp:{otp.pk}:{digest(destination)}",
    )
    return otp, code


def verify_code(raw_destination: str, code: str) -> Citizen:
    """The citizen's account once the code is right; a wrong, expired or overused code is refused."""
    _channel, destination = destination_of(raw_destination)
    # The attempt is counted in its own transaction: the refusal that follows must not undo it.
    with transaction.atomic():
        citizen, refusal = _check_code(destination, code)
    if refusal:
        raise PortalError(refusal)
    assert citizen is not None
    return citizen


def _check_code(destination: str, code: str) -> tuple[Citizen | None, str]:
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(destination=destination, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if otp is None:
        return None, _("Mã đã hết hạn hoặc chưa được gửi. Hãy yêu cầu mã mới.")
    if otp.attempts >= CODE_MAX_ATTEMPTS:
        return None, _("Nhập sai quá nhiều lần. Hãy yêu cầu mã mới.")
    otp.attempts += 1
    if not hmac.compare_digest(otp.code_hash, _hash(destination, code.strip())):
        otp.save(update_fields=["attempts"])
        return None, _("Mã xác thực không đúng.")
    otp.used_at = timezone.now()
    otp.save(update_fields=["attempts", "used_at"])
    if "@" in destination:
        citizen, _created = Citizen.objects.get_or_create(email=destination)
    else:
        citizen, _created = Citizen.objects.get_or_create(phone=destination)
    citizen.last_login_at = timezone.now()
    citizen.save(update_fields=["last_login_at"])
    return citizen, ""


def dossiers_of(citizen: Citizen) -> QuerySet[Dossier]:
    """The dossiers whose applicant gave this citizen's phone or address (every door stores the
    phone normalised: "0912 345 678" typed at the counter is "0912345678"). Not by identity
    number: `applicant_id_number` has no index, and this runs on every visit to the space."""
    match = Q(pk__in=[])
    if citizen.phone:
        match |= Q(applicant_phone=citizen.phone)
    if citizen.email:
        match |= Q(applicant_email__iexact=citizen.email)
    return (
        Dossier.objects.filter(match)
        .select_related("procedure", "receiving_unit")
        .order_by("-submitted_at")
    )


def digitised_documents_of(citizen: Citizen) -> QuerySet[DossierDocument]:
    """Documents already digitised in the citizen's earlier dossiers, reusable in a new one."""
    return (
        DossierDocument.objects.filter(dossier__in=dossiers_of(citizen), digitised=True)
        .exclude(file="")
        .order_by("-uploaded_at")
    )


# -- drafts ---------------------------------------------------------------------------------------


def start_draft(procedure: Any, unit: Any, citizen: Citizen | None = None) -> Draft:
    version = procedure.version_at(timezone.localdate())
    if version is None or version.online_service == "none":
        raise PortalError(
            _("Thủ tục này chưa cung cấp dịch vụ công trực tuyến: hãy nộp tại bộ phận một cửa.")
        )
    if not unit.adoptions.filter(procedure=procedure, implemented=True).exists():
        raise PortalError(
            _("%(unit)s không thực hiện thủ tục này. Hãy chọn đơn vị khác.") % {"unit": unit.name}
        )
    data = {}
    if citizen is not None:
        data = {
            "applicant_phone": citizen.phone or "",
            "applicant_email": citizen.email or "",
            "applicant_name": citizen.name,
        }
    return Draft.objects.create(procedure=procedure, unit=unit, citizen=citizen, data=data)


def save_draft(draft: Draft, values: dict[str, Any]) -> Draft:
    """Keep what the citizen typed so far (only known fields, trimmed to their size)."""
    if draft.dossier_id:
        raise PortalError(_("Hồ sơ này đã được nộp."), status_code=409)
    data = dict(draft.data)
    for key, limit in DRAFT_FIELDS.items():
        if key in values:
            data[key] = str(values[key] or "").strip()[:limit]
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])
    return draft


def add_draft_file(
    draft: Draft, upload: UploadedFile, *, position: int | None, name: str = ""
) -> DraftFile:
    if draft.dossier_id:
        raise PortalError(_("Hồ sơ này đã được nộp."), status_code=409)
    try:
        checked = check_upload(upload, size=upload.size)
    except UploadRejected as exc:
        raise PortalError(str(exc)) from exc
    total = sum(f.size for f in draft.files.all()) + checked.size
    if total > dossier_actions.max_dossier_bytes():
        raise PortalError(_("Tổng dung lượng giấy tờ vượt giới hạn cho một hồ sơ."))
    item = DraftFile(
        draft=draft,
        position=position,
        name=name[:500],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    item.file.save(f"upload.{checked.extension}", upload, save=False)
    item.save()
    return item


def reuse_document(draft: Draft, document: DossierDocument, *, position: int | None) -> DraftFile:
    """Attach a document digitised in an earlier dossier of the same citizen, without re-uploading."""
    if (
        draft.citizen is None
        or not digitised_documents_of(draft.citizen).filter(pk=document.pk).exists()
    ):
        raise PortalError(_("Không dùng lại được giấy tờ này."))
    return DraftFile.objects.create(
        draft=draft,
        position=position,
        name=document.name,
        file=document.file.name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
    )


def _online_documents(files: Any) -> list[dossier_actions.OnlineDocument]:
    return [
        dossier_actions.OnlineDocument(
            name=f.name,
            file_name=f.file.name,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            position=f.position,
        )
        for f in files
    ]


@transaction.atomic
def submit_draft(draft: Draft) -> Dossier:
    """The citizen presses "Nộp hồ sơ": the dossier enters the counter's "to receive" list."""
    draft = Draft.objects.select_for_update().select_related("procedure", "unit").get(pk=draft.pk)
    if draft.dossier_id:
        raise PortalError(_("Hồ sơ này đã được nộp."), status_code=409)
    d = draft.data
    method = d.get("return_method") or ReturnMethod.ONLINE
    if method not in ReturnMethod.values:
        raise PortalError(_("Hình thức nhận kết quả không hợp lệ."))
    if d.get("applicant_email"):
        try:
            validate_email(d["applicant_email"])
        except ValidationError as exc:
            raise PortalError(_("Địa chỉ thư điện tử không hợp lệ.")) from exc
    kind = d.get("applicant_kind") or ApplicantKind.PERSON
    if kind not in ApplicantKind.values:
        raise PortalError(_("Hãy chọn người nộp là cá nhân hay tổ chức."))
    try:
        # A mobile: the dossier's news is sent to it by SMS.
        phone = normalise_phone(d.get("applicant_phone", ""), mobile_only=True)
        id_number = check_id_number(kind, d.get("applicant_id_number", ""))
    except (InvalidPhone, InvalidIdNumber) as exc:
        raise PortalError(str(exc)) from exc
    applicant = dossier_actions.Applicant(
        name=d.get("applicant_name", ""),
        kind=kind,
        id_number=id_number,
        phone=phone,
        email=d.get("applicant_email", ""),
        address=d.get("applicant_address", ""),
    )
    try:
        dossier = dossier_actions.submit_online(
            procedure_code=draft.procedure.code,
            unit=draft.unit,
            applicant=applicant,
            documents=_online_documents(draft.files.all()),
            return_method=method,
        )
    except dossier_actions.DossierError as exc:
        raise PortalError.wrapping(exc) from exc
    draft.dossier = dossier
    draft.save(update_fields=["dossier"])
    return dossier


def _store(upload: UploadedFile, position: int | None) -> dossier_actions.OnlineDocument:
    try:
        checked = check_upload(upload, size=upload.size)
    except UploadRejected as exc:
        raise PortalError(str(exc)) from exc
    # Stored under a random name: the citizen's file name never reaches the file system.
    path = default_storage.save(
        f"online/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{checked.extension}", upload
    )
    return dossier_actions.OnlineDocument(
        name="",
        file_name=path,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        position=position,
    )


def send_completion(
    dossier: Dossier, uploads: Sequence[tuple[int | None, UploadedFile]], note: str = ""
) -> Dossier:
    """Documents the citizen sends back: completion before receipt, or the supplement after it."""
    documents = [_store(upload, position) for position, upload in uploads]
    try:
        if dossier.status == "incomplete":
            return dossier_actions.resubmit_online(dossier, documents=documents, note=note)
        return dossier_actions.supplement_online(dossier, documents=documents, note=note)
    except dossier_actions.DossierError as exc:
        raise PortalError.wrapping(exc) from exc
