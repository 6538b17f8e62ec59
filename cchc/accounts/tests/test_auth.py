"""Logins: argon2 hashes, lockout, TOTP, API tokens."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cchc.accounts.models import ApiToken
from cchc.testing import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(world: World, reception) -> None:
    assert reception.password.startswith("argon2")


def test_a_staff_member_logs_in_and_reaches_the_workspace(world: World, reception) -> None:
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "lan", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Xã Nga Sơn" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_out(world: World, reception, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/tai-khoan/dang-nhap/", {"username": "lan", "password": "wrong"})
    response = client.post("/tai-khoan/dang-nhap/", {"username": "lan", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "Tạm khóa" in response.content.decode()


def test_an_account_with_totp_needs_the_code(world: World, reception) -> None:
    device = TOTPDevice.objects.create(user=reception, name="phone", confirmed=True)
    client = Client()
    response = client.post("/tai-khoan/dang-nhap/", {"username": "lan", "password": PASSWORD})
    assert response.status_code == 200
    assert "mã 6 số" in response.content.decode()
    code = str(totp(device.bin_key)).zfill(6)
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "lan", "password": PASSWORD, "otp_token": code}
    )
    assert response.status_code == 302


def test_production_sends_an_administrator_without_2fa_to_set_it_up(world: World, settings) -> None:
    settings.REQUIRE_2FA = True
    admin = make_user("root", is_superuser=True, is_staff=True)
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": admin.username, "password": PASSWORD})
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/xac-thuc-hai-buoc/?next=%2Fquan-tri%2F"
    page = client.get("/tai-khoan/xac-thuc-hai-buoc/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()


def test_the_embedded_demo_lets_an_administrator_in_without_2fa(world: World, settings) -> None:
    settings.REQUIRE_2FA = False
    admin = make_user("root", is_superuser=True, is_staff=True)
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": admin.username, "password": PASSWORD})
    assert client.get("/quan-tri/").status_code == 200


def test_create_api_token_prints_a_token_that_authenticates(world: World, reception) -> None:
    out = StringIO()
    call_command("create_api_token", "lan", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("cchc_")
    assert ApiToken.objects.get().key_hash != raw  # only the hash is stored
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {"unit_code": "16300", "unit_name": "Xã Nga Sơn", "role": "reception"}
    ]


def test_create_api_token_for_an_unknown_user_fails_clearly(world: World) -> None:
    with pytest.raises(CommandError, match="Không có tài khoản"):
        call_command("create_api_token", "nobody")


@pytest.mark.parametrize("header", ["Bearer nope", "Token abc", ""])
def test_a_wrong_or_missing_token_answers_401(world: World, header: str) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_revoked_token_no_longer_works(world: World, reception) -> None:
    from django.utils import timezone

    token, raw = ApiToken.issue(reception)
    token.revoked_at = timezone.now()
    token.save()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
