"""Criteria sets: the shipped sets add up, a broken tree is refused naming the criterion, and
JSON and xlsx round-trip."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.choices import Method
from cchc.parindex.criteria import (
    DATA,
    SHIPPED_SETS,
    CriteriaSetError,
    export_json,
    export_xlsx,
    load_shipped,
    read_json,
    read_xlsx,
    save_set,
)
from cchc.parindex.models import CriteriaSet

SHAPES = {
    # file: (fields, criteria scored, of which by survey, appraisal points, survey points)
    "par-xa-2025.json": (7, 49, 7, Decimal(70), Decimal(30)),
    "par-xa-8lv-2022.json": (8, 38, 6, Decimal(70), Decimal(30)),
    "par-so-2023.json": (8, 102, 22, Decimal(78), Decimal(22)),
}


def _doc(name: str = "par-xa-2025.json") -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


@pytest.mark.parametrize("name", SHIPPED_SETS)
def test_every_shipped_set_adds_up(db: Any, name: str) -> None:
    criteria_set = save_set(load_shipped(name))
    fields, scored, survey, appraisal_points, survey_points = SHAPES[name]
    criteria = list(criteria_set.criteria.all())
    assert criteria_set.max_total == Decimal(100)
    assert sum(c.max_score for c in criteria if c.parent_id is None) == Decimal(100)
    assert len([c for c in criteria if c.parent_id is None]) == fields
    leaves = [c for c in criteria if c.is_leaf]
    assert len(leaves) == scored
    assert len([c for c in leaves if c.method == Method.SURVEY]) == survey
    assert sum(c.max_score for c in leaves if c.method != Method.SURVEY) == appraisal_points
    assert sum(c.max_score for c in leaves if c.method == Method.SURVEY) == survey_points
    for parent in criteria:
        if not parent.is_leaf:
            assert (
                sum(c.max_score for c in criteria if c.parent_id == parent.pk) == parent.max_score
            )


def test_the_commune_framework_has_criteria_one_one_to_eight_five(db: Any) -> None:
    criteria_set = save_set(load_shipped("par-xa-8lv-2022.json"))
    codes = list(criteria_set.criteria.order_by("order").values_list("code", flat=True))
    assert codes[1] == "1.1" and codes[-1] == "8.5"
    seven_two = criteria_set.criteria.get(code="7.2")
    assert seven_two.max_score == Decimal("1.5")


def test_children_exceeding_their_parent_are_refused_naming_the_criterion(db: Any) -> None:
    doc = _doc()
    doc["nodes"][0]["children"][0]["children"][1]["max_score"] = 3  # 1.1.2: 2 → 3, so 1.1 = 4 > 3
    with pytest.raises(CriteriaSetError) as refused:
        read_json(doc)
    assert any(
        m.startswith("Tiêu chí 1.1: tổng điểm tối đa") and "vượt" in m
        for m in refused.value.messages
    )
    assert refused.value.status_code == 422
    assert not CriteriaSet.objects.exists()


def test_children_short_of_their_parent_are_refused(db: Any) -> None:
    doc = _doc()
    doc["nodes"][0]["children"][0]["children"][1]["max_score"] = 1
    with pytest.raises(CriteriaSetError) as refused:
        read_json(doc)
    assert any("Tiêu chí 1.1:" in m and "nhỏ hơn" in m for m in refused.value.messages)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["nodes"][1]["children"].append(copy.deepcopy(d["nodes"][1]["children"][0])),
            "mã trùng",
        ),
        (lambda d: d["nodes"][0]["children"][1].update(method="guessed"), "Tiêu chí 1.2"),
        (lambda d: d["nodes"][0]["children"][1].update(rule="lottery"), "lottery"),
        (lambda d: d["nodes"][0]["children"][1].update(max_score=-1), "Tiêu chí 1.2"),
        (lambda d: d["nodes"][2]["children"][1].update(formula=""), "Tiêu chí 3.2: chấm tự động"),
        (
            lambda d: d["nodes"][2]["children"][1]["rule_params"].update(steps=[[100, 9]]),
            "Tiêu chí 3.2: cách chấm theo mức",
        ),
        (lambda d: d.update(unit_kind="village"), "village"),
        (lambda d: d.update(max_score=90), "Tổng điểm tối đa khai báo"),
    ],
)
def test_a_broken_set_is_refused_with_the_reason(db: Any, change: Any, expected: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(CriteriaSetError) as refused:
        read_json(doc)
    assert expected in str(refused.value.message)


def test_json_export_imports_back_to_the_same_set(db: Any) -> None:
    first = save_set(load_shipped("par-so-2023.json"))
    exported = export_json(first)
    again = read_json(json.dumps(exported))
    assert again.max_total == first.max_total
    first.delete()
    second = save_set(again)
    assert export_json(second) == exported


def test_xlsx_export_reads_back_to_the_same_set(db: Any) -> None:
    first = save_set(load_shipped("par-xa-2025.json"))
    exported = export_json(first)
    spec = read_xlsx(export_xlsx(first))
    first.delete()
    assert export_json(save_set(spec)) == exported


def test_a_workbook_row_under_an_unknown_parent_is_named(db: Any) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    data = export_xlsx(save_set(load_shipped("par-xa-2025.json")))
    wb = load_workbook(BytesIO(data))
    wb["Tiêu chí"]["B3"] = "9.9"
    out = BytesIO()
    wb.save(out)
    with pytest.raises(CriteriaSetError) as refused:
        read_xlsx(out.getvalue())
    assert "không có tiêu chí cha" in str(refused.value.message)


def test_a_set_in_use_is_not_replaced(assessment: Any, pat: User) -> None:
    with pytest.raises(CriteriaSetError) as refused:
        actions.import_criteria_set(_doc(), by=pat)
    assert refused.value.status_code == 409


def test_only_the_province_council_imports_sets(world: Any, carol: User, pat: User) -> None:
    with pytest.raises(actions.NotAllowed):
        actions.import_criteria_set(_doc(), by=carol)
    assert actions.import_criteria_set(_doc(), by=pat).code == "PAR-XA"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # The merge needs the target: the import's own check would have taken 1 for it.
        ({}, "Tiêu chí 1.7: chỉ tiêu (target) phải là một số lớn hơn 0"),
        (
            {"target": 1.0, "tagret": 0.9},
            "Tiêu chí 1.7: cách chấm “proportional” không có tham số tagret",
        ),
        ({"target": 0.8, "floor": 0.9}, "Tiêu chí 1.7: mức sàn 0,9 cao hơn chỉ tiêu 0,8"),
    ],
)
def test_a_survey_criterion_the_merge_could_not_score_is_refused_at_import(
    db: Any, params: dict[str, Any], expected: str
) -> None:
    doc = _doc()
    survey = doc["nodes"][0]["children"][6]
    assert (survey["code"], survey["method"]) == ("1.7", "survey")
    survey["rule_params"] = params
    with pytest.raises(CriteriaSetError) as refused:
        read_json(doc)
    assert any(m.startswith(expected) for m in refused.value.messages), refused.value.messages
    assert not CriteriaSet.objects.exists()
