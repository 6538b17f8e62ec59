"""Printable forms over HTTP: thin views around `cchc.dossiers.printing`.

Every lookup goes through the user's unit scope, so another unit's dossier or ledger answers
404 exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.dossiers import ledger, signing
from cchc.dossiers.actions.documents import attach_document
from cchc.dossiers.actions.errors import DossierError
from cchc.dossiers.lookup import get_dossier_for
from cchc.dossiers.models import DocumentKind, Dossier
from cchc.dossiers.printing import FORMS, FormNotApplicable, ledger_pdf
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit

# One print here covers at most a quarter: a large one-stop's quarter is a few thousand lines,
# laid out in seconds, while a year can take longer than a web request may (about 3 ms of CPU a
# line). A whole year's book is made by the job worker from the periodic reports page (reports'
# export, format "ledger").
MAX_LEDGER_DAYS = 92


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # Codes are made of digits, letters, dots and dashes; anything else is dropped so the
    # header can never be broken by a crafted value.
    safe = re.sub(r"[^0-9A-Za-z._-]", "", filename)
    response["Content-Disposition"] = f'inline; filename="{safe}"'
    # The forms carry personal data: never kept by shared caches or the browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Mẫu 01–05 of one dossier the user may see; 404 when the form does not apply to it."""
    render = FORMS.get(form)
    if render is None:
        raise Http404("Không có mẫu này")
    dossier = get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related(
            "procedure",
            "procedure_version",
            "receiving_unit__admin_owner",
            "processing_unit__admin_owner",
            "received_by",
        ),
        code=code,
    )
    try:
        content = render(dossier)
    except FormNotApplicable as exc:
        raise Http404(str(exc)) from exc
    if request.GET.get("signed") == "1":
        # Signing is a step after rendering: the same bytes, with the unit's PAdES signature.
        try:
            content = signing.sign_form(content, dossier, form, by=request.user)
        except signing.SigningUnavailable as exc:
            messages.error(request, exc.message)
            return redirect("dossiers:detail", code=dossier.code)
        return _pdf(content, f"{dossier.code}-mau-{form}-ky-so.pdf")
    return _pdf(content, f"{dossier.code}-mau-{form}.pdf")


@login_required
@require_POST
def sign_document(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    """Sign a result PDF with the processing unit's certificate: the signed copy is added to the
    dossier as a new result document (the unsigned one stays, as history)."""
    dossier = get_dossier_for(request.user, code)
    document = get_object_or_404(
        dossier.documents.exclude(file=""), pk=document_id, kind=DocumentKind.RESULT
    )
    if document.content_type != "application/pdf":
        messages.error(request, _("Chỉ ký số được kết quả dạng PDF."))
        return redirect("dossiers:detail", code=code)
    unit = dossier.processing_unit
    try:
        if not signing.may_sign(request.user, unit, signing.RESULT_SIGNERS):
            raise signing.SigningUnavailable(
                _("Chỉ lãnh đạo hoặc quản trị của %(unit)s mới ký số kết quả.")
                % {"unit": unit.name}
            )
        with document.file.open("rb") as f:
            content = f.read()
        signed = signing.sign_pdf(content, unit, reason=f"Kết quả giải quyết hồ sơ {dossier.code}")
        attach_document(
            dossier,
            by=request.user,
            file=SimpleUploadedFile("ket-qua-ky-so.pdf", signed, "application/pdf"),
            # Stored and shown to everyone alike: in Vietnamese, like the signature's reason.
            name=f"{document.name[:480]} (đã ký số)",
            kind=DocumentKind.RESULT,
        )
    except signing.SigningUnavailable as exc:
        messages.error(request, exc.message)
    except DossierError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ký số kết quả và thêm bản đã ký vào hồ sơ."))
    return redirect("dossiers:detail", code=code)


def _date_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    """The ISO date in the query string, or `default` when absent; ValueError when malformed."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    # fromisoformat alone would also accept "20250801" and week dates; the link format is one.
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValueError(raw)
    return dt.date.fromisoformat(raw)


def _ledger_rows(
    request: HttpRequest, unit: Unit, start: dt.date, end: dt.date
) -> QuerySet[Dossier]:
    # Every dossier given a code in the period at this unit or at an agency inside it (its
    # one-stop centre), but not at the units below it (a province's ledger is not every
    # commune's): turned away and refused ones too, so that no code is missing (see `ledger`).
    return ledger.entries(unit, start, end, Dossier.objects.visible_to(request.user))


@login_required
@require_GET
def ledger_pdf_view(request: HttpRequest, unit_code: str) -> HttpResponse:
    """Mẫu 06 for a unit over `?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: this month so far)."""
    unit = get_unit_for(request.user, unit_code)
    today = timezone.localdate()
    try:
        start = _date_param(request, "from", today.replace(day=1))
        end = _date_param(request, "to", today)
    except ValueError:
        return HttpResponseBadRequest("Ngày không hợp lệ: dùng dạng YYYY-MM-DD.")
    if end < start:
        return HttpResponseBadRequest("Ngày bắt đầu phải trước ngày kết thúc.")
    if (end - start).days >= MAX_LEDGER_DAYS:
        return HttpResponseBadRequest(
            "Mỗi lần in sổ tối đa 92 ngày (một quý). Sổ cả năm: trang Báo cáo định kỳ, "
            "mục Sổ theo dõi hồ sơ (tạo trong nền, tải về khi xong)."
        )
    dossiers = _ledger_rows(request, unit, start, end)
    content = ledger_pdf(unit, start, end, dossiers)
    return _pdf(content, f"so-theo-doi-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
