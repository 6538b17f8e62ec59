"""The staff pages (scoped: another unit's round is a 404) and the citizen's pages (no personal
data; answered once)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.models import Invitation, Questionnaire, Response, SurveyRound
from cchc.surveys.tests.support import example_doc, returned_dossier
from cchc.testing import World, at, logged_in

pytestmark = pytest.mark.django_db


def test_the_staff_pages_show_the_round_and_its_progress(
    survey: SurveyRound, carol: User, questionnaire: Questionnaire
) -> None:
    client = logged_in(carol)
    listing = client.get(reverse("surveys:rounds"))
    assert listing.status_code == 200 and "Khảo sát quý III/2025" in listing.content.decode()
    page = client.get(reverse("surveys:round", args=[survey.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "01/08/2025 – 31/08/2025" in html
    assert "Chọn mẫu" in html and "Kết thúc thu phiếu" in html
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
    assert client.get(reverse("surveys:questionnaires")).status_code == 200
    detail = client.get(reverse("surveys:questionnaire", args=[questionnaire.pk]))
    assert detail.status_code == 200 and "Nơi ngồi chờ" in detail.content.decode()


def test_another_units_round_is_a_404_on_every_staff_page(survey: SurveyRound, bob: User) -> None:
    client = logged_in(bob)
    for name in ("surveys:round", "surveys:results", "surveys:paper_entry"):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 404
    for name, args in (
        ("surveys:act", [survey.pk, "close"]),
        ("surveys:start_kiosk", [survey.pk]),
        ("surveys:paper_entry", [survey.pk]),
    ):
        assert client.post(reverse(name, args=args)).status_code == 404
    survey.refresh_from_db()
    assert survey.status == "open" and not Response.objects.exists()
    assert "Khảo sát quý III/2025" not in client.get(reverse("surveys:rounds")).content.decode()


def test_another_provinces_questionnaire_is_a_404(
    questionnaire: Questionnaire, world: World
) -> None:
    from cchc.testing import make_user
    from cchc.units.choices import Role, UnitKind
    from cchc.units.models import Unit

    other = Unit.objects.create(code="01", name="Thành phố Hà Nội", kind=UnitKind.PROVINCE)
    stranger = make_user("ha", other, Role.TTHC_CONTROL)
    response = logged_in(stranger).get(reverse("surveys:questionnaire", args=[questionnaire.pk]))
    assert response.status_code == 404


def test_the_round_is_run_from_its_page(
    survey: SurveyRound, carol: User, world: World, reception: User
) -> None:
    returned_dossier(world, reception, name="An", phone="0912345600", day="2025-08-11")
    client = logged_in(carol)
    client.post(reverse("surveys:act", args=[survey.pk, "draw"]))
    assert Invitation.objects.filter(round=survey).count() == 1
    # The list's progress: 1 invited, 0 answered.
    listing = client.get(reverse("surveys:rounds")).content.decode()
    assert '<td class="num">1</td><td class="num">0</td>' in listing
    client.post(reverse("surveys:act", args=[survey.pk, "send"]))
    assert Invitation.objects.get().sent_at is not None
    page = client.get(reverse("surveys:round", args=[survey.pk])).content.decode()
    # The contact is masked; the number in clear is nowhere.
    assert "09******00" in page and "0912345600" not in page
    refused = client.post(reverse("surveys:act", args=[survey.pk, "publish"]), follow=True)
    assert "Không thể" in refused.content.decode()


def test_paper_forms_are_typed_in_one_digit_per_question(
    survey: SurveyRound, reception: User, world: World
) -> None:
    client = logged_in(reception)
    url = reverse("surveys:paper_entry", args=[survey.pk])
    traveller = time_machine.travel(at("2025-09-03"), tick=False)
    traveller.start()
    page = client.get(url)
    assert page.status_code == 200 and 'inputmode="numeric"' in page.content.decode()
    names = {q.code: f"q{q.pk}" for q in survey.questionnaire.questions.all()}
    posted = client.post(
        url,
        {"unit": world.commune_a.pk, "form_number": "7", names["Q1"]: "5", names["Q2"]: "0"},
    )
    assert posted.status_code == 302 and f"don-vi={world.commune_a.pk}" in posted["Location"]
    values = dict(Response.objects.get().answers.values_list("question__code", "value"))
    assert values["Q1"] == 5 and values["Q2"] is None
    again = client.post(url, {"unit": world.commune_a.pk, "form_number": "7", names["Q1"]: "9"})
    assert again.status_code == 422 and "thang điểm 1–5" in again.content.decode()
    twice = client.post(url, {"unit": world.commune_a.pk, "form_number": "7", names["Q1"]: "4"})
    assert twice.status_code == 409 and "Phiếu số 7" in twice.content.decode()
    traveller.stop()
    assert Response.objects.count() == 1


def test_a_questionnaire_is_imported_from_its_page(prov: User, world: World) -> None:
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    client = logged_in(prov)
    upload = SimpleUploadedFile(
        "sipas.json", json.dumps(example_doc()).encode(), "application/json"
    )
    response = client.post(
        reverse("surveys:questionnaires"), {"unit": world.province.pk, "file": upload}
    )
    created = Questionnaire.objects.get()
    assert response.status_code == 302 and created.version == 1
    activate = client.post(reverse("surveys:questionnaire", args=[created.pk]))
    assert activate.status_code == 302
    created.refresh_from_db()
    assert created.status == "active"
    bad = SimpleUploadedFile("bad.json", b"[]", "application/json")
    refused = client.post(
        reverse("surveys:questionnaires"), {"unit": world.province.pk, "file": bad}
    )
    assert refused.status_code == 422 and "đối tượng JSON" in refused.content.decode()


def test_a_round_is_created_from_its_page(
    questionnaire: Questionnaire, carol: User, world: World
) -> None:
    client = logged_in(carol)
    form = client.get(reverse("surveys:new_round"))
    assert form.status_code == 200 and "SIPAS-38 v1" in form.content.decode()
    data = {
        "title": "Khảo sát tháng 9",
        "unit": world.commune_a.pk,
        "questionnaire": questionnaire.pk,
        "period_start": "01/09/2025",
        "period_end": "30/09/2025",
        "answer_until": "15/10/2025",
        "sample_size": "50",
    }
    created = client.post(reverse("surveys:new_round"), data)
    survey = SurveyRound.objects.get()
    assert created.status_code == 302 and survey.period_end.isoformat() == "2025-09-30"
    wrong = client.post(reverse("surveys:new_round"), {**data, "answer_until": "01/09/2025"})
    assert wrong.status_code == 422 and "Hạn trả lời" in wrong.content.decode()


# -- the citizen's pages -----------------------------------------------------------------------


@pytest.fixture
def invitation(survey: SurveyRound, carol: User, world: World, reception: User) -> Invitation:
    returned_dossier(world, reception, name="Nguyễn Thị Hoa", phone="0912345600", day="2025-08-11")
    actions.draw_sample(survey, by=carol, at=at("2025-09-01", 10))
    return Invitation.objects.get()


def test_the_online_page_shows_the_questions_and_no_personal_data(
    invitation: Invitation,
) -> None:
    with time_machine.travel(at("2025-09-05"), tick=False):
        page = Client().get(reverse("surveys:answer", args=[invitation.token]))
    html = page.content.decode()
    assert page.status_code == 200 and "Nơi ngồi chờ" in html and "Rất hài lòng" in html
    assert 'name="viewport"' in html
    dossier = invitation.dossier
    for private in (dossier.applicant_name, dossier.applicant_phone, dossier.code, "038090001234"):
        assert private not in html


def test_the_online_page_takes_one_answer(invitation: Invitation) -> None:
    url = reverse("surveys:answer", args=[invitation.token])
    names = {q.code: f"q{q.pk}" for q in invitation.round.questionnaire.questions.all()}
    client = Client()
    with time_machine.travel(at("2025-09-05"), tick=False):
        empty = client.post(url, {})
        done = client.post(url, {names["Q1"]: "5", names["Q3"]: "4"})
        again = client.post(url, {names["Q1"]: "1"})
        later = client.get(url)
    assert empty.status_code == 422 and "chưa trả lời câu nào" in empty.content.decode()
    assert done.status_code == 200 and "Cảm ơn" in done.content.decode()
    assert again.status_code == 409 and "đã được trả lời" in again.content.decode()
    assert later.status_code == 200 and "đã được trả lời" in later.content.decode()
    assert Response.objects.get().channel == "online"


def test_a_closed_round_says_so_on_the_online_page(invitation: Invitation, carol: User) -> None:
    actions.close_round(invitation.round, by=carol, at=at("2025-09-20"))
    page = Client().get(reverse("surveys:answer", args=[invitation.token]))
    assert page.status_code == 409 and "đã kết thúc" in page.content.decode()
    assert Client().get(reverse("surveys:answer", args=["nope"])).status_code == 404


def test_the_kiosk_page_loops_for_the_next_citizen(
    survey: SurveyRound, reception: User, world: World
) -> None:
    with time_machine.travel(at("2025-09-03", 8), tick=False):
        opened = logged_in(reception).post(
            reverse("surveys:start_kiosk", args=[survey.pk]), {"unit": world.commune_a.pk}
        )
        url = opened["Location"]
        names = {q.code: f"q{q.pk}" for q in survey.questionnaire.questions.all()}
        tablet = Client()
        assert tablet.get(url).status_code == 200
        thanks = tablet.post(url, {names["Q1"]: "5"})
        assert thanks.status_code == 200 and "người tiếp theo" in thanks.content.decode()
        tablet.post(url, {names["Q1"]: "4"})
    assert Response.objects.filter(channel="kiosk").count() == 2
    assert Client().get(reverse("surveys:kiosk", args=["forged"])).status_code == 403
