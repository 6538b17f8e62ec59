"""The automatic criteria against an August 2025 at commune A built by the real actions, every
expected value worked out by hand from the story below; the projection's query count; scoping.

Commune A's certification procedure takes 3 working days: received Mon 04/08/2025 09:00, due
Thu 07/08 17:00 (CALENDAR.md: no day off in August 2025).

    D1 counter 04/08, 2 documents scanned at the counter → resolved early 06/08, electronic
       result, returned 07/08, rated 5 (very satisfied)
    D2 online (một phần) 04/08 → resolved on time 07/08 16:00, fee paid online
    D3 counter 04/08 → resolved late 11/08 without an apology, returned, rated 2
    D4 counter 04/08 → apology letter 05/08 (new date 12/08) → resolved late 11/08
    D5 counter 05/08 (due Fri 08/08 17:00) → still open at the end of August: overdue, no apology
    D6 counter 06/08 → withdrawn 07/08
    B1 commune B 04/08 → resolved late: never counted for commune A
PAKN to commune A, received Mon 04/08: P1 answered on time, P2 answered late, P3 open and
overdue at 31/08; P4 to commune B answered late (not counted).
Catalogue of commune A: birth and certification implemented, both in force since 01/07/2025;
birth's content is complete (decision, legal basis, documents, steps, result), certification's
lacks its legal basis; a third procedure implemented is only in force from 01/10/2025.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from cchc.accounts.models import User
from cchc.catalogue.models import UnitProcedure
from cchc.dossiers import actions
from cchc.dossiers.actions import ReceivedDocument
from cchc.dossiers.choices import Channel, PaymentMethod
from cchc.dossiers.models import Dossier
from cchc.feedback import pakn as pakn_actions
from cchc.feedback import ratings
from cchc.feedback.choices import Category
from cchc.lib.errors import DomainError
from cchc.parindex.automatic import (
    FORMULAS,
    Criterion,
    Measure,
    UnknownFormula,
    live_projection,
    units_for,
)
from cchc.parindex.scoring import ScoringRuleError
from cchc.reports import aggregates, service_index
from cchc.reports.indicators import unit_indicators
from cchc.reports.resolution import PeriodError
from cchc.testing import World, at, make_procedure, make_user, receipt_for
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 8, 1), dt.date(2025, 8, 31)
NOW = at("2025-09-15", 9)  # August is over: its figures are as they stood at its end
PHONE = "0912345678"  # the applicant's phone in receipt_for


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 90, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def ids_of(world: World) -> list[int]:
    return [world.commune_a.pk, world.centre_a.pk]


def d(text: str) -> Decimal:
    return Decimal(text)


def rate(numerator: int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator)


@pytest.fixture
def august(
    world: World,
    reception: User,
    specialist: User,
    leader: User,
    reception_b: User,
    copy_implemented: None,
) -> dict[str, Any]:
    def receive(day: str = "2025-08-04", **extra: Any) -> Dossier:
        return actions.receive_dossier(receipt_for(world, **extra), by=reception, at=at(day))

    story: dict[str, Any] = {}
    scanned = [
        ReceivedDocument(position=1, originals=1, files=[png("to-khai.png")]),
        ReceivedDocument(name="Bản sao CCCD", copies=1, files=[png("cccd.png")]),
    ]
    d1 = actions.resolve(
        receive(documents=scanned), by=specialist, digital=True, at=at("2025-08-06", 10)
    )
    d1 = actions.return_result(d1, by=reception, at=at("2025-08-07", 9))
    ratings.rate_dossier(d1, level=5, channel="lookup", phone=PHONE, at=at("2025-08-07", 10))

    d2 = receive(channel=Channel.ONLINE_PARTIAL, return_method="online")
    fee = d2.procedure_version.total_fee_vnd
    d2 = actions.request_payment(d2, by=specialist, amount_vnd=fee, at=at("2025-08-05", 9))
    d2 = actions.record_payment(
        d2, by=reception, amount_vnd=fee, method=PaymentMethod.ONLINE, at=at("2025-08-05", 10)
    )
    actions.resolve(d2, by=specialist, at=at("2025-08-07", 16))

    d3 = actions.resolve(receive(), by=specialist, at=at("2025-08-11", 10))
    d3 = actions.return_result(d3, by=reception, at=at("2025-08-12", 9))
    ratings.rate_dossier(d3, level=2, channel="lookup", phone=PHONE, at=at("2025-08-12", 10))

    d4 = actions.reschedule(
        receive(),
        by=leader,
        new_due=at("2025-08-12", 16),
        reason="Chờ xác minh",
        at=at("2025-08-05", 10),
    )
    actions.resolve(d4, by=specialist, at=at("2025-08-11", 10))

    story["open"] = receive("2025-08-05")
    actions.withdraw(receive("2025-08-06"), by=reception, at=at("2025-08-07", 8))

    b1 = actions.receive_dossier(
        receipt_for(world, processing_unit=world.commune_b, procedure_code=world.birth.code),
        by=reception_b,
        at=at("2025-08-04"),
    )
    actions.resolve(
        b1, by=make_user("b-specialist", world.commune_b, Role.SPECIALIST), at=at("2025-08-11", 10)
    )

    def pakn(unit: Unit) -> Any:
        sent = pakn_actions.submit_feedback(
            unit=unit,
            kind="report",
            subject="procedure",
            content="Thủ tục chứng thực yêu cầu thêm giấy tờ không có trong danh mục.",
            at=at("2025-08-04", 9),
        )
        by = reception if unit == world.commune_a else reception_b
        return pakn_actions.classify(sent, by=by, category=Category.WITHIN), by

    p1, by = pakn(world.commune_a)
    pakn_actions.answer(p1, by=by, text="Đã xử lý", at=p1.answer_due_at - dt.timedelta(hours=1))
    p2, by = pakn(world.commune_a)
    pakn_actions.answer(p2, by=by, text="Muộn", at=p2.answer_due_at + dt.timedelta(days=1))
    p3, _by = pakn(world.commune_a)
    assert p3.answer_due_at < at("2025-08-31", 17)  # overdue at the end of August
    p4, by = pakn(world.commune_b)
    pakn_actions.answer(p4, by=by, text="Muộn", at=p4.answer_due_at + dt.timedelta(days=1))

    # The catalogue: birth complete, certification without its legal basis, one not yet in force.
    for version, basis in (
        (world.birth.versions.get(), "Luật Hộ tịch 2014"),
        (world.copy.versions.get(), ""),
    ):
        version.published_by = "Quyết định 1234/QĐ-UBND ngày 01/07/2025"
        version.legal_basis = basis
        version.result_type = "Bản sao được chứng thực"
        version.save()
    later = make_procedure(
        "1.004837", "Đăng ký kết hôn", world.birth.field, effective_from=dt.date(2025, 10, 1)
    )
    UnitProcedure.objects.create(unit=world.commune_a, procedure=later, implemented=True)
    return story


def measure(key: str, world: World) -> Measure:
    return FORMULAS[key](ids_of(world), START, END, now=NOW)


# -- each formula against the story ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "numerator", "denominator"),
    [
        # D1 early + D2 on time, of D1-D4 resolved.
        ("on_time_rate", 2, 4),
        # QĐ 766 also counts D5, open and overdue at the end.
        ("on_time_766", 2, 5),
        # D6 withdrawn is received too: 1 online (D2) of 6 received.
        ("online_share", 1, 6),
        # Late: D3, D4 resolved late and D5 overdue; only D4 has its apology letter.
        ("apology_for_late", 1, 3),
        # D1 rated 5, D3 rated 2.
        ("satisfaction_rate", 1, 2),
        # P1 on time; P2 late; P3 overdue at the end (P4 is commune B's).
        ("pakn_on_time", 1, 3),
        # D1 is the only dossier whose every document was scanned at receipt.
        ("documents_digitised", 1, 6),
        # D1's result is electronic, of the 4 with a result.
        ("results_digital", 1, 4),
        # D2's one payment, made online.
        ("online_payment", 1, 1),
        # Birth and certification in force, of 3 implemented.
        ("procedures_published", 2, 3),
        # Only birth is complete.
        ("procedures_complete", 1, 3),
    ],
)
def test_each_formula_measures_the_story(
    world: World, august: dict[str, Any], key: str, numerator: int, denominator: int
) -> None:
    found = measure(key, world)
    assert (found.numerator, found.denominator) == (numerator, denominator)
    assert found.value == rate(numerator, denominator)
    assert str(FORMULAS[key].name) in found.explanation
    assert f"{numerator}/{denominator}" in found.explanation


def test_the_explanation_reads_as_a_sentence(world: World, august: dict[str, Any]) -> None:
    assert measure("pakn_on_time", world).explanation == (
        "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn: 1/3 = 33,33 % (PAKN trả lời trong hạn "
        "trong kỳ trên PAKN trả lời trong kỳ cộng PAKN chưa trả lời đã quá hạn cuối kỳ)."
    )
    assert measure("on_time_rate", world).explanation == (
        "Tỷ lệ hồ sơ giải quyết đúng hạn: 2/4 = 50 % (hồ sơ giải quyết trước hạn và đúng hạn "
        "trên hồ sơ đã giải quyết trong kỳ)."
    )


def test_the_766_groups_and_index_come_from_the_service_index(
    world: World, august: dict[str, Any]
) -> None:
    # Progress: the one sub-indicator "on time" (20 points, linear): 20 × 2/5 = 8 of 20.
    progress = measure("qd766_progress", world)
    assert (progress.numerator, progress.denominator) == (d("8.00"), d("20"))
    assert progress.value == d("0.4")
    # The index is the reports' own figure brought to a rate.
    report = service_index.service_index(world.commune_a, START, END, units=ids_of(world), now=NOW)
    index = measure("qd766_index", world)
    assert report.result.score is not None and index.value is not None
    assert (index.value * 100).quantize(d("0.01")) == report.result.score


def test_the_tt01_indicators_come_from_the_reports(world: World, august: dict[str, Any]) -> None:
    # Indicator 1: D1 early 2, D2 on time 1, D3 late 0, D4 late 0: 3/4 = 0.75 → 0.8 (1 decimal).
    first = measure("tt01_1", world)
    assert (first.numerator, first.denominator) == (d("0.8"), d("2"))
    assert first.value == d("0.4")
    # Indicator 5 cannot be assessed from the platform's records.
    assert measure("tt01_5", world).value is None
    total = measure("tt01_total", world)
    expected = unit_indicators(world.commune_a, START, END, units=ids_of(world), now=NOW)
    assert total.numerator == expected.scaled_total and total.denominator == 18


def test_a_unit_with_nothing_to_measure_gets_none_and_a_reason(world: World) -> None:
    empty = Unit.objects.create(
        code="16306", name="Xã Nga Yên", kind=UnitKind.COMMUNE, parent=world.province
    )
    measured = {key: formula([empty.pk], START, END, now=NOW) for key, formula in FORMULAS.items()}
    for key, found in measured.items():
        assert found.explanation.startswith(str(FORMULAS[key].name)), key
    # What the sources themselves score without any record: the commune has decided on none of
    # the 2 commune-level procedures in force (0 %, so 766's publicity group is 0 too), and both
    # QĐ 766 and TT 01/2018 (indicator 8) give the full PAKN points when no PAKN was due.
    assert {key for key, found in measured.items() if found.value is not None} == {
        "catalogue_reviewed",
        "qd766_publicity",
        "qd766_satisfaction",
        "qd766_index",
        "tt01_8",
        "tt01_total",
    }
    assert (
        measured["catalogue_reviewed"].numerator,
        measured["catalogue_reviewed"].denominator,
    ) == (0, 2)
    assert measured["tt01_8"].value == 1 and measured["qd766_satisfaction"].value == 1
    assert measured["qd766_publicity"].value == 0
    assert (
        "không có hồ sơ trễ hạn"
        in FORMULAS["apology_for_late"]([empty.pk], START, END, now=NOW).explanation
    )
    # No unit at all (a user who sees none of the subtree) is not an error either.
    assert FORMULAS["on_time_rate"]([], START, END, now=NOW).value is None


def test_another_commune_is_not_counted_and_not_reachable(
    world: World, august: dict[str, Any], bob: User, carol: User
) -> None:
    b = FORMULAS["on_time_rate"]([world.commune_b.pk], START, END, now=NOW)
    assert (b.numerator, b.denominator) == (0, 1)  # B1, late
    assert units_for(carol, "16300") == sorted(ids_of(world))
    with pytest.raises(Http404):
        units_for(bob, "16300")


def test_a_wrong_period_is_refused(world: World) -> None:
    with pytest.raises(PeriodError, match="trước ngày bắt đầu"):
        FORMULAS["on_time_rate"](ids_of(world), END, START, now=NOW)


# -- the live projection -----------------------------------------------------------------------

# Shaped like PAR.md §4.2 (commune set), with this year's targets as data.
CRITERIA = [
    Criterion(
        "3.2", 5, "stepped", {"steps": [[1, 5], [0.98, 4], [0.95, 3], [0.9, 2]]}, "on_time_rate"
    ),
    Criterion("3.3", 1, "yes_no", {"at_least": 1, "empty_score": 1}, "apology_for_late"),
    {
        "code": "3.4",
        "max_score": 2,
        "rule": "stepped",
        "rule_params": {"steps": [[1, 2], [0.9, 1]], "empty_score": 2},
        "formula": "pakn_on_time",
    },
    Criterion("3.5", 2, "stepped", {"steps": [[0.5, 2], [0.4, 1]]}, "documents_digitised"),
    Criterion("3.6", 2, "proportional", {"target": 0.25, "floor": 0.1}, "online_share"),
    Criterion("3.7", 1, "yes_no", {"at_least": 0.5}, "online_payment"),
    Criterion("3.9", 9, "proportional", {"target": 1}, "satisfaction_rate"),
    Criterion("3.1.1", "1.5", "stepped", {"steps": [[1, 1.5]]}, "procedures_complete"),
    Criterion("6.x", 10, "proportional", {"target": 1}, "qd766_progress"),
]


def test_the_projection_scores_each_automatic_criterion(
    world: World, august: dict[str, Any]
) -> None:
    rows = {p.code: p for p in live_projection(ids_of(world), START, END, CRITERIA, now=NOW)}
    assert [p for p in rows] == ["3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.9", "3.1.1", "6.x"]
    expected = {
        "3.2": "0.00",  # 50 % on time: below 90 %
        "3.3": "0.00",  # 1 of 3 late dossiers with an apology
        "3.4": "0.00",  # 33 % of PAKN on time
        "3.5": "0.00",  # 1/6 digitised, below 40 %
        "3.6": "1.33",  # 2 × (1/6) / 0.25 = 1.333…
        "3.7": "1.00",  # 100 % paid online
        "3.9": "4.50",  # 9 × 50 %
        "3.1.1": "0.00",  # 1/3 complete
        "6.x": "4.00",  # 10 × 8/20
    }
    assert {code: str(p.score) for code, p in rows.items()} == expected
    assert rows["3.6"].lost == d("0.67")
    assert rows["3.2"].measure == measure("on_time_rate", world)
    assert rows["3.9"].as_dict()["measure"]["numerator"] == "1"


def test_the_whole_year_is_projected_live_as_it_stands_now(
    world: World, august: dict[str, Any]
) -> None:
    # Mid-September, the year 2025 so far: D5 is overdue now, the rest as in August.
    year = live_projection(
        ids_of(world), dt.date(2025, 1, 1), dt.date(2025, 12, 31), CRITERIA, now=NOW
    )
    rows = {p.code: p for p in year}
    assert (rows["3.2"].measure.numerator, rows["3.2"].measure.denominator) == (2, 4)
    assert (rows["3.3"].measure.numerator, rows["3.3"].measure.denominator) == (1, 3)
    assert rows["3.9"].score == d("4.50")
    # D5 resolved on 16/09: no longer overdue, now resolved late without an apology.
    specialist = make_user("minh-2", world.commune_a, Role.SPECIALIST)
    actions.resolve(august["open"], by=specialist, at=at("2025-09-16", 9))
    later = at("2025-09-16", 10)
    rows = {
        p.code: p
        for p in live_projection(
            ids_of(world), dt.date(2025, 1, 1), dt.date(2025, 12, 31), CRITERIA, now=later
        )
    }
    assert (rows["3.2"].measure.numerator, rows["3.2"].measure.denominator) == (2, 5)
    assert (rows["3.3"].measure.numerator, rows["3.3"].measure.denominator) == (1, 3)


def test_the_projection_scores_nothing_measured_by_the_empty_rule(world: World) -> None:
    rows = {p.code: p for p in live_projection([world.commune_b.pk], START, END, CRITERIA, now=NOW)}
    assert rows["3.3"].score == d("1.00")  # no late dossier: the full point
    assert rows["3.4"].score == d("2.00")  # no PAKN: the full 2 points
    assert rows["3.2"].score is None and rows["3.2"].lost is None  # nothing resolved: no guess


@pytest.mark.parametrize(
    ("criterion", "error", "message"),
    [
        (
            Criterion("3.2", 5, "stepped", {"steps": [[1, 6]]}, "on_time_rate"),
            ScoringRuleError,
            "Tiêu chí 3.2: điểm của mức thứ 1",
        ),
        (
            Criterion("3.2", 5, "stepped", {"steps": [[1, 5]]}, "on_time"),
            UnknownFormula,
            "Tiêu chí 3.2: công thức tự động “on_time” không có",
        ),
        (
            Criterion("3.2", 5, "free", None, "on_time_rate"),
            UnknownFormula,
            "Tiêu chí 3.2: cách chấm tự do cần người chấm",
        ),
    ],
)
def test_the_projection_refuses_a_wrong_criterion_before_reading_anything(
    world: World,
    criterion: Criterion,
    error: type[DomainError],
    message: str,
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(0), pytest.raises(error, match=message) as refused:
        live_projection(ids_of(world), START, END, [CRITERIA[0], criterion], now=NOW)
    assert refused.value.status_code == 422


def _more_dossiers(world: World, reception: User, specialist: User, n: int) -> None:
    for i in range(n):
        dossier = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-18"))
        if i % 2:
            actions.resolve(dossier, by=specialist, at=at("2025-08-19", 10))


def _sweep() -> None:
    """What the worker keeps doing in production: the reports' tables and the index's daily
    snapshot brought up to date."""
    aggregates.sweep()
    service_index.sweep(now=NOW)


EVERY = [
    Criterion(f"9.{n}", 1, "proportional", {"target": 1}, key) for n, key in enumerate(FORMULAS)
]


def test_the_projection_costs_a_handful_of_queries_whatever_the_dossiers(
    world: World,
    august: dict[str, Any],
    reception: User,
    specialist: User,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    _sweep()
    # The set of PAR.md §4.2: read from the snapshot and the tables the reports keep.
    with django_assert_max_num_queries(12) as ordinary:
        live_projection(ids_of(world), START, END, CRITERIA, now=NOW)
    # Every formula, TT 01/2018's per-dossier pass included.
    with django_assert_max_num_queries(30) as everything:
        rows = live_projection(ids_of(world), START, END, EVERY, now=NOW)
    assert {p.formula for p in rows} == set(FORMULAS)
    _more_dossiers(world, reception, specialist, 12)
    _sweep()
    with django_assert_num_queries(len(ordinary.captured_queries)):
        live_projection(ids_of(world), START, END, CRITERIA, now=NOW)
    with django_assert_num_queries(len(everything.captured_queries)):
        live_projection(ids_of(world), START, END, EVERY, now=NOW)


def test_before_any_sweep_the_projection_is_exact_and_still_bounded(
    world: World,
    august: dict[str, Any],
    reception: User,
    specialist: User,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    # Counted from the records: more queries, but as many for 6 dossiers as for 18.
    live_projection(ids_of(world), START, END, CRITERIA, now=NOW)  # queues the catch-up sweeps
    with django_assert_max_num_queries(40) as ordinary:
        before = live_projection(ids_of(world), START, END, CRITERIA, now=NOW)
    _more_dossiers(world, reception, specialist, 12)
    with django_assert_num_queries(len(ordinary.captured_queries)):
        after = live_projection(ids_of(world), START, END, CRITERIA, now=NOW)
    # The 12 new dossiers count: 6 more resolved, all early, of 10 (2 + 6 on time).
    assert before[0].measure.denominator == 4 and after[0].measure.denominator == 10
    assert after[0].measure.numerator == 8
