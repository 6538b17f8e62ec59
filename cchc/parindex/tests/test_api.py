"""The PAR Index API: importing a set and a whole assessment, the lost-points rows of SEEDS.md
§4, the cycle's steps and refusals, rankings, and another unit's assessment answering 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex.criteria import DATA, load_shipped, save_set
from cchc.parindex.models import Assessment, CriteriaSet, Score
from cchc.testing import World, bearer

BASE = "/api/v1/par"


def _post(user: User, path: str, body: Any) -> Any:
    return Client().post(
        BASE + path, json.dumps(body), content_type="application/json", **bearer(user)
    )


def _get(user: User, path: str) -> Any:
    return Client().get(BASE + path, **bearer(user))


def _demo() -> dict[str, Any]:
    return json.loads((DATA / "demo-assessment-2022.json").read_text())


@pytest.fixture
def framework(db: Any) -> CriteriaSet:
    """The commune framework shaped like SEEDS.md §4 (8 fields, criteria 1.1–8.5)."""
    return save_set(load_shipped("par-xa-8lv-2022.json"))


@pytest.fixture
def imported(world: World, framework: CriteriaSet, pat: User) -> int:
    response = _post(pat, "/assessments/import", _demo())
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_importing_the_commune_set_through_the_api(world: World, pat: User) -> None:
    doc = json.loads((DATA / "par-xa-2025.json").read_text())
    response = _post(pat, "/criteria-sets/import", doc)
    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0} == {
        "id": 0,
        "code": "PAR-XA",
        "name": doc["name"],
        "year": 2025,
        "unit_kind": "commune",
        "status": "active",
        "max_total": 100.0,
        "criteria": 58,
        "scored": 49,
    }
    exported = _get(pat, "/criteria-sets/PAR-XA/2025").json()
    assert exported["nodes"][0]["children"][0]["children"][0]["rule_params"] == {
        "levels": [1, 0.5, 0]
    }


def test_a_set_whose_children_exceed_their_parent_is_refused_naming_it(
    world: World, pat: User
) -> None:
    doc = json.loads((DATA / "par-xa-2025.json").read_text())
    doc["nodes"][2]["children"][1]["max_score"] = 6  # 3.2: 5 → 6, so field 3 sums to 27 > 26
    response = _post(pat, "/criteria-sets/import", doc)
    assert response.status_code == 422
    assert (
        "Tiêu chí 3: tổng điểm tối đa của các tiêu chí con (27) vượt điểm tối đa của tiêu chí (26)"
        in (response.json()["detail"])
    )
    assert not CriteriaSet.objects.exists()


def test_a_commune_officer_may_not_import_a_set(world: World, carol: User) -> None:
    doc = json.loads((DATA / "par-xa-2025.json").read_text())
    assert _post(carol, "/criteria-sets/import", doc).status_code == 403


def test_the_imported_assessment_gives_the_lost_points_of_the_supervision_conclusion(
    imported: int, pat: User, carol: User
) -> None:
    response = _get(carol, f"/assessments/{imported}/lost-points")
    assert response.status_code == 200
    rows = response.json()
    assert all(
        list(r) == ["code", "title", "max_score", "self_score", "appraised_score", "lost", "reason"]
        for r in rows
    )
    by_code = {r["code"]: r for r in rows}
    # SEEDS.md §4: "7.2 digital-transformation programme: max 1.5, self 0.5, appraised 0.5 (lost 1)".
    assert by_code["7.2"] | {"title": "", "reason": ""} == {
        "code": "7.2",
        "title": "",
        "max_score": 1.5,
        "self_score": 0.5,
        "appraised_score": 0.5,
        "lost": 1.0,
        "reason": "",
    }
    assert by_code["7.2"]["reason"] == "Chưa có nhiệm vụ chuyển đổi số được phê duyệt."
    # "2.3 legal education: max 2, self 2, appraised 1.5 (lost 0.5)"; "2.2 … max 1.5, appraised 1".
    assert (by_code["2.3"]["max_score"], by_code["2.3"]["self_score"], by_code["2.3"]["lost"]) == (
        2.0,
        2.0,
        0.5,
    )
    assert (
        by_code["2.2"]["max_score"],
        by_code["2.2"]["appraised_score"],
        by_code["2.2"]["lost"],
    ) == (1.5, 1.0, 0.5)
    # Grouped by field as the conclusion lists them: 1.3–1.5, 2.2–2.4, 3.1–3.2, 4.1–4.3, 5.1–5.3,
    # 7.2 and 7.4, 8.1–8.5; field 6 lost nothing.
    assert [r["code"] for r in rows] == [
        "1.3", "1.4", "1.5", "2.2", "2.3", "2.4", "3.1", "3.2", "4.1", "4.2", "4.3",
        "5.1", "5.2", "5.3", "7.2", "7.4", "8.1", "8.2", "8.3", "8.4", "8.5",
    ]  # fmt: skip
    detail = _get(pat, f"/assessments/{imported}").json()
    assert detail["status"] == "explaining"
    assert detail["totals"]["appraised_total"] == 70 - sum(r["lost"] for r in rows)


@pytest.mark.parametrize(
    ("change", "status", "expected"),
    [
        (
            {"code": "7.2", "self_score": 2},
            422,
            "Tiêu chí 7.2: điểm tự chấm 2 ngoài khoảng 0 đến 1,5",
        ),
        (
            {"code": "2.3", "appraised_score": -0.5, "reason": "x"},
            422,
            "Tiêu chí 2.3: điểm thẩm định -0,5",
        ),
        (
            {"code": "9.1", "self_score": 1},
            422,
            "Tiêu chí 9.1 không có trong bộ tiêu chí PAR-XA-8LV",
        ),
        (
            {"code": "2.3", "self_score": 2, "appraised_score": 1},
            422,
            "Tiêu chí 2.3: điểm thẩm định thấp hơn",
        ),
    ],
)
def test_a_bad_assessment_file_is_refused_and_nothing_is_saved(
    world: World,
    framework: CriteriaSet,
    pat: User,
    change: dict[str, Any],
    status: int,
    expected: str,
) -> None:
    doc = _demo()
    doc["scores"] = [r for r in doc["scores"] if r["code"] != change["code"]] + [change]
    response = _post(pat, "/assessments/import", doc)
    assert response.status_code == status, response.content
    assert expected in response.json()["detail"]
    assert not Assessment.objects.exists() and not Score.objects.exists()


def test_another_units_assessment_answers_404(imported: int, bob: User) -> None:
    for path in (f"/assessments/{imported}", f"/assessments/{imported}/lost-points"):
        assert _get(bob, path).status_code == 404
    response = _post(
        bob,
        f"/assessments/{imported}/explanations",
        {"explanations": [{"code": "7.2", "text": "x"}]},
    )
    assert response.status_code == 404
    assert _post(bob, "/assessments/import", {**_demo(), "year": 2022}).status_code == 404
    assert [a["id"] for a in _get(bob, "/assessments").json()] == []


def test_the_cycle_through_the_api(
    world: World, framework: CriteriaSet, pat: User, carol: User
) -> None:
    opened = _post(
        pat,
        "/assessments",
        {
            "unit": "16300",
            "criteria_set": "PAR-XA-8LV",
            "year": 2022,
            "self_assessment_due": "2022-11-15",
            "appraisal_due": "2022-12-20",
        },
    )
    assert opened.status_code == 201, opened.content
    a = opened.json()["id"]
    rows = [r for r in _demo()["scores"]]
    # Appraising before submission is out of order.
    early = _post(pat, f"/assessments/{a}/appraisal/1", {"scores": [{"code": "1.1"}]})
    assert early.status_code == 409
    scored = _post(
        carol,
        f"/assessments/{a}/self-scores",
        {"scores": [{"code": r["code"], "score": r["self_score"]} for r in rows]},
    )
    assert scored.status_code == 200
    evidence = _post(
        carol,
        f"/assessments/{a}/evidence",
        {"code": "1.1", "kind": "plan", "label": "Kế hoạch CCHC 2022", "ref": "15/KH-UBND"},
    )
    assert evidence.json()["progress"] == {"to_score": 32, "self_scored": 32, "with_evidence": 1}
    assert _post(carol, f"/assessments/{a}/submit", {}).json()["status"] == "submitted"
    appraisal = [
        {"code": r["code"], "score": r["appraised_score"], "reason": r.get("reason", "")}
        for r in rows
    ]
    first = _post(pat, f"/assessments/{a}/appraisal/1", {"scores": appraisal, "close": True})
    assert first.json()["status"] == "explaining", first.content
    explained = _post(
        carol,
        f"/assessments/{a}/explanations",
        {"explanations": [{"code": "7.2", "text": "Kế hoạch chuyển đổi số đã trình"}]},
    )
    assert explained.status_code == 200
    second = _post(
        pat,
        f"/assessments/{a}/appraisal/2",
        {
            "scores": [{"code": "7.2", "score": 1, "reason": "Kế hoạch mới trình, chưa phê duyệt"}],
            "close": True,
        },
    )
    assert second.json()["status"] == "appraised"
    survey = [{"code": c, "score": 3.6} for c in ("1.6", "2.5", "4.4", "5.5")] + [
        {"code": "3.5", "score": 7.2},
        {"code": "7.5", "score": 5.4},
    ]
    merged = _post(pat, f"/assessments/{a}/survey", {"scores": survey})
    assert merged.json()["totals"]["survey_total"] == 27.0
    assert _post(pat, f"/assessments/{a}/finalise", {}).json()["status"] == "final"
    published = _post(pat, f"/assessments/{a}/publish", {}).json()
    # 70 − 19 lost at round 1 + 0,5 given back on 7.2 = 51,5 appraised; + 27 survey = 78,5 of
    # 100: "Khá" (70 to under 80) in this set's bands.
    assert (
        published["totals"]["appraised_total"],
        published["totals"]["index"],
        published["totals"]["band"],
    ) == (51.5, 78.5, "Khá")
    late = _post(carol, f"/assessments/{a}/self-scores", {"scores": [{"code": "1.1", "score": 2}]})
    assert late.status_code == 409 and "đã công bố" in late.json()["detail"]
    ranked = _get(carol, "/rankings?year=2022&unit_kind=commune").json()
    assert [(r["rank"], r["unit"], r["index"], r["band"]) for r in ranked] == [
        (1, "16300", 78.5, "Khá")
    ]
