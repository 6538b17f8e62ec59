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
# A request moves the session's expiry forward at most this often, to spare a write per request;
# the session lives this much longer than the idle timeout, so that idleness of the full timeout
# (and at most this much more) is always allowed.
REFRESH_SECONDS = 60


def idle_timeout_seconds() -> int:
    return int(settings.STAFF_IDLE_TIMEOUT_MINUTES) * 60


def session_lifetime() -> int:
    return idle_timeout_seconds() + REFRESH_SECONDS


def passive(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that pages call by themselves (a poll): it does not count as activity, so a
    counter screen left open still times out."""
    view.cchc_passive = True  # type: ignore[attr-defined]
    return view


def start_idle_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On login (user_logged_in), in the session the login saves anyway: no write of its own."""
    session = getattr(request, "session", None)
    if session is not None:
        session.set_expiry(session_lifetime())
        session[SEEN_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    """A staff session ends after STAFF_IDLE_TIMEOUT_MINUTES without activity.

    The session itself carries the limit (set at login, start_idle_clock): the session store
    refuses it once expired, so nothing is read per request to enforce it. A request that read a
    staff session anyway moves the expiry forward, at most once every REFRESH_SECONDS.
    Citizens' sessions (the portal) keep SESSION_COOKIE_AGE.
    """

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
        if session.get("_session_expiry") != session_lifetime():
            # A session from before the limit (or from another setting): shorten it now.
            session.set_expiry(session_lifetime())
            session[SEEN_KEY] = now
        elif now - int(session.get(SEEN_KEY, 0)) >= REFRESH_SECONDS:
            session[SEEN_KEY] = now
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        if getattr(view_func, "cchc_passive", False):
            request._cchc_passive = True  # type: ignore[attr-defined]
        return None
