"""The committed OpenAPI file is the API: a change to an endpoint must update it on purpose.

Regenerate with: .venv/bin/python manage.py export_openapi_schema --api cchc.api.api --indent 1 --output docs/api/openapi.json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from cchc.api import api

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json"


def test_the_committed_schema_matches_the_code() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))


@pytest.mark.django_db
def test_the_schema_and_its_docs_page_are_served_without_any_cdn() -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/procedures/{code}" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger" in docs.lower()
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_no_two_schemas_share_a_name() -> None:
    # OpenAPI components are keyed by class name: two schemas of one name would silently
    # describe one endpoint with the other's fields (it happened to DocumentOut and StepOut).
    from ninja import Schema

    api.get_openapi_schema(path_prefix="/api/v1")  # imports every router's module
    seen: dict[str, str] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("cchc."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        assert seen.setdefault(cls.__name__, where) == where, (cls.__name__, seen[cls.__name__])
