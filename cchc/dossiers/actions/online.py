"""The citizen's own actions: the online submission (it waits in the counter's "to receive" list),
its completion before receipt and the supplement asked for after receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import RequiredDocument
from cchc.dossiers.actions.common import _event, _now, _transition
from cchc.dossiers.actions.errors import IllegalTransition, InvalidDossierData
from cchc.dossiers.actions.receipt import (
    Applicant,
    Receipt,
    _agency_identifier,
    _validate_receipt,
    clean_applicant,
    missing_required_documents,
    next_code,
)
from cchc.dossiers.choices import Action, Channel, ReturnMethod, Status
from cchc.dossiers.models import DocumentKind, Dossier, DossierDocument, crosses_boundary
from cchc.units.models import Unit


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
    missing = missing_required_documents(version, documents)
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
