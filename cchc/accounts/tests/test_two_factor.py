"""The second factor: who needs it, and that a password-only session gets nothing through the
API either (issue 10, defect 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import SessionAuth

from cchc.accounts.auth import VerifiedSessionAuth
from cchc.accounts.models import User
from cchc.accounts.twofactor import second_factor_required
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.testing import PASSWORD, World, bearer, make_user
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Membership, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings: Any) -> Any:
    settings.REQUIRE_2FA = True
    settings.TWO_FACTOR_ROLES = ["administrator"]
    settings.TWO_FACTOR_MULTI_COMMUNE_ROLES = list(Role.values)
    return settings


@pytest.fixture
def admin_a(world: World) -> User:
    """Administrator of commune A."""
    return make_user("root", world.commune_a, Role.ADMINISTRATOR, is_staff=True)


def password_only(user: User) -> Client:
    """A session opened with the password and nothing else, CSRF checks on as in a browser."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/tai-khoan/dang-nhap/")
    token = response.cookies["csrftoken"].value
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def test_the_api_refuses_a_password_only_session_that_the_workspace_sends_to_2fa(
    production: Any, admin_a: User, received: Dossier
) -> None:
    client = password_only(admin_a)
    workspace = client.get("/lam-viec/")
    assert workspace.status_code == 302
    assert workspace["Location"].startswith("/tai-khoan/xac-thuc-hai-buoc/")

    detail = client.get(f"/api/v1/dossiers/{received.code}")
    assert detail.status_code == 403
    assert "xác thực hai bước" in detail.json()["detail"]
    assert received.applicant_id_number not in detail.content.decode()
    assert client.get(f"/api/v1/dossiers/{received.code}/documents/1").status_code == 403
    assert client.get("/api/v1/me").status_code == 403

    events = DossierEvent.objects.filter(dossier=received).count()
    note = client.post(
        f"/api/v1/dossiers/{received.code}/actions/note",
        {"reason": "ghi chú", "version": received.row_version},
        content_type="application/json",
    )
    assert note.status_code == 403
    assert DossierEvent.objects.filter(dossier=received).count() == events


def test_the_same_session_reaches_the_api_once_the_code_is_given(
    production: Any, admin_a: User, received: Dossier
) -> None:
    device = TOTPDevice.objects.create(user=admin_a, name="phone", confirmed=False)
    client = password_only(admin_a)
    page = client.get("/tai-khoan/xac-thuc-hai-buoc/?next=/lam-viec/")
    assert page.status_code == 200
    done = client.post(
        "/tai-khoan/xac-thuc-hai-buoc/",
        {"otp_token": str(totp(device.bin_key)).zfill(6), "next": "/lam-viec/"},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert done.status_code == 302 and done["Location"] == "/lam-viec/"
    assert client.get(f"/api/v1/dossiers/{received.code}").status_code == 200
    assert client.get("/lam-viec/").status_code == 200


def test_a_bearer_token_is_not_a_session(production: Any, admin_a: User, received: Dossier) -> None:
    # Tokens are issued one by one by an administrator (create_api_token) for an integration.
    response = Client().get(f"/api/v1/dossiers/{received.code}", **bearer(admin_a))
    assert response.status_code == 200


def test_a_session_of_an_account_with_totp_is_asked_for_the_code_not_shown_the_secret(
    production: Any, admin_a: User, client: Client
) -> None:
    device = TOTPDevice.objects.create(user=admin_a, name="phone", confirmed=True)
    # A session from before TOTP was turned on (or forced): it has not given a code.
    client.force_login(admin_a, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/tai-khoan/xac-thuc-hai-buoc/").content.decode()
    secret = device.config_url.split("secret=")[1].split("&")[0]
    assert secret not in page and "<svg" not in page
    assert 'name="otp_token"' in page


def test_the_admin_login_goes_through_the_login_that_asks_for_the_code(
    production: Any, admin_a: User
) -> None:
    TOTPDevice.objects.create(user=admin_a, name="phone", confirmed=True)
    client = Client()
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    # Posting the admin's own form with the password alone opens no session.
    client.post("/quan-tri/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_logged_in_user_without_admin_rights_is_refused_not_looped(
    world: World, reception: User
) -> None:
    client = Client()
    client.force_login(reception, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/quan-tri/login/?next=/quan-tri/").status_code == 403


@pytest.mark.parametrize(
    ("who", "required"),
    [
        ("province appraiser", True),
        ("province supervisor", True),
        ("province leader", True),
        ("commune administrator", True),
        ("superuser", True),
        ("reception of two communes", True),
        ("commune leader", False),
        ("commune TTHC control", False),
        ("commune reception", False),
        ("reception at the commune's centre", False),
        ("leader of a department with no commune under it", False),
    ],
)
def test_who_needs_the_second_factor(
    production: Any, world: World, who: str, required: bool
) -> None:
    department = Unit.objects.create(
        code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=world.province
    )
    users = {
        "province appraiser": (world.province, Role.APPRAISER),
        "province supervisor": (world.province, Role.SUPERVISOR),
        "province leader": (world.province, Role.LEADER),
        "commune administrator": (world.commune_a, Role.ADMINISTRATOR),
        "superuser": (None, None),
        "reception of two communes": (world.commune_a, Role.RECEPTION),
        "commune leader": (world.commune_a, Role.LEADER),
        "commune TTHC control": (world.commune_a, Role.TTHC_CONTROL),
        "commune reception": (world.commune_a, Role.RECEPTION),
        "reception at the commune's centre": (world.centre_a, Role.RECEPTION),
        "leader of a department with no commune under it": (department, Role.LEADER),
    }
    unit, role = users[who]
    user = make_user("u", unit, role, is_superuser=who == "superuser")
    if who == "reception of two communes":
        Membership.objects.create(user=user, unit=world.commune_b, role=Role.RECEPTION)
    assert second_factor_required(User.objects.get(pk=user.pk)) is required


def test_the_roles_are_configurable(production: Any, world: World, pat: User) -> None:
    production.TWO_FACTOR_MULTI_COMMUNE_ROLES = ["leader"]
    assert second_factor_required(User.objects.get(pk=pat.pk)) is False
    production.TWO_FACTOR_ROLES = ["administrator", "reception"]
    clerk = make_user("lan", world.commune_a, Role.RECEPTION)
    assert second_factor_required(User.objects.get(pk=clerk.pk)) is True


def test_the_embedded_demo_requires_it_of_nobody(settings: Any, world: World, pat: User) -> None:
    settings.REQUIRE_2FA = False
    assert second_factor_required(pat) is False


def test_a_province_appraiser_with_a_password_only_reads_no_dossier(
    production: Any, pat: User, received: Dossier
) -> None:
    client = password_only(pat)
    assert client.get("/lam-viec/ho-so/").status_code == 302
    assert client.get(f"/lam-viec/ho-so/{received.code}/").status_code == 302
    assert client.get(f"/api/v1/dossiers/{received.code}").status_code == 403


def test_a_commune_officer_is_not_asked(production: Any, carol: User, received: Dossier) -> None:
    client = password_only(carol)
    assert client.get("/lam-viec/").status_code == 200
    assert client.get(f"/api/v1/dossiers/{received.code}").status_code == 200


def test_every_api_operation_takes_sessions_only_through_the_verified_check() -> None:
    from cchc.api import api

    plain = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for callback in operation.auth_callbacks:
                    if isinstance(callback, SessionAuth) and not isinstance(
                        callback, VerifiedSessionAuth
                    ):
                        plain.append(f"{operation.methods} {path}")
    assert plain == []
