"""Helpers of the PAR Index tests, imported from here (never from a conftest or another test
module): the commune set's assessment self-scored, submitted, and appraised in round 1; a
whole cycle for a unit and a set, to its final result, for the year-over-year comparison."""

from __future__ import annotations

import datetime as dt
import json

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.actions import AppraisalEntry, SelfEntry
from cchc.parindex.choices import Method
from cchc.parindex.criteria import DATA, load_shipped, read_json, save_set
from cchc.parindex.models import Assessment, CriteriaSet, Score
from cchc.testing import World, at, make_user
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit, UnitSuccession


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


# -- whole cycles, for the year-over-year comparison -------------------------------------------


def set_for_year(name: str, year: int | None = None) -> CriteriaSet:
    """A shipped set, saved as shipped or re-issued for another `year`."""
    if year is None:
        return save_set(load_shipped(name))
    doc = json.loads((DATA / name).read_text())
    doc["year"] = year
    return save_set(read_json(doc))


def full_survey(criteria_set: CriteriaSet, **scores: str) -> dict[str, str]:
    """Every survey criterion at its maximum, but those given (code → score; "3_9" for 3.9)."""
    out = {
        c.code: str(c.max_score)
        for c in criteria_set.criteria.filter(method=Method.SURVEY, is_leaf=True)
    }
    out.update({code.replace("_", "."): value for code, value in scores.items()})
    return out


def cycle(
    unit: Unit,
    criteria_set: CriteriaSet,
    officer: User,
    appraiser: User,
    lost: dict[str, str],
    *,
    final: bool = True,
    survey: dict[str, str] | None = None,
) -> Assessment:
    """An assessment taken through the cycle by its actions: every criterion self-scored at its
    maximum, round 1 accepting them but `lost` (code → score, with a reason), then, when
    `final`, round 2 closed, the survey merged (`survey`, or none) and the result finalised."""
    year = criteria_set.year
    a = actions.open_assessment(
        unit,
        criteria_set,
        by=appraiser,
        self_assessment_due=dt.date(year, 11, 15),
        appraisal_due=dt.date(year, 12, 20),
        at=at(f"{year}-10-01"),
    )
    scored = leaves(a)
    entries = [SelfEntry(s.criterion.code, s.criterion.max_score) for s in scored]
    actions.self_assess(a, entries, by=officer, at=at(f"{year}-10-10"))
    actions.submit(a, by=officer, at=at(f"{year}-11-10"))
    appraisal = [
        AppraisalEntry(code, lost[code], f"Lý do trừ điểm {code}")
        if (code := s.criterion.code) in lost
        else AppraisalEntry(code)
        for s in scored
    ]
    actions.appraise(a, 1, appraisal, by=appraiser, at=at(f"{year}-11-20"))
    actions.close_round(a, 1, by=appraiser, at=at(f"{year}-11-25"))
    if final:
        actions.close_round(a, 2, by=appraiser, at=at(f"{year}-12-05"))
        actions.merge_survey(a, survey or {}, by=appraiser, at=at(f"{year}-12-10"))
        actions.finalise(a, by=appraiser, at=at(f"{year}-12-15"))
    a.refresh_from_db()
    return a


def merged_commune(
    world: World, commune_set: CriteriaSet, carol: User, pat: User
) -> dict[str, Unit]:
    """Commune A took over Xã Nga Hiệp and Xã Nga Thanh on 01/07/2025, and Nga Thanh had taken
    over Xã Nga Lĩnh on 01/01/2020: Nga Thanh's and Nga Hiệp's 2024 and Nga Lĩnh's 2019
    assessments, final (Nga Thanh's 1.4 lost 0,5 and 2.2 1; the others nothing), and commune
    A's 2025, final with the survey (1.4 lost 1, 3.8 0,5; 3.9 got 6 of 9)."""

    def commune(code: str, name: str, until: str) -> Unit:
        return Unit.objects.create(
            code=code,
            name=name,
            kind=UnitKind.COMMUNE,
            parent=world.province,
            valid_to=dt.date.fromisoformat(until),
        )

    hiep = commune("16309", "Xã Nga Hiệp", "2025-06-30")
    thanh = commune("16306", "Xã Nga Thanh", "2025-06-30")
    linh = commune("16312", "Xã Nga Lĩnh", "2019-12-31")
    for predecessor, successor, day in (
        (thanh, world.commune_a, "2025-07-01"),
        (hiep, world.commune_a, "2025-07-01"),
        (linh, thanh, "2020-01-01"),
    ):
        UnitSuccession.objects.create(
            predecessor=predecessor,
            successor=successor,
            effective_on=dt.date.fromisoformat(day),
            legal_basis="Nghị quyết 1686/NQ-UBTVQH15" if day.startswith("2025") else "",
        )
    set_2024 = set_for_year("par-xa-2025.json", 2024)
    for unit, lost in ((thanh, {"1.4": "0.5", "2.2": "1"}), (hiep, {})):
        officer = make_user(f"officer-{unit.code}", unit, Role.TTHC_CONTROL)
        cycle(unit, set_2024, officer, pat, lost)
    officer = make_user("officer-16312", linh, Role.TTHC_CONTROL)
    cycle(linh, set_for_year("par-xa-8lv-2022.json", 2019), officer, pat, {})
    cycle(
        world.commune_a,
        commune_set,
        carol,
        pat,
        {"1.4": "0", "3.8": "0.5"},
        survey=full_survey(commune_set, **{"3_9": "6"}),
    )
    return {"hiep": hiep, "thanh": thanh, "linh": linh}
