"""Staff pages of the PAR Index. For now the lost-points report's downloads; the
self-assessment and appraisal pages are still to come (docs/parindex.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cchc.parindex.lookup import get_assessment_for
from cchc.parindex.report import DOCX, XLSX, lost_points_docx, lost_points_xlsx


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def lost_points_word(request: HttpRequest, assessment_id: int) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    name = f"chi-so-cchc-{a.unit.code}-{a.year}-diem-bi-tru.docx"
    return _download(lost_points_docx(a), DOCX, name)


@login_required
def lost_points_workbook(request: HttpRequest, assessment_id: int) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    name = f"chi-so-cchc-{a.unit.code}-{a.year}-diem-bi-tru.xlsx"
    return _download(lost_points_xlsx(a), XLSX, name)
