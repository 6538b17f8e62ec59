"""A request body over the limit is answered 413 from its Content-Length, before anything reads it.

Without this, a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE ended in a 400 (and the unread body
in a connection reset), and a multipart upload was streamed whole to temporary files, 100 MB of
it, before the view found the file too large. Two limits, because files in a multipart body do
not count towards Django's own:
- multipart (uploads): UPLOAD_REQUEST_MAX_BYTES, by default what one dossier may hold in all;
- anything else (JSON, forms): DATA_UPLOAD_MAX_MEMORY_SIZE (env UPLOAD_MAX_BYTES).
A body sent without Content-Length (chunked) is not read by Django's WSGI handler at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from cchc.lib.numbers import localised

log = logging.getLogger(__name__)

MIB = 1024 * 1024


def body_limit(request: HttpRequest) -> int | None:
    content_type = str(request.META.get("CONTENT_TYPE") or "").lower()
    if content_type.startswith("multipart/"):
        return int(settings.UPLOAD_REQUEST_MAX_BYTES)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else int(limit)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            # Django reads a malformed length as 0, that is, no body at all.
            length = 0
        limit = body_limit(request) if length else None
        if limit is not None and length > limit:
            log.warning("Body of %d bytes refused (limit %d) on %s", length, limit, request.path)
            return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    # The locale middleware has not run yet: the visitor's chosen language, Vietnamese otherwise.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        message = _(
            "Dữ liệu gửi lên quá lớn: tối đa %(size)s MB mỗi lần gửi. Hãy gửi tệp nhỏ hơn "
            "hoặc gửi từng tệp một."
        ) % {"size": localised(limit / MIB, 1 if limit % MIB else 0)}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        page = (
            f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
            f"<title>413</title><h1>{escape(message)}</h1>"
            f'<p><a href="/">{escape(_("Trang chủ"))}</a></p>'
        )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
