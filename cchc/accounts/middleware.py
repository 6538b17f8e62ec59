from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class RequireAdminTwoFactorMiddleware:
    """In production an administrator's session without a verified second factor reaches only
    the two-factor pages and logout: everything else sends them to set up or verify TOTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_ADMIN_2FA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user.is_administrator
            and not request.path.startswith(("/tai-khoan/", "/static/", "/i18n/", "/api/"))
        ):
            return redirect(reverse("accounts:two_factor"))
        return self.get_response(request)
