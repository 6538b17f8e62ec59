"""The assessment cycle, step by step, with each refusal: open → self-assess with evidence →
submit → appraisal round 1 → explanation → round 2 → survey merged → final → published."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.actions import AppraisalEntry, SelfEntry
from cchc.parindex.choices import Action, Status
from cchc.parindex.models import Assessment, AssessmentEvent, Evidence, Score, ScoreChange
from cchc.parindex.results import lost_points, progress, ranking, totals
from cchc.parindex.tests.support import leaves, round_one_closed, self_score_all, submitted
from cchc.testing import World, at, make_user
from cchc.units.choices import Role

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_opening_creates_a_score_row_for_every_criterion_scored(assessment: Assessment) -> None:
    assert assessment.status == Status.OPEN
    assert Score.objects.filter(assessment=assessment).count() == 49
    event = AssessmentEvent.objects.get(assessment=assessment)
    assert (event.action, event.to_status) == (Action.OPEN, Status.OPEN)
    assert event.data["self_assessment_due"] == "2025-11-15"


def test_opening_twice_or_for_the_wrong_kind_is_refused(
    world: World, assessment: Assessment, pat: User
) -> None:
    with pytest.raises(actions.IllegalMove):
        actions.open_assessment(
            world.commune_a,
            assessment.criteria_set,
            by=pat,
            self_assessment_due=dt.date(2025, 11, 15),
            appraisal_due=dt.date(2025, 12, 20),
        )
    with pytest.raises(actions.InvalidScore, match="không áp dụng"):
        actions.open_assessment(
            world.province,
            assessment.criteria_set,
            by=pat,
            self_assessment_due=dt.date(2025, 11, 15),
            appraisal_due=dt.date(2025, 12, 20),
        )


def test_a_commune_officer_cannot_open_an_assessment(
    world: World, commune_set: Any, carol: User
) -> None:
    with pytest.raises(actions.NotAllowed):
        actions.open_assessment(
            world.commune_a,
            commune_set,
            by=carol,
            self_assessment_due=dt.date(2025, 11, 15),
            appraisal_due=dt.date(2025, 12, 20),
        )


def test_the_first_self_score_starts_the_self_assessment_and_is_kept_in_history(
    assessment: Assessment, carol: User
) -> None:
    actions.set_self_score(assessment, "1.2", 1, by=carol, note="Đủ 4 báo cáo", at=at("2025-10-02"))
    actions.set_self_score(assessment, "1.2", 0, by=carol, at=at("2025-10-03"))
    assessment.refresh_from_db()
    assert assessment.status == Status.SELF_ASSESSING
    changes = ScoreChange.objects.filter(score__criterion__code="1.2", field="self_score")
    assert [(c.old, c.new, c.actor) for c in changes] == [("", "1", carol), ("1", "0", carol)]
    assert [e.action for e in assessment.events.all()] == [Action.OPEN, Action.SELF_ASSESS]


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("1.2", "1.5", "Tiêu chí 1.2: điểm tự chấm 1,5 ngoài khoảng 0 đến 1"),
        ("3.2", -1, "Tiêu chí 3.2: điểm tự chấm -1 ngoài khoảng 0 đến 5"),
        ("9.9", 1, "Tiêu chí 9.9 không có trong bộ tiêu chí PAR-XA"),
        ("1.1", 1, "Tiêu chí 1.1 là tiêu chí tổng hợp"),
        ("1.7", 1, "Tiêu chí 1.7 chấm bằng điều tra xã hội học"),
        ("1.1.1", "0.7", "Tiêu chí 1.1.1: điểm tự chấm chỉ được là một trong các mức 1; 0,5; 0"),
        ("1.2", "0.5", "Tiêu chí 1.2: điểm tự chấm chỉ được là một trong các mức 0; 1"),
        ("3.2", "1.234", "Tiêu chí 3.2: điểm tự chấm chỉ có tối đa 2 chữ số thập phân"),
        ("3.2", "abc", "Tiêu chí 3.2: điểm tự chấm “abc” không phải là số"),
    ],
)
def test_a_bad_self_score_is_refused_naming_the_criterion_and_nothing_is_saved(
    assessment: Assessment, carol: User, code: str, value: Any, expected: str
) -> None:
    entries = [SelfEntry("3.2", 4), SelfEntry(code, value)]
    with pytest.raises(actions.InvalidScore) as refused:
        actions.self_assess(assessment, entries, by=carol)
    assert str(refused.value.message).startswith(expected)
    assert refused.value.status_code == 422
    assert not Score.objects.filter(assessment=assessment, self_score__isnull=False).exists()
    assessment.refresh_from_db()
    assert assessment.status == Status.OPEN


def test_only_the_units_own_staff_self_assess(
    world: World, assessment: Assessment, bob: User, pat: User, sam: User
) -> None:
    for outsider in (bob, pat, sam):
        with pytest.raises(actions.NotAllowed):
            actions.set_self_score(assessment, "1.2", 1, by=outsider)
    leader = make_user("hung", world.commune_a, Role.LEADER)
    actions.set_self_score(assessment, "1.2", 1, by=leader)


def test_evidence_is_kept_with_its_criterion_and_counted_in_progress(
    assessment: Assessment, carol: User
) -> None:
    actions.add_evidence(
        assessment, "1.1.1", by=carol, kind="file", label="Kế hoạch CCHC 2025", file=io.BytesIO(PDF)
    )
    actions.add_evidence(
        assessment, "1.2", by=carol, kind="record", label="Báo cáo CCHC quý III", ref="45/BC-UBND"
    )
    evidence = Evidence.objects.get(kind="file")
    assert evidence.content_type == "application/pdf" and evidence.file.read() == PDF
    done = progress(assessment)
    assert (done.with_evidence, done.to_score) == (2, 42)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"kind": "file", "file": io.BytesIO(b"MZ\x90\x00not a document")}, "Chỉ nhận tệp PDF"),
        ({"kind": "link", "ref": "javascript:alert(1)"}, "https://"),
        ({"kind": "record", "ref": ""}, "số, ký hiệu"),
    ],
)
def test_bad_evidence_is_refused_naming_the_criterion(
    assessment: Assessment, carol: User, values: dict[str, Any], expected: str
) -> None:
    with pytest.raises(actions.InvalidScore) as refused:
        actions.add_evidence(assessment, "1.3", by=carol, label="Biên bản", **values)
    assert "Tiêu chí 1.3" in str(refused.value.message) and expected in str(refused.value.message)
    assert not Evidence.objects.exists()


def test_submitting_needs_every_self_score(assessment: Assessment, carol: User) -> None:
    actions.set_self_score(assessment, "1.2", 1, by=carol)
    with pytest.raises(actions.InvalidScore, match="Chưa tự chấm 41 tiêu chí: 1.1.1, 1.1.2"):
        actions.submit(assessment, by=carol)


def test_appraising_before_submission_is_refused(
    assessment: Assessment, carol: User, pat: User
) -> None:
    actions.set_self_score(assessment, "1.2", 1, by=carol)
    with pytest.raises(actions.IllegalMove) as refused:
        actions.appraise(assessment, 1, [AppraisalEntry("1.2")], by=pat)
    assert refused.value.status_code == 409
    assert "Thẩm định lần 1" in str(refused.value.message)


def test_a_submitted_score_changes_only_through_the_next_step(
    assessment: Assessment, carol: User
) -> None:
    submitted(assessment, carol)
    with pytest.raises(actions.IllegalMove):
        actions.set_self_score(assessment, "1.2", 0, by=carol)


def test_round_one_needs_a_reason_for_lost_points(
    assessment: Assessment, carol: User, pat: User
) -> None:
    submitted(assessment, carol)
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 2.3: điểm thẩm định 1,5 thấp hơn"):
        actions.appraise(assessment, 1, [AppraisalEntry("2.3", "1.5")], by=pat)
    # Accepting a self-score below the maximum needs one too.
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 1.4"):
        actions.appraise(assessment, 1, [AppraisalEntry("1.4")], by=pat)


def test_only_the_assigned_council_member_appraises(
    world: World, commune_set: Any, carol: User, pat: User
) -> None:
    quinn = make_user("quinn", world.province, Role.APPRAISER)
    named = actions.open_assessment(
        world.commune_a,
        commune_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
        appraisers=[quinn],
    )
    submitted(named, carol)
    with pytest.raises(actions.NotAllowed, match="được phân công"):
        actions.appraise(named, 1, [AppraisalEntry("1.2")], by=pat)
    actions.appraise(named, 1, [AppraisalEntry("1.2")], by=quinn)


def test_closing_round_one_needs_every_criterion_appraised(
    assessment: Assessment, carol: User, pat: User
) -> None:
    submitted(assessment, carol)
    actions.appraise(assessment, 1, [AppraisalEntry("1.2")], by=pat)
    assessment.refresh_from_db()
    assert assessment.status == Status.APPRAISING_1
    with pytest.raises(actions.InvalidScore, match="Chưa thẩm định 41 tiêu chí"):
        actions.close_round(assessment, 1, by=pat)


def test_the_whole_cycle_to_publication(assessment: Assessment, carol: User, pat: User) -> None:
    round_one_closed(assessment, carol, pat)
    assessment.refresh_from_db()
    assert assessment.status == Status.EXPLAINING
    # The unit explains only what lost points, and may add evidence with it.
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 1.2 không bị trừ điểm"):
        actions.explain(assessment, {"1.2": "Đã đủ"}, by=carol)
    actions.explain(
        assessment, {"2.2": "Bổ sung báo cáo rà soát 12/BC-UBND"}, by=carol, at=at("2025-11-28")
    )
    actions.add_evidence(
        assessment, "2.2", by=carol, kind="report", label="Báo cáo rà soát", ref="12/BC-UBND"
    )
    # Round 2 restores half a point on 2.2; the rest keep round 1's scores.
    actions.appraise(assessment, 2, [AppraisalEntry("2.2", "1.5")], by=pat, at=at("2025-12-05"))
    with pytest.raises(actions.IllegalMove):
        actions.explain(assessment, {"2.2": "Thêm"}, by=carol)
    actions.close_round(assessment, 2, by=pat, at=at("2025-12-06"))
    survey = {
        s.criterion.code: s.criterion.max_score * Decimal("0.8")
        for s in leaves(assessment, survey=True)
    }
    actions.merge_survey(assessment, survey, by=pat, at=at("2025-12-10"))
    actions.finalise(assessment, by=pat, at=at("2025-12-15"))
    actions.publish(assessment, by=pat, at=at("2025-12-20"))
    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED
    result = totals(assessment)
    # 70 − 0,5 lost on 1.4 − 0,5 still lost on 2.2 = 69 appraised; 30 × 0,8 = 24 survey;
    # (69 + 24) ÷ 100 × 100.
    assert (result.appraised_total, result.survey_total, result.index) == (
        Decimal(69),
        Decimal(24),
        Decimal("93.00"),
    )
    assert result.band == "Tốt" and not result.provisional
    assert [e.action for e in assessment.events.all()] == [
        "open", "self_assess", "submit", "appraise_1", "close_round_1", "explain",
        "appraise_2", "close_round_2", "merge_survey", "finalise", "publish",
    ]  # fmt: skip
    assert assessment.events.get(action="finalise").data == {"index": "93.00", "band": "Tốt"}
    # After publication nothing changes.
    with pytest.raises(actions.IllegalMove, match="đã công bố"):
        actions.set_self_score(assessment, "1.2", 0, by=carol)
    with pytest.raises(actions.IllegalMove, match="đã công bố"):
        actions.appraise(assessment, 2, [AppraisalEntry("1.2", 0, "x")], by=pat)


def test_totals_per_field_and_the_index_without_a_survey(
    assessment: Assessment, carol: User, pat: User
) -> None:
    round_one_closed(assessment, carol, pat)
    actions.close_round(assessment, 2, by=pat)
    result = totals(actions.merge_survey(assessment, {}, by=pat))
    field_one = result.fields[0]
    assert (
        field_one.code,
        field_one.max_score,
        field_one.self_score,
        field_one.appraised_score,
    ) == (
        "1",
        Decimal(12),
        Decimal("8.5"),
        Decimal("8.5"),
    )
    # 68,5 appraised (1.4 lost 0,5 and 2.2 lost 1) over the appraised criteria's 70: 97,857 %.
    assert (result.index, result.provisional) == (Decimal("97.86"), False)
    assert sum(f.max_score for f in result.fields) == Decimal(100)


def test_merging_the_survey_needs_every_survey_criterion_within_its_maximum(
    assessment: Assessment, carol: User, pat: User
) -> None:
    round_one_closed(assessment, carol, pat)
    actions.close_round(assessment, 2, by=pat)
    with pytest.raises(actions.InvalidScore, match="Thiếu điểm điều tra xã hội học"):
        actions.merge_survey(assessment, {"1.7": 3}, by=pat)
    full = {s.criterion.code: 1 for s in leaves(assessment, survey=True)}
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 3.9: điểm điều tra xã hội học 10"):
        actions.merge_survey(assessment, {**full, "3.9": 10}, by=pat)
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 3.2 không chấm bằng điều tra"):
        actions.merge_survey(assessment, {**full, "3.2": 1}, by=pat)


def test_lost_points_rows_by_field(assessment: Assessment, carol: User, pat: User) -> None:
    round_one_closed(assessment, carol, pat)
    groups = lost_points(assessment)
    assert [(g.code, [r["code"] for r in g.rows]) for g in groups] == [
        ("1", ["1.4"]),
        ("2", ["2.2"]),
    ]
    row = groups[1].rows[0]
    assert row == {
        "code": "2.2",
        "title": row["title"],
        "max_score": Decimal(2),
        "self_score": Decimal(2),
        "appraised_score": Decimal(1),
        "lost": Decimal(1),
        "reason": "Có kế hoạch rà soát nhưng không có văn bản, báo cáo",
        "evidence": [],
    }


def test_a_remediation_task_is_tracked_to_closure(
    world: World, assessment: Assessment, carol: User, pat: User
) -> None:
    round_one_closed(assessment, carol, pat)
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 1.2 không bị trừ điểm"):
        actions.create_remediation_task(
            assessment, "1.2", by=carol, title="x", owner=carol, due_on=dt.date(2026, 3, 31)
        )
    task = actions.create_remediation_task(
        assessment,
        "2.2",
        by=carol,
        title="Lập báo cáo rà soát",
        owner=carol,
        due_on=dt.date(2026, 3, 31),
        at=at("2025-11-26"),
    )
    actions.start_remediation_task(task, by=carol)
    with pytest.raises(actions.InvalidScore, match="minh chứng"):
        actions.complete_remediation_task(task, by=carol, evidence="")
    done = actions.complete_remediation_task(task, by=carol, evidence="12/BC-UBND")
    assert done.status == "done" and done.done_at is not None


def test_ranking_of_units_of_the_same_kind_and_year(
    world: World, assessment: Assessment, carol: User, bob: User, pat: User
) -> None:
    other = actions.open_assessment(
        world.commune_b,
        assessment.criteria_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
    )
    self_score_all(other, bob)
    actions.set_self_score(assessment, "1.2", 1, by=carol)
    rows = ranking(
        Assessment.objects.visible_to(pat), year=2025, unit_kind="commune", provisional=True
    )
    assert [(r.rank, r.assessment.unit.code, r.index) for r in rows] == [
        (1, "16303", Decimal("100.00")),
        (2, "16300", Decimal("1.43")),
    ]
    assert ranking(Assessment.objects.visible_to(pat), year=2025, unit_kind="commune") == []
    # Commune B's officer sees only commune B.
    mine = ranking(
        Assessment.objects.visible_to(bob), year=2025, unit_kind="commune", provisional=True
    )
    assert [r.assessment.unit.code for r in mine] == ["16303"]
