"""The load test's requests (bench/load/workload.py) are the platform's real doors: one dossier
walked through each of them with Django's test client gets the answer the locustfile counts as a
success. Locust itself is not needed (it is not installed for `make test`)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from bench.load import workload
from cchc.dossiers.models import Dossier
from cchc.testing import PASSWORD, World, bearer

pytestmark = pytest.mark.django_db

PHONE = "0912345678"


def _csrf(client: Client) -> str:
    return client.cookies["csrftoken"].value


def test_every_request_of_the_load_gets_the_answer_it_expects(
    world: World, reception: Any, specialist: Any
) -> None:
    seen: dict[str, int] = {}

    def record(name: str, response: Any) -> Any:
        seen[name] = response.status_code
        assert response.status_code == workload.REQUESTS[name].status, (
            name,
            response.content[:300],
        )
        return response

    # Counter: the receipt with its key, the hand-over with the version the receipt answered.
    api = Client(**bearer(reception))
    body = {
        "procedure": world.birth.code,
        "unit": world.commune_a.code,
        "applicant": {"name": "Nguyễn Văn Tải", "id_number": "038090001234", "phone": PHONE},
        "documents": [{"position": 1, "originals": 1}],
    }
    r = record(
        "receipt",
        api.post(
            workload.url("receipt"),
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": "load-1"},
        ),
    )
    code, version = r.json()["code"], r.json()["version"]
    record(
        "hand_over",
        api.post(
            workload.url("hand_over", code=code),
            json.dumps({"version": version, "to": specialist.username}),
            content_type="application/json",
        ),
    )

    # Specialist: logs in through the page, finds the dossier in "mine", acts with the version
    # its page shows.
    staff = Client(enforce_csrf_checks=True)
    record("login form", staff.get(workload.url("login form")))
    record(
        "login",
        staff.post(
            workload.url("login"),
            {
                "csrfmiddlewaretoken": _csrf(staff),
                "username": specialist.username,
                "password": PASSWORD,
            },
        ),
    )
    assert code in record("worklist", staff.get(workload.url("worklist"))).content.decode()
    page = record("dossier page", staff.get(workload.url("dossier page", code=code)))
    found = workload.VERSION_FIELD.search(page.content.decode())
    assert found is not None
    assert int(found.group(1)) == Dossier.objects.get(code=code).row_version
    record(
        "resolve",
        staff.post(
            workload.url("resolve", code=code),
            {
                **workload.RESOLVE_FIELDS,
                "csrfmiddlewaretoken": _csrf(staff),
                "version": found.group(1),
            },
        ),
    )
    assert Dossier.objects.get(code=code).status == "resolved"

    # Counter again: reads the version, returns the result.
    version = record("dossier API", api.get(workload.url("dossier API", code=code))).json()[
        "version"
    ]
    record(
        "return_result",
        api.post(
            workload.url("return_result", code=code),
            json.dumps({"version": version, "method": "counter"}),
            content_type="application/json",
        ),
    )
    assert Dossier.objects.get(code=code).status == "returned"

    # Citizen: by the API, then by the page (form, POST, the applicant's own view).
    record("lookup API", Client().get(workload.url("lookup API", code=code, phone=PHONE)))
    citizen = Client(enforce_csrf_checks=True)
    record("lookup form", citizen.get(workload.url("lookup form")))
    posted = record(
        "lookup POST",
        citizen.post(
            workload.url("lookup POST"),
            {"csrfmiddlewaretoken": _csrf(citizen), "code": code, "phone": PHONE},
        ),
    )
    assert posted["Location"] == workload.url("lookup page", code=code)
    own = record("lookup page", citizen.get(workload.url("lookup page", code=code)))
    assert workload.PERSONAL_MARKER in own.content.decode()
    # A stranger's page never shows it (the marker tells the two views apart).
    stranger = Client().get(workload.url("lookup page", code=code))
    assert workload.PERSONAL_MARKER not in stranger.content.decode()

    # Visitor: the catalogue.
    search = record(
        "catalogue search", Client().get(workload.url("catalogue search", q="khai sinh"))
    )
    assert re.search(world.birth.code.replace(".", r"\."), search.content.decode())
    record(
        "procedure page", Client().get(workload.url("procedure page", procedure=world.birth.code))
    )

    assert set(seen) == set(workload.REQUESTS)
    assert set(workload.PER_DOSSIER) <= set(workload.REQUESTS)


def test_the_plan_sends_the_derived_rate() -> None:
    # 168 communes × 300 dossiers × 3 before Tết over 8 office hours: 5.25 dossiers a second.
    assert workload.PEAK_DOSSIERS_PER_SECOND == 151_200 / 28_800
    assert workload.requests_per_dossier() == 31
    plan = workload.plan(workload.TARGET_SCALE)
    dossiers = workload.TARGET_SCALE * workload.PEAK_DOSSIERS_PER_SECOND
    assert plan["counter"].rate == pytest.approx(dossiers)
    assert plan["specialist"].rate == pytest.approx(dossiers)
    assert plan["citizen"].rate == pytest.approx(dossiers * workload.LOOKUPS_PER_DOSSIER)
    # Counters and specialists pair up commune by commune.
    assert plan["counter"].users == plan["specialist"].users
