"""Helpers of the PAR Index tests, imported from here (never from a conftest or another test
module): the commune set's assessment self-scored, submitted, and appraised in round 1."""

from __future__ import annotations

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.actions import AppraisalEntry, SelfEntry
from cchc.parindex.choices import Method
from cchc.parindex.models import Assessment, Score
from cchc.testing import at


def leaves(assessment: Assessment, *, survey: bool = False) -> list[Score]:
    rows = Score.objects.filter(assessment=assessment).select_related("criterion")
    return [s for s in rows if (s.criterion.method == Method.SURVEY) == survey]


def self_score_all(assessment: Assessment, by: User) -> None:
    entries = [SelfEntry(s.criterion.code, s.criterion.max_score) for s in leaves(assessment)]
    actions.self_assess(assessment, entries, by=by, at=at("2025-10-10"))


def submitted(assessment: Assessment, carol: User) -> Assessment:
    self_score_all(assessment, carol)
    actions.set_self_score(assessment, "1.4", "0.5", by=carol, at=at("2025-10-10"))
    return actions.submit(assessment, by=carol, at=at("2025-11-10"))


def round_one_closed(assessment: Assessment, carol: User, pat: User) -> Assessment:
    submitted(assessment, carol)
    adjusted = {"1.4", "2.2"}
    entries = [
        AppraisalEntry(s.criterion.code)
        for s in leaves(assessment)
        if s.criterion.code not in adjusted
    ]
    entries += [
        AppraisalEntry("1.4", "0.5", "Chưa hoàn thành 100% kế hoạch tuyên truyền"),
        AppraisalEntry("2.2", "1", "Có kế hoạch rà soát nhưng không có văn bản, báo cáo"),
    ]
    actions.appraise(assessment, 1, entries, by=pat, at=at("2025-11-20"))
    return actions.close_round(assessment, 1, by=pat, at=at("2025-11-25"))
