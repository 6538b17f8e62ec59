"""Historical import (issue 10, defect 7): a permission of its own, and every line on its own.

A reception clerk imported a "returned on time" dossier into their own unit (invented history
moves reports and the PAR Index); one line with a NUL character answered 500 and none of the 12
valid lines of the file were created.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.dossiers import importing
from cchc.dossiers.importing import ImportRefused, import_dossiers
from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.support import entry, ndjson
from cchc.testing import World, bearer, make_user
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db

RETURNED_ON_TIME = {
    "status": "returned",
    "finished_at": "2025-08-05T10:00:00+07:00",
    "returned_at": "2025-08-05T15:00:00+07:00",
}


def post_import(user: Any, body: str) -> Any:
    return Client(raise_request_exception=False).post(
        "/api/v1/dossiers/import", data=body, content_type="application/x-ndjson", **bearer(user)
    )


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.SUPERVISOR])
def test_other_roles_of_the_unit_may_not_import_history(world: World, role: str) -> None:
    clerk = make_user("clerk", world.commune_a, role)
    response = post_import(clerk, json.dumps(entry(world, **RETURNED_ON_TIME)))
    assert response.status_code == 403, response.content
    assert "quyền riêng" in response.json()["detail"]
    assert not Dossier.objects.exists()
    with pytest.raises(ImportRefused):
        import_dossiers(ndjson(entry(world)), by=clerk)


@pytest.mark.parametrize("role", [Role.TTHC_CONTROL, Role.ADMINISTRATOR])
def test_the_control_officer_and_the_administrator_may(world: World, role: str) -> None:
    officer = make_user("officer", world.commune_a, role)
    response = post_import(officer, json.dumps(entry(world, **RETURNED_ON_TIME)))
    assert response.status_code == 200 and response.json()["created"] == 1
    assert Dossier.objects.get().outcome == "early"


def test_the_roles_are_a_setting(world: World, settings: Any) -> None:
    settings.DOSSIER_IMPORT_ROLES = ["leader"]
    leader = make_user("leader", world.commune_a, Role.LEADER)
    control = make_user("control", world.commune_a, Role.TTHC_CONTROL)
    assert post_import(control, json.dumps(entry(world))).status_code == 403
    assert post_import(leader, json.dumps(entry(world))).json()["created"] == 1


def test_a_clerk_with_an_import_role_elsewhere_imports_only_there(world: World) -> None:
    # Reception in commune A, control officer in commune B: the import role reaches B only.
    user = make_user("both", world.commune_a, Role.RECEPTION)
    from cchc.units.models import Membership

    Membership.objects.create(
        user=user, unit=world.commune_b, role=Role.TTHC_CONTROL, valid_from="2025-01-01"
    )
    body = "\n".join(
        [
            json.dumps(entry(world, external_id="a")),
            json.dumps(
                entry(world, external_id="b", procedure=world.birth.code, unit=world.commune_b.code)
            ),
        ]
    )
    result = post_import(user, body).json()
    assert (result["created"], [e["line"] for e in result["errors"]]) == (1, [1])
    assert Dossier.objects.get().processing_unit == world.commune_b


def file_of_twelve_and_one_with(world: World, bad: dict[str, Any]) -> str:
    lines = [json.dumps(entry(world, external_id=f"ok-{i}")) for i in range(12)]
    lines.insert(5, json.dumps(bad))
    return "\n".join(lines)


@pytest.mark.parametrize(
    "bad",
    [
        {"applicant": {"name": "Nguyễn\x00An"}},
        {"external_id": "bad\x00"},
        {"code": "OLD\x00-1"},
        {"applicant": {"name": "An", "address": "Thôn\x00 3"}},
    ],
    ids=["name", "external id", "code", "address"],
)
def test_a_line_with_a_nul_is_reported_and_the_twelve_others_imported(
    world: World, carol: Any, bad: dict[str, Any]
) -> None:
    body = file_of_twelve_and_one_with(world, entry(world, **{"external_id": "bad", **bad}))
    response = post_import(carol, body)
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["created"], result["failed"]) == (12, 1)
    assert result["errors"][0]["line"] == 6 and "NUL" in result["errors"][0]["error"]
    assert Dossier.objects.count() == 12


def test_a_line_the_database_refuses_costs_only_that_line(
    world: World, carol: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Should a line ever pass the checks and still break a constraint, the batch is written
    # again line by line: here a negative count, which the CHECK constraint refuses.
    values = importing._dossier_values

    def with_a_hole(row: Any) -> dict[str, Any]:
        out = values(row)
        if row.external_id == "hole":
            out["supplement_count"] = -1
        return out

    monkeypatch.setattr(importing, "_dossier_values", with_a_hole)
    body = file_of_twelve_and_one_with(world, entry(world, external_id="hole"))
    result = post_import(carol, body).json()
    assert (result["created"], result["failed"]) == (12, 1), result
    assert result["errors"][0]["line"] == 6
    assert "IntegrityError" in result["errors"][0]["error"]
    assert sorted(str(e) for e in Dossier.objects.values_list("external_id", flat=True)) == sorted(
        f"ok-{i}" for i in range(12)
    )
