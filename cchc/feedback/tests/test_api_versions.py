"""PAKN actions over the API need the version they were decided on (issue 10, defect 6): the
count of the PAKN's history entries, which every action grows by one. A classification may be
repeated at will, so 50 identical requests used to write 50 history entries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.feedback.models import FeedbackEvent
from cchc.feedback.tests.support import send
from cchc.testing import World, bearer, run_together


def act(user: Any, code: str, action: str, body: dict[str, Any]) -> Any:
    return Client(raise_request_exception=False).post(
        f"/api/v1/feedback/staff/items/{code}/{action}",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(user),
    )


@pytest.mark.django_db
def test_the_detail_gives_the_version_and_an_action_without_it_is_422(
    world: World, reception: Any
) -> None:
    feedback = send(world)
    detail = Client().get(f"/api/v1/feedback/staff/items/{feedback.code}", **bearer(reception))
    assert detail.json()["version"] == 1  # the submission
    missing = act(reception, feedback.code, "classify", {"category": "within"})
    assert missing.status_code == 422 and "Thiếu version" in missing.json()["detail"]
    done = act(reception, feedback.code, "classify", {"category": "within", "version": 1})
    assert done.status_code == 200 and done.json()["version"] == 2
    stale = act(reception, feedback.code, "classify", {"category": "outside", "version": 1})
    assert stale.status_code == 409 and "version hiện tại 2" in stale.json()["detail"]
    assert FeedbackEvent.objects.filter(feedback=feedback, action="classify").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"version": 1, "text": "x\x00"}, {"version": 1, "note": "n" * 10_001}, {"version": -1}]
)
def test_bad_input_is_400(world: World, reception: Any, body: dict[str, Any]) -> None:
    feedback = send(world)
    assert act(reception, feedback.code, "classify", body).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_fifty_identical_classifications_write_one_entry(world: World, reception: Any) -> None:
    feedback = send(world)
    headers = bearer(reception)

    def one() -> int:
        return (
            Client(raise_request_exception=False)
            .post(
                f"/api/v1/feedback/staff/items/{feedback.code}/classify",
                data=json.dumps({"category": "within", "version": 1}),
                content_type="application/json",
                **headers,
            )
            .status_code
        )

    statuses = run_together([one] * 50)
    assert statuses.count(200) == 1 and statuses.count(409) == 49, statuses
    assert FeedbackEvent.objects.filter(feedback=feedback, action="classify").count() == 1
