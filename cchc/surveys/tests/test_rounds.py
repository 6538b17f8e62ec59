"""A round on the one workflow mechanism: created, opened, sample drawn, invitations sent,
closed, published; each step an event, each out-of-order step refused."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from cchc.accounts.models import User
from cchc.notify.choices import Kind
from cchc.notify.models import Message
from cchc.notify.registry import morning_jobs
from cchc.surveys import actions
from cchc.surveys.choices import RoundStatus
from cchc.surveys.models import Invitation, Questionnaire, SurveyRound
from cchc.surveys.tests.support import new_round, returned_dossier
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


def test_a_round_moves_draft_open_closed_published_with_an_event_each(
    questionnaire: Questionnaire, carol: User, world: World
) -> None:
    survey = new_round(questionnaire, carol, world.commune_a)
    assert survey.status == RoundStatus.DRAFT
    assert list(survey.surveyed_units.all()) == [world.commune_a]
    actions.open_round(survey, by=carol, at=at("2025-09-01", 9))
    actions.record_paper_response(
        survey, by=carol, unit=world.commune_a, answers={"Q1": 4}, at=at("2025-09-02")
    )
    actions.close_round(survey, by=carol, at=at("2025-10-01"))
    survey = actions.publish_round(survey, by=carol, at=at("2025-10-02"))
    assert survey.status == RoundStatus.PUBLISHED
    assert survey.published_at == at("2025-10-02")
    assert list(survey.events.values_list("action", "from_status", "to_status")) == [
        ("create", "", "draft"),
        ("open", "draft", "open"),
        ("close", "open", "closed"),
        ("publish", "closed", "published"),
    ]
    assert survey.events.last().actor == carol  # type: ignore[union-attr]


def test_out_of_order_moves_are_refused(survey: SurveyRound, carol: User) -> None:
    with pytest.raises(actions.IllegalMove, match="Đang thu phiếu") as refused:
        actions.publish_round(survey, by=carol)
    assert refused.value.status_code == 409
    with pytest.raises(actions.IllegalMove):
        actions.open_round(survey, by=carol)


def test_a_round_without_responses_is_not_published(survey: SurveyRound, carol: User) -> None:
    actions.close_round(survey, by=carol, at=at("2025-10-01"))
    with pytest.raises(actions.InvalidSurvey, match="chưa có phiếu"):
        actions.publish_round(survey, by=carol, at=at("2025-10-02"))
    survey.refresh_from_db()
    assert survey.status == RoundStatus.CLOSED


def test_only_the_units_managers_move_a_round(
    survey: SurveyRound, reception: User, bob: User
) -> None:
    for someone in (reception, bob):
        with pytest.raises(actions.NotAllowed) as refused:
            actions.close_round(survey, by=someone)
        assert refused.value.status_code == 403
    survey.refresh_from_db()
    assert survey.status == RoundStatus.OPEN


def test_a_round_checks_its_inputs(questionnaire: Questionnaire, carol: User, world: World) -> None:
    with pytest.raises(actions.InvalidSurvey, match="sau ngày bắt đầu"):
        new_round(questionnaire, carol, world.commune_a, period_end=dt.date(2025, 7, 1))
    with pytest.raises(actions.InvalidSurvey, match="Hạn trả lời"):
        new_round(questionnaire, carol, world.commune_a, answer_until=dt.date(2025, 8, 30))
    with pytest.raises(actions.InvalidSurvey, match="Cỡ mẫu"):
        new_round(questionnaire, carol, world.commune_a, sample_size=0)
    with pytest.raises(actions.InvalidSurvey, match="thuộc Xã Nga Sơn"):
        new_round(questionnaire, carol, world.commune_a, surveyed_units=[world.commune_b])
    assert not SurveyRound.objects.exists()


def test_a_draft_questionnaire_cannot_be_used(prov: User, carol: User, world: World) -> None:
    from cchc.surveys.tests.support import example_doc

    draft = actions.import_questionnaire(example_doc(), unit=world.province, by=prov)
    with pytest.raises(actions.InvalidSurvey, match="đang áp dụng"):
        new_round(draft, carol, world.commune_a)


# -- the sample --------------------------------------------------------------------------------


@pytest.fixture
def applicants(world: World, reception: User, reception_b: User) -> dict[str, int]:
    """Six applicants of commune A returned in August (one of them twice), and those the draw
    must leave out: returned in July, without any contact, or in commune B."""
    made = {}
    for i, name in enumerate(["An", "Bình", "Chi", "Dũng", "Giang", "Hà"]):
        made[name] = returned_dossier(
            world, reception, name=name, phone=f"09123456{i:02d}", day=f"2025-08-{11 + i:02d}"
        ).pk
    # An again, later in the month: one invitation per applicant, through the latest dossier.
    made["An-2"] = returned_dossier(
        world, reception, name="An", phone="0912345600", day="2025-08-25"
    ).pk
    made["July"] = returned_dossier(
        world, reception, name="Khánh", phone="0987000001", day="2025-07-30"
    ).pk
    made["No contact"] = returned_dossier(world, reception, name="Lâm", day="2025-08-12").pk
    made["B"] = returned_dossier(
        world, reception_b, name="Mai", phone="0987000002", day="2025-08-12", unit=world.commune_b
    ).pk
    return made


def test_the_population_is_one_entry_per_reachable_applicant_of_the_period_and_units(
    survey: SurveyRound, applicants: dict[str, int]
) -> None:
    population = actions.eligible_applicants(survey)
    ids = [e.dossier_id for e in population]
    expected = [applicants[n] for n in ["Bình", "Chi", "Dũng", "Giang", "Hà", "An-2"]]
    assert ids == sorted(expected)
    assert len({e.key for e in population}) == 6


def test_the_draw_is_reproducible_from_the_seed(
    survey: SurveyRound, applicants: dict[str, int]
) -> None:
    population = actions.eligible_applicants(survey)
    first = actions.sample(population, 3, survey.seed)
    assert actions.sample(population, 3, survey.seed) == first
    assert len(first) == 3 and len(set(first)) == 3
    seeds = {tuple(e.dossier_id for e in actions.sample(population, 3, s)) for s in range(20)}
    assert len(seeds) > 1  # another seed, another sample
    assert actions.sample(population, 10, survey.seed) == population


def test_drawing_makes_one_invitation_per_drawn_applicant_once(
    survey: SurveyRound, carol: User, applicants: dict[str, int]
) -> None:
    expected = [
        e.dossier_id for e in actions.sample(actions.eligible_applicants(survey), 3, survey.seed)
    ]
    survey = actions.draw_sample(survey, by=carol, at=at("2025-09-01", 10))
    assert survey.population == 6
    invitations = list(Invitation.objects.filter(round=survey).order_by("pk"))
    assert [i.dossier_id for i in invitations] == expected
    assert all(len(i.token) >= 32 and i.sent_at is None for i in invitations)
    assert survey.events.last().data == {"population": 6, "invited": 3, "seed": 20250901}  # type: ignore[union-attr]
    with pytest.raises(actions.IllegalMove, match="một lần"):
        actions.draw_sample(survey, by=carol)
    assert Invitation.objects.count() == 3


def test_invitations_are_queued_by_sms_without_the_phone_in_the_log(
    survey: SurveyRound, carol: User, applicants: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    actions.draw_sample(survey, by=carol, at=at("2025-09-01", 10))
    with caplog.at_level(logging.DEBUG):
        sent = actions.send_invitations(survey, by=carol, at=at("2025-09-01", 11))
    assert (sent.invitations, sent.messages) == (3, 3)
    messages = Message.objects.filter(kind=Kind.SURVEY_INVITATION)
    assert messages.count() == 3
    tokens = set(Invitation.objects.values_list("token", flat=True))
    for message in messages:
        assert message.channel == "sms" and any(t in message.body for t in tokens)
        assert message.recipient.startswith("09123456")
        assert message.recipient not in caplog.text
    assert not Invitation.objects.filter(sent_at__isnull=True).exists()
    # Sending again sends nothing new.
    assert actions.send_invitations(survey, by=carol).invitations == 0


def test_the_morning_run_sends_what_was_drawn(
    survey: SurveyRound, carol: User, applicants: dict[str, int]
) -> None:
    assert actions.send_due_invitations in morning_jobs()
    actions.draw_sample(survey, by=carol, at=at("2025-09-01", 16))
    result = actions.send_due_invitations(at("2025-09-02", 7))
    assert (result.invitations, result.queued) == (3, 3)
    assert actions.send_due_invitations(at("2025-09-03", 7)).invitations == 0
