"""Health, metrics, and the answer to a database outage."""

from __future__ import annotations

import ipaddress
import logging
import sys
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from cchc.ops import status
from cchc.ops.logs import request_id

logger = logging.getLogger(__name__)


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:  # the shared cache, when Redis holds it
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()


def retry_after() -> int:
    return max(1, int(getattr(settings, "OUTAGE_RETRY_AFTER_SECONDS", 5)))


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON on the API, a short page elsewhere. Renders nothing that
    needs the database (no context processors, no session)."""
    seconds = retry_after()
    rid = request_id.get()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": _(
                    "Hệ thống tạm gián đoạn (cơ sở dữ liệu không trả lời). "
                    "Vui lòng thử lại sau ít giây."
                ),
                "retry_after": seconds,
                "request_id": rid,
            },
            status=503,
        )
    else:
        page = loader.get_template("ops/unavailable.html").render(
            {"retry_after": seconds, "request_id": rid, "LANG": translation.get_language()}
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, from whichever middleware or
    view raised it: a database (or shared cache) that does not answer is an outage, answered
    503 with Retry-After; anything else is the plain 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGE_ERRORS):
        return unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Lỗi hệ thống."), "request_id": request_id.get()}, status=500
        )
    return defaults.server_error(request)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Ready when the database answers, due jobs do not wait longer than
    HEALTH_QUEUE_MAX_AGE_SECONDS and a job worker said it was alive within
    HEALTH_WORKER_MAX_SILENCE_SECONDS; 503 otherwise. Counts only, nothing personal."""
    checks: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {
            "ok": True,
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
    except DatabaseError as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    if checks["database"]["ok"]:
        try:
            queue = status.queue()
            messages = status.messages()
        except DatabaseError as exc:
            checks["queue"] = {"ok": False, "error": type(exc).__name__}
        else:
            limit = int(getattr(settings, "HEALTH_QUEUE_MAX_AGE_SECONDS", 300))
            checks["queue"] = {
                "ok": queue.oldest_ready_age <= limit,
                "ready": queue.ready,
                "oldest_ready_age_s": round(queue.oldest_ready_age),
                "running": queue.running,
                "messages_waiting": int(messages["queued"] + messages["sending"]),
                "messages_needing_attention": int(messages["dead"] + messages["unknown"]),
            }
    silence = int(getattr(settings, "HEALTH_WORKER_MAX_SILENCE_SECONDS", 60))
    try:
        age = status.heartbeat_age()
    except Exception as exc:  # the shared cache may be the database itself
        checks["worker"] = {"ok": False, "error": type(exc).__name__}
    else:
        checks["worker"] = {
            "ok": age is not None and age <= silence,
            "last_seen_s": None if age is None else round(age),
        }
    ok = all(check["ok"] for check in checks.values()) and "queue" in checks
    response = JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks})
    if not ok:
        response.status_code = 503
        response["Retry-After"] = str(retry_after())
    return response


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in getattr(settings, "METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"]):
        networks.append(ipaddress.ip_network(item, strict=False))
    return networks


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token (METRICS_TOKEN), or a direct connection from METRICS_ALLOWED_IPS. A
    request that came through the proxy (it carries X-Forwarded-For) never qualifies by
    address: behind nginx every request comes from 127.0.0.1."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token and constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    if "X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    from prometheus_client import CONTENT_TYPE_LATEST

    from cchc.ops.metrics import exposition

    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
