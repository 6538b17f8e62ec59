"""Sign-in through the national identity (OpenID Connect), against a provider the test starts
on 127.0.0.1 (discovery, authorize, token, JWKS): the identity opens the citizen session the
one-time code opens; a refusal, a forged token or a provider that is down gives a clear
message, and the one-time code still works."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from cchc.dossiers.actions import Applicant, receive_dossier
from cchc.notify.models import Message
from cchc.portal.models import Citizen
from cchc.portal.tests.oidc_provider import Provider
from cchc.testing import World, receipt_for

pytestmark = pytest.mark.django_db

CCCD = "038090005678"


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    settings.RATELIMIT_ENABLE = False
    with Provider(
        claims={"citizen_id": CCCD, "phone_number": "+84912345678", "name": "Lê Thị Chín"}
    ) as p:
        settings.CITIZEN_OIDC_ISSUER = p.issuer
        settings.CITIZEN_OIDC_CLIENT_ID = p.client_id
        settings.CITIZEN_OIDC_CLIENT_SECRET = p.client_secret
        yield p


def through_provider(client: Client) -> Any:
    """Press the button, let the provider authorise (as the citizen's browser would follow its
    redirects), come back: the response of the return address."""
    start = client.get("/cong-dan/dinh-danh/")
    assert start.status_code == 302, start.content
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert authorize.status_code == 302
    back = urlsplit(authorize.headers["Location"])
    assert back.path == "/cong-dan/dinh-danh/ve/"
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def test_the_button_appears_only_when_configured(world: World, settings: Any) -> None:
    settings.CITIZEN_OIDC_ISSUER = ""
    page = Client().get("/cong-dan/dang-nhap/").content.decode()
    assert "Đăng nhập bằng VNeID" not in page
    assert Client().get("/cong-dan/dinh-danh/").status_code == 404


def test_the_request_to_the_provider_is_oidc(world: World, provider: Provider) -> None:
    client = Client()
    assert "Đăng nhập bằng VNeID" in client.get("/cong-dan/dang-nhap/").content.decode()
    start = client.get("/cong-dan/dinh-danh/")
    url = urlsplit(start["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider.issuer}/authorize"
    assert query["response_type"] == "code" and query["client_id"] == provider.client_id
    assert query["scope"].split() == ["openid", "profile", "phone"]
    assert query["redirect_uri"] == "http://testserver/cong-dan/dinh-danh/ve/"
    assert query["state"] and query["nonce"]
    assert "GET /.well-known/openid-configuration" in provider.requests


def test_the_identity_opens_the_citizen_session_and_finds_the_dossiers(
    world: World, provider: Provider, reception: Any, copy_implemented: None
) -> None:
    dossier = receive_dossier(
        receipt_for(world, applicant=Applicant(name="Lê Thị Chín", phone="0912 345 678")),
        by=reception,
    )
    client = Client()
    back = through_provider(client)
    assert back.status_code == 302 and back["Location"] == "/cong-dan/"
    assert {"POST /token", "GET /jwks"} <= set(provider.requests)
    citizen = Citizen.objects.get()
    assert (citizen.id_number, citizen.phone, citizen.name) == (CCCD, "0912345678", "Lê Thị Chín")
    page = client.get("/cong-dan/").content.decode()
    assert dossier.code in page and "Lê Thị Chín" in page
    # A second sign-in finds the same account.
    client.post("/cong-dan/dang-xuat/")
    through_provider(client)
    assert Citizen.objects.count() == 1


def test_an_account_made_by_a_code_is_the_one_the_identity_opens(
    world: World, provider: Provider
) -> None:
    existing = Citizen.objects.create(phone="0912345678")
    through_provider(Client())
    existing.refresh_from_db()
    assert Citizen.objects.count() == 1 and existing.id_number == CCCD


def test_a_refusal_at_the_provider_says_what_to_do(world: World, provider: Provider) -> None:
    provider.deny = True
    back = through_provider(Client())
    assert back.status_code == 400
    page = back.content.decode()
    assert "không thành công hoặc đã bị hủy" in page and 'name="destination"' in page
    assert not Citizen.objects.exists()


def test_a_token_signed_by_another_key_is_refused(world: World, provider: Provider) -> None:
    provider.forge = True
    back = through_provider(Client())
    assert back.status_code == 400 and not Citizen.objects.exists()


def test_a_return_without_the_browsers_state_is_refused(world: World, provider: Provider) -> None:
    client = Client()
    client.get("/cong-dan/dinh-danh/")
    forged = client.get("/cong-dan/dinh-danh/ve/", {"code": "x", "state": "not-mine"})
    assert forged.status_code == 400 and not Citizen.objects.exists()


def test_an_identity_without_the_number_is_refused(world: World, provider: Provider) -> None:
    provider.claims = {"phone_number": "0912345678"}
    back = through_provider(Client())
    assert back.status_code == 400 and "số định danh cá nhân" in back.content.decode()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_provider_that_is_down_leaves_the_one_time_code(world: World, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.DEMO = False
    settings.CITIZEN_OIDC_ISSUER = f"http://127.0.0.1:{_closed_port()}"
    settings.CITIZEN_OIDC_CLIENT_ID = "cchc-portal"
    client = Client()
    down = client.get("/cong-dan/dinh-danh/")
    assert down.status_code == 503
    page = down.content.decode()
    assert "không kết nối được với hệ thống định danh VNeID" in page
    assert 'name="destination"' in page
    # The one-time code still works.
    client.post("/cong-dan/dang-nhap/", {"destination": "0912345678"})
    code = Message.objects.filter(kind="one_time_code").latest("id").body.split(": ")[1][:6]
    assert client.post("/cong-dan/xac-thuc/", {"code": code})["Location"] == "/cong-dan/"


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    world: World, provider: Provider
) -> None:
    provider.advertised_issuer = "https://impostor.example"
    response = Client().get("/cong-dan/dinh-danh/")
    assert response.status_code == 503 and "GET /authorize" not in provider.requests
