"""Abuse limits on the public feedback doors, per IP and (for ratings) per phone.

A refusal raises `Ratelimited`; the site answers it with a Vietnamese 429 (page or JSON).
Groups are shared by the page and the API, so both doors draw on one budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpRequest
from django_ratelimit.core import _get_ip
from django_ratelimit.decorators import ratelimit

from cchc.lib import personal

SUBMIT_RATE = "5/h"
STATUS_RATE = "60/h"
RATING_IP_RATE = "10/h"
RATING_PHONE_RATE = "5/h"

F = TypeVar("F", bound=Callable[..., Any])


def phone_key(group: str, request: HttpRequest) -> str:
    """The normalised phone the request claims (form or JSON body); the IP when there is none,
    so phoneless requests never share one bucket."""
    raw = request.POST.get("phone", "") if request.method == "POST" else ""
    if not raw and request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            raw = str(body.get("phone", "")) if isinstance(body, dict) else ""
        except (ValueError, UnicodeDecodeError):
            raw = ""
    key = personal.phone_key(raw)
    return f"phone:{key}" if key else f"ip:{_get_ip(request)}"


def throttle(
    group: str, *, key: str | Callable[..., str], rate: str, method: Any
) -> Callable[[F], F]:
    """`ratelimit(block=True)` in one group shared by the page and the API: the site's handlers
    (RatelimitMiddleware for pages, the API's Ratelimited handler) answer the 429."""
    return cast(
        Callable[[F], F], ratelimit(group=group, key=key, rate=rate, method=method, block=True)
    )
