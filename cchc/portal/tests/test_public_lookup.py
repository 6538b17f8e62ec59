"""The public lookup is answered from a per-process cache while the dossier is unchanged:
never a stale answer, and one query per lookup once warm."""

from __future__ import annotations

from typing import Any

from django.test import Client

from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.portal import tracking
from cchc.portal.api import PublicDossier
from cchc.testing import at

URL = "/api/v1/public/dossiers/{}"


def test_a_warm_lookup_costs_one_query_and_answers_the_same_bytes(
    received: Dossier, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.RATELIMIT_ENABLE = False  # its two queries are counted in test_ratecounter.py
    client = Client()
    first = client.get(URL.format(received.code))
    with django_assert_num_queries(1):
        second = client.get(URL.format(received.code))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first["Content-Type"] == "application/json; charset=utf-8"


def test_the_cached_json_is_what_the_schema_says(received: Dossier) -> None:
    body = Client().get(URL.format(received.code)).json()
    expected = PublicDossier.model_validate(tracking.public_view(received, personal=False))
    assert PublicDossier.model_validate(body) == expected
    assert body["status"] == "received" and body["current_step"] is not None
    assert "applicant_name" not in {k for k, v in body.items() if v is not None}


def test_an_action_is_seen_by_the_next_lookup(received: Dossier, reception, specialist) -> None:
    client = Client()
    assert client.get(URL.format(received.code)).json()["status"] == "received"
    actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    after = client.get(URL.format(received.code)).json()
    assert after["status"] == "processing"
    assert [h["action"] for h in after["history"]][-1] == "hand_over"


def test_a_change_outside_the_actions_is_seen_too(received: Dossier) -> None:
    # A save that bypasses the actions still changes `updated_at`, which is part of the key.
    client = Client()
    client.get(URL.format(received.code))
    Dossier.objects.filter(pk=received.pk).update(status="returned")
    stale = client.get(URL.format(received.code)).json()["status"]
    received.refresh_from_db()
    received.save()
    assert stale == "received"  # an UPDATE that changes neither stamp is not seen…
    assert client.get(URL.format(received.code)).json()["status"] == "returned"  # …a save is


def test_each_language_has_its_own_answer(received: Dossier) -> None:
    client = Client()
    vietnamese = client.get(URL.format(received.code)).json()["status_text"]
    client.cookies["django_language"] = "en"
    english = client.get(URL.format(received.code)).json()["status_text"]
    assert vietnamese != english and "received" in english.lower()


def test_the_qr_page_is_cached_for_anyone_and_personal_only_for_the_applicant(
    received: Dossier, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.RATELIMIT_ENABLE = False
    page = f"/tra-cuu/{received.code}/"
    anyone = Client()
    first = anyone.get(page).content.decode()
    with django_assert_num_queries(1):  # the dossier's stamp; no session, no ORM
        assert anyone.get(page).status_code == 200
    assert "09:00 04/08/2025" in first  # the receipt, with its moment, in the history
    assert "17:00 07/08/2025" in first  # the due moment
    assert "Nguyễn Văn An" not in first

    applicant = Client()
    applicant.post("/tra-cuu/", {"code": received.code, "phone": "0912345678"})
    assert "Nguyễn Văn An" in applicant.get(page).content.decode()
    # The applicant's visit left nothing personal in what others are served.
    assert "Nguyễn Văn An" not in anyone.get(page).content.decode()


def test_the_qr_page_of_an_unknown_code_is_a_404(db: Any) -> None:
    assert Client().get("/tra-cuu/000.30.10.H56-991231-9999/").status_code == 404
