"""Every input of the API is bounded at the schema (issue 10, build item 1): strings by length
and free of NUL, integers by their column's range, lists by a count, the limits read from the
model. The walk over the committed OpenAPI file makes a new endpoint that forgets one fail here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from annotated_types import Interval
from pydantic import StringConstraints

from cchc.dossiers.models import Dossier, DossierDocument, DossierEvent
from cchc.lib.inputs import MAX_FREE_TEXT, NUL_FREE, column, text

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json").read_text()
)
# Formats pydantic parses into a bounded value itself (a date, a moment, an uploaded file).
SELF_BOUNDED_FORMATS = {"date", "date-time", "binary", "time"}
# Endpoints whose owners have not applied cchc.lib.inputs yet: each one is a debt, named here so
# that it is seen, not a rule. (Their strings still cannot carry a NUL into a query: the query
# string is refused at the door, cchc.lib.nul_guard.)
NOT_YET_BOUNDED = {
    "/api/v1/reports/resolution": "cchc/reports/api.py (issue 11)",
}


def test_a_text_column_gives_its_max_length_and_refuses_nul() -> None:
    assert column(Dossier, "applicant_name") == StringConstraints(
        min_length=0, max_length=200, pattern=NUL_FREE
    )
    assert column(DossierEvent, "reason") == text(MAX_FREE_TEXT)  # a TextField


def test_an_integer_column_gives_its_range() -> None:
    assert column(DossierDocument, "originals") == Interval(ge=0, le=32767)
    assert column(Dossier, "row_version") == Interval(ge=0, le=2147483647)
    assert column(DossierDocument, "dossier") == Interval(ge=-(2**63), le=2**63 - 1)


def test_another_kind_of_field_is_refused_rather_than_left_unbounded() -> None:
    with pytest.raises(TypeError, match="DateTimeField"):
        column(Dossier, "received_at")


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = SCHEMA["components"]["schemas"][name]
    return node


def _unbounded(node: dict[str, Any], where: str, seen: frozenset[str]) -> Iterator[str]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen = seen | {name}
    node = _resolve(node)
    for branch in node.get("anyOf", []) + node.get("allOf", []) + node.get("oneOf", []):
        yield from _unbounded(branch, where, seen)
    kind = node.get("type")
    if kind == "string" and "enum" not in node and node.get("format") not in SELF_BOUNDED_FORMATS:
        if "maxLength" not in node or node.get("pattern") != NUL_FREE:
            yield f"{where}: a string without maxLength or the NUL-free pattern"
    elif kind == "integer" and ("minimum" not in node or "maximum" not in node):
        yield f"{where}: an integer without minimum and maximum"
    elif kind == "array":
        if "maxItems" not in node:
            yield f"{where}: a list without maxItems"
        yield from _unbounded(node.get("items", {}), f"{where}[]", seen)
    elif kind == "object":
        for name, prop in node.get("properties", {}).items():
            yield from _unbounded(prop, f"{where}.{name}", seen)


def _inputs() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in SCHEMA["paths"].items():
        if path in NOT_YET_BOUNDED:
            continue
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield f"{method.upper()} {path} {parameter['name']}", parameter["schema"]
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                if media == "application/x-ndjson":
                    continue  # read line by line by the import, each line checked there
                yield f"{method.upper()} {path} body", content["schema"]


def test_every_input_of_every_endpoint_is_bounded() -> None:
    inputs = list(_inputs())
    assert len(inputs) > 50, "the walk found too few inputs: is the schema file right?"
    problems = [p for where, node in inputs for p in _unbounded(node, where, frozenset())]
    assert problems == []


def test_every_endpoint_lists_its_refusals() -> None:
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "400" in codes, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= codes, (method, path)
            # A path naming something can name nothing.
            if "{" in path:
                assert "404" in codes, (method, path)


def test_a_date_or_a_moment_must_be_written_as_one() -> None:
    import datetime as dt

    from pydantic import TypeAdapter, ValidationError

    from cchc.lib.inputs import IsoDate, IsoMoment

    day, moment = TypeAdapter(IsoDate), TypeAdapter(IsoMoment)
    assert day.validate_python("2025-08-04") == dt.date(2025, 8, 4)
    assert moment.validate_python("2025-08-04T09:00:00+07:00").hour == 9
    # pydantic alone reads numbers as seconds since 1970: `on=0` was 01/01/1970.
    for wrong in ("0", "0.0", 0, "04/08/2025", "2025-08-04junk"):
        with pytest.raises(ValidationError):
            day.validate_python(wrong)
    for wrong in ("0", 1754272800, "2025-08-04"):
        with pytest.raises(ValidationError):
            moment.validate_python(wrong)


@pytest.mark.django_db
def test_the_api_refuses_a_number_for_a_date(world: Any) -> None:
    from django.test import Client

    client = Client()
    assert client.get("/api/v1/units", {"on": "0.0"}).status_code == 400
    assert client.get("/api/v1/units", {"on": "2025-08-04"}).status_code == 200


@pytest.mark.django_db
def test_an_address_under_the_api_that_names_nothing_answers_json_404(world: Any) -> None:
    from django.test import Client

    for url in ("/api/v1/calendar/-1", "/api/v1/calendar/%0Ax", "/api/v1/khong-co/"):
        response = Client().get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Không có địa chỉ API này."}
