"""Rate limits keyed on something other than the IP (a phone number, an address), for the
public endpoints where one person could otherwise be targeted from many addresses."""

from __future__ import annotations

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited


def limit_per_value(request: HttpRequest, group: str, value: str, rate: str) -> None:
    """Count one use of `value` (e.g. a phone) in `group`; raise Ratelimited (→ 429) past `rate`."""
    if value and is_ratelimited(
        request, group=group, key=lambda _g, _r: value, rate=rate, increment=True
    ):
        raise Ratelimited()
