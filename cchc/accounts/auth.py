"""API authentication: bearer tokens for integrations, the session for the staff's own pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from cchc.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.objects.authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token.user


class VerifiedSessionAuth(SessionAuth):
    """The staff session, as on the pages, but only once it passed the second factor where one
    is required: RequireTwoFactorMiddleware leaves such a session anonymous on the API and says
    why, so the answer is a 403 with the reason rather than a bare 401."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        if getattr(request, "two_factor_pending", False):
            raise PermissionDenied(
                _(
                    "Phiên đăng nhập này chưa qua xác thực hai bước, bắt buộc với tài khoản: "
                    "nhập mã tại %(url)s rồi thử lại, hoặc dùng mã truy cập API."
                )
                % {"url": reverse("accounts:two_factor")}
            )
        return None


# Endpoints that need a staff member accept either.
staff_auth = [TokenAuth(), VerifiedSessionAuth()]
