from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static

from cchc.lib.forms import DATE_PATTERN, DATETIME_PATTERN, ID_NUMBER_PATTERN

# The session keys the citizen sign-in writes (portal.views and portal.identity): kept here so
# that the header can show the citizen without a database query on every page.
CITIZEN_SESSION_KEY = "citizen_id"
CITIZEN_LABEL_KEY = "citizen_label"


def site(request: HttpRequest) -> dict[str, Any]:
    return {"DEMO": settings.DEMO, "citizen_account": citizen_account(request)}


def citizen_account(request: HttpRequest) -> dict[str, str] | None:
    """{"label": …} for the header when a citizen is signed in in this browser, else None.

    Read from the session only: a visitor without a session cookie costs nothing, and a
    signed-in citizen no query beyond the session the page loads anyway."""
    session = getattr(request, "session", None)
    if session is None or not session.get(CITIZEN_SESSION_KEY):
        return None
    return {"label": session.get(CITIZEN_LABEL_KEY) or ""}


def brand(request: HttpRequest) -> dict[str, Any]:
    """Who runs the service, for the header and footer of every page (settings BRAND_*, FOOTER_*)."""
    emblem = settings.BRAND_EMBLEM
    if not emblem.startswith(("https://", "http://", "/")):
        emblem = static(emblem)
    return {
        "BRAND": {
            "authority": settings.BRAND_AUTHORITY,
            "site_name": settings.BRAND_SITE_NAME,
            "short_name": settings.BRAND_SHORT_NAME,
            "emblem": emblem,
            "agency": settings.FOOTER_AGENCY,
            "address": settings.FOOTER_ADDRESS,
            "hotline": settings.FOOTER_HOTLINE,
            "hotline_tel": "".join(c for c in settings.FOOTER_HOTLINE if c.isdigit() or c == "+"),
            "email": settings.FOOTER_EMAIL,
        },
        # For hand-written date inputs, the same patterns the shared widgets carry.
        "DATE_PATTERN": DATE_PATTERN,
        "DATETIME_PATTERN": DATETIME_PATTERN,
        "ID_NUMBER_PATTERN": ID_NUMBER_PATTERN,
    }
