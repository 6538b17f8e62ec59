"""The dossier's documents: the scans handed in at receipt and the files attached later, checked
by content and size (one limit per file, one per dossier) and stored under a random name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.utils.translation import gettext as _

from cchc.catalogue.models import ProcedureVersion, RequiredDocument
from cchc.dossiers.actions.common import _transition
from cchc.dossiers.actions.errors import FileTooLarge, InvalidDossierData
from cchc.dossiers.choices import Action
from cchc.dossiers.models import DocumentKind, Dossier, DossierDocument
from cchc.lib.uploads import CheckedUpload, UploadRejected, check_upload, max_file_bytes

if TYPE_CHECKING:
    from cchc.dossiers.actions.receipt import ReceivedDocument


def max_dossier_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_BYTES", 50 * 1024 * 1024))


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
