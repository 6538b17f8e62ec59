"""The citizen's own space (issue 12, item 5): the header's doors, "Hồ sơ của tôi" with each
dossier's next step, drafts, PAKN and ratings, and nothing of anyone else's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cchc.accounts.models import User
from cchc.dossiers.actions import Applicant, receive_dossier
from cchc.dossiers.models import Dossier
from cchc.feedback import pakn as feedback_pakn
from cchc.feedback import ratings as feedback_ratings
from cchc.notify.models import Message
from cchc.portal.models import Citizen, Draft
from cchc.testing import World, receipt_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_limits(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    settings.DEMO = False


def sign_in(client: Client, destination: str) -> None:
    """The one-time code as a citizen gets it: read from the SMS outbox."""
    assert client.post("/cong-dan/dang-nhap/", {"destination": destination}).status_code == 302
    body = Message.objects.filter(kind="one_time_code").latest("id").body
    code = body.split(": ")[1][:6]
    assert client.post("/cong-dan/xac-thuc/", {"code": code}).status_code == 302


@pytest.fixture
def at_counter(world: World, reception: User, copy_implemented: None) -> Dossier:
    """Received at the counter under the phone typed with spaces."""
    applicant = Applicant(name="Nguyễn Thị Tám", id_number="038090001234", phone="0912 345 678")
    return receive_dossier(receipt_for(world, applicant=applicant), by=reception)


def test_the_header_offers_the_citizen_door_and_a_quieter_staff_door(world: World) -> None:
    page = Client().get("/").content.decode()
    assert 'class="account-main" href="/cong-dan/dang-nhap/">Đăng nhập công dân<' in page
    assert 'class="account-staff" href="/tai-khoan/dang-nhap/">Đăng nhập cán bộ<' in page


def test_a_signed_in_citizen_is_shown_in_the_header(at_counter: Dossier) -> None:
    client = Client()
    sign_in(client, "0912.345.678")
    page = client.get("/").content.decode()
    assert "09******78" in page and "0912345678" not in page
    assert 'href="/cong-dan/">Hồ sơ của tôi<' in page and "Đăng xuất" in page
    assert "Đăng nhập công dân" not in page
    client.post("/cong-dan/dang-xuat/")
    assert "Đăng nhập công dân" in client.get("/").content.decode()


def test_my_dossiers_include_one_received_at_the_counter_with_spaces(
    at_counter: Dossier,
) -> None:
    assert at_counter.applicant_phone == "0912345678"
    client = Client()
    sign_in(client, "+84 912 345 678")
    page = client.get("/cong-dan/").content.decode()
    assert at_counter.code in page
    assert "Được tiếp nhận" in page
    assert at_counter.due_at is not None
    due = timezone.localtime(at_counter.due_at).strftime("%H:%M %d/%m/%Y")
    assert f"Hẹn trả kết quả: {due}" in page
    assert "Bước tiếp theo: Cơ quan đang giải quyết" in page


def test_next_steps_ask_the_citizen_to_act_where_they_must(
    at_counter: Dossier, leader: User, reception: User
) -> None:
    from cchc.dossiers import actions

    actions.resolve(at_counter, by=leader)
    client = Client()
    sign_in(client, "0912345678")
    page = client.get("/cong-dan/").content.decode()
    assert "Cần ông/bà thực hiện" in page and "mời ông/bà nhận kết quả" in page
    at_counter.refresh_from_db()
    actions.return_result(at_counter, by=reception)
    page = client.get("/cong-dan/").content.decode()
    assert "Mời ông/bà đánh giá mức độ hài lòng" in page
    feedback_ratings.rate_by_code(at_counter.code, phone="0912345678", level=5)
    page = client.get("/cong-dan/").content.decode()
    assert "Cảm ơn ông/bà đã đánh giá" in page and "Rất hài lòng" in page


def test_another_citizen_sees_nothing_of_it(at_counter: Dossier, world: World) -> None:
    feedback_pakn.submit_feedback(
        unit=world.commune_a,
        kind="report",
        subject="regulation",
        content="Nội dung riêng của người gửi.",
        phone="0912345678",
    )
    other = Client()
    sign_in(other, "0977000111")
    page = other.get("/cong-dan/").content.decode()
    assert at_counter.code not in page and "PAKN-" not in page
    # The tracking page stays public-only for them.
    assert "Nguyễn Thị Tám" not in other.get(f"/tra-cuu/{at_counter.code}/").content.decode()


def test_a_draft_started_before_signing_in_comes_back_from_the_list(
    world: World, copy_implemented: None
) -> None:
    world.copy.versions.update(online_service="partial")
    client = Client()
    started = client.post(f"/nop-truc-tuyen/{world.copy.code}/", {"unit": "16300"})
    draft = Draft.objects.get()
    sign_in(client, "0912345678")
    draft.refresh_from_db()
    assert draft.citizen == Citizen.objects.get(phone="0912345678")
    page = client.get("/cong-dan/").content.decode()
    assert started["Location"] in page and world.copy.name in page
    # Another citizen gets 404 at its address; the owner reopens it.
    other = Client()
    sign_in(other, "0977000111")
    assert other.get(started["Location"]).status_code == 404
    assert client.get(started["Location"]).status_code == 200


def test_the_space_asks_for_sign_in_and_comes_back(world: World) -> None:
    client = Client()
    response = client.get("/cong-dan/")
    assert response.status_code == 302 and response["Location"] == "/cong-dan/dang-nhap/"
    client.post("/cong-dan/dang-nhap/", {"destination": "0912345678"})
    code = Message.objects.filter(kind="one_time_code").latest("id").body.split(": ")[1][:6]
    assert client.post("/cong-dan/xac-thuc/", {"code": code})["Location"] == "/cong-dan/"


def test_signing_out_forgets_what_this_browser_proved(at_counter: Dossier) -> None:
    client = Client()
    sign_in(client, "0912345678")
    client.post("/tra-cuu/", {"code": at_counter.code, "phone": "0912345678"})
    assert "Nguyễn Thị Tám" in client.get(f"/tra-cuu/{at_counter.code}/").content.decode()
    client.post("/cong-dan/dang-xuat/")
    assert "Nguyễn Thị Tám" not in client.get(f"/tra-cuu/{at_counter.code}/").content.decode()
    assert client.get("/cong-dan/").status_code == 302
