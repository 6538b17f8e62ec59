"""The public catalogue endpoints: units, procedures by unit and text, procedure detail by date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from cchc.catalogue.models import ProcedureVersion, RequiredDocument
from cchc.testing import World

pytestmark = pytest.mark.django_db


def test_units_lists_code_name_kind_and_parent_code(world: World) -> None:
    body = Client().get("/api/v1/units").json()
    by_code = {u["code"]: u for u in body}
    assert by_code["16300"]["name"] == "Xã Nga Sơn"
    assert by_code["16300"]["kind"] == "commune"
    assert by_code["16300"]["parent_code"] == "38"
    assert by_code["38"]["parent_code"] is None


def test_units_leave_out_merged_units_unless_history_is_asked(world: World) -> None:
    world.commune_b.valid_to = dt.date(2025, 6, 30)
    world.commune_b.save()
    assert "16303" not in {u["code"] for u in Client().get("/api/v1/units").json()}
    assert "16303" in {u["code"] for u in Client().get("/api/v1/units?history=true").json()}
    assert "16303" in {u["code"] for u in Client().get("/api/v1/units?on=2025-06-01").json()}


def test_procedures_of_a_unit_are_those_it_implements(world: World) -> None:
    body = Client().get("/api/v1/procedures?unit=16300").json()
    assert [p["code"] for p in body] == ["1.001193"]
    assert body[0]["name"] == "Đăng ký khai sinh"


@pytest.mark.parametrize("q", ["khai sinh", "dang ky khai sinh", "KHAI SINH dang ky", "1.001193"])
def test_search_forgives_diacritics_case_and_word_order(world: World, q: str) -> None:
    codes = [p["code"] for p in Client().get("/api/v1/procedures", {"q": q}).json()]
    assert codes == ["1.001193"]


def test_search_without_diacritics_finds_the_certification(world: World) -> None:
    codes = [
        p["code"] for p in Client().get("/api/v1/procedures", {"q": "chung thuc ban sao"}).json()
    ]
    assert codes == ["2.000815"]


def test_unknown_unit_answers_404_with_a_reason(world: World) -> None:
    response = Client().get("/api/v1/procedures?unit=99999")
    assert response.status_code == 404
    assert "99999" in response.json()["detail"]


@pytest.mark.parametrize("query", ["limit=0", "limit=5000", "offset=-1", "limit=abc"])
def test_bad_paging_answers_400(world: World, query: str) -> None:
    response = Client().get(f"/api/v1/procedures?{query}")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_procedure_detail_gives_documents_fees_steps(world: World) -> None:
    body = Client().get("/api/v1/procedures/1.001193").json()
    assert body["name"] == "Đăng ký khai sinh"
    assert body["processing_time"] == "0.5"
    assert body["time_unit"] == "working_days"
    assert body["documents"][0]["name"] == "Tờ khai"
    assert body["fees"] == [{"name": "Lệ phí", "amount_vnd": 8000, "note": ""}]
    assert [s["share"] for s in body["steps"]] == ["20", "80"]


def test_procedure_detail_gives_each_documents_position_and_whether_it_is_required(
    world: World,
) -> None:
    # A client building a receipt names documents by `position`, and must know which ones a
    # receipt cannot do without.
    version = world.birth.versions.get()
    RequiredDocument.objects.create(
        version=version, position=2, name="Giấy chứng sinh", originals=1, required=False
    )
    documents = Client().get("/api/v1/procedures/1.001193").json()["documents"]
    assert [(d["position"], d["name"], d["required"]) for d in documents] == [
        (1, "Tờ khai", True),
        (2, "Giấy chứng sinh", False),
    ]


def test_procedure_detail_selects_the_version_in_force_on_a_date(world: World) -> None:
    ProcedureVersion.objects.create(
        procedure=world.birth,
        effective_from=dt.date(2020, 1, 1),
        name="Đăng ký khai sinh (cũ)",
        processing_time=Decimal(1),
        time_unit="working_days",
        online_service="none",
    )
    client = Client()
    assert (
        client.get("/api/v1/procedures/1.001193?on=2024-12-31").json()["name"]
        == "Đăng ký khai sinh (cũ)"
    )
    assert (
        client.get("/api/v1/procedures/1.001193?on=2025-07-01").json()["name"]
        == "Đăng ký khai sinh"
    )
    assert client.get("/api/v1/procedures/1.001193").json()["versions"] == [
        "2025-07-01",
        "2020-01-01",
    ]
    assert client.get("/api/v1/procedures/1.001193?on=2019-01-01").status_code == 404


def test_version_at_picks_the_latest_effective_version_not_after_the_date(world: World) -> None:
    later = ProcedureVersion.objects.create(
        procedure=world.birth,
        effective_from=dt.date(2027, 1, 1),
        name="Đăng ký khai sinh 2027",
        time_unit="same_day",
        online_service="full",
    )
    current = world.birth.version_at(dt.date(2026, 12, 31))
    assert current is not None and current.effective_from == dt.date(2025, 7, 1)
    assert world.birth.version_at(dt.date(2027, 1, 1)) == later
    assert world.birth.version_at(dt.date(2025, 6, 30)) is None


def test_unknown_procedure_answers_404(world: World) -> None:
    response = Client().get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_bad_date_answers_400_not_500(world: World) -> None:
    assert Client().get("/api/v1/procedures/1.001193?on=31-12-2024").status_code == 400
