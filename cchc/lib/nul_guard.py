"""A NUL character in the address is refused before any view runs, on pages and API alike.

PostgreSQL refuses NUL in text, so `/tra-cuu/abc%00/` reached the lookup's query and answered
500. No legitimate address holds one: a path with it names nothing (404), a query string with it
is malformed (400). Request bodies are the schemas' and forms' business (cchc.lib.inputs; Django's
form fields refuse NUL by default).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return _refusal(request, 404, _("Không tìm thấy trang này."))
        # `%00` before decoding, NUL after (a client may send it raw): either way a value or
        # a name of the query string would carry it into a lookup.
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return _refusal(
                request, 400, _("Địa chỉ có ký tự không hợp lệ (NUL). Vui lòng kiểm tra lại.")
            )
        return self.get_response(request)


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    # A short page of its own: the site's templates may need the session or the database,
    # and nothing of the request is echoed back.
    page = (
        '<!doctype html><html lang="vi"><meta charset="utf-8">'
        f'<title>{status}</title><h1>{escape(message)}</h1><p><a href="/">{escape(_("Trang chủ"))}</a></p>'
    )
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
