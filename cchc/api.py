"""The API door: one NinjaAPI; each domain app contributes routers from its api.py.

Errors always answer JSON `{"detail": "<reason>"}` with 400/403/404/409/422 — never a 500 page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from cchc.lib.errors import DomainError

api = NinjaAPI(
    title="CCHC API",
    version="1",
    description="API của nền tảng CCHC: đơn vị hành chính, bộ thủ tục hành chính, lịch làm việc, hồ sơ.",
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy"}, status=404)


@api.exception_handler(Ratelimited)
def too_many(request: HttpRequest, exc: Ratelimited) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."}, status=429
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Không có quyền thực hiện"}, status=403
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(NinjaValidationError)
def bad_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Dữ liệu gửi lên không hợp lệ", "errors": exc.errors}, status=400
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Cần đăng nhập hoặc mã truy cập API hợp lệ"}, status=401
    )


@api.exception_handler(DomainError)
def action_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def _mount_routers() -> None:
    from cchc.accounts.api import router as accounts_router
    from cchc.catalogue.api import router as catalogue_router
    from cchc.catalogue.api import units_router as unit_catalogue_router
    from cchc.dossiers.api import router as dossiers_router
    from cchc.feedback.api import router as feedback_router
    from cchc.portal.api import router as public_router
    from cchc.reports.api import router as reports_router
    from cchc.reports.api_index import router as reports_index_router
    from cchc.tickets.api import router as tickets_router
    from cchc.units.api import router as units_router
    from cchc.worktime.api import router as calendar_router

    # Routes are matched in this order: the public status lookup, the most requested of all (QR
    # codes on every receipt), comes first.
    api.add_router("/public", public_router)
    api.add_router("", accounts_router)
    api.add_router("/units", units_router)
    api.add_router("/units", unit_catalogue_router)
    api.add_router("/procedures", catalogue_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/feedback", feedback_router)
    api.add_router("/queue", tickets_router)
    api.add_router("/reports", reports_router)
    api.add_router("/reports", reports_index_router)


_mount_routers()
