"""One request id per request, and one access line per request in the application's own log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cchc.ops.logs import request_id

access_log = logging.getLogger("cchc.access")

# What an id sent by nginx ($request_id: 32 hex) or by a client may look like; anything else
# is replaced, so that a header cannot write into the logs.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Probes that would drown the access log.
_QUIET = ("/healthz", "/metrics")


class RequestIdMiddleware:
    """Outermost: names the request for every log line written while it is served, returns the
    name as `X-Request-ID`, and logs method, path (never the query string: it may carry a phone),
    route, status and duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            match = getattr(request, "resolver_match", None)
            access_log.log(
                logging.DEBUG if request.path.startswith(_QUIET) else logging.INFO,
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id.reset(token)
