"""A database that stops answering is an outage, answered 503 with Retry-After (JSON on the
API, a short page elsewhere) instead of a 500 traceback page; the public lookup keeps serving
the answers it has, and the rate limits keep counting in memory (issue 10, defect 5)."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from django_ratelimit.core import is_ratelimited

from cchc.dossiers.models import Dossier
from cchc.ops.tests.support import database_down
from cchc.ops.views import server_error
from cchc.portal import ratecounter

pytestmark = pytest.mark.django_db


def visitor() -> Client:
    # Errors are answered, not raised into the test: what a browser would get.
    return Client(raise_request_exception=False)


def test_a_page_during_an_outage_is_a_short_503_page_with_retry_after(world: object) -> None:
    with database_down():
        response = visitor().get("/thu-tuc/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Hệ thống tạm gián đoạn" in page and "5 giây" in page
    assert response["X-Request-ID"] in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_the_api_during_an_outage_answers_json_503(world: object) -> None:
    with database_down():
        response = visitor().get("/api/v1/procedures")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["retry_after"] == 5 and "thử lại" in body["detail"]


def test_english_visitors_are_told_in_english(world: object, settings: object) -> None:
    client = visitor()
    client.cookies["django_language"] = "en"
    with database_down():
        response = client.get("/thu-tuc/")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


def test_other_errors_stay_500(rf: RequestFactory) -> None:
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/thu-tuc/"))
    assert response.status_code == 500
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/thu-tuc/"))
    assert response.status_code == 503


def test_a_scanned_receipt_is_still_answered_through_an_outage(received: Dossier) -> None:
    client = visitor()
    api = f"/api/v1/public/dossiers/{received.code}"
    page = f"/tra-cuu/{received.code}/"
    before_api, before_page = client.get(api), client.get(page)
    assert before_api.status_code == before_page.status_code == 200

    with database_down():
        during_api = client.get(api)
        lower_case = client.get(api.lower())
        during_page = client.get(page)
        unknown = client.get("/api/v1/public/dossiers/000.30.10.H56-250804-9999")

    assert during_api.status_code == 200
    assert json.loads(during_api.content) == json.loads(before_api.content)
    assert lower_case.status_code == 200
    assert during_page.status_code == 200 and received.code in during_page.content.decode()
    # Nothing known about this one: the outage is said as it is, not as "not found".
    assert unknown.status_code == 503


def test_rate_limits_count_in_memory_while_the_database_is_away(
    rf: RequestFactory, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratecounter, "_last_warning", 0.0)  # said once a minute
    request = rf.get("/tra-cuu/", REMOTE_ADDR="203.0.113.7")
    with database_down():
        verdicts = [
            is_ratelimited(request, group="outage-test", key="ip", rate="3/m", increment=True)
            for _ in range(5)
        ]
    # Still applied (per process), never refused for want of a counter.
    assert verdicts == [False, False, False, True, True]
    assert "rate limits counted in memory" in caplog.text
