"""Roles: only the unit's TTHC-control officer (or an admin, or the province's) edits adoption."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.catalogue.models import UnitProcedure
from cchc.testing import World, bearer, logged_in, make_user
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db


def put(user: Any, world: World, unit_code: str, body: dict[str, Any]) -> Any:
    return Client().put(
        f"/api/v1/units/{unit_code}/procedures/{world.birth.code}",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(user),
    )


def test_the_tthc_control_officer_marks_a_procedure_not_implemented_with_a_reason(
    world: World, carol
) -> None:
    response = put(
        carol, world, world.commune_a.code, {"implemented": False, "reason": "Chưa phát sinh hồ sơ"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "procedure": "1.001193",
        "name": "Đăng ký khai sinh",
        "implemented": False,
        "reason": "Chưa phát sinh hồ sơ",
    }


def test_not_implemented_without_a_reason_is_refused_with_422(world: World, carol) -> None:
    response = put(carol, world, world.commune_a.code, {"implemented": False, "reason": "  "})
    assert response.status_code == 422
    assert "lý do" in json.dumps(response.json(), ensure_ascii=False)
    assert (
        UnitProcedure.objects.get(unit=world.commune_a, procedure=world.birth).implemented is True
    )


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SPECIALIST, Role.LEADER])
def test_other_roles_of_the_same_commune_are_refused_with_403(world: World, role: str) -> None:
    user = make_user(f"user-{role}", world.commune_a, role)
    response = put(user, world, world.commune_a.code, {"implemented": False, "reason": "x"})
    assert response.status_code == 403
    assert (
        UnitProcedure.objects.get(unit=world.commune_a, procedure=world.birth).implemented is True
    )


def test_the_province_supervisor_sees_but_cannot_change(world: World, sam) -> None:
    client = Client()
    assert (
        client.get(f"/api/v1/units/{world.commune_a.code}/procedures", **bearer(sam)).status_code
        == 200
    )
    assert (
        put(sam, world, world.commune_a.code, {"implemented": False, "reason": "x"}).status_code
        == 403
    )


def test_the_province_tthc_control_officer_may_change_a_commune(world: World) -> None:
    officer = make_user("province-control", world.province, Role.TTHC_CONTROL)
    assert (
        put(
            officer, world, world.commune_b.code, {"implemented": False, "reason": "Giao xã khác"}
        ).status_code
        == 200
    )


def test_the_page_form_updates_adoption(world: World, carol) -> None:
    client = logged_in(carol)
    response = client.post(
        f"/lam-viec/don-vi/{world.commune_a.code}/thu-tuc/{world.copy.code}/",
        {"implemented": "1", "reason": ""},
    )
    assert response.status_code == 302
    assert UnitProcedure.objects.get(unit=world.commune_a, procedure=world.copy).implemented is True


def test_the_page_shows_the_refusal_reason(world: World, reception) -> None:
    response = logged_in(reception).post(
        f"/lam-viec/don-vi/{world.commune_a.code}/thu-tuc/{world.copy.code}/", {"implemented": "1"}
    )
    assert response.status_code == 403
    assert "kiểm soát TTHC" in response.content.decode()
