"""The one-stop's pages drive the same actions as the API and show refusals in place."""

from __future__ import annotations

import pytest

from cchc.dossiers.models import Dossier
from cchc.testing import World, logged_in

pytestmark = pytest.mark.django_db


def test_the_counter_receives_a_dossier_through_the_form(
    world: World, reception, copy_implemented
) -> None:
    client = logged_in(reception)
    form = client.get("/lam-viec/ho-so/tiep-nhan/", {"procedure": "2.000815"})
    assert form.status_code == 200
    assert "Tờ khai" in form.content.decode()
    response = client.post(
        "/lam-viec/ho-so/tiep-nhan/",
        {
            "procedure": "2.000815",
            "unit": "16300",
            "applicant_kind": "person",
            "applicant_name": "Lê Thị Cúc",
            "applicant_phone": "0911222333",
            "channel": "counter",
            "return_method": "counter",
            "outcome": "received",
            "doc_1": "on",
            "doc_1_originals": "1",
            "doc_1_copies": "0",
        },
    )
    dossier = Dossier.objects.get()
    # Back to the counter, with the receipt (Mẫu 01) to print first.
    assert response.status_code == 302
    assert response["Location"] == f"/lam-viec/ho-so/tiep-nhan/?done={dossier.code}"
    assert f"/lam-viec/ho-so/{dossier.code}/mau-01.pdf" in client.get(response["Location"]).text
    assert (dossier.status, dossier.applicant_name) == ("received", "Lê Thị Cúc")
    page = client.get(f"/lam-viec/ho-so/{dossier.code}/").content.decode()
    assert "Lê Thị Cúc" in page and "Chuyển chuyên viên xử lý" in page


def test_the_form_shows_why_a_dossier_cannot_be_received(
    world: World, reception, copy_implemented
) -> None:
    response = logged_in(reception).post(
        "/lam-viec/ho-so/tiep-nhan/",
        {"procedure": "2.000815", "unit": "16300", "applicant_kind": "person", "applicant_name": "A",
         "channel": "counter", "return_method": "counter", "outcome": "received"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Hồ sơ còn thiếu" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_only_reception_officers_use_the_counter(world: World, specialist) -> None:
    assert logged_in(specialist).get("/lam-viec/ho-so/tiep-nhan/").status_code == 403


def test_an_action_from_the_page_moves_the_dossier(
    received: Dossier, reception, specialist
) -> None:
    client = logged_in(reception)
    response = client.post(
        f"/lam-viec/ho-so/{received.code}/thao-tac/hand_over/", {"version": "1", "to": "minh"}
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == "processing" and received.assignee == specialist


def test_a_refused_action_is_shown_on_the_page_and_changes_nothing(
    received: Dossier, reception
) -> None:
    client = logged_in(reception)
    response = client.post(
        f"/lam-viec/ho-so/{received.code}/thao-tac/return_result/", {"version": "1", "confirm": "1"}
    )
    assert response.status_code == 409
    assert "Không thể" in response.content.decode()
    stale = client.post(
        f"/lam-viec/ho-so/{received.code}/thao-tac/withdraw/", {"version": "0", "confirm": "1"}
    )
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.content.decode()
    received.refresh_from_db()
    assert received.status == "received"


@pytest.mark.parametrize(
    "path", ["/lam-viec/ho-so/{code}/", "/lam-viec/ho-so/{code}/thao-tac/withdraw/"]
)
def test_another_communes_officer_gets_404(received: Dossier, reception_b, path: str) -> None:
    client = logged_in(reception_b)
    url = path.format(code=received.code)
    response = client.post(url, {"version": "1"}) if "thao-tac" in url else client.get(url)
    assert response.status_code == 404


def test_worklists_list_the_units_dossiers_only(received: Dossier, reception, reception_b) -> None:
    assert received.code in logged_in(reception).get("/lam-viec/ho-so/").content.decode()
    assert received.code not in logged_in(reception_b).get("/lam-viec/ho-so/").content.decode()
    assert logged_in(reception).get("/lam-viec/ho-so/?list=overdue&cursor=bad").status_code == 200


def test_the_id_number_is_masked_on_the_dossier_page(received: Dossier, reception) -> None:
    html = logged_in(reception).get(f"/lam-viec/ho-so/{received.code}/").content.decode()
    assert "038090001234" not in html and "1234" in html
