"""Login lockout per user name from one address, and per user name across addresses (password
spraying from many addresses never reached the per-address limit)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import PASSWORD, World

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"


@pytest.fixture(autouse=True)
def limits(settings: Any) -> Any:
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_LIMITS = {"username": 20}
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


def attempt(username: str, password: str, **address: Any) -> Any:
    return Client().post(LOGIN, {"username": username, "password": password}, **address)


def locked(response: Any) -> bool:
    return response.status_code in (403, 429) and "Tạm khóa" in response.content.decode()


def test_five_failures_from_one_address_lock_that_address_out(
    world: World, reception: User
) -> None:
    for _ in range(5):
        attempt("lan", "wrong", REMOTE_ADDR="10.0.0.1")
    assert locked(attempt("lan", PASSWORD, REMOTE_ADDR="10.0.0.1"))
    # The owner, from her own office, is not concerned by one address's failures.
    assert attempt("lan", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_failures_spread_over_many_addresses_lock_the_user_name(
    world: World, reception: User
) -> None:
    for i in range(20):
        attempt("lan", "wrong", REMOTE_ADDR=f"10.1.0.{i + 1}")
    assert locked(attempt("lan", PASSWORD, REMOTE_ADDR="10.2.0.1"))
    # Other accounts are not concerned.
    User.objects.create_user("bob", password=PASSWORD)
    assert attempt("bob", PASSWORD, REMOTE_ADDR="10.2.0.1").status_code == 302


def test_the_user_name_limit_is_exact(world: World, reception: User) -> None:
    for i in range(19):
        attempt("lan", "wrong", REMOTE_ADDR=f"10.1.0.{i + 1}")
    assert attempt("lan", PASSWORD, REMOTE_ADDR="10.2.0.1").status_code == 302


def test_the_owners_login_does_not_wipe_failures_from_other_addresses(
    world: World, reception: User
) -> None:
    for i in range(15):
        attempt("lan", "wrong", REMOTE_ADDR=f"10.1.0.{i + 1}")
    assert attempt("lan", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302
    for i in range(5):
        attempt("lan", "wrong", REMOTE_ADDR=f"10.3.0.{i + 1}")
    assert locked(attempt("lan", PASSWORD, REMOTE_ADDR="10.9.9.9"))


def test_behind_the_proxy_each_client_is_counted_by_the_address_nginx_saw(
    world: World, reception: User, limits: Any
) -> None:
    limits.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(5):
        # An attacker varies the left part of X-Forwarded-For; nginx appends what it saw.
        forged = f"198.51.100.{i}, 203.0.113.7"
        attempt("lan", "wrong", HTTP_X_FORWARDED_FOR=forged, **proxy)
    assert locked(attempt("lan", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy))
    # Every citizen and officer arrives from 127.0.0.1: the office's own address still works.
    office = attempt("lan", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy)
    assert office.status_code == 302
