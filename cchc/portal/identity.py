"""Citizen sign-in through the national identity (VNeID / the national public service portal's
single sign-on), as an OpenID Connect relying party built on Authlib.

Settings-driven (CITIZEN_OIDC_*, docs/citizen.md) and off unless an issuer is configured. The
provider is found by OIDC discovery; the ID token's signature (the provider's JWKS), issuer,
audience, expiry and nonce are checked by Authlib. The identity then opens the same citizen
session as the one-time code (`portal.views.sign_in`): the citizen account is found by the
identity number, else by the phone, else created.

Every failure is an `IdentityError` with a message for the citizen that points to the one-time
code, which keeps working whatever the provider does.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from cchc.lib.errors import DomainError
from cchc.lib.personal import (
    PERSON,
    InvalidIdNumber,
    InvalidPhone,
    check_id_number,
    normalise_phone,
)
from cchc.portal.models import Citizen

CLIENT_NAME = "national_identity"
logger = logging.getLogger(__name__)


class IdentityError(DomainError):
    """The sign-in did not complete; `message` is for the citizen, `status_code` for the page."""

    status_code = 400

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message, status_code=status_code)


def enabled() -> bool:
    return bool(settings.CITIZEN_OIDC_ISSUER and settings.CITIZEN_OIDC_CLIENT_ID)


def label() -> str:
    return str(settings.CITIZEN_OIDC_LABEL or "VNeID")


def discovery_url() -> str:
    return f"{settings.CITIZEN_OIDC_ISSUER}/.well-known/openid-configuration"


def _client() -> Any:
    # Built per request from the settings (cheap): a changed setting needs no restart, and tests
    # can point it at their own provider.
    oauth = OAuth()
    return oauth.register(
        CLIENT_NAME,
        client_id=settings.CITIZEN_OIDC_CLIENT_ID,
        client_secret=settings.CITIZEN_OIDC_CLIENT_SECRET,
        server_metadata_url=discovery_url(),
        client_kwargs={
            "scope": settings.CITIZEN_OIDC_SCOPES,
            "default_timeout": settings.CITIZEN_OIDC_TIMEOUT_SECONDS,
        },
    )


def _unavailable() -> IdentityError:
    return IdentityError(
        _(
            "Hiện không kết nối được với hệ thống định danh %(name)s. Ông/bà hãy thử lại sau, "
            "hoặc đăng nhập bằng mã xác thực gửi qua tin nhắn hoặc thư điện tử ngay bên dưới."
        )
        % {"name": label()},
        status_code=503,
    )


def _refused() -> IdentityError:
    return IdentityError(
        _(
            "Đăng nhập qua %(name)s không thành công hoặc đã bị hủy. Ông/bà hãy thử lại, hoặc "
            "đăng nhập bằng mã xác thực."
        )
        % {"name": label()}
    )


def _checked_client() -> Any:
    """The client once discovery has answered, for the issuer configured: OIDC Discovery 1.0
    §4.3, a document naming another issuer is not this provider's."""
    client = _client()
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != settings.CITIZEN_OIDC_ISSUER:
        logger.error("OIDC discovery names another issuer than CITIZEN_OIDC_ISSUER")
        raise _unavailable()
    return client


def start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider's authorisation page (state and nonce kept in the session)."""
    try:
        return _checked_client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        # Discovery failed: the provider is down, slow, or answers something that is not OIDC.
        logger.warning("OIDC provider unreachable at sign-in: %s", type(exc).__name__)
        raise _unavailable() from exc


def finish(request: HttpRequest) -> Citizen:
    """The citizen the provider vouches for, once the code is exchanged and the ID token checked."""
    try:
        token = _checked_client().authorize_access_token(request)
    except requests.RequestException as exc:
        logger.warning("OIDC provider unreachable at return: %s", type(exc).__name__)
        raise _unavailable() from exc
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        # Refused by the citizen, a state that is not this browser's, a token that fails its
        # checks: the same answer, with nothing to learn from it.
        raise _refused() from exc
    claims = token.get("userinfo")
    if not claims:
        raise _refused()
    return citizen_for(dict(claims))


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return str(value).strip() if value is not None else ""


def citizen_for(claims: dict[str, Any]) -> Citizen:
    """Map the verified claims to the citizen account: by identity number, else by phone (the
    account a one-time code created), else a new one. The phone is what finds dossiers."""
    try:
        # The provider vouches for a person: their 12-digit personal identification number.
        id_number = check_id_number(PERSON, _claim(claims, settings.CITIZEN_OIDC_ID_NUMBER_CLAIM))
    except InvalidIdNumber:
        id_number = ""
    if not id_number:
        raise IdentityError(
            _(
                "Hệ thống định danh không cho biết số định danh cá nhân (12 chữ số) của ông/bà. "
                "Hãy đăng nhập bằng mã xác thực."
            )
        )
    try:
        phone = normalise_phone(_claim(claims, settings.CITIZEN_OIDC_PHONE_CLAIM))
    except InvalidPhone:
        phone = ""
    name = _claim(claims, settings.CITIZEN_OIDC_NAME_CLAIM)[:200]
    try:
        with transaction.atomic():
            return _map(id_number, phone, name)
    except IntegrityError:
        # Two first sign-ins of one person at once: the other one created the account.
        with transaction.atomic():
            return _map(id_number, phone, name)


def _map(id_number: str, phone: str, name: str) -> Citizen:
    citizen = Citizen.objects.select_for_update().filter(id_number=id_number).first()
    if citizen is None and phone:
        citizen = (
            Citizen.objects.select_for_update().filter(phone=phone, id_number__isnull=True).first()
        )
    if citizen is None:
        if not phone:
            raise IdentityError(
                _(
                    "Hệ thống định danh không cho biết số điện thoại của ông/bà, nên không tìm "
                    "được hồ sơ. Hãy đăng nhập bằng mã xác thực gửi qua tin nhắn."
                )
            )
        citizen = Citizen(phone=phone)
    citizen.id_number = id_number
    if phone and citizen.phone != phone and not Citizen.objects.filter(phone=phone).exists():
        # The national identity's phone is the current one; an account of another person never
        # loses its own.
        citizen.phone = phone
    if name and not citizen.name:
        citizen.name = name
    citizen.last_login_at = timezone.now()
    citizen.save()
    return citizen
