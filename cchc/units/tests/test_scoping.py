"""Nobody sees another unit's data: every staff page and endpoint answers 404 across units."""

from __future__ import annotations

import json

import pytest

from cchc.catalogue.models import UnitProcedure
from cchc.conftest import World, bearer, logged_in
from cchc.units.models import visible_unit_ids

pytestmark = pytest.mark.django_db


def test_a_reception_officer_sees_their_commune_and_its_agencies_only(world: World, alice) -> None:
    assert visible_unit_ids(alice) == {world.commune_a.id, world.centre_a.id}


def test_a_province_appraiser_sees_every_unit_below_the_province(world: World, pat) -> None:
    assert visible_unit_ids(pat) == {
        world.province.id,
        world.commune_a.id,
        world.centre_a.id,
        world.commune_b.id,
    }


def test_an_expired_membership_gives_no_access(world: World, alice) -> None:
    import datetime as dt

    alice.memberships.update(valid_to=dt.date(2025, 6, 30))
    alice.__dict__.pop("_cchc_unit_scope", None)
    assert visible_unit_ids(alice) == frozenset()


def test_scope_costs_two_queries_whatever_the_number_of_units(
    world: World, pat, django_assert_num_queries
) -> None:
    with django_assert_num_queries(2):
        visible_unit_ids(pat)
    with django_assert_num_queries(0):
        visible_unit_ids(pat)  # cached on the user object for the request


STAFF_PAGES = [
    "/lam-viec/don-vi/{code}/",
    "/lam-viec/don-vi/{code}/thu-tuc/",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_of_another_commune_answer_404(world: World, alice, url: str) -> None:
    client = logged_in(alice)
    assert client.get(url.format(code=world.commune_a.code)).status_code == 200
    assert client.get(url.format(code=world.commune_b.code)).status_code == 404


def test_changing_another_communes_adoption_answers_404_and_changes_nothing(
    world: World, carol
) -> None:
    client = logged_in(carol)
    response = client.post(
        f"/lam-viec/don-vi/{world.commune_b.code}/thu-tuc/{world.birth.code}/",
        {"implemented": "0", "reason": "x"},
    )
    assert response.status_code == 404
    assert (
        UnitProcedure.objects.get(unit=world.commune_b, procedure=world.birth).implemented is True
    )


def test_api_adoption_list_of_another_commune_answers_404(world: World, alice) -> None:
    headers = bearer(alice)
    from django.test import Client

    client = Client()
    assert (
        client.get(f"/api/v1/units/{world.commune_a.code}/procedures", **headers).status_code == 200
    )
    response = client.get(f"/api/v1/units/{world.commune_b.code}/procedures", **headers)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_api_adoption_change_of_another_commune_answers_404(world: World, carol) -> None:
    from django.test import Client

    response = Client().put(
        f"/api/v1/units/{world.commune_b.code}/procedures/{world.birth.code}",
        data=json.dumps({"implemented": False, "reason": "Không phát sinh"}),
        content_type="application/json",
        **bearer(carol),
    )
    assert response.status_code == 404
    assert (
        UnitProcedure.objects.get(unit=world.commune_b, procedure=world.birth).implemented is True
    )


def test_anonymous_staff_pages_redirect_to_login(world: World) -> None:
    from django.test import Client

    response = Client().get(f"/lam-viec/don-vi/{world.commune_a.code}/")
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]
