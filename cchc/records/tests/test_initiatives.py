"""Initiatives and communication activities: recorded from the pages and the API, counted by
year, their evidence found by number and symbol in the unit's own register."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
from cchc.records import queries
from cchc.records.models import CommunicationActivity, Initiative
from cchc.records.tests.support import register
from cchc.testing import World, bearer, logged_in

API = "/api/v1/records"


def test_an_initiative_is_recorded_with_its_decision_from_the_page(
    world: World, keeper: User
) -> None:
    decision = register(world, keeper, "125/QĐ-UBND", title="Công nhận sáng kiến")
    client = logged_in(keeper)
    data = {
        "unit": "16300",
        "title": "Ngày thứ 3 không hẹn",
        "author": "Bộ phận một cửa",
        "year": "2026",
        "status": "recognised",
        "recognised_by": "125/QD-UBND",
    }
    response = client.post(reverse("records:initiatives"), data)
    assert response.status_code == 302
    assert Initiative.objects.get().recognised_by == decision
    page = client.get(reverse("records:initiatives"), {"nam": "2026"}).content.decode()
    assert "Ngày thứ 3 không hẹn" in page and "125/QĐ-UBND" in page


def test_an_unknown_recognising_document_is_refused_alike_by_page_and_api(
    world: World, keeper: User
) -> None:
    data = {
        "unit": "16300",
        "title": "Sáng kiến",
        "author": "A",
        "year": 2026,
        "status": "recognised",
        "recognised_by": "999/QĐ-UBND",
    }
    page = logged_in(keeper).post(reverse("records:initiatives"), data)
    api = Client().post(
        f"{API}/initiatives", data, content_type="application/json", **bearer(keeper)
    )
    assert page.status_code == api.status_code == 422
    message = api.json()["detail"]["recognised_by"][0]
    assert "chưa có văn bản số 999/QĐ-UBND" in message
    assert message in page.content.decode()
    assert not Initiative.objects.exists()


def test_activities_are_summed_by_kind_for_the_year(world: World, keeper: User) -> None:
    client, auth = Client(), bearer(keeper)
    for day, count in (("2026-01-10", 20), ("2026-02-10", 5)):
        response = client.post(
            f"{API}/activities",
            {"unit": "16300", "kind": "loudspeaker", "on": day, "count": count},
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 201, response.content
    page = logged_in(keeper).post(
        reverse("records:activities"),
        {"unit": "16300", "kind": "website", "on": "12/02/2026", "count": "1", "note": "Tin"},
    )
    assert page.status_code == 302
    assert queries.communication_by_kind(world.commune_a, 2026) == {
        "loudspeaker": 25,
        "website": 1,
    }
    listed = client.get(f"{API}/activities", {"unit": "16300", "year": "2026"}, **auth).json()
    assert sorted(a["count"] for a in listed) == [1, 5, 20]
    shown = logged_in(keeper).get(reverse("records:activities"), {"nam": "2026"}).content.decode()
    assert "<strong>25</strong>" in shown and "12/02/2026" in shown


def test_another_commune_neither_sees_nor_records_for_commune_a(
    world: World, keeper: User, keeper_b: User
) -> None:
    client, auth = Client(), bearer(keeper_b)
    listed = client.get(f"{API}/activities", {"unit": "16300", "year": "2026"}, **auth)
    assert listed.status_code == 404
    response = client.post(
        f"{API}/activities",
        {"unit": "16300", "kind": "loudspeaker", "on": "2026-01-10"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 404
    page = logged_in(keeper_b).post(
        reverse("records:activities"),
        {"unit": "16300", "kind": "website", "on": "12/02/2026", "count": "1"},
    )
    assert page.status_code == 422  # commune A is no choice of B's form
    assert not CommunicationActivity.objects.exists()
