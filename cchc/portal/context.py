from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

# The session keys the citizen sign-in writes (portal.views and portal.identity): kept here so
# that the header can show the citizen without a database query on every page.
CITIZEN_SESSION_KEY = "citizen_id"
CITIZEN_LABEL_KEY = "citizen_label"
# The signed-in citizen's phone and address: the PAKN pages (feedback.views) recognise the
# sender by them without importing the portal.
CITIZEN_CONTACTS_KEY = "citizen_contacts"


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
