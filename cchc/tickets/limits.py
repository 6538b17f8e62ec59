"""Rate limits of the public queue pages and endpoints.

The kiosk is one touch screen behind one address issuing a whole day's tickets, so its limit is
generous (a rush hour sees a few tickets a minute) and only stops a script hammering it.
Rates may be tuned per deployment with a `QUEUE_RATES` dict in settings (same keys).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

RATES = {
    "kiosk": "30/m",  # tickets issued per IP (page and API)
    "booking_ip": "10/h",  # appointments booked per IP
    "booking_phone": "3/d",  # appointments booked per phone number
    "lookup": "60/m",  # appointment and ticket pages opened per IP (against code guessing)
}


def rate(name: str) -> str:
    return str(getattr(settings, "QUEUE_RATES", {}).get(name, RATES[name]))


def over_ip(request: HttpRequest, name: str) -> bool:
    """Count one use by this address; True once past the rate."""
    return is_ratelimited(
        request, group=f"tickets:{name}", key="ip", rate=rate(name), increment=True
    )


def over_value(request: HttpRequest, name: str, value: str) -> bool:
    """Count one use of `value` (a phone number) whatever the address; True once past."""
    if not value:
        return False
    return is_ratelimited(
        request,
        group=f"tickets:{name}",
        key=lambda _group, _request: value,
        rate=rate(name),
        increment=True,
    )
