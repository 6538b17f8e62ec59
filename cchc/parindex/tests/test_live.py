"""The live projected score of an assessment: commune A's 2025 assessment (the shipped PAR-XA
set) against the August story of test_automatic (built through the real actions), measured
over 01/01/2025 → today; the self-score defaulting to it; the API, scoped."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex import actions, live
from cchc.parindex.actions import IllegalMove
from cchc.parindex.automatic import FORMULAS
from cchc.parindex.models import Assessment, Score, ScoreChange
from cchc.parindex.tests.test_automatic import august  # noqa: F401 (the fixture)
from cchc.testing import World, at, bearer

# The August story of test_automatic, built through the real actions, under every test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("august")]

NOW = at("2025-10-02", 9)
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 10, 2))


def _self(assessment: Assessment, code: str) -> Decimal | None:
    return Score.objects.get(assessment=assessment, criterion__code=code).self_score


def test_the_projection_measures_the_year_so_far_over_the_unit_subtree(
    world: World, assessment: Assessment
) -> None:
    found = live.projection(assessment, now=NOW)
    assert (found.start, found.end) == YEAR
    rows = {r.criterion.code: r.projection for r in found.rows}
    assert list(rows) == ["3.1.1", "3.1.2", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7"]
    ids = [world.commune_a.pk, world.centre_a.pk]
    for code, p in rows.items():
        assert p.measure == FORMULAS[p.formula](ids, *YEAR, now=NOW), code
    # By hand from the story: D1–D4 resolved, 2 on time, D5 overdue (2/4 → below 90 %: 0);
    # 1 of 3 late dossiers with an apology (not 100 %: 0); the one fee paid online (100 %: 1).
    assert (rows["3.2"].measure.numerator, rows["3.2"].measure.denominator) == (2, 4)
    assert rows["3.2"].score == Decimal("0.00") and rows["3.2"].lost == Decimal(5)
    assert (rows["3.3"].measure.numerator, rows["3.3"].measure.denominator) == (1, 3)
    assert rows["3.3"].score == Decimal("0.00")
    assert rows["3.7"].measure.value == Decimal(1) and rows["3.7"].score == Decimal("1.00")
    # 1 of 6 received online (16,7 % of a 100 % target: below 80 %): 0.
    assert rows["3.6"].measure.value == Decimal(1) / Decimal(6)
    assert rows["3.6"].score == Decimal("0.00")
    assert found.max_total == Decimal(16)  # 1,5 + 1,5 + 5 + 1 + 2 + 2 + 2 + 1
    assert found.total == sum((p.score or Decimal(0) for p in rows.values()), Decimal(0))
    assert found.others_points == Decimal(0)  # nothing self-scored yet
    assert found.projected_points == found.total
    assert found.appraisal_max == Decimal(70)


def test_a_year_that_is_over_is_measured_to_31_december(assessment: Assessment) -> None:
    assert live.period(assessment, at("2026-03-01", 9)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )


def test_the_self_score_defaults_to_the_projection(
    world: World, assessment: Assessment, carol: User
) -> None:
    actions.set_self_score(assessment, "3.6", 1, by=carol, at=NOW)  # the unit's own, kept
    changed = actions.self_assess_from_projection(assessment, by=carol, at=NOW)
    assert changed == ["3.1.1", "3.1.2", "3.2", "3.3", "3.4", "3.5", "3.7"]
    assert _self(assessment, "3.7") == Decimal("1.00")
    assert _self(assessment, "3.2") == Decimal("0.00")
    assert _self(assessment, "3.6") == Decimal(1)
    history = ScoreChange.objects.get(score__criterion__code="3.2", field="self_score")
    assert "01/01/2025–02/10/2025" in history.why and "2/4" in history.why
    # With overwrite the unit's 1 for 3.6 becomes the projected 0.
    assert actions.self_assess_from_projection(assessment, by=carol, overwrite=True, at=NOW) == [
        "3.6"
    ]
    assert _self(assessment, "3.6") == Decimal("0.00")


def test_the_projection_is_not_applied_once_submitted(
    world: World, assessment: Assessment, carol: User
) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    with pytest.raises(IllegalMove):
        actions.self_assess_from_projection(assessment, by=carol, at=NOW)
    assert _self(assessment, "3.7") is None


def test_the_projection_through_the_api_and_another_unit_gets_404(
    world: World, assessment: Assessment, carol: User, bob: User
) -> None:
    url = f"/api/v1/par/assessments/{assessment.pk}/projection"
    with time_machine.travel(NOW, tick=False):
        response = Client().get(url, **bearer(carol))
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["start"], body["end"]) == ("2025-01-01", "2025-10-02")
        row = next(r for r in body["rows"] if r["code"] == "3.2")
        assert row["measure"]["numerator"] == 2 and row["measure"]["denominator"] == 4
        assert row["score"] == 0 and row["lost"] == 5 and row["max_score"] == 5
        assert body["max_total"] == 16
        assert Client().get(url, **bearer(bob)).status_code == 404
        applied = Client().post(
            url + "/apply", json.dumps({}), content_type="application/json", **bearer(carol)
        )
        assert applied.status_code == 200, applied.content
        assert _self(assessment, "3.7") == Decimal("1.00")
        refused = Client().post(
            url + "/apply", json.dumps({}), content_type="application/json", **bearer(bob)
        )
        assert refused.status_code == 404
