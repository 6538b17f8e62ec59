"""The one way staff code reaches a dossier: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.dossiers.models import Dossier


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
