from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from cchc.accounts.twofactor import needs_verification

# Paths an unverified session may still reach: logging in, the second factor itself, logging
# out, the language switch and static files.
TWO_FACTOR_EXEMPT = ("/tai-khoan/", "/static/", "/i18n/")


class RequireTwoFactorMiddleware:
    """A session that must pass the second factor and has not (cchc.accounts.twofactor) reaches
    only the two-factor pages: a page sends it there, and on the API the session does not
    authenticate at all (cchc.accounts.auth answers 403 with the reason). Bearer tokens are
    not sessions and are not concerned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.REQUIRE_2FA:
            user = getattr(request, "user", None)
            if user is not None and needs_verification(user):
                if request.path.startswith("/api/"):
                    # The API accepts session cookies: a password-only session must not act
                    # through it while the workspace sends the same session to the second factor.
                    request.user = AnonymousUser()
                    request.two_factor_pending = True  # type: ignore[attr-defined]
                elif not request.path.startswith(TWO_FACTOR_EXEMPT):
                    target = reverse("accounts:two_factor")
                    if request.method == "GET":
                        target += "?" + urlencode({"next": request.get_full_path()})
                    return redirect(target)
        return self.get_response(request)


# -- staff idle timeout ------------------------------------------------------------------------

SEEN_KEY = "_cchc_seen"


def idle_timeout_seconds() -> int:
    return int(settings.STAFF_IDLE_TIMEOUT_MINUTES) * 60


def passive(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that pages call by themselves (a poll): it does not count as activity, so a
    counter screen left open still times out."""
    view.cchc_passive = True  # type: ignore[attr-defined]
    return view


class StaffIdleTimeoutMiddleware:
    """A staff session ends after STAFF_IDLE_TIMEOUT_MINUTES without activity.

    The session itself carries the limit (set_expiry on the login's own response): the session
    store refuses it once expired, so nothing is read per request to enforce it. Each request that already
    read a staff session moves the expiry forward, at most once a minute to spare writes.
    Citizens' sessions (the portal) keep SESSION_COOKIE_AGE.
    """

    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request has read already: never a query of our own.
        if session is None or not session.accessed or getattr(request, "_cchc_passive", False):
            return response
        if SESSION_KEY not in session:
            return response
        now = int(time.time())
        timeout = idle_timeout_seconds()
        if session.get("_session_expiry") != timeout:
            # Just logged in, or a session from before the limit (or another setting).
            session.set_expiry(timeout)
            session[SEEN_KEY] = now
        elif now - int(session.get(SEEN_KEY, 0)) >= self.REFRESH_SECONDS:
            session[SEEN_KEY] = now
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        if getattr(view_func, "cchc_passive", False):
            request._cchc_passive = True  # type: ignore[attr-defined]
        return None
