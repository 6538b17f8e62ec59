"""The client's address as seen by the first trusted proxy.

Behind nginx every request arrives from 127.0.0.1, so anything counted per address (login
lockout, rate limits) would count every citizen and officer of the province as one. nginx
appends the address it saw to X-Forwarded-For (`$proxy_add_x_forwarded_for`); with
TRUSTED_PROXY_COUNT proxies in front, the entry that many places from the right is the one the
outermost trusted proxy wrote. Entries further left are whatever the client sent, so they are
never read: a forged header changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        # Not through the expected chain of proxies (a direct call on the loopback, a health
        # check): the socket's address is the only one known.
        return remote
    return forwarded[-count]
