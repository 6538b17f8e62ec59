"""Abuse limits on the public feedback doors, per IP and (for ratings) per phone.

django-ratelimit's decorator with `block=True` raises `Ratelimited`, a PermissionDenied; without
its middleware Django would answer 403, and Ninja's handler would too. So the refusal is turned
here into the site's RATELIMIT_VIEW (a Vietnamese 429 page, or JSON under /api/).
Groups are shared by the page and the API, so both doors draw on one budget.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django_ratelimit.core import _get_ip
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

SUBMIT_RATE = "5/h"
STATUS_RATE = "60/h"
RATING_IP_RATE = "10/h"
RATING_PHONE_RATE = "5/h"

F = TypeVar("F", bound=Callable[..., Any])


def phone_key(group: str, request: HttpRequest) -> str:
    """The normalised phone the request claims (form or JSON body); the IP when there is none,
    so phoneless requests never share one bucket."""
    from cchc.feedback.actions import _phone_key

    raw = request.POST.get("phone", "") if request.method == "POST" else ""
    if not raw and request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            raw = str(body.get("phone", "")) if isinstance(body, dict) else ""
        except (ValueError, UnicodeDecodeError):
            raw = ""
    digits = _phone_key(raw)
    return f"phone:{digits}" if digits else f"ip:{_get_ip(request)}"


def throttle(
    group: str, *, key: str | Callable[..., str], rate: str, method: Any
) -> Callable[[F], F]:
    """`ratelimit(block=True)` whose refusal is the site's 429 answer."""

    def decorator(view: F) -> F:
        limited = ratelimit(group=group, key=key, rate=rate, method=method, block=True)(view)

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                return limited(request, *args, **kwargs)
            except Ratelimited as exc:
                answer: Callable[[HttpRequest, Exception], HttpResponse] = import_string(
                    settings.RATELIMIT_VIEW
                )
                return answer(request, exc)

        return cast(F, wrapper)

    return decorator
