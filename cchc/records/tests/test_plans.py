"""Plans and their tasks: late is derived from the due date, never typed; the yearly counts the
PAR Index reads."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.accounts.models import User
from cchc.records import actions, queries
from cchc.records.actions import TaskFields
from cchc.records.choices import ActivityKind, InitiativeStatus, PlanTopic, TaskStatus
from cchc.records.models import CchcPlan, PlanTask
from cchc.records.tests.support import NOW, register
from cchc.testing import World, at

D = dt.date


@pytest.fixture
def plan(world: World, keeper: User) -> CchcPlan:
    document = register(world, keeper, "20/KH-UBND")
    tasks = [
        TaskFields("Rà soát TTHC", D(2026, 3, 31), owner_body="Văn phòng UBND"),
        TaskFields("Tuyên truyền trên loa", D(2026, 2, 28), owner_person="Nguyễn Văn Tuyên"),
        TaskFields("Tự kiểm tra CCHC", D(2026, 2, 15), owner_person="Lê Thị Kiểm"),
        TaskFields("Khảo sát hài lòng", D(2026, 6, 30), owner_body="Bộ phận một cửa"),
    ]
    return actions.create_plan(document, by=keeper, tasks=tasks, at=NOW)


def test_a_plan_is_made_from_a_plan_document_with_its_tasks(plan: CchcPlan) -> None:
    assert (plan.year, plan.topic, plan.tasks.count()) == (2026, PlanTopic.CCHC, 4)
    assert [t.position for t in plan.tasks.all()] == [1, 2, 3, 4]


def test_a_plan_cannot_be_made_from_a_report(world: World, keeper: User) -> None:
    report = register(world, keeper, "05/BC-UBND", title="Báo cáo CCHC")
    with pytest.raises(actions.InvalidRecord, match="loại Kế hoạch"):
        actions.create_plan(report, by=keeper)
    assert not CchcPlan.objects.exists()


def test_a_document_is_followed_as_a_plan_once(plan: CchcPlan, keeper: User) -> None:
    with pytest.raises(actions.RecordsError) as caught:
        actions.create_plan(plan.document, by=keeper)
    assert caught.value.status_code == 409


def test_a_task_without_owner_refuses_the_whole_plan(world: World, keeper: User) -> None:
    document = register(world, keeper, "21/KH-UBND")
    tasks = [
        TaskFields("Có người", D(2026, 3, 1), owner_person="A"),
        TaskFields("Không ai", D(2026, 3, 1)),
    ]
    with pytest.raises(actions.InvalidRecord, match="Nhiệm vụ 2: chưa ghi người thực hiện"):
        actions.create_plan(document, by=keeper, tasks=tasks)
    assert not CchcPlan.objects.exists() and not PlanTask.objects.exists()


def test_late_follows_from_the_due_date_and_the_day(plan: CchcPlan) -> None:
    on_time, loudspeaker, inspection, survey = plan.tasks.all()
    assert inspection.status_on(D(2026, 2, 15)) == TaskStatus.NOT_STARTED
    assert inspection.status_on(D(2026, 2, 16)) == TaskStatus.LATE
    assert on_time.status_on(D(2026, 3, 2)) == TaskStatus.NOT_STARTED
    progress = queries.plan_progress(plan, on=D(2026, 3, 2))
    assert (progress.total, progress.done, progress.late) == (4, 0, 2)
    assert (progress.not_started, progress.in_progress) == (2, 0)


def test_late_cannot_be_chosen(plan: CchcPlan, keeper: User) -> None:
    task = plan.tasks.first()
    assert task is not None
    with pytest.raises(actions.InvalidRecord, match="tự chuyển quá hạn"):
        actions.update_task(task, by=keeper, progress="late")


def test_done_needs_its_result(plan: CchcPlan, keeper: User) -> None:
    task = plan.tasks.first()
    assert task is not None
    with pytest.raises(actions.InvalidRecord, match="cần ghi kết quả") as caught:
        actions.update_task(task, by=keeper, progress="done", at=NOW)
    assert caught.value.field == "result"


def test_progress_reads_like_the_report(plan: CchcPlan, keeper: User, world: World) -> None:
    on_time, loudspeaker, inspection, survey = plan.tasks.all()
    evidence = register(world, keeper, "30/BC-UBND", title="Báo cáo kết quả tuyên truyền")
    actions.update_task(
        loudspeaker,
        by=keeper,
        progress="done",
        result="25 tin phát trên loa",
        done_on=D(2026, 3, 1),  # a day after its due date
        evidence=evidence,
        at=NOW,
    )
    actions.update_task(on_time, by=keeper, progress="in_progress", at=NOW)
    progress = queries.plan_progress(plan, on=D(2026, 3, 2))
    assert str(progress) == "1/4"
    assert (progress.late, progress.done_late, progress.in_progress) == (1, 1, 1)
    loudspeaker.refresh_from_db()
    assert loudspeaker.finished_late and loudspeaker.status_on(D(2026, 3, 2)) == TaskStatus.DONE


def test_evidence_must_be_the_units_own(
    plan: CchcPlan, keeper: User, keeper_b: User, world: World
) -> None:
    foreign = register(world, keeper_b, "30/BC-UBND", unit=world.commune_b)
    task = plan.tasks.first()
    assert task is not None
    with pytest.raises(actions.InvalidRecord, match="của chính đơn vị"):
        actions.update_task(task, by=keeper, progress="in_progress", evidence=foreign, at=NOW)


def test_the_year_summary_counts_what_the_par_index_reads(
    plan: CchcPlan, keeper: User, world: World
) -> None:
    decision = register(
        world, keeper, "125/QĐ-UBND", title="Công nhận sáng kiến", declared_signed=True
    )
    register(world, keeper, "05/BC-UBND", title="Báo cáo CCHC quý I")
    actions.record_initiative(
        world.commune_a,
        by=keeper,
        title="Ngày thứ 3 không hẹn",
        author="Bộ phận một cửa",
        year=2026,
        status=InitiativeStatus.RECOGNISED,
        recognised_by=decision,
        at=NOW,
    )
    actions.record_activity(
        world.commune_a,
        by=keeper,
        kind=ActivityKind.LOUDSPEAKER,
        on=D(2026, 2, 1),
        count=20,
        at=NOW,
    )
    actions.record_activity(
        world.commune_a,
        by=keeper,
        kind=ActivityKind.LOUDSPEAKER,
        on=D(2026, 2, 20),
        count=5,
        at=NOW,
    )
    actions.record_activity(
        world.commune_a, by=keeper, kind=ActivityKind.WEBSITE, on=D(2026, 2, 21), at=NOW
    )
    summary = queries.year_summary(world.commune_a, 2026, on=D(2026, 3, 2))
    by_type = {t.abbreviation: (t.total, t.signed) for t in summary.documents}
    assert by_type == {"QĐ": (1, 1), "KH": (1, 0), "BC": (1, 0)}
    assert (summary.documents_total, summary.documents_signed) == (3, 1)
    assert summary.communication == {"loudspeaker": 25, "website": 1}
    assert summary.initiatives_recognised == 1
    assert (summary.plans.total, summary.plans.late) == (4, 2)
    assert summary.plan_topics == {"cchc": 1}
    # Commune B counts nothing of A's.
    assert queries.year_summary(world.commune_b, 2026).documents_total == 0


def test_a_recognised_initiative_needs_its_decision(world: World, keeper: User) -> None:
    with pytest.raises(actions.InvalidRecord, match="cần văn bản công nhận"):
        actions.record_initiative(
            world.commune_a, by=keeper, title="X", author="Y", year=2026, status="recognised"
        )


def test_an_activity_in_the_future_is_refused(world: World, keeper: User) -> None:
    with pytest.raises(actions.InvalidRecord, match="chưa đến"):
        actions.record_activity(
            world.commune_a, by=keeper, kind="meeting", on=D(2026, 3, 3), at=at("2026-03-02")
        )
