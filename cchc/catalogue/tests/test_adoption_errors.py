"""The catalogue's refusals are `DomainError`s (issue 13, item 4), answered as before: the same
status and the same body on the API, the same message and status on the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.catalogue.actions import CatalogueError, InvalidAdoption, NotAllowed, set_adoption
from cchc.lib.errors import DomainError
from cchc.testing import World, bearer, logged_in

pytestmark = pytest.mark.django_db

REASON = "Thủ tục không thực hiện tại đơn vị phải có lý do."
EDITORS = "Chỉ đầu mối kiểm soát TTHC hoặc quản trị của đơn vị được sửa danh mục áp dụng."


def put(user: Any, world: World, body: dict[str, Any]) -> Any:
    return Client().put(
        f"/api/v1/units/{world.commune_a.code}/procedures/{world.birth.code}",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(user),
    )


def test_the_refusals_join_the_one_vocabulary(world: World, carol, reception) -> None:
    assert issubclass(CatalogueError, DomainError)
    with pytest.raises(InvalidAdoption) as invalid:
        set_adoption(world.commune_a, world.birth, implemented=False, reason=" ", by=carol)
    assert (invalid.value.status_code, invalid.value.field) == (422, "reason")
    with pytest.raises(NotAllowed) as refused:
        set_adoption(world.commune_a, world.birth, implemented=True, reason="", by=reception)
    assert refused.value.status_code == 403


def test_the_api_answers_with_the_bodies_it_always_gave(world: World, carol, reception) -> None:
    # Before: Django's ValidationError({"reason": …}) and PermissionDenied(…), each with its
    # own handler; now one handler, the same JSON.
    missing = put(carol, world, {"implemented": False, "reason": "  "})
    assert missing.status_code == 422
    assert missing.json() == {"detail": {"reason": [REASON]}}
    forbidden = put(reception, world, {"implemented": False, "reason": "x"})
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": EDITORS}


def test_the_page_shows_the_reason_with_its_status(world: World, carol) -> None:
    response = logged_in(carol).post(
        f"/lam-viec/don-vi/{world.commune_a.code}/thu-tuc/{world.copy.code}/",
        {"implemented": "0", "reason": ""},
    )
    assert response.status_code == 422
    assert REASON in response.content.decode()
