from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static

from cchc.lib.forms import DATE_PATTERN, DATETIME_PATTERN, ID_NUMBER_PATTERN


def site(request: HttpRequest) -> dict[str, Any]:
    return {"DEMO": settings.DEMO}


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
