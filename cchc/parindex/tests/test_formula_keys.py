"""The shipped sets' automatic criteria name registered formulas with rules the projection can
apply, and a set whose automatic criterion cannot be projected is refused naming it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cchc.parindex.automatic import FORMULAS, check_criterion
from cchc.parindex.choices import Method
from cchc.parindex.criteria import DATA, SHIPPED_SETS, CriteriaSetError, load_shipped, read_json


def _walk(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node.children))
    return out


@pytest.mark.parametrize("name", SHIPPED_SETS)
def test_every_shipped_automatic_criterion_resolves(name: str) -> None:
    automatic = [n for n in _walk(load_shipped(name).nodes) if n.method == Method.AUTOMATIC]
    assert automatic, name
    for node in automatic:
        rule, formula = check_criterion(node)
        assert formula is FORMULAS[node.formula]
        assert rule.max_score == node.max_score
        # A rate of 100 % reaches the top step: thresholds are rates, not percentages.
        assert rule.score(1) == node.max_score, node.code


def _doc_with(code: str, **changes: Any) -> dict[str, Any]:
    doc = json.loads((DATA / "par-xa-2025.json").read_text())

    def walk(nodes: list[dict[str, Any]]) -> bool:
        for node in nodes:
            if node["code"] == code:
                node.update(changes)
                return True
            if walk(node["children"]):
                return True
        return False

    assert walk(doc["nodes"])
    return doc


def test_an_unregistered_formula_is_refused_naming_the_criterion() -> None:
    with pytest.raises(CriteriaSetError) as refused:
        read_json(_doc_with("3.2", formula="dossiers_on_time"))
    assert any(
        m.startswith("Tiêu chí 3.2:") and "dossiers_on_time" in m for m in refused.value.messages
    )


def test_a_rule_the_projection_refuses_is_refused_naming_the_criterion() -> None:
    # "empty" is not a parameter of the scoring rules ("empty_score" is).
    with pytest.raises(CriteriaSetError) as refused:
        read_json(_doc_with("3.4", rule_params={"steps": [[1, 2], [0.9, 1]], "empty": 2}))
    assert any(m.startswith("Tiêu chí 3.4:") and "empty" in m for m in refused.value.messages)


def test_a_free_automatic_criterion_is_refused() -> None:
    with pytest.raises(CriteriaSetError) as refused:
        read_json(_doc_with("3.2", rule="free", rule_params={}))
    assert any(m.startswith("Tiêu chí 3.2:") for m in refused.value.messages)
