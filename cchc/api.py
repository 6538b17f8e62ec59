"""The API door: one NinjaAPI; each domain app contributes routers from its api.py.

Errors always answer JSON `{"detail": "<reason>"}` with 400/403/404/409/422 — never a 500 page.
Each endpoint lists the ones it can give in the OpenAPI file (`cchc.lib.apierrors.refusals`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from cchc.lib.apierrors import MEANING
from cchc.lib.errors import DomainError


def _no_such_endpoint(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"detail": _("Không có địa chỉ API này.")}, status=404)


class CchcAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        # After every route, an address under /api/v1/ that names no endpoint (a year the `int`
        # converter refuses, a code with a slash or a line break in it) answers JSON like the
        # rest of the API, not the site's HTML page.
        return [*super()._get_urls(), re_path(r"^[\s\S]*$", _no_such_endpoint)]

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        # ninja describes an error answer by its HTTP phrase ("Unprocessable Content"); say what
        # it means here instead, the same sentence for one code everywhere.
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                # What the door itself answers, whether or not the endpoint lists it: 400 for
                # input the schema refuses, 401/403 where credentials are needed.
                door = [400, 414, *((401, 403) if operation.get("security") else ())]
                if "requestBody" in operation:
                    door.append(413)  # cchc.lib.bodylimit, before the body is read
                listed = {int(code) for code in answers}
                for code in door:
                    if code not in listed:
                        answers[code] = {"content": error}
                for code, answer in answers.items():
                    if int(code) in MEANING:
                        answer["description"] = MEANING[int(code)]
                operation["responses"] = dict(sorted(answers.items(), key=lambda a: int(a[0])))
        schema.setdefault("components", {}).setdefault("schemas", {})
        return schema


api = CchcAPI(
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


# Where a parameter was read from, as ninja names it: not part of the field's name for people.
_LOCATIONS = {"body", "query", "path", "form", "header", "cookie", "file", "payload", "params"}


def _field_problem(error: dict[str, Any]) -> str:
    """One schema error as "field: what is wrong", in Vietnamese for the common cases."""
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in _LOCATIONS) or "body"
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        what = _("thiếu")
    elif kind == "string_too_long":
        what = _("dài quá %(n)s ký tự") % {"n": ctx.get("max_length")}
    elif kind == "string_too_short":
        what = _("phải có ít nhất %(n)s ký tự") % {"n": ctx.get("min_length")}
    elif kind == "string_pattern_mismatch":
        what = _("có ký tự không hợp lệ (NUL)")
    elif kind == "greater_than_equal":
        what = _("phải từ %(n)s trở lên") % {"n": ctx.get("ge")}
    elif kind == "less_than_equal":
        what = _("không được quá %(n)s") % {"n": ctx.get("le")}
    elif kind == "too_long":
        what = _("có quá %(n)s mục") % {"n": ctx.get("max_length")}
    elif kind.startswith("int_") or kind == "int_from_float":
        what = _("phải là số nguyên")
    elif kind == "literal_error":
        what = _("phải là một trong: %(values)s") % {"values": ctx.get("expected", "")}
    else:
        what = _("không hợp lệ")
    return f"{where}: {what}"


@api.exception_handler(NinjaValidationError)
def bad_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    # Each problem named (at most a few: a fuzzed body can break hundreds of rules at once);
    # `errors` keeps pydantic's full list for programs.
    problems = list(dict.fromkeys(_field_problem(e) for e in exc.errors))
    shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
    detail = _("Dữ liệu gửi lên không hợp lệ: %(problems)s.") % {"problems": shown}
    errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(BadRequest)
def unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A body that is not what its Content-Type says (a broken multipart upload): Django would
    # answer its HTML 400 page; a program is told in JSON, like every other refusal.
    return api.create_response(
        request,
        {"detail": _("Không đọc được nội dung gửi lên: dữ liệu không đúng định dạng đã khai báo.")},
        status=400,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Cần đăng nhập hoặc mã truy cập API hợp lệ"}, status=401
    )


@api.exception_handler(DomainError)
def action_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail}, status=exc.status_code)


def _mount_routers() -> None:
    from cchc.accounts.api import router as accounts_router
    from cchc.catalogue.api import router as catalogue_router
    from cchc.catalogue.api import units_router as unit_catalogue_router
    from cchc.dossiers.api import router as dossiers_router
    from cchc.feedback.api import router as feedback_router
    from cchc.parindex.api import router as parindex_router
    from cchc.portal.api import router as public_router
    from cchc.records.api import router as records_router
    from cchc.reports.api import router as reports_router
    from cchc.reports.api_index import router as reports_index_router
    from cchc.surveys.api import router as surveys_router
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
    api.add_router("/records", records_router)
    api.add_router("/reports", reports_router)
    api.add_router("/reports", reports_index_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/par", parindex_router)


_mount_routers()
