"""Scoring rules: every rule at its edges, and every wrong rule refused naming the criterion.
Pure functions: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.parindex.scoring import ScoringRuleError, apply_rule, parse_rule

# PAR.md §4.2, criterion 3.2 (on-time rate), as rates: 100 % → 5; ≥ 98 % → 4; ≥ 95 % → 3;
# ≥ 90 % → 2; below: 0. Listed out of order on purpose: the order of the data does not matter.
ON_TIME_STEPS = {"steps": [[0.95, 3], [1, 5], ["0.90", 2], [0.98, 4]]}


def d(text: str) -> Decimal:
    return Decimal(text)


# -- free --------------------------------------------------------------------------------------


def test_free_takes_the_given_score_up_to_the_maximum() -> None:
    assert apply_rule("1.1.1", "free", None, "1.5", "0.5") == d("0.50")
    assert apply_rule("1.1.1", "free", {}, 1.5, 1.5) == d("1.50")
    assert apply_rule("1.1.1", "free", None, 1.5, 0) == d("0.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0.5", "Tiêu chí 1.1.1: điểm không được âm"),
        ("1.75", "Tiêu chí 1.1.1: điểm 1,75 vượt điểm tối đa 1,5"),
        ("0.125", "Tiêu chí 1.1.1: điểm 0,125 có quá 2 chữ số thập phân"),
        ("một", "Tiêu chí 1.1.1: giá trị “một” không phải là một số"),
    ],
)
def test_free_refuses_what_no_sheet_could_hold(value: str, message: str) -> None:
    with pytest.raises(ScoringRuleError, match=message) as refused:
        apply_rule("1.1.1", "free", None, "1.5", value)
    assert refused.value.status_code == 422


def test_places_is_a_parameter() -> None:
    assert apply_rule("1.1.1", "free", None, 2, "0.125", places=3) == d("0.125")
    # 9 × 83.335 % = 7.50015: 7.5 at one decimal, 7.50 at two, half up.
    assert apply_rule("3.9", "proportional", {"target": 1}, 9, "0.83335", places=1) == d("7.5")
    assert apply_rule("3.9", "proportional", {"target": 1}, 9, "0.83335") == d("7.50")


# -- yes / no ----------------------------------------------------------------------------------


def test_yes_no_gives_the_maximum_or_nothing() -> None:
    assert apply_rule("1.2", "yes_no", None, 1, True) == d("1.00")
    assert apply_rule("1.2", "yes_no", None, 1, False) == d("0.00")
    # Counts: one or more is yes.
    assert apply_rule("1.2", "yes_no", None, 1, 3) == d("1.00")
    assert apply_rule("1.2", "yes_no", None, 1, 0) == d("0.00")


def test_yes_no_on_a_rate_needs_its_threshold() -> None:
    # "100 % of late dossiers have an apology letter → 1; otherwise 0" (PAR.md 3.3).
    rule = parse_rule("3.3", "yes_no", {"at_least": 1}, 1)
    assert rule.score(d("1")) == d("1.00")
    assert rule.score(d("0.999")) == d("0.00")
    # "No late dossier → 1": the empty score.
    with_empty = parse_rule("3.3", "yes_no", {"at_least": 1, "empty_score": 1}, 1)
    assert with_empty.score(None) == d("1.00")
    assert rule.score(None) is None


# -- stepped -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "score"),
    [
        ("1", "5.00"),
        ("1.2", "5.00"),  # above the top threshold
        ("0.98", "4.00"),  # exactly at a threshold reaches it
        ("0.9799", "3.00"),
        ("0.95", "3.00"),
        ("0.90", "2.00"),
        ("0.8999", "0.00"),  # below every threshold
        ("0", "0.00"),
    ],
)
def test_stepped_gives_the_score_of_the_highest_threshold_reached(rate: str, score: str) -> None:
    assert apply_rule("3.2", "stepped", ON_TIME_STEPS, 5, d(rate)) == d(score)


def test_stepped_with_a_lowest_step_above_zero_and_an_empty_score() -> None:
    # PAR.md 3.4: 100 % → 2; ≥ 90 % → 1; below: 0; no PAKN in the year: 2.
    params = {"steps": [[1, 2], [0.9, 1]], "empty_score": 2}
    assert apply_rule("3.4", "stepped", params, 2, None) == d("2.00")
    assert apply_rule("3.4", "stepped", params, 2, "0.9") == d("1.00")
    assert apply_rule("3.4", "stepped", params, 2, "0.5") == d("0.00")


def test_stepped_thresholds_may_be_counts() -> None:
    # "25 news items on the loudspeaker" counted for a communication criterion.
    params = {"steps": [[24, 1], [12, 0.5]]}
    assert apply_rule("1.4", "stepped", params, 1, 25) == d("1.00")
    assert apply_rule("1.4", "stepped", params, 1, 12) == d("0.50")
    assert apply_rule("1.4", "stepped", params, 1, 11) == d("0.00")


# -- proportional ------------------------------------------------------------------------------


def test_proportional_is_the_maximum_times_the_share_of_the_target() -> None:
    # Online share against a provincial target of 50 %, 2 points.
    params = {"target": "0.5", "floor": "0.2"}
    assert apply_rule("3.6", "proportional", params, 2, "0.5") == d("2.00")  # at the target
    assert apply_rule("3.6", "proportional", params, 2, "0.8") == d("2.00")  # above: capped
    assert apply_rule("3.6", "proportional", params, 2, "0.3") == d("1.20")  # 2 × 0.3/0.5
    assert apply_rule("3.6", "proportional", params, 2, "0.2") == d("0.80")  # at the floor
    assert apply_rule("3.6", "proportional", params, 2, "0.1999") == d("0.00")  # below it


def test_proportional_rounds_half_up() -> None:
    # 9 × 2/3 = 6 (to the hundredth); 1.5 × 0.339 = 0.5085 → 0.51; 0.1 × 0.25 = 0.025 is a
    # tie: half up gives 0.03 where banker's rounding would give 0.02.
    assert apply_rule("3.9", "proportional", {"target": 1}, 9, Decimal(2) / 3) == d("6.00")
    assert apply_rule("3.1", "proportional", {"target": 1}, "1.5", "0.339") == d("0.51")
    assert apply_rule("3.1", "proportional", {"target": 1}, "0.1", "0.25") == d("0.03")


def test_a_measured_value_cannot_be_negative() -> None:
    with pytest.raises(ScoringRuleError, match=r"Tiêu chí 3\.6: giá trị đo được \(-0,1\)"):
        apply_rule("3.6", "proportional", {"target": 1}, 2, "-0.1")


# -- wrong rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "params", "max_score", "message"),
    [
        ("threshold", {}, 2, "cách chấm “threshold” không có"),
        ("stepped", {"steps": [[1, 2]]}, 0, "điểm tối đa phải là một số lớn hơn 0"),
        ("stepped", {"steps": [[1, 2]]}, "hai", "điểm tối đa phải là một số lớn hơn 0"),
        ("stepped", [[1, 2]], 2, "tham số của cách chấm phải là một đối tượng JSON"),
        ("stepped", {}, 2, "cần danh sách các mức “steps”"),
        ("stepped", {"steps": []}, 2, "cần danh sách các mức “steps”"),
        ("stepped", {"steps": "1:2"}, 2, "cần danh sách các mức “steps”"),
        ("stepped", {"steps": [[1, 2, 3]]}, 2, "mức thứ 1 phải là một cặp"),
        ("stepped", {"steps": [[1, 2], [True, 1]]}, 2, "ngưỡng của mức thứ 2 không phải"),
        ("stepped", {"steps": [["NaN", 1]]}, 2, "ngưỡng của mức thứ 1 không phải"),
        ("stepped", {"steps": [[1, 3]]}, 2, "điểm của mức thứ 1 phải là một số từ 0"),
        ("stepped", {"steps": [[0.5, -1]]}, 2, "điểm của mức thứ 1 phải là một số từ 0"),
        ("stepped", {"steps": [[1, 2], [1.0, 1]]}, 2, "ngưỡng 1 được ghi hai lần"),
        ("stepped", {"step": [[1, 2]]}, 2, "không có tham số step"),
        ("stepped", {"steps": [[1, 2]], "empty_score": 3}, 2, "điểm khi không phát sinh"),
        ("proportional", {}, 2, "chỉ tiêu \\(target\\) phải là một số lớn hơn 0"),
        ("proportional", {"target": 0}, 2, "chỉ tiêu \\(target\\) phải là một số lớn hơn 0"),
        ("proportional", {"target": 0.5, "floor": -0.1}, 2, "mức sàn \\(floor\\) phải"),
        ("proportional", {"target": 0.5, "floor": 0.6}, 2, "mức sàn 0,6 cao hơn chỉ tiêu 0,5"),
        ("yes_no", {"at_least": 0}, 1, "ngưỡng “có” \\(at_least\\) phải là một số lớn hơn 0"),
        ("free", {"target": 1}, 1, "cách chấm “free” không có tham số target"),
    ],
)
def test_a_wrong_rule_is_refused_naming_the_criterion(
    rule: str, params: object, max_score: object, message: str
) -> None:
    with pytest.raises(ScoringRuleError, match=message) as refused:
        parse_rule("2.3", rule, params, max_score)  # type: ignore[arg-type]
    assert str(refused.value.message).startswith("Tiêu chí 2.3: ")
    assert refused.value.status_code == 422


def test_a_value_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(ScoringRuleError, match="Tiêu chí 3.3: giá trị “có” không phải"):
        apply_rule("3.3", "yes_no", None, 1, "có")
    with pytest.raises(ScoringRuleError, match="Tiêu chí 3.2: giá trị “\\[1\\]” không phải"):
        apply_rule("3.2", "stepped", ON_TIME_STEPS, 5, [1])
