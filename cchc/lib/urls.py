"""Addresses on the public site, for what is read away from it: an SMS, an e-mail, a printed
receipt's QR code, a queue ticket. One rule for all of them: the path from `reverse()` (so it
follows the URL configuration), behind `settings.PUBLIC_BASE_URL`, whose one default is in
settings.py. Never the request's own host: staff may work from an internal address the public
cannot reach.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.urls import reverse


def public_base_url() -> str:
    """`PUBLIC_BASE_URL` without its trailing slash; blank leaves the addresses relative."""
    return str(settings.PUBLIC_BASE_URL or "").rstrip("/")


def public_url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """The absolute public address of a view, e.g.
    `public_url("portal:track_dossier", code)` → "https://dichvucong.example/tra-cuu/<code>/"."""
    return public_base_url() + reverse(viewname, args=args or None, kwargs=kwargs or None)


def tracking_path(code: str) -> str:
    """Where a citizen follows a dossier without logging in: "/tra-cuu/<code>/".

    The lookup page's path plus the code, every reserved character escaped, rather than
    `reverse("portal:track_dossier", …)`: a code imported from a paper register may hold a "/"
    ("12/TP-HT"), which the route cannot carry, and printing its receipt must not fail for that.
    For the codes the system issues the two are the same address (a test holds them equal)."""
    return f"{reverse('portal:track')}{quote(code, safe='')}/"


def tracking_url(code: str) -> str:
    """The same, absolute: the address SMS, e-mail and the printed receipt's QR code carry."""
    return public_base_url() + tracking_path(code)


def code_in_tracking_url(text: str) -> str | None:
    """The dossier code in a tracking address (`tracking_url`'s inverse), e.g. what a barcode
    reader types from a receipt's QR code; None if `text` holds no such address."""
    prefix = reverse("portal:track")
    start = text.find(prefix)
    if start < 0:
        return None
    code = re.split(r"[/?#\s]", text[start + len(prefix) :], maxsplit=1)[0]
    return unquote(code) or None
