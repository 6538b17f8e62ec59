"""Evidence linked to the unit's document register: a document of the assessed unit by id or
instance, another unit's refused with 404 and nothing saved, its number/symbol, date and
signature shown, and a warning where the criterion asks for a digitally signed document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.models import Assessment, Criterion, Evidence
from cchc.parindex.results import evidence_by_code, lost_points
from cchc.parindex.tests.support import round_one_closed
from cchc.records.models import OfficialDocument
from cchc.records.tests.support import register
from cchc.testing import World, at, bearer

pytestmark = pytest.mark.django_db

WHEN = at("2025-10-05", 9)
SIGNED_ASKED = "Báo cáo CCHC hằng quý (văn bản ký số)"


@pytest.fixture(autouse=True)
def _no_trust_roots(settings: Any) -> None:
    settings.SIGNING_TRUST_ROOTS = ""


@pytest.fixture
def asks_signed(assessment: Assessment) -> None:
    Criterion.objects.filter(criteria_set=assessment.criteria_set, code="1.4").update(
        evidence_required=SIGNED_ASKED
    )


def _doc(world: World, by: User, reference: str, **extra: Any) -> OfficialDocument:
    return register(
        world,
        by,
        reference,
        title="Báo cáo công tác cải cách hành chính quý III năm 2025",
        issued_on=dt.date(2025, 9, 10),
        at=WHEN,
        **extra,
    )


def test_a_registered_document_as_evidence_shows_its_reference_date_and_signature(
    world: World, assessment: Assessment, carol: User, asks_signed: None
) -> None:
    unsigned = _doc(world, carol, "45/BC-UBND")
    signed = _doc(world, carol, "46/BC-UBND", declared_signed=True)
    first = actions.add_evidence(
        assessment, "1.4", by=carol, kind="record", label="", record=unsigned, at=WHEN
    )
    assert first.ref == "45/BC-UBND" and first.record == unsigned
    assert first.label == (
        "45/BC-UBND ngày 10/09/2025: Báo cáo công tác cải cách hành chính quý III năm 2025"
    )
    actions.add_evidence(
        assessment, "1.4", by=carol, kind="record", label="BC quý III", record=signed.pk, at=WHEN
    )
    rows = evidence_by_code(assessment)["1.4"]
    assert [r["record"] for r in rows] == [
        {
            "id": unsigned.pk,
            "reference": "45/BC-UBND",
            "issued_on": "10/09/2025",
            "title": unsigned.title,
            "signed": False,
        },
        {
            "id": signed.pk,
            "reference": "46/BC-UBND",
            "issued_on": "10/09/2025",
            "title": signed.title,
            "signed": True,
        },
    ]
    assert rows[0]["warning"].startswith("Tiêu chí 1.4: văn bản 45/BC-UBND chưa được ký số")
    assert rows[1]["warning"] == ""


def test_an_unsigned_document_is_no_warning_where_no_signature_is_asked(
    world: World, assessment: Assessment, carol: User
) -> None:
    unsigned = _doc(world, carol, "45/BC-UBND")
    actions.add_evidence(assessment, "1.4", by=carol, kind="record", label="", record=unsigned)
    (row,) = evidence_by_code(assessment)["1.4"]
    assert row["record"]["signed"] is False and row["warning"] == ""


def test_another_units_document_is_refused_with_404_and_nothing_saved(
    world: World, assessment: Assessment, carol: User, bob: User, pat: User
) -> None:
    theirs = _doc(world, bob, "12/BC-UBND", unit=world.commune_b)
    with pytest.raises(Http404):
        actions.add_evidence(assessment, "1.4", by=carol, kind="record", label="", record=theirs)
    # Even someone who sees both registers (the province's appraiser) cannot link B's document
    # to A's assessment.
    with pytest.raises(Http404):
        actions.add_evidence(assessment, "1.4", by=pat, kind="record", label="", record=theirs.pk)
    assert not Evidence.objects.exists()


def test_a_record_only_goes_with_the_record_kind(
    world: World, assessment: Assessment, carol: User
) -> None:
    mine = _doc(world, carol, "45/BC-UBND")
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 1.4"):
        actions.add_evidence(
            assessment, "1.4", by=carol, kind="link", label="x", ref="https://x.vn", record=mine
        )
    assert not Evidence.objects.exists()


def test_lost_points_rows_carry_the_evidence(
    world: World, assessment: Assessment, carol: User, pat: User, asks_signed: None
) -> None:
    unsigned = _doc(world, carol, "45/BC-UBND")
    actions.add_evidence(assessment, "1.4", by=carol, kind="record", label="", record=unsigned)
    round_one_closed(assessment, carol, pat)
    (row,) = [r for g in lost_points(assessment) for r in g.rows if r["code"] == "1.4"]
    assert row["evidence"][0]["record"]["reference"] == "45/BC-UBND"
    assert "chưa được ký số" in row["evidence"][0]["warning"]


def test_the_api_links_a_register_document_and_lists_the_warnings(
    world: World, assessment: Assessment, carol: User, bob: User, asks_signed: None
) -> None:
    mine = _doc(world, carol, "45/BC-UBND")
    theirs = _doc(world, bob, "12/BC-UBND", unit=world.commune_b)
    url = f"/api/v1/par/assessments/{assessment.pk}/evidence"

    def post(user: User, body: dict[str, Any]) -> Any:
        return Client().post(url, json.dumps(body), content_type="application/json", **bearer(user))

    response = post(carol, {"code": "1.4", "kind": "record", "record": mine.pk})
    assert response.status_code == 200, response.content
    assert post(carol, {"code": "1.4", "kind": "record", "record": theirs.pk}).status_code == 404
    listed = Client().get(url, **bearer(carol))
    assert listed.status_code == 200
    (item,) = listed.json()
    assert item["code"] == "1.4"
    assert item["evidence"][0]["record"] == {
        "id": mine.pk,
        "reference": "45/BC-UBND",
        "issued_on": "10/09/2025",
        "title": mine.title,
        "signed": False,
    }
    assert len(item["warnings"]) == 1 and "45/BC-UBND" in item["warnings"][0]
    assert Client().get(url, **bearer(bob)).status_code == 404
