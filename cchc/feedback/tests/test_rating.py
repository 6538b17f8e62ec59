"""Rating a returned dossier: only the applicant, only once, only after the result is returned;
by phone, by signed link or on the counter tablet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.accounts.models import User
from cchc.dossiers.models import Dossier
from cchc.feedback import errors, ratings
from cchc.feedback.choices import RatingChannel
from cchc.feedback.models import Rating
from cchc.testing import World, logged_in

pytestmark = pytest.mark.django_db


def rate(dossier: Dossier, **overrides: Any) -> Rating:
    values: dict[str, Any] = {
        "level": 5,
        "reasons": ["attitude"],
        "channel": "lookup",
        "phone": "0912345678",
    }
    values.update(overrides)
    return ratings.rate_dossier(dossier, **values)


# -- the action --------------------------------------------------------------------------------


def test_the_applicant_rates_with_the_phone_in_any_spelling(returned: Dossier) -> None:
    rating = rate(returned, phone="+84 912 345 678", reasons=["time", "attitude", "time"])
    assert rating.level == 5 and rating.reasons == ["time", "attitude"]
    assert rating.processing_unit_id == returned.processing_unit_id
    assert rating.receiving_unit_id == returned.receiving_unit_id
    assert rating.procedure_id == returned.procedure_id


def test_a_second_rating_is_refused(returned: Dossier) -> None:
    rate(returned)
    with pytest.raises(errors.AlreadyRated, match="một lần") as refused:
        rate(returned, level=1)
    assert refused.value.status_code == 409
    assert Rating.objects.get().level == 5


def test_a_dossier_not_yet_returned_cannot_be_rated(received: Dossier) -> None:
    with pytest.raises(errors.RatingRefused, match="chưa trả kết quả"):
        rate(received)


def test_a_wrong_phone_learns_nothing_about_the_dossier(received: Dossier) -> None:
    # Not returned yet, but a stranger is told only that code or phone is wrong.
    with pytest.raises(errors.RatingRefused) as refused:
        rate(received, phone="0988000111")
    assert refused.value.message == ratings.not_applicant_message()


def test_an_unknown_code_is_refused_exactly_like_a_wrong_phone(returned: Dossier) -> None:
    with pytest.raises(errors.RatingRefused) as wrong_phone:
        ratings.rate_by_code(returned.code, phone="0988000111", level=4)
    with pytest.raises(errors.RatingRefused) as unknown:
        ratings.rate_by_code("000.30.10.H56-250101-9999", phone="0912345678", level=4)
    assert type(wrong_phone.value) is type(unknown.value)
    assert wrong_phone.value.message == unknown.value.message
    assert wrong_phone.value.status_code == unknown.value.status_code == 403


def test_a_code_typed_in_lower_case_is_rated_like_the_printed_one(returned: Dossier) -> None:
    rating = ratings.rate_by_code(returned.code.lower(), phone="+84 912 345 678", level=5)
    assert rating.dossier_id == returned.pk


def test_a_dossier_without_a_phone_cannot_be_rated_by_phone(returned: Dossier) -> None:
    Dossier.objects.filter(pk=returned.pk).update(applicant_phone="")
    with pytest.raises(errors.RatingRefused):
        rate(returned, phone="")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"level": 0}, "mức độ"), ({"level": "x"}, "mức độ"), ({"reasons": ["bribe"]}, "Lý do")],
)
def test_bad_rating_input_is_refused(returned: Dossier, overrides, message) -> None:
    with pytest.raises(errors.InvalidFeedback, match=message):
        rate(returned, **overrides)


def test_the_signed_link_rates_without_a_phone(returned: Dossier) -> None:
    link = ratings.rating_link(returned)
    assert link.startswith("https://dichvucong.example/danh-gia/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    rating = rate(returned, channel="link", token=token, phone="")
    assert rating.channel == RatingChannel.LINK


def test_a_link_for_another_dossier_or_a_forged_one_is_refused(
    world: World, returned: Dossier
) -> None:
    for token in ("forged", ratings.rating_token(Dossier(pk=returned.pk + 1))):
        with pytest.raises(errors.RatingRefused, match="hết hạn"):
            rate(returned, channel="link", token=token, phone="")


def test_a_rating_link_expires(returned: Dossier) -> None:
    token = ratings.rating_token(returned)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=61)
    with time_machine.travel(later), pytest.raises(errors.RatingRefused, match="hết hạn"):
        rate(returned, channel="link", token=token, phone="")


def test_the_counter_officer_opens_a_short_kiosk_session(
    returned: Dossier, reception: User
) -> None:
    token = ratings.open_kiosk(returned, by=reception)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    with time_machine.travel(later), pytest.raises(errors.RatingRefused, match="cán bộ mở lại"):
        rate(returned, channel="kiosk", token=token, phone="")
    rating = rate(returned, channel="kiosk", token=token, phone="")
    assert rating.kiosk_officer == reception


def test_only_the_receiving_units_reception_opens_the_kiosk(
    world: World, returned: Dossier, specialist: User, reception_b: User
) -> None:
    for user in (specialist, reception_b):
        with pytest.raises(errors.NotAllowed, match="cán bộ tiếp nhận"):
            ratings.open_kiosk(returned, by=user)


def test_the_kiosk_refuses_a_dossier_not_returned(received: Dossier, reception: User) -> None:
    with pytest.raises(errors.RatingRefused, match="chưa trả kết quả"):
        ratings.open_kiosk(received, by=reception)


def test_a_kiosk_token_of_an_officer_who_left_is_refused(
    world: World, returned: Dossier, reception: User
) -> None:
    token = ratings.open_kiosk(returned, by=reception)
    reception.is_active = False
    reception.save()
    with pytest.raises(errors.RatingRefused):
        rate(returned, channel="kiosk", token=token, phone="")


# -- pages -------------------------------------------------------------------------------------


def form(code: str, phone: str, level: int = 4) -> dict:
    return {"code": code, "phone": phone, "level": level, "reasons": ["guidance"], "comment": "ok"}


def test_the_rating_page_records_a_rating(returned: Dossier) -> None:
    client = Client()
    assert client.get("/danh-gia/").status_code == 200
    response = client.post("/danh-gia/", form(returned.code, "0912.345.678"), follow=True)
    assert response.redirect_chain == [("/danh-gia/da-ghi-nhan/", 302)]
    assert response.status_code == 200
    assert "Cảm ơn" in response.content.decode()
    assert Rating.objects.get().channel == "lookup"
    again = client.post("/danh-gia/", form(returned.code, "0912345678"))
    assert again.status_code == 409
    assert "một lần" in again.content.decode()


def test_the_page_answers_an_unknown_code_like_a_wrong_phone(returned: Dossier) -> None:
    client = Client()
    wrong = client.post("/danh-gia/", form(returned.code, "0988000111"))
    unknown = client.post("/danh-gia/", form("KHONG-CO-MA", "0912345678"))
    assert wrong.status_code == unknown.status_code == 403
    message = ratings.not_applicant_message()
    assert message in wrong.content.decode() and message in unknown.content.decode()


def test_the_link_page_shows_the_procedure_and_rates(returned: Dossier) -> None:
    token = ratings.rating_token(returned)
    client = Client()
    page = client.get(f"/danh-gia/{token}/")
    assert page.status_code == 200 and returned.procedure.name in page.content.decode()
    assert client.post(f"/danh-gia/{token}/", {"level": 3}, follow=True).status_code == 200
    assert Rating.objects.get().channel == "link"
    assert client.get("/danh-gia/hong-roi/").status_code == 403


def test_the_counter_tablet_flow(returned: Dossier, reception: User) -> None:
    officer = logged_in(reception)
    start = officer.get(f"/lam-viec/ho-so/{returned.code}/danh-gia-tai-quay/")
    assert start.status_code == 302 and start["Location"].startswith("/danh-gia/quay/")
    tablet = Client()
    page = tablet.get(start["Location"]).content.decode()
    # Five big buttons, no site navigation for the citizen to wander into staff pages.
    assert page.count('name="level"') == 5 and "lam-viec" not in page
    done = tablet.post(
        start["Location"], {"level": 1, "reasons": ["attitude", "time"]}, follow=True
    )
    assert "trả máy" in done.content.decode()
    assert Rating.objects.get().channel == "kiosk"


def test_the_kiosk_start_is_scoped_and_role_checked(
    world: World, returned: Dossier, specialist: User, reception_b: User
) -> None:
    url = f"/lam-viec/ho-so/{returned.code}/danh-gia-tai-quay/"
    assert logged_in(reception_b).get(url).status_code == 404
    refused = logged_in(specialist).get(url)
    assert refused.status_code == 403 and "cán bộ tiếp nhận" in refused.content.decode()
    assert Client().get(url).status_code == 302  # to the login page


# -- API ---------------------------------------------------------------------------------------


def api_rate(client: Client, code: str, phone: str, **extra):
    body = {"code": code, "phone": phone, "level": 5, "reasons": ["time"], **extra}
    return client.post("/api/v1/feedback/ratings", body, content_type="application/json")


def test_the_api_rates_once(returned: Dossier) -> None:
    client = Client()
    first = api_rate(client, returned.code, "0912345678")
    assert first.status_code == 201 and first.json()["level"] == 5
    second = api_rate(client, returned.code, "0912345678")
    assert second.status_code == 409 and "một lần" in second.json()["detail"]


def test_the_api_refuses_a_dossier_not_returned(received: Dossier) -> None:
    response = api_rate(Client(), received.code, "0912345678")
    assert response.status_code == 403 and "chưa trả kết quả" in response.json()["detail"]


def test_the_api_answers_an_unknown_code_exactly_like_a_wrong_phone(returned: Dossier) -> None:
    client = Client()
    wrong = api_rate(client, returned.code, "0988000111")
    unknown = api_rate(client, "000.30.10.H56-250101-9999", "0912345678")
    assert (wrong.status_code, wrong.content) == (unknown.status_code, unknown.content)
    assert wrong.status_code == 403


def test_the_api_validates_the_level(returned: Dossier) -> None:
    assert api_rate(Client(), returned.code, "0912345678", level=9).status_code == 422


def test_ratings_are_limited_per_ip(returned: Dossier, rate_limits_on: None) -> None:
    client = Client()
    codes = [api_rate(client, "X", f"0912000{i:03d}").status_code for i in range(11)]
    assert codes[:10] == [403] * 10 and codes[10] == 429
    page = client.post("/danh-gia/", form("X", "0912999999"))
    assert page.status_code == 429 and "Quá nhiều yêu cầu" in page.content.decode()


def test_ratings_are_limited_per_phone_across_addresses(
    returned: Dossier, rate_limits_on: None
) -> None:
    codes = [
        api_rate(Client(REMOTE_ADDR=f"10.0.0.{i}"), "X", "0912 345 678").status_code
        for i in range(6)
    ]
    assert codes == [403] * 5 + [429]
    assert api_rate(Client(REMOTE_ADDR="10.0.1.1"), "X", "0912000111").status_code == 403


def test_a_supervisor_cannot_open_a_kiosk(world: World, returned: Dossier, sam: User) -> None:
    url = f"/lam-viec/ho-so/{returned.code}/danh-gia-tai-quay/"
    assert logged_in(sam).get(url).status_code == 403
