"""The one way staff code reaches a dossier: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from cchc.dossiers.models import Dossier, DossierDocument


def get_dossier_for(user: Any, code: str) -> Dossier:
    dossier = (
        Dossier.objects.visible_to(user)
        .select_related(
            "procedure",
            "procedure_version",
            "field",
            "receiving_unit",
            "processing_unit",
            "assignee",
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise Http404("Không tìm thấy hồ sơ")
    return dossier


def get_document_for(user: Any, code: str, document_id: int) -> DossierDocument:
    """A stored file of a dossier the user sees, or 404 (another unit's, or a paper-only entry)."""
    dossier = get_dossier_for(user, code)
    document = dossier.documents.exclude(file="").filter(pk=document_id).first()
    if document is None:
        raise Http404(_("Không tìm thấy giấy tờ."))
    return document


def document_response(document: DossierDocument) -> FileResponse:
    """The file as a download, for the page and the API alike."""
    extension = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    # A safe download name: the dossier code and the document id, never the uploader's file name.
    response["Content-Disposition"] = (
        f'attachment; filename="{document.dossier.code}-{document.pk}.{extension}"'
    )
    return response


def code_candidates(code: str) -> list[str]:
    """The stored codes a typed one may stand for: as typed, and in capitals.

    Codes are issued in capitals (the agency identifier, e.g. `000.00.14.H56`), and people type
    them in any case from a receipt or an SMS. Both spellings are looked up (an indexed `IN` on
    the unique code, not `UPPER(code)`, which no index serves) because nothing forces an agency
    identifier or an imported code to be in capitals: a code stored in lower case is still found
    as printed. A code stored in lower case and typed in capitals is not.
    """
    code = code.strip()
    return list(dict.fromkeys((code, code.upper())))


def find_by_public_code(code: str) -> Dossier | None:
    """The dossier a citizen's typed code names (any letter case), unscoped: for the public
    doors, which then prove the applicant (phone) before showing anything personal."""
    rows = list(Dossier.objects.filter(code__in=code_candidates(code or "")).order_by("pk"))
    # Two rows only if two codes differ by case alone: the one typed exactly wins.
    return next((d for d in rows if d.code == (code or "").strip()), rows[0] if rows else None)
