"""Responses on paper, at the kiosk and online: each refusal clear, nothing half-saved."""

from __future__ import annotations

import pytest
import time_machine

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.models import Answer, Invitation, Response, SurveyRound
from cchc.surveys.tests.support import returned_dossier
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


def paper(survey: SurveyRound, by: User, world: World, **kw: object) -> Response:
    values: dict[str, object] = {"unit": world.commune_a, "answers": {"Q1": 4, "Q3": "5"}}
    values.update(kw)
    return actions.record_paper_response(survey, by=by, at=at("2025-09-03"), **values)  # type: ignore[arg-type]


def test_a_paper_form_is_typed_in_with_blank_questions_as_no_answer(
    survey: SurveyRound, reception: User, world: World
) -> None:
    response = paper(survey, reception, world, form_number="0012")
    assert response.channel == "paper" and response.entered_by == reception
    values = dict(response.answers.values_list("question__code", "value"))
    assert values == {"Q1": 4, "Q2": None, "Q2N": None, "Q3": 5, "Q4": None}


@pytest.mark.parametrize("value", [0, 6, -1, "x", 4.5, True])
def test_an_answer_off_the_scale_is_refused(
    survey: SurveyRound, reception: User, world: World, value: object
) -> None:
    with pytest.raises(actions.InvalidSurvey, match="thang điểm 1–5") as refused:
        paper(survey, reception, world, answers={"Q1": 4, "Q2": value})
    assert refused.value.status_code == 422 and "Q2" in str(refused.value.message)
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_an_unknown_question_is_refused(survey: SurveyRound, reception: User, world: World) -> None:
    with pytest.raises(actions.InvalidSurvey, match="Q9"):
        paper(survey, reception, world, answers={"Q1": 4, "Q9": 5})
    assert not Response.objects.exists()


def test_an_empty_form_is_refused(survey: SurveyRound, reception: User, world: World) -> None:
    with pytest.raises(actions.InvalidSurvey, match="chưa trả lời câu nào"):
        paper(survey, reception, world, answers={"Q1": None})


def test_one_paper_form_is_typed_in_once(
    survey: SurveyRound, reception: User, world: World
) -> None:
    paper(survey, reception, world, form_number="0012")
    with pytest.raises(actions.AlreadyAnswered, match="0012") as refused:
        paper(survey, reception, world, form_number=" 0012 ")
    assert refused.value.status_code == 409
    assert Response.objects.count() == 1


def test_another_units_officer_cannot_type_forms_in(
    survey: SurveyRound, reception_b: User, world: World
) -> None:
    with pytest.raises(actions.NotAllowed):
        paper(survey, reception_b, world)


def test_a_unit_not_surveyed_is_refused(survey: SurveyRound, reception: User, world: World) -> None:
    with pytest.raises(actions.InvalidSurvey, match="không thuộc"):
        paper(survey, reception, world, unit=world.commune_b)


def test_a_closed_round_takes_no_answer(
    survey: SurveyRound, reception: User, carol: User, world: World
) -> None:
    actions.close_round(survey, by=carol, at=at("2025-09-20"))
    with pytest.raises(actions.RoundNotOpen, match="đã kết thúc ngày 20/09/2025") as refused:
        paper(survey, reception, world)
    assert refused.value.status_code == 409


def test_a_round_past_its_answer_date_takes_no_answer(
    survey: SurveyRound, reception: User, world: World
) -> None:
    with pytest.raises(actions.RoundNotOpen, match="hết hạn trả lời phiếu \\(ngày 30/09/2025\\)"):
        actions.record_paper_response(
            survey, by=reception, unit=world.commune_a, answers={"Q1": 4}, at=at("2025-10-01")
        )


# -- online ------------------------------------------------------------------------------------


@pytest.fixture
def invitation(survey: SurveyRound, carol: User, world: World, reception: User) -> Invitation:
    returned_dossier(world, reception, name="An", phone="0912345600", day="2025-08-11")
    actions.draw_sample(survey, by=carol, at=at("2025-09-01", 10))
    return Invitation.objects.get()


def test_the_applicant_answers_online_once(invitation: Invitation) -> None:
    response = actions.record_online_response(
        invitation.token, answers={"Q1": 5, "Q2": 4}, at=at("2025-09-05")
    )
    invitation.refresh_from_db()
    assert response.channel == "online" and response.invitation == invitation
    assert response.unit_id == invitation.unit_id and response.entered_by is None
    assert invitation.answered_at == at("2025-09-05")
    with pytest.raises(actions.AlreadyAnswered, match="đã được trả lời") as refused:
        actions.record_online_response(invitation.token, answers={"Q1": 1}, at=at("2025-09-06"))
    assert refused.value.status_code == 409
    assert Response.objects.count() == 1


def test_answering_twice_is_told_so_even_after_the_round_closed(
    invitation: Invitation, carol: User
) -> None:
    actions.record_online_response(invitation.token, answers={"Q1": 5}, at=at("2025-09-05"))
    actions.close_round(invitation.round, by=carol, at=at("2025-09-20"))
    with pytest.raises(actions.AlreadyAnswered):
        actions.record_online_response(invitation.token, answers={"Q1": 5}, at=at("2025-09-21"))


def test_an_unknown_link_is_refused(invitation: Invitation) -> None:
    with pytest.raises(actions.UnknownInvitation) as refused:
        # Two characters changed, never to themselves.
        tail = "yy" if invitation.token.endswith("xx") else "xx"
        actions.record_online_response(invitation.token[:-2] + tail, answers={"Q1": 5})
    assert refused.value.status_code == 404


def test_a_closed_round_refuses_the_online_answer(invitation: Invitation, carol: User) -> None:
    actions.close_round(invitation.round, by=carol, at=at("2025-09-20"))
    with pytest.raises(actions.RoundNotOpen, match="đã kết thúc"):
        actions.record_online_response(invitation.token, answers={"Q1": 5}, at=at("2025-09-21"))
    invitation.refresh_from_db()
    assert invitation.answered_at is None


# -- kiosk -------------------------------------------------------------------------------------


def test_the_counter_tablet_takes_answers_for_a_working_day(
    survey: SurveyRound, reception: User, world: World
) -> None:
    with time_machine.travel(at("2025-09-03", 7, 30), tick=False):
        token = actions.open_kiosk(survey, unit=world.commune_a, by=reception)
    with time_machine.travel(at("2025-09-03", 16), tick=False):
        first = actions.record_kiosk_response(token, answers={"Q1": 5})
        second = actions.record_kiosk_response(token, answers={"Q1": 3})
    assert first.channel == second.channel == "kiosk" and first.entered_by == reception
    with (
        time_machine.travel(at("2025-09-04", 8), tick=False),
        pytest.raises(actions.KioskExpired) as refused,
    ):
        actions.record_kiosk_response(token, answers={"Q1": 5})
    assert refused.value.status_code == 403
    assert Response.objects.count() == 2


def test_a_forged_kiosk_token_is_refused(survey: SurveyRound) -> None:
    with pytest.raises(actions.KioskExpired):
        actions.record_kiosk_response("not-a-token", answers={"Q1": 5})
