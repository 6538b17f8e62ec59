"""Remediation tasks (nhiệm vụ khắc phục) tracked to closure: each move of the table (open →
in progress → done, open/in progress → cancelled) dated and signed in the task's history, each
refusal with its status and reason, late derived from the due date, the API and the pages
(another unit: 404; supervisors read), the list's queries flat as tasks grow, and the
lost-points report listing the tasks."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.models import Assessment, RemediationEvent, RemediationTask
from cchc.parindex.report import lost_points_docx, lost_points_xlsx
from cchc.parindex.tasks import today
from cchc.parindex.tests.support import round_one_closed
from cchc.records.tests.support import register
from cchc.testing import World, at, bearer, logged_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/par/assessments"
GIVEN = at("2025-11-26")
DUE = dt.date(2026, 3, 31)  # before today: a task not closed by then is late
LATER = dt.date(2099, 12, 31)


@pytest.fixture
def minh(specialist: User) -> User:
    """The specialist of commune A (minh): one of the unit's staff, given the tasks."""
    return specialist


@pytest.fixture
def lost(assessment: Assessment, carol: User, pat: User) -> Assessment:
    """Round 1 closed: 1.4 lost 0,5 point, 2.2 lost 1; 1.2 lost nothing."""
    return round_one_closed(assessment, carol, pat)


def give(a: Assessment, by: User, owner: User, code: str = "2.2", **extra: Any) -> RemediationTask:
    values: dict[str, Any] = {"title": "Lập báo cáo rà soát", "due_on": DUE, "at": GIVEN}
    values.update(extra)
    return actions.create_remediation_task(a, code, by=by, owner=owner, **values)


def fresh(task: RemediationTask) -> RemediationTask:
    return RemediationTask.objects.get(pk=task.pk)


def history(task: RemediationTask) -> list[tuple[str, str, str, str | None, str]]:
    return [
        (e.action, e.from_status, e.to_status, e.actor.username if e.actor else None, e.note)
        # In the order written (`at` is the moment each request was made, before its lock).
        for e in RemediationEvent.objects.filter(task=task).select_related("actor").order_by("id")
    ]


def api_post(user: User, path: str, body: dict[str, Any]) -> Any:
    return Client().post(
        BASE + path, json.dumps(body), content_type="application/json", **bearer(user)
    )


def api_get(user: User, path: str) -> Any:
    return Client().get(BASE + path, **bearer(user))


# -- the moves -------------------------------------------------------------------------------


def test_a_task_goes_open_in_progress_done_each_change_dated_by_whom_and_why(
    world: World, lost: Assessment, carol: User, minh: User
) -> None:
    task = give(lost, carol, minh)
    assert (task.status, task.version) == ("open", 0)
    document = register(world, carol, "12/BC-UBND", issued_on=dt.date(2026, 2, 2))
    actions.start_remediation_task(task, by=minh, at=at("2025-12-01"))
    done = actions.complete_remediation_task(
        task,
        by=minh,
        evidence="Báo cáo rà soát đã ban hành",
        document=document.pk,
        at=at("2026-02-03"),
    )
    done = fresh(done)
    assert (done.status, done.version, done.evidence, done.evidence_record) == (
        "done",
        2,
        "Báo cáo rà soát đã ban hành",
        document,
    )
    assert done.done_at == at("2026-02-03")
    assert history(task) == [
        ("create", "", "open", "carol", ""),
        ("start", "open", "in_progress", "minh", ""),
        ("complete", "in_progress", "done", "minh", "Báo cáo rà soát đã ban hành"),
    ]
    events = list(RemediationEvent.objects.filter(task=task))
    assert [e.at for e in events] == [GIVEN, at("2025-12-01"), at("2026-02-03")]
    assert events[-1].data == {"record": document.pk, "reference": "12/BC-UBND"}


def test_a_task_is_cancelled_only_with_a_reason_by_the_units_leader(
    world: World, lost: Assessment, carol: User, minh: User, leader: User
) -> None:
    task = give(lost, carol, minh)
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 2.2: hãy ghi lý do hủy"):
        actions.cancel_remediation_task(task, by=leader, reason="  ")
    assert fresh(task).status == "open" and len(history(task)) == 1
    actions.cancel_remediation_task(task, by=leader, reason="Đã giao lại cho bộ phận một cửa")
    assert fresh(task).status == "cancelled"
    assert history(task)[-1] == (
        "cancel",
        "open",
        "cancelled",
        "hung",
        "Đã giao lại cho bộ phận một cửa",
    )


def test_done_needs_its_evidence_and_nothing_changes_without_it(
    lost: Assessment, carol: User, minh: User
) -> None:
    task = actions.start_remediation_task(give(lost, carol, minh), by=minh)
    with pytest.raises(actions.InvalidScore, match="Tiêu chí 2.2: hãy ghi kết quả, minh chứng"):
        actions.complete_remediation_task(task, by=minh, evidence=" ")
    after = fresh(task)
    assert (after.status, after.version, after.done_at) == ("in_progress", 1, None)
    assert len(history(task)) == 2


@pytest.mark.parametrize(
    ("moves", "refused"),
    [
        ([], "complete"),  # done only once started
        (["start"], "start"),  # a second start
        (["start", "complete"], "cancel"),  # nothing after done
        (["cancel"], "start"),  # nothing after cancelled
        (["cancel"], "complete"),
    ],
    ids=["complete-from-open", "start-twice", "cancel-done", "start-cancelled", "done-cancelled"],
)
def test_a_move_out_of_order_is_refused_with_409(
    lost: Assessment, carol: User, minh: User, moves: list[str], refused: str
) -> None:
    task = give(lost, carol, minh)
    run = {
        "start": lambda: actions.start_remediation_task(task, by=minh),
        "complete": lambda: actions.complete_remediation_task(task, by=minh, evidence="12/BC"),
        "cancel": lambda: actions.cancel_remediation_task(task, by=minh, reason="Không cần"),
    }
    for move in moves:
        run[move]()
    before = (fresh(task).status, fresh(task).version, len(history(task)))
    with pytest.raises(actions.IllegalMove) as refusal:
        run[refused]()
    assert refusal.value.status_code == 409
    assert "Nhiệm vụ khắc phục tiêu chí 2.2 đang ở trạng thái" in str(refusal.value.message)
    assert (fresh(task).status, fresh(task).version, len(history(task))) == before


def test_a_move_at_a_stale_version_is_refused_with_409(
    lost: Assessment, carol: User, minh: User
) -> None:
    task = give(lost, carol, minh)
    actions.start_remediation_task(task, by=minh, expected_version=0)
    with pytest.raises(actions.IllegalMove, match="version 1"):
        actions.cancel_remediation_task(task, by=carol, reason="Trùng", expected_version=0)
    assert fresh(task).status == "in_progress"


@pytest.mark.django_db(transaction=True)
def test_two_moves_at_once_one_wins_the_other_is_refused(
    world: World, commune_set: Any, pat: User, carol: User, minh: User
) -> None:
    assessment = actions.open_assessment(
        world.commune_a,
        commune_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
        at=at("2025-10-01"),
    )
    task = give(round_one_closed(assessment, carol, pat), carol, minh)
    from cchc.testing import run_together

    results = run_together(
        [
            lambda: actions.start_remediation_task(task, by=minh),
            lambda: actions.cancel_remediation_task(task, by=carol, reason="Không cần"),
            lambda: actions.start_remediation_task(task, by=carol),
        ]
    )
    won = [r for r in results if isinstance(r, RemediationTask)]
    refused = [r for r in results if isinstance(r, actions.IllegalMove)]
    assert len(won) >= 1 and len(won) + len(refused) == 3, results
    # Whatever the order, the history holds exactly the moves that won, each from the status
    # the one before left.
    moves = history(task)[1:]
    assert len(moves) == len(won)
    assert all(moves[i][2] == moves[i + 1][1] for i in range(len(moves) - 1))
    assert fresh(task).version == len(won)


# -- refusals at giving a task ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "values", "reason"),
    [
        ("1.2", {}, "Tiêu chí 1.2 không bị trừ điểm."),
        ("2.2", {"title": "  "}, "Tiêu chí 2.2: hãy ghi việc cần làm."),
        ("2.2", {"owner": "bob"}, "người chịu trách nhiệm phải là cán bộ của Xã Nga Sơn"),
        ("2.2", {"owner": None}, "người chịu trách nhiệm phải là cán bộ của Xã Nga Sơn"),
        ("2.2", {"due_on": dt.date(2025, 11, 25)}, "hạn hoàn thành 25/11/2025 đã qua"),
        ("9.9", {}, "Tiêu chí 9.9 không có trong bộ tiêu chí"),
    ],
    ids=["not-lost", "no-title", "owner-of-another-unit", "owner-nobody", "past-due", "no-such"],
)
def test_a_task_is_refused_with_the_reason_and_nothing_saved(
    lost: Assessment,
    carol: User,
    minh: User,
    bob: User,
    code: str,
    values: dict[str, Any],
    reason: str,
) -> None:
    values = dict(values)
    named = values.pop("owner", "minh")
    owner: Any = {"bob": bob, "minh": minh}[named] if named else None
    with pytest.raises(actions.InvalidScore) as refusal:
        give(lost, carol, owner, code, **values)
    assert refusal.value.status_code == 422
    assert reason in str(refusal.value.message)
    assert not RemediationTask.objects.exists() and not RemediationEvent.objects.exists()


def test_only_the_units_leader_or_tthc_officer_gives_tasks_and_only_after_appraisal(
    assessment: Assessment, carol: User, pat: User, sam: User, minh: User
) -> None:
    with pytest.raises(actions.IllegalMove, match="sau khi có điểm thẩm định"):
        give(assessment, carol, minh)
    round_one_closed(assessment, carol, pat)
    for who in (sam, pat, minh):
        with pytest.raises(actions.NotAllowed):
            give(assessment, who, minh)
    assert not RemediationTask.objects.exists()


def test_a_supervisor_or_an_appraiser_cannot_move_a_task(
    lost: Assessment, carol: User, minh: User, sam: User, pat: User
) -> None:
    task = give(lost, carol, minh)
    for who in (sam, pat):
        with pytest.raises(actions.NotAllowed) as refusal:
            actions.start_remediation_task(task, by=who)
        assert refusal.value.status_code == 403
    assert fresh(task).status == "open"
    assert actions.task_actions(fresh(task), sam) == []
    assert actions.task_actions(fresh(task), minh) == ["start", "cancel"]


def test_evidence_from_another_units_register_is_a_404_and_nothing_saved(
    world: World, lost: Assessment, carol: User, minh: User, bob: User
) -> None:
    task = actions.start_remediation_task(give(lost, carol, minh), by=minh)
    theirs = register(world, bob, "7/BC-UBND", unit=world.commune_b)
    with pytest.raises(Http404):
        actions.complete_remediation_task(task, by=carol, evidence="7/BC", document=theirs.pk)
    assert fresh(task).status == "in_progress"


# -- late is derived ---------------------------------------------------------------------------


def test_late_is_derived_from_the_due_date_never_stored(
    lost: Assessment, carol: User, minh: User
) -> None:
    task = give(lost, carol, minh)
    assert not task.is_late(DUE) and task.is_late(DUE + dt.timedelta(days=1))
    actions.start_remediation_task(task, by=minh)
    assert fresh(task).is_late(DUE + dt.timedelta(days=1))
    done = actions.complete_remediation_task(task, by=minh, evidence="12/BC-UBND")
    assert not fresh(done).is_late(DUE + dt.timedelta(days=1))
    cancelled = give(lost, carol, minh, "1.4")
    actions.cancel_remediation_task(cancelled, by=carol, reason="Trùng")
    assert not fresh(cancelled).is_late(LATER)
    assert "late" not in {f.name for f in RemediationTask._meta.get_fields()}


# -- the API -----------------------------------------------------------------------------------


def test_the_api_gives_moves_and_lists_tasks_with_their_history(
    lost: Assessment, carol: User, minh: User, sam: User
) -> None:
    response = api_post(
        carol,
        f"/{lost.pk}/remediation-tasks",
        {"code": "2.2", "title": "Lập báo cáo rà soát", "owner": "minh", "due_on": "2099-12-31"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["owner"], body["owner_name"], body["due_on"]) == (
        "2.2",
        "minh",
        "Minh",
        "2099-12-31",
    )
    assert (body["status"], body["late"], body["version"]) == ("open", False, 0)
    assert body["actions"] == ["start", "cancel"]  # carol: the unit's TTHC-control officer
    assert [h["action"] for h in body["history"]] == ["create"]
    path = f"/{lost.pk}/remediation-tasks/{body['id']}"
    assert api_post(minh, f"{path}/start", {"version": 0}).json()["status"] == "in_progress"
    refused = api_post(minh, f"{path}/complete", {"evidence": ""})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Tiêu chí 2.2: hãy ghi kết quả, minh chứng khi hoàn thành."
    done = api_post(minh, f"{path}/complete", {"evidence": "12/BC-UBND", "version": 1})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["actions"] == []
    assert [(h["action"], h["actor"], h["note"]) for h in done.json()["history"]] == [
        ("create", "carol", ""),
        ("start", "minh", ""),
        ("complete", "minh", "12/BC-UBND"),
    ]
    again = api_post(minh, f"{path}/complete", {"evidence": "12/BC-UBND"})
    assert again.status_code == 409
    # A supervisor reads, moves nothing.
    listed = api_get(sam, f"/{lost.pk}/remediation-tasks")
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [body["id"]]
    assert listed.json()[0]["actions"] == []
    open_one = give(lost, carol, minh, "1.4", due_on=LATER)
    refused = api_post(sam, f"/{lost.pk}/remediation-tasks/{open_one.pk}/cancel", {"reason": "x"})
    assert refused.status_code == 403
    assert fresh(open_one).status == "open"
    assert api_post(minh, f"{path}/finish", {}).status_code in (400, 404, 422)


def test_the_api_derives_late_from_today(lost: Assessment, carol: User, minh: User) -> None:
    late = give(lost, carol, minh)  # due 31/03/2026, given in 2025
    on_time = give(lost, carol, minh, "1.4", due_on=LATER)
    rows = {t["id"]: t["late"] for t in api_get(carol, f"/{lost.pk}/remediation-tasks").json()}
    assert rows == {late.pk: today() > DUE, on_time.pk: False}


def test_another_units_assessment_and_tasks_answer_404(
    world: World,
    lost: Assessment,
    carol: User,
    minh: User,
    bob: User,
    commune_set: Any,
    pat: User,
) -> None:
    task = give(lost, carol, minh)
    path = f"/{lost.pk}/remediation-tasks"
    assert api_get(bob, path).status_code == 404
    body = {"code": "2.2", "title": "x", "owner": "bob", "due_on": "2099-12-31"}
    assert api_post(bob, path, body).status_code == 404
    assert api_post(bob, f"{path}/{task.pk}/start", {}).status_code == 404
    client = logged_in(bob)
    assert client.get(f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/").status_code == 404
    assert client.post(f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/giao/", {}).status_code == 404
    page_move = f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/{task.pk}/start/"
    assert client.post(page_move, {}).status_code == 404
    # A task under another assessment's id is not found either.
    other = actions.open_assessment(
        world.commune_b,
        commune_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
        at=at("2025-10-01"),
    )
    assert api_post(pat, f"/{other.pk}/remediation-tasks/{task.pk}/start", {}).status_code == 404
    assert fresh(task).status == "open"


def test_the_lost_points_rows_keep_exactly_their_keys(
    lost: Assessment, carol: User, minh: User
) -> None:
    give(lost, carol, minh)
    rows = api_get(carol, f"/{lost.pk}/lost-points").json()
    assert {tuple(r) for r in rows} == {
        ("code", "title", "max_score", "self_score", "appraised_score", "lost", "reason")
    }


# -- both doors --------------------------------------------------------------------------------

GIVE_BAD = {
    "no title": ({"code": "2.2", "title": ""}, 422, "Tiêu chí 2.2: hãy ghi việc cần làm."),
    "owner of another unit": (
        {"code": "2.2", "owner": "bob"},
        422,
        "Tiêu chí 2.2: người chịu trách nhiệm phải là cán bộ của Xã Nga Sơn.",
    ),
    "criterion without lost points": (
        {"code": "1.2"},
        422,
        "Tiêu chí 1.2 không bị trừ điểm.",
    ),
    "a title past its column": (
        {"code": "2.2", "title": "x" * 501},
        400,
        "Dữ liệu gửi lên không hợp lệ: title.",
    ),
}


@pytest.mark.parametrize(("change", "status", "reason"), GIVE_BAD.values(), ids=GIVE_BAD)
def test_both_doors_refuse_the_same_task_alike_and_save_nothing(
    lost: Assessment,
    carol: User,
    minh: User,
    bob: User,
    change: dict[str, str],
    status: int,
    reason: str,
) -> None:
    from cchc.testing import api_answer, page_answer

    body = {"code": "2.2", "title": "Lập báo cáo", "owner": "minh", "due_on": "2099-12-31"}
    form = {**body, "due_on": "31/12/2099"}
    page = page_answer(
        carol, f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/giao/", {**form, **change}
    )
    api = api_answer(carol, f"{BASE}/{lost.pk}/remediation-tasks", {**body, **change})
    assert page == (status, reason)
    assert api[0] == status
    assert api[1] == reason or (status == 400 and "title" in api[1])
    assert not RemediationTask.objects.exists()


MOVE_BAD = {
    "done without evidence": (["start"], "complete", {"evidence": ""}, 422, "minh chứng"),
    "cancel without reason": ([], "cancel", {"reason": ""}, 422, "hãy ghi lý do hủy"),
    "done before started": ([], "complete", {"evidence": "12/BC"}, 409, "không thể"),
    "a stale version": (["start"], "cancel", {"reason": "x", "version": "0"}, 409, "version 1"),
}


@pytest.mark.parametrize(
    ("before", "action", "form", "status", "reason"), MOVE_BAD.values(), ids=MOVE_BAD
)
def test_both_doors_refuse_the_same_move_alike_and_change_nothing(
    lost: Assessment,
    carol: User,
    minh: User,
    before: list[str],
    action: str,
    form: dict[str, str],
    status: int,
    reason: str,
) -> None:
    from cchc.testing import api_answer, page_answer

    task = give(lost, carol, minh)
    for move in before:
        actions.start_remediation_task(task, by=minh) if move == "start" else None
    state = (fresh(task).status, fresh(task).version)
    body: dict[str, Any] = {**form}
    if "version" in body:
        body["version"] = int(body["version"])
    page = page_answer(minh, f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/{task.pk}/{action}/", form)
    api = api_answer(minh, f"{BASE}/{lost.pk}/remediation-tasks/{task.pk}/{action}", body)
    assert page[0] == api[0] == status
    assert reason in page[1] and page[1] == api[1]
    assert (fresh(task).status, fresh(task).version) == state


# -- the pages ---------------------------------------------------------------------------------


def test_the_page_gives_a_task_from_the_lost_criterion_and_moves_it_to_done(
    lost: Assessment, carol: User, minh: User
) -> None:
    page = logged_in(carol).get(f"/lam-viec/chi-so-cchc/{lost.pk}/")
    html = page.content.decode()
    assert f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/?tieu-chi=2.2" in html
    form = logged_in(carol).get(f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/?tieu-chi=2.2")
    assert '<option value="2.2" selected>' in form.content.decode()
    assert '<option value="minh"' in form.content.decode()
    sent = logged_in(carol).post(
        f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/giao/",
        {"code": "2.2", "title": "Lập báo cáo rà soát", "owner": "minh", "due_on": "31/12/2099"},
    )
    assert sent.status_code == 302
    task = RemediationTask.objects.get()
    assert (task.criterion.code, task.owner, task.due_on) == ("2.2", minh, LATER)
    owner = logged_in(minh)
    base = f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/{task.pk}"
    assert owner.post(f"{base}/start/", {"version": "0"}).status_code == 302
    assert owner.post(f"{base}/complete/", {"version": "1", "evidence": "12/BC"}).status_code == 302
    assert fresh(task).status == "done"
    shown = logged_in(carol).get(f"/lam-viec/chi-so-cchc/{lost.pk}/").content.decode()
    assert "Lập báo cáo rà soát" in shown and "Đã hoàn thành" in shown


def test_a_supervisor_reads_the_tasks_page_without_any_form(
    lost: Assessment, carol: User, minh: User, sam: User
) -> None:
    give(lost, carol, minh)
    page = logged_in(sam).get(f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lập báo cáo rà soát" in html and "Quá hạn" in html
    assert '<form method="post" action="/lam-viec' not in html
    start = f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/{RemediationTask.objects.get().pk}/start/"
    assert logged_in(sam).post(start, {}).status_code == 403


def _tasks(lost: Assessment, carol: User, minh: User, n: int) -> None:
    for i in range(n):
        task = give(lost, carol, minh, "2.2" if i % 2 else "1.4", title=f"Việc {i}", due_on=LATER)
        actions.start_remediation_task(task, by=minh)


def test_the_lists_queries_stay_flat_as_tasks_grow(
    lost: Assessment, carol: User, minh: User, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api, page, headers = Client(), logged_in(carol), bearer(carol)
    paths = {
        "api": lambda: api.get(f"{BASE}/{lost.pk}/remediation-tasks", **headers),
        "page": lambda: page.get(f"/lam-viec/chi-so-cchc/{lost.pk}/khac-phuc/"),
        "assessment": lambda: page.get(f"/lam-viec/chi-so-cchc/{lost.pk}/"),
    }
    limits = {"api": 8, "page": 16, "assessment": 24}
    counts: dict[str, list[int]] = {name: [] for name in paths}
    for n in (1, 7):
        _tasks(lost, carol, minh, n)
        for name, get in paths.items():
            get()  # warm the per-process caches alike
            with CaptureQueriesContext(connection) as queries:
                assert get().status_code == 200
            counts[name].append(len(queries))
            with django_assert_max_num_queries(limits[name]):
                get()
    assert {name: c[0] for name, c in counts.items()} == {
        name: c[1] for name, c in counts.items()
    }, counts


# -- the report --------------------------------------------------------------------------------


def test_the_report_lists_the_tasks_per_lost_criterion(
    lost: Assessment, carol: User, minh: User
) -> None:
    from docx import Document
    from openpyxl import load_workbook

    give(lost, carol, minh)
    doc = Document(io.BytesIO(lost_points_docx(lost, now=at("2026-12-01"))))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    tasks = next(t for t in tables if t[0][:2] == ["Mã", "Nhiệm vụ khắc phục"])
    assert tasks[1] == [
        "2.2",
        "Lập báo cáo rà soát",
        "Minh",
        "31/03/2026",
        "Chưa thực hiện (quá hạn)",
        "",
    ]
    wb = load_workbook(io.BytesIO(lost_points_xlsx(lost, now=at("2026-01-05"))))
    rows = [list(r) for r in wb["Nhiệm vụ khắc phục"].iter_rows(values_only=True)]
    assert ["2.2", "Lập báo cáo rà soát", "Minh", "31/03/2026", "Chưa thực hiện", None] in [
        [c if c != "" else None for c in r] for r in rows
    ]


def test_the_owners_offered_are_the_units_staff_by_given_name(world: World) -> None:
    from cchc.parindex.tasks import unit_staff
    from cchc.testing import make_user
    from cchc.units.choices import Role

    for username, name in (
        ("lan", "Nguyễn Thị Lan"),
        ("an", "Trần Văn An"),
        ("hung", "Lê Văn Hùng"),
    ):
        User.objects.filter(pk=make_user(username, world.commune_a, Role.SPECIALIST).pk).update(
            full_name=name
        )
    stranger = make_user("other", world.commune_b, Role.SPECIALIST)
    User.objects.filter(pk=stranger.pk).update(full_name="Đỗ Văn Bình")
    names = [u.full_name for u in unit_staff(world.commune_a)]
    ours = [n for n in names if n in {"Nguyễn Thị Lan", "Trần Văn An", "Lê Văn Hùng"}]
    # Vietnamese staff lists read by given name: An, Hùng, Lan (a byte order gives Lê first).
    assert ours == ["Trần Văn An", "Lê Văn Hùng", "Nguyễn Thị Lan"]
    assert "Đỗ Văn Bình" not in names
