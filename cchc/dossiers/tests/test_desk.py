"""The dossier page's one obvious next act (issue 12, item 2): the act the step expects first,
the others behind "Thao tác khác", a confirmation before what cannot be undone, "Chuyển cho"
limited to the next step's role, and the leader's signature that a specialist cannot skip."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from cchc.accounts.models import User
from cchc.catalogue.models import StepTemplate
from cchc.dossiers import actions
from cchc.dossiers.desk import desk_for
from cchc.dossiers.models import Dossier
from cchc.testing import World, at, bearer, logged_in, make_user, receipt_for
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world: World, reception: User, copy_implemented: None) -> Dossier:
    """A dossier of a procedure whose steps say a leader signs: reception → specialist →
    leader → reception (return)."""
    version = world.copy.versions.get()
    StepTemplate.objects.filter(version=version, position=2).update(share=Decimal(60))
    StepTemplate.objects.create(
        version=version, position=3, name="Ký duyệt", role=Role.LEADER, share=Decimal(10)
    )
    StepTemplate.objects.create(
        version=version, position=4, name="Trả kết quả", role=Role.RECEPTION, share=Decimal(10)
    )
    return actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))


def _hand(dossier: Dossier, by: User, to: User | None, when: str = "10") -> Dossier:
    return actions.hand_over(dossier, by=by, to=to, at=at("2025-08-04", int(when)))


def _section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0] if start in page else ""


def _next_act(page: str) -> str:
    return _section(page, 'class="next-act"', "</section>")


def _others(page: str) -> str:
    return _section(page, 'class="more-acts"', "Các bước xử lý")


def test_reception_hands_over_first_to_specialists_only_never_itself(
    signed: Dossier, reception: User, specialist: User, leader: User, world: World
) -> None:
    other_reception = make_user("thu", world.commune_a, Role.RECEPTION)
    page = logged_in(reception).get(f"/lam-viec/ho-so/{signed.code}/").content.decode()
    first = _next_act(page)
    assert "Chuyển chuyên viên xử lý" in first
    assert f'action="/lam-viec/ho-so/{signed.code}/thao-tac/hand_over/"' in first
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', first)
    assert [value for value, _label in options] == ["", specialist.username]
    assert "Chuyên viên xử lý" in options[1][1]
    assert reception.username not in first and other_reception.username not in first
    # The rest sits behind "Thao tác khác", closed.
    assert "Thao tác khác" in page and "Công dân rút hồ sơ" in _others(page)
    assert "Chuyển chuyên viên xử lý" not in _others(page)


def test_after_handing_over_the_officer_has_no_step_forms(
    signed: Dossier, reception: User, specialist: User
) -> None:
    _hand(signed, reception, specialist)
    page = logged_in(reception).get(f"/lam-viec/ho-so/{signed.code}/").content.decode()
    assert "Việc cần làm" not in page
    for act in ("hand_over", "request_supplement", "resolve", "request_payment"):
        assert f"/thao-tac/{act}/" not in page


def test_a_supervisor_and_a_commune_colleague_with_nothing_to_do_see_no_forms(
    signed: Dossier, sam: User, carol: User
) -> None:
    for user in (sam, carol):
        page = logged_in(user).get(f"/lam-viec/ho-so/{signed.code}/").content.decode()
        assert "/thao-tac/" not in page and "<form" not in page.split("</header>", 1)[-1]
        assert "Thêm giấy tờ" not in page


def test_the_specialist_submits_to_the_leader_and_cannot_skip_the_signature(
    signed: Dossier, reception: User, specialist: User, leader: User
) -> None:
    signed = _hand(signed, reception, specialist)
    desk = desk_for(signed, specialist)
    assert desk.primary == ["hand_over", "request_supplement"]
    assert "resolve" not in desk.allowed
    page = logged_in(specialist).get(f"/lam-viec/ho-so/{signed.code}/").content.decode()
    assert "Trình lãnh đạo ký duyệt" in _next_act(page)
    assert "/thao-tac/resolve/" not in page
    # The one business action refuses, so the page and the API agree.
    with pytest.raises(actions.NotAllowed, match="lãnh đạo ký duyệt"):
        actions.resolve(signed, by=specialist, at=at("2025-08-04", 11))
    api = logged_in(specialist).post(
        f"/api/v1/dossiers/{signed.code}/actions/resolve",
        {"version": signed.row_version},
        content_type="application/json",
        **bearer(specialist),
    )
    assert api.status_code == 403
    signed.refresh_from_db()
    assert signed.status == "processing"


def test_the_api_lists_the_actions_the_user_may_take(
    signed: Dossier, reception: User, specialist: User
) -> None:
    signed = _hand(signed, reception, specialist)
    body = logged_in(specialist).get(f"/api/v1/dossiers/{signed.code}", **bearer(specialist)).json()
    assert body["allowed_actions"][:2] == ["hand_over", "request_supplement"]
    assert "resolve" not in body["allowed_actions"]
    assert body["status"] == "processing"  # existing keys unchanged


def test_hand_over_to_oneself_or_another_role_is_refused_with_a_message(
    signed: Dossier, reception: User, specialist: User, leader: User
) -> None:
    client = logged_in(reception)
    for to in (reception.username, leader.username, "nobody"):
        response = client.post(
            f"/lam-viec/ho-so/{signed.code}/thao-tac/hand_over/",
            {"version": signed.row_version, "to": to},
        )
        assert response.status_code == 422
        assert "Người nhận không thuộc vai trò" in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == "received"


def test_the_leader_approves_first_with_one_confirmation(
    signed: Dossier, reception: User, specialist: User, leader: User
) -> None:
    signed = _hand(signed, reception, specialist, "10")
    signed = _hand(signed, specialist, leader, "11")
    client = logged_in(leader)
    page = client.get(f"/lam-viec/ho-so/{signed.code}/").content.decode()
    first = _next_act(page)
    assert "Có kết quả / Phê duyệt" in first and "Tôi xác nhận" in first
    assert 'name="confirm" value="1" required' in first
    # Sent without the box ticked: nothing happens, the page says why.
    url = f"/lam-viec/ho-so/{signed.code}/thao-tac/resolve/"
    refused = client.post(url, {"version": signed.row_version})
    assert refused.status_code == 422 and "xác nhận" in refused.content.decode()
    signed.refresh_from_db()
    assert signed.status == "processing"
    done = client.post(url, {"version": signed.row_version, "confirm": "1"})
    assert done.status_code == 302
    signed.refresh_from_db()
    assert signed.status == "resolved"


@pytest.mark.parametrize("act", ["refuse", "stop", "withdraw", "return_result"])
def test_irreversible_acts_need_the_confirmation(
    act: str, signed: Dossier, reception: User, leader: User
) -> None:
    user = leader if act in ("refuse", "stop") else reception
    response = logged_in(user).post(
        f"/lam-viec/ho-so/{signed.code}/thao-tac/{act}/",
        {"version": signed.row_version, "reason": "Lý do"},
    )
    assert response.status_code == 422 and "xác nhận" in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == "received"


def test_the_api_keeps_its_contract_without_a_confirmation(
    received: Dossier, reception: User
) -> None:
    response = logged_in(reception).post(
        f"/api/v1/dossiers/{received.code}/actions/withdraw",
        {"version": received.row_version, "reason": "Công dân xin rút"},
        content_type="application/json",
        **bearer(reception),
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_without_a_leader_step_the_specialist_records_the_result(
    received: Dossier, reception: User, specialist: User
) -> None:
    received = _hand(received, reception, specialist)
    desk = desk_for(received, specialist)
    assert desk.primary == ["resolve", "request_supplement"]


def test_the_leader_sends_back_with_a_reason(
    signed: Dossier, reception: User, specialist: User, leader: User
) -> None:
    signed = _hand(signed, reception, specialist, "10")
    signed = _hand(signed, specialist, leader, "11")
    assert desk_for(signed, leader).primary == ["resolve", "send_back"]
    client = logged_in(leader)
    page = client.get(f"/lam-viec/ho-so/{signed.code}/").content.decode()
    assert "Trả lại" in _next_act(page)
    url = f"/lam-viec/ho-so/{signed.code}/thao-tac/send_back/"
    empty = client.post(url, {"version": signed.row_version, "reason": " "})
    assert empty.status_code == 422 and "lý do trả lại" in empty.content.decode()
    done = client.post(url, {"version": signed.row_version, "reason": "Thiếu xác minh bản gốc"})
    assert done.status_code == 302
    signed.refresh_from_db()
    steps = {s.position: s for s in signed.steps.all()}
    assert signed.status == "processing" and signed.assignee == specialist
    assert steps[2].started_at is not None and steps[2].finished_at is None
    assert steps[3].started_at is None and steps[2].note == "Thiếu xác minh bản gốc"
    event = signed.events.latest("id")
    assert (event.action, event.public) == ("send_back", False)
    # Back on the specialist's desk, with "Trình lãnh đạo ký duyệt" first again.
    assert desk_for(signed, specialist).primary == ["hand_over", "request_supplement"]
    assert "send_back" not in desk_for(signed, leader).allowed


def test_only_a_leader_at_the_leaders_step_sends_back(
    signed: Dossier, reception: User, specialist: User, leader: User
) -> None:
    signed = _hand(signed, reception, specialist, "10")
    with pytest.raises(actions.IllegalTransition):
        actions.send_back(signed, by=leader, reason="x", at=at("2025-08-04", 11))
    signed = _hand(signed, specialist, leader, "11")
    with pytest.raises(actions.NotAllowed):
        actions.send_back(signed, by=specialist, reason="x", at=at("2025-08-04", 12))
