"""A unit's PAR Index year over year (compare.py, its page and its endpoint), against figures
worked out by hand on three assessments of commune A built through the real actions:

- 2022, set PAR-XA-8LV (8 fields), appraised in round 1 only (the unit explaining): 1.1, 1.4
  and 7.2 lose 1 point each → 67 of the 70 appraised points → 95,71, provisional, not ranked.
- 2024, set PAR-XA re-issued for 2024 (7 fields), final without a survey: 1.1.2 loses 1, 1.4
  0,5, 2.2 1 → 67,5 of 70 → 96,43 "Tốt"; commune B has 100, so A is 2nd of 2.
- 2025, set PAR-XA 2025, final with the survey: 1.4 loses 1, 3.8 0,5 → 68,5 appraised + 27
  survey (3.9 gets 6 of 9) → 95,50 "Tốt"; commune B 66 of 70 → 94,29, so A is 1st of 2.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.compare import (
    APPRAISAL_1,
    DIFFERENT,
    FINAL,
    MATCHED,
    NEW,
    SELF,
    comparison,
    title_words,
    titles_match,
)
from cchc.parindex.criteria import DATA, read_json, save_set
from cchc.parindex.models import Assessment, CriteriaSet
from cchc.parindex.results import ranking, totals
from cchc.parindex.tests.support import cycle, full_survey, merged_commune, set_for_year
from cchc.testing import World, at, bearer, logged_in, make_user
from cchc.units.choices import Role
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db

D = Decimal
PAGE = "/lam-viec/chi-so-cchc/don-vi/{}/so-sanh/"
API = "/api/v1/par/units/{}/comparison"


@pytest.fixture
def three_years(
    world: World, commune_set: CriteriaSet, carol: User, bob: User, pat: User
) -> dict[int, Assessment]:
    a = world.commune_a
    return {
        2022: cycle(
            a,
            set_for_year("par-xa-8lv-2022.json"),
            carol,
            pat,
            {"1.1": "1", "1.4": "0.5", "7.2": "0.5"},
            final=False,
        ),
        2024: cycle(
            a,
            set_for_year("par-xa-2025.json", 2024),
            carol,
            pat,
            {"1.1.2": "1", "1.4": "0.5", "2.2": "1"},
        ),
        2025: cycle(
            a,
            commune_set,
            carol,
            pat,
            {"1.4": "0", "3.8": "0.5"},
            survey=full_survey(commune_set, **{"3_9": "6"}),
        ),
    }


@pytest.fixture
def commune_b_ranked(world: World, three_years: Any, bob: User, pat: User) -> None:
    sets = {s.year: s for s in CriteriaSet.objects.filter(code="PAR-XA")}
    cycle(world.commune_b, sets[2024], bob, pat, {})
    cycle(world.commune_b, sets[2025], bob, pat, {"7.1": "0"})


def by_code(fields: list[Any]) -> dict[str, Any]:
    return {f.code: f for f in fields}


def test_each_year_has_its_index_grade_and_rank_as_worked_out_by_hand(
    world: World, three_years: dict[int, Assessment], commune_b_ranked: None
) -> None:
    result = comparison(world.commune_a)
    y22, y24, y25 = result.years
    assert [y.year for y in result.years] == [2022, 2024, 2025]
    assert (y22.basis, y22.index, y22.provisional, y22.band) == (APPRAISAL_1, D("95.71"), True, "")
    assert (y22.rank, y22.ranked_of) == (None, 0)
    assert (y24.basis, y24.index, y24.band, y24.rank, y24.ranked_of) == (
        FINAL,
        D("96.43"),
        "Tốt",
        2,
        2,
    )
    assert (y25.basis, y25.index, y25.band, y25.rank, y25.ranked_of) == (
        FINAL,
        D("95.50"),
        "Tốt",
        1,
        2,
    )
    # Against the year before: points on the 100 scale, places moved up.
    assert (y22.previous_year, y22.index_change, y22.rank_change) == (None, None, None)
    assert (y24.previous_year, y24.index_change, y24.rank_change) == (2022, D("0.72"), None)
    assert (y25.previous_year, y25.index_change, y25.rank_change) == (2024, D("-0.93"), 1)


def test_the_figures_are_those_of_the_assessment_page_and_the_ranking(
    world: World, three_years: dict[int, Assessment], commune_b_ranked: None
) -> None:
    result = comparison(world.commune_a)
    for y in result.years:
        assert y.index == totals(y.assessment).index
        rows = ranking(Assessment.objects.all(), year=y.year, unit_kind="commune")
        assert y.rank == next((r.rank for r in rows if r.assessment == y.assessment), None)


def test_fields_show_points_and_their_share_of_the_index(
    world: World, three_years: dict[int, Assessment], commune_b_ranked: None
) -> None:
    y22, y24, y25 = comparison(world.commune_a).years
    # 2022, provisional: the appraised criteria only (survey left out), over their 70 points.
    f = by_code(y22.fields)["1"]
    assert (f.max_score, f.points, f.share, f.share_max) == (D(7), D(5), D("7.14"), D("10.00"))
    # 2024, final without a survey: still over 70.
    f = by_code(y24.fields)["1"]
    assert (f.max_score, f.points, f.share, f.share_max) == (
        D(9),
        D("7.5"),
        D("10.71"),
        D("12.86"),
    )
    # 2025, final with the survey: the field's survey criterion counts, over the set's 100.
    f = by_code(y25.fields)["1"]
    assert (f.max_score, f.points, f.share, f.share_max) == (D(12), D(11), D("11.00"), D("12.00"))
    f = by_code(y25.fields)["3"]
    assert (f.points, f.share) == (D("22.5"), D("22.50"))
    assert sum(f.share or D(0) for f in y25.fields) == y25.index
    # Changes, field by field, on the 100 scale.
    assert by_code(y24.fields)["1"].change == D("3.57")
    assert by_code(y24.fields)["2"].change == D(0)
    assert by_code(y24.fields)["3"].change == D("5.72")
    assert by_code(y25.fields)["1"].change == D("0.29")
    assert by_code(y25.fields)["3"].change == D("-1.79")
    assert {f.match for f in y25.fields} == {MATCHED}


def test_fields_that_do_not_match_last_years_are_named_not_compared(
    world: World, three_years: dict[int, Assessment]
) -> None:
    y24 = comparison(world.commune_a).years[1]
    fields = by_code(y24.fields)
    assert [fields[c].match for c in "1234567"] == [MATCHED] * 3 + [DIFFERENT] * 4
    assert all(fields[c].change is None for c in "4567")
    assert fields["4"].note == (
        "Lĩnh vực 4 năm 2024 (“Nâng cao chất lượng đội ngũ cán bộ, công chức”) khác lĩnh vực 4 "
        "năm 2022 (“Xây dựng chính quyền cơ sở”): không so sánh."
    )
    # 2022's field 8 has no namesake in 2024's set of 7.
    assert [f.code for f in y24.previous_unmatched] == ["8"]
    assert y24.notes[-1] == (
        "Lĩnh vực 8 năm 2022 (“Thực hiện nhiệm vụ phát triển kinh tế - xã hội”) không khớp "
        "lĩnh vực nào năm 2024: không so sánh."
    )


def test_a_field_new_this_year_is_said_to_be_new(
    world: World, commune_set: CriteriaSet, carol: User, pat: User
) -> None:
    # 2024's set without field 7 (18 points): in 2025 field 7 has nothing to be compared with.
    doc = json.loads((DATA / "par-xa-2025.json").read_text())
    doc |= {"year": 2024, "max_score": 82, "nodes": doc["nodes"][:6]}
    cycle(world.commune_a, save_set(read_json(doc)), carol, pat, {})
    this_year = actions.open_assessment(
        world.commune_a,
        commune_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
        at=at("2025-10-01"),
    )
    actions.self_assess(this_year, [actions.SelfEntry("7.1", "2")], by=carol, at=at("2025-10-02"))
    y24, y25 = comparison(world.commune_a).years
    assert (y24.basis, y24.index) == (FINAL, D(100))
    # Self-scores only: 2 of the 70 appraised points so far, on the unit's own word.
    assert (y25.basis, y25.index, y25.provisional, y25.rank) == (SELF, D("2.86"), True, None)
    field7 = by_code(y25.fields)["7"]
    assert (field7.match, field7.change, field7.points, field7.share) == (
        NEW,
        None,
        D(2),
        D("2.86"),
    )
    assert field7.note == "Lĩnh vực 7 không có trong bộ tiêu chí năm 2024: không so sánh."
    # 2024's field 1 had all its 9 appraised points of the set's 59 (82 less 23 survey points):
    # 15,25 on the 100 scale; 2025's has none yet.
    assert by_code(y25.fields)["1"].change == D("-15.25")
    assert y25.previous_unmatched == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Công tác chỉ đạo, điều hành", "Công tác chỉ đạo, điều hành cải cách hành chính", True),
        (
            "Thủ tục hành chính và thực hiện cơ chế một cửa, một cửa liên thông",
            "Cải cách thủ tục hành chính (gồm cơ chế một cửa, một cửa liên thông)",
            True,
        ),
        (
            "Tuyên truyền CCHC",
            "Tuyên truyền CCHC (hội nghị, tin bài, cuộc thi tìm hiểu về CCHC)",
            True,
        ),
        ("Kiểm tra/tự kiểm tra công tác CCHC", "KIEM TRA, TU KIEM TRA CONG TAC CCHC", True),
        ("Hiện đại hóa hành chính", "Cải cách tài chính công", False),
        ("Quản lý tài chính", "Cải cách chế độ công vụ", False),
        (
            "Tác động đến phát triển kinh tế - xã hội",
            "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
            False,
        ),
    ],
)
def test_titles_match_on_their_words_accents_ignored(a: str, b: str, same: bool) -> None:
    assert titles_match(a, b) is same
    assert titles_match(b, a) is same


def test_function_words_are_dropped_before_the_accents_are_folded() -> None:
    # "của" (of) and "cửa" (the one-stop shop's door) fold alike; only the first is dropped.
    assert title_words("Cơ chế một cửa của xã, phường") == {
        "co",
        "che",
        "mot",
        "cua",
        "xa",
        "phuong",
    }


def test_criteria_that_lost_points_in_two_assessments_running(
    world: World, three_years: dict[int, Assessment]
) -> None:
    result = comparison(world.commune_a)
    newest, older = result.lost_again
    assert (newest.year, newest.previous_year) == (2025, 2024)
    assert [
        (r.code, r.lost, r.max_score, r.previous_lost, r.previous_max) for r in newest.rows
    ] == [("1.4", D(1), D(1), D("0.5"), D(1))]
    assert newest.rows[0].reason == "Lý do trừ điểm 1.4"
    # 2022 → 2024: 1.1 is a criterion in 2022 and a group of two in 2024 (its 1.1.2 lost 1);
    # 1.4 matches "Tuyên truyền CCHC (hội nghị, …)"; 7.2 is another subject in 2024, and 2.2
    # lost in 2024 only.
    assert (older.year, older.previous_year) == (2024, 2022)
    assert [(r.code, r.lost, r.max_score, r.previous_lost, r.previous_max) for r in older.rows] == [
        ("1.1", D(1), D(3), D(1), D(2)),
        ("1.4", D("0.5"), D(1), D(1), D("1.5")),
    ]
    assert older.rows[1].previous_title.startswith("Tuyên truyền CCHC (hội nghị")
    # A group's reasons are its criteria's, each named.
    assert (older.rows[0].reason, older.rows[0].previous_reason) == (
        "1.1.2: Lý do trừ điểm 1.1.2",
        "Lý do trừ điểm 1.1",
    )


def test_the_query_count_stays_flat_as_years_grow(
    world: World,
    commune_set: CriteriaSet,
    carol: User,
    pat: User,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    unit = Unit.objects.get(pk=world.commune_a.pk)
    cycle(
        unit, commune_set, carol, pat, {"1.4": "0"}, survey=full_survey(commune_set, **{"3_9": "6"})
    )
    page, api = logged_in(carol), Client()
    # The units it took over, the assessments, their sets' criteria, their scores, the
    # ranking's two.
    with django_assert_max_num_queries(6) as one:
        assert len(comparison(unit).years) == 1
    with django_assert_max_num_queries(15) as one_page:
        assert page.get(PAGE.format(unit.code)).status_code == 200
    with django_assert_max_num_queries(15) as one_api:
        assert api.get(API.format(unit.code), **bearer(carol)).status_code == 200
    for year in (2022, 2023, 2024):
        cycle(unit, set_for_year("par-xa-2025.json", year), carol, pat, {"1.4": "0.5"})
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(comparison(unit).years) == 4
    with django_assert_num_queries(len(one_page.captured_queries)):
        assert page.get(PAGE.format(unit.code)).status_code == 200
    with django_assert_num_queries(len(one_api.captured_queries)):
        assert len(api.get(API.format(unit.code), **bearer(carol)).json()["years"]) == 4


@pytest.mark.parametrize("persona", ["carol", "pat", "sam"])
def test_the_units_staff_its_appraiser_and_the_supervisor_read_the_page(
    world: World, three_years: dict[int, Assessment], persona: str, request: Any
) -> None:
    user = request.getfixturevalue(persona)
    response = logged_in(user).get(PAGE.format("16300"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "So sánh Chỉ số CCHC qua các năm" in html
    assert '<img class="par-chart" src="data:image/svg+xml' in html
    assert "95,5" in html and "96,43" in html and "−0,93" in html  # Vietnamese numbers
    assert "không so sánh" in html
    assert "Tiêu chí bị trừ điểm hai kỳ liền" in html


def test_the_assessment_page_links_to_the_comparison(
    three_years: dict[int, Assessment], carol: User
) -> None:
    html = logged_in(carol).get(f"/lam-viec/chi-so-cchc/{three_years[2025].pk}/").content
    assert PAGE.format("16300").encode() in html


def test_another_units_comparison_is_404_on_page_and_api(
    world: World, three_years: dict[int, Assessment], bob: User, carol: User
) -> None:
    assert logged_in(bob).get(PAGE.format("16300")).status_code == 404
    assert Client().get(API.format("16300"), **bearer(bob)).status_code == 404
    assert logged_in(carol).get(PAGE.format("16303")).status_code == 404
    assert Client().get(API.format("38"), **bearer(carol)).status_code == 404
    assert logged_in(carol).get(PAGE.format("no-such")).status_code == 404


def test_the_api_answers_the_same_figures(
    world: World, three_years: dict[int, Assessment], commune_b_ranked: None, sam: User
) -> None:
    response = Client().get(API.format("16300"), **bearer(sam))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["unit"], body["unit_name"]) == ("16300", "Xã Nga Sơn")
    years = body["years"]
    assert [(y["year"], y["index"], y["basis"], y["rank"], y["ranked_of"]) for y in years] == [
        (2022, 95.71, "appraisal_1", None, 0),
        (2024, 96.43, "final", 2, 2),
        (2025, 95.5, "final", 1, 2),
    ]
    assert years[0]["basis_label"] == "Điểm thẩm định lần 1 (chưa chốt)"
    assert (years[2]["index_change"], years[2]["rank_change"]) == (-0.93, 1)
    field4 = years[1]["fields"][3]
    assert (field4["match"], field4["change"], field4["share"]) == ("different", None, 12.86)
    assert years[1]["fields"][0] | {"title": ""} == {
        "code": "1",
        "title": "",
        "max_score": 9.0,
        "points": 7.5,
        "share": 10.71,
        "share_max": 12.86,
        "match": "matched",
        "previous_title": "Công tác chỉ đạo, điều hành cải cách hành chính",
        "change": 3.57,
        "note": "",
    }
    assert [(p["year"], [r["code"] for r in p["rows"]]) for p in body["lost_again"]] == [
        (2025, ["1.4"]),
        (2024, ["1.1", "1.4"]),
    ]


def test_a_unit_without_assessments_gets_an_empty_comparison(world: World, carol: User) -> None:
    body = Client().get(API.format("16300"), **bearer(carol)).json()
    assert body == {
        "unit": "16300",
        "unit_name": "Xã Nga Sơn",
        "years": [],
        "lost_again": [],
        "forebears": [],
    }
    html = logged_in(carol).get(PAGE.format("16300")).content.decode()
    assert "Đơn vị chưa có kỳ đánh giá Chỉ số CCHC nào." in html


def test_a_malformed_unit_code_is_refused_at_the_door(world: World, carol: User) -> None:
    too_long = Client().get(API.format("1" * 300), **bearer(carol))
    assert too_long.status_code == 400
    assert too_long.json()["detail"].startswith("Dữ liệu gửi lên không hợp lệ")
    assert Client().get(API.format("%E1%BB%87%00"), **bearer(carol)).status_code in (400, 404)
    assert logged_in(carol).get(PAGE.format("1" * 300)).status_code == 404


def test_the_demo_compares_nga_sons_2022_and_2025_under_different_sets(
    db: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo", verbosity=0)
    call_command("load_par_demo")
    y22, y25 = comparison(Unit.objects.current().get(code="16300")).years
    assert (y22.assessment.criteria_set.code, y22.basis) == ("PAR-XA-8LV", APPRAISAL_1)
    assert (y25.assessment.criteria_set.code, y25.basis) == ("PAR-XA", APPRAISAL_1)
    assert [f.match for f in y25.fields] == [MATCHED] * 3 + [DIFFERENT] * 4
    assert [f.code for f in y25.previous_unmatched] == ["8"]
    assert y22.index == totals(y22.assessment).index
    # 2025 half-way through round 1: self-scored 65 of the 70 appraised points (3.2, 3.6, 6.1
    # and 7.1 below the maximum); the council's first sitting took 1 (1.2), 0.5 (1.3) and 0.5
    # (2.3) more in fields 1–3, and fields 4–7 keep the unit's scores: 63 / 70 = 90.00.
    assert (y25.index, y25.provisional, y25.rank) == (D("90.00"), True, None)
    assert y25.index == totals(y25.assessment).index
    # Field 1: 9 − 1.5 = 7.5; field 2: 7 − 0.5 = 6.5; field 3: 17 − 1 (3.2) − 1 (3.6) = 15.
    assert [(f.code, f.share) for f in y25.fields[:3]] == [
        ("1", D("10.71")),
        ("2", D("9.29")),
        ("3", D("21.43")),
    ]


# -- a unit that took others over ------------------------------------------------------------------
# Commune A took over Xã Nga Hiệp and Xã Nga Thanh on 01/07/2025; Nga Thanh had itself taken
# over Xã Nga Lĩnh on 01/01/2020. By hand:
# - Nga Thanh 2024 (PAR-XA 2024, final, no survey): 1.4 loses 0,5 and 2.2 1 → 68,5 of 70 →
#   97,86; Nga Hiệp 2024 loses nothing → 100; so Nga Hiệp is 1st and Nga Thanh 2nd of 2.
# - Nga Lĩnh 2019 (PAR-XA-8LV re-issued for 2019, final) loses nothing → 100, 1st of 1.
# - Commune A 2025: 95,50 as above; its 1.4 lost 1 of 1, lost by Nga Thanh in 2024 too.


@pytest.fixture
def merged(world: World, commune_set: CriteriaSet, carol: User, pat: User) -> dict[str, Unit]:
    return merged_commune(world, commune_set, carol, pat)


def test_the_units_taken_over_show_their_years_before_the_change(
    world: World, merged: dict[str, Unit]
) -> None:
    result = comparison(world.commune_a)
    assert [y.year for y in result.years] == [2025]
    assert [
        (f.unit.name, f.forebear.depth, f.forebear.successor.name) for f in result.forebears
    ] == [
        ("Xã Nga Hiệp", 1, "Xã Nga Sơn"),
        ("Xã Nga Thanh", 1, "Xã Nga Sơn"),
        ("Xã Nga Lĩnh", 2, "Xã Nga Thanh"),
    ]
    hiep, thanh, linh = (f.years for f in result.forebears)
    assert [(y.year, y.index, y.band, y.rank, y.ranked_of) for y in hiep] == [
        (2024, D("100.00"), "Tốt", 1, 2)
    ]
    assert [(y.year, y.index, y.rank, y.ranked_of) for y in thanh] == [(2024, D("97.86"), 2, 2)]
    assert [(y.year, y.index, y.rank, y.ranked_of) for y in linh] == [(2019, D("100.00"), 1, 1)]
    # The first year after the change: the forebears' indices said, not subtracted.
    y25 = result.years[0]
    assert (y25.index, y25.index_change, y25.previous_year) == (D("95.50"), None, None)
    assert y25.notes[0] == (
        "Đơn vị tiếp nhận Xã Nga Hiệp, Xã Nga Thanh từ ngày 01/07/2025: năm 2024 Xã Nga Hiệp "
        "đạt 100; năm 2024 Xã Nga Thanh đạt 97,86 (chỉ số của đơn vị khác, không trừ ra mức "
        "thay đổi)."
    )
    # What Nga Thanh lost that the merged commune lost again.
    assert [
        (
            p.year,
            p.previous_year,
            p.previous_unit.name if p.previous_unit else None,
            [r.code for r in p.rows],
        )
        for p in result.lost_again
    ] == [(2025, 2024, "Xã Nga Hiệp", []), (2025, 2024, "Xã Nga Thanh", ["1.4"])]
    row = result.lost_again[1].rows[0]
    assert (row.lost, row.previous_lost, row.previous_reason) == (
        D(1),
        D("0.5"),
        "Lý do trừ điểm 1.4",
    )


def test_a_forebears_year_of_the_change_is_the_successors(
    world: World, merged: dict[str, Unit], pat: User
) -> None:
    # An assessment of Nga Thanh for 2025 (opened before the merger) is not listed as its own:
    # 2025 is assessed as the merged commune's.
    officer = make_user("officer-late", merged["thanh"], Role.TTHC_CONTROL)
    cycle(merged["thanh"], CriteriaSet.objects.get(code="PAR-XA", year=2025), officer, pat, {})
    thanh = next(f for f in comparison(world.commune_a).forebears if f.unit == merged["thanh"])
    assert [y.year for y in thanh.years] == [2024]


def test_the_page_and_the_api_show_the_forebears(
    world: World, merged: dict[str, Unit], carol: User, bob: User
) -> None:
    html = logged_in(carol).get(PAGE.format("16300")).content.decode()
    assert "Đơn vị tiền thân" in html
    assert "Xã Nga Thanh" in html and "97,86" in html and "Nghị quyết 1686/NQ-UBTVQH15" in html
    assert "từ 01/07/2025 thuộc Xã Nga Sơn" in html
    assert "Năm 2024 (Xã Nga Thanh) và năm 2025" in html
    body = Client().get(API.format("16300"), **bearer(carol)).json()
    assert [(f["unit"], f["effective_on"], f["depth"]) for f in body["forebears"]] == [
        ("16309", "2025-07-01", 1),
        ("16306", "2025-07-01", 1),
        ("16312", "2020-01-01", 2),
    ]
    assert body["forebears"][1]["years"][0]["index"] == 97.86
    assert [(p["previous_unit"], [r["code"] for r in p["rows"]]) for p in body["lost_again"]] == [
        ("16309", []),
        ("16306", ["1.4"]),
    ]
    # Commune B's officer still reads nothing of commune A's, forebears included.
    assert logged_in(bob).get(PAGE.format("16300")).status_code == 404
    assert Client().get(API.format("16300"), **bearer(bob)).status_code == 404


def test_a_new_unit_without_years_of_its_own_shows_its_forebears(
    world: World, merged: dict[str, Unit], carol: User
) -> None:
    Assessment.objects.filter(unit=world.commune_a).delete()
    result = comparison(world.commune_a)
    assert result.years == [] and result.lost_again == []
    assert len(result.forebears) == 3
    html = logged_in(carol).get(PAGE.format("16300")).content.decode()
    assert "các đơn vị tiền thân có (bên dưới)" in html and "Xã Nga Lĩnh" in html
