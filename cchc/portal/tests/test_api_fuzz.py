"""Fuzz: schemathesis over every endpoint of the committed docs/api/openapi.json (issue 10).

Bounded for CI: a few derandomised examples per operation, valid ones (positive) and ones that
break the schema on purpose (negative), each sent in-process to the real application with a
staff token, half of them on existing objects so that the handlers run past the lookups. Every
answer must be no 5xx, a status the schema lists for that endpoint, of the declared content
type and shape; a request the schema refuses must be refused (4xx).

The longer run, against a live server: `python bench/fuzz_api.py` (figures in
docs/reliability.md, section "Fuzz").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from cchc.dossiers.models import Dossier, DossierDocument
from cchc.feedback import pakn as feedback_pakn
from cchc.parindex import actions as par_actions
from cchc.parindex.criteria import load_shipped, save_set
from cchc.testing import World, at, make_user
from cchc.tickets import queue as ticket_actions
from cchc.tickets.models import Counter
from cchc.units.choices import Role
from cchc.units.models import Membership

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and mode in CI; bench/fuzz_api.py runs many more.
EXAMPLES = 6


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: Any, value: Any) -> bytes:
    # The import's body is documented as text (one JSON object per line): sent as generated.
    return str(value).encode("utf-8", "replace")


def fuzz_schema() -> Any:
    schema = schemathesis.openapi.from_path(str(COMMITTED))
    schema.app = get_wsgi_application()
    return schema


@pytest.fixture
def requests_keep_the_test_transaction() -> Iterator[None]:
    # What Django's test client does: the end of a request would otherwise close the
    # connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def known_objects(world: World, received: Dossier, fuzzer: Any) -> dict[str, Any]:
    """Values for the path parameters that name something, so the handlers run to the end."""
    feedback = feedback_pakn.submit_feedback(
        unit=world.commune_a,
        kind="report",
        subject="procedure",
        content="Chờ lâu ở quầy.",
        at=at("2025-08-04", 10),
    )
    counter = Counter.objects.create(unit=world.commune_a, number=1)
    ticket_actions.issue_ticket(world.commune_a)
    document = DossierDocument.objects.filter(dossier=received).first()
    assessment = par_actions.open_assessment(
        world.commune_a,
        save_set(load_shipped("par-xa-2025.json")),
        by=make_user("appraiser_38", world.province, Role.APPRAISER),
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
    )
    return {
        "assessment_id": assessment.pk,
        "code": received.code,
        "unit_code": world.commune_a.code,
        "counter_id": counter.pk,
        "counter_number": counter.number,
        "document_id": document.pk if document else 1,
        "year": 2025,
        "feedback_code": feedback.code,
        "procedure_code": world.copy.code,
    }


def path_values(path: str, known: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (
        "code",
        "unit_code",
        "counter_id",
        "counter_number",
        "document_id",
        "year",
        "assessment_id",
    ):
        if "{" + name + "}" in path:
            values[name] = known[name]
    if "{code}" in path and "/feedback/" in path:
        values["code"] = known["feedback_code"]
    elif "{code}" in path and (
        "/procedures/" in path and "/units/" in path or "procedures/{code}" in path
    ):
        values["code"] = known["procedure_code"]
    return values


def run_fuzz(operation: Any, known: dict[str, Any], token: str, examples: int, seed: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    fixed = path_values(operation.path, known)
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if fixed:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
    negative = operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=st.one_of(*strategies))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def positive(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    @given(case=negative)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def refused(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[*CHECKS, negative_data_rejection])

    positive()
    # A text body (the NDJSON import) has no wrong type on the wire: "True" is text too, and
    # each line is judged by the import (bad lines are reported in a 200 answer).
    if "application/x-ndjson" not in [body.media_type for body in operation.body]:
        refused()


@pytest.mark.django_db
def test_no_endpoint_answers_5xx_or_outside_its_schema(
    world: World,
    received: Dossier,
    settings: Any,
    tmp_path: Any,
    requests_keep_the_test_transaction: None,
) -> None:
    settings.RATELIMIT_ENABLE = False  # the fuzzer is one client sending hundreds of requests
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["localhost"]
    fuzzer = make_user("fuzzer", world.commune_a, Role.RECEPTION)
    for role in (Role.SPECIALIST, Role.LEADER, Role.TTHC_CONTROL):
        Membership.objects.create(
            user=fuzzer, unit=world.commune_a, role=role, valid_from=dt.date(2025, 1, 1)
        )
    from cchc.accounts.models import ApiToken

    _token, raw = ApiToken.issue(fuzzer)
    schema = fuzz_schema()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, "the committed schema lost operations"
    with time_machine.travel(at("2025-08-05", 10), tick=True):
        known = known_objects(world, received, fuzzer)
        for operation in operations:
            try:
                run_fuzz(operation, known, raw, EXAMPLES, seed=0)
            except (Exception, BaseExceptionGroup) as exc:  # one report naming every failure
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
