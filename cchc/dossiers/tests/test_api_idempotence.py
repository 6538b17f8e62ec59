"""50 identical action requests at once apply once (issue 10, defect 6): real parallel requests
through the API, each thread with its own database connection, on SQLite and PostgreSQL.

Before, `version` was optional: 50 identical hand-overs moved a dossier three steps and 50
identical notes wrote 50 events. Now every action needs the version it was decided on, checked
under the dossier's row lock, so exactly one request finds it and the others get 409.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.dossiers.models import Dossier, DossierEvent
from cchc.testing import bearer, run_together

pytestmark = pytest.mark.django_db(transaction=True)

N = 50


def fire(url: str, body: dict[str, Any], headers: dict[str, Any]) -> list[int]:
    def one() -> int:
        response = Client(raise_request_exception=False).post(
            url, data=json.dumps(body), content_type="application/json", **headers
        )
        return response.status_code

    results = run_together([one] * N)
    assert all(isinstance(r, int) for r in results), [r for r in results if not isinstance(r, int)]
    return results


def test_fifty_identical_hand_overs_move_the_dossier_one_step(
    received: Dossier, reception, specialist
) -> None:
    url = f"/api/v1/dossiers/{received.code}/actions/hand_over"
    statuses = fire(url, {"version": 1, "to": "minh"}, bearer(reception))
    assert sorted(set(statuses)) == [200, 409] and statuses.count(200) == 1, statuses
    received.refresh_from_db()
    assert received.row_version == 2
    assert DossierEvent.objects.filter(dossier=received, action="hand_over").count() == 1
    assert received.steps.filter(started_at__isnull=False).count() == 2


def test_fifty_identical_notes_write_one_event(received: Dossier, reception) -> None:
    url = f"/api/v1/dossiers/{received.code}/actions/note"
    statuses = fire(url, {"version": 1, "reason": "Đã gọi cho công dân"}, bearer(reception))
    assert statuses.count(200) == 1 and statuses.count(409) == N - 1, statuses
    assert DossierEvent.objects.filter(dossier=received, action="note").count() == 1


def test_fifty_requests_without_version_apply_none(
    received: Dossier, reception, specialist
) -> None:
    url = f"/api/v1/dossiers/{received.code}/actions/hand_over"
    statuses = fire(url, {"to": "minh"}, bearer(reception))
    assert set(statuses) == {422}
    received.refresh_from_db()
    assert (received.status, received.row_version) == ("received", 1)
    assert not DossierEvent.objects.filter(dossier=received, action="hand_over").exists()
