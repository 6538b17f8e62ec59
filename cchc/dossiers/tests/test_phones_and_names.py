"""Phones and names the way people type them (issue 9, item 11): the counter and the import
store one form of each phone; the staff search finds it however typed, and names without
their diacritics."""

from __future__ import annotations

import pytest

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.importing import SYSTEM, import_dossiers
from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.support import entry, ndjson
from cchc.dossiers.worklists import Filters, worklist_rows
from cchc.testing import World, at, bearer, logged_in, receipt_for

pytestmark = pytest.mark.django_db

COUNTER = "/lam-viec/ho-so/tiep-nhan/"


def counter_form(**overrides: str) -> dict[str, str]:
    values = {
        "procedure": "2.000815",
        "unit": "16300",
        "applicant_kind": "person",
        "applicant_name": "Lê Thị Hoa",
        "applicant_id_number": "038 090 001 234",
        "applicant_phone": "0912 345 678",
        "channel": "counter",
        "return_method": "counter",
        "outcome": "received",
        "doc_1": "on",
        "doc_1_originals": "1",
        "doc_1_copies": "0",
    }
    values.update(overrides)
    return values


def test_the_counter_stores_the_phone_and_the_id_number_in_one_form(
    world: World, reception: User, copy_implemented: None
) -> None:
    response = logged_in(reception).post(COUNTER, counter_form())
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.applicant_phone == "0912345678"
    assert dossier.applicant_id_number == "038090001234"


def test_the_counter_stores_a_branch_tax_code_with_its_dash(
    world: World, reception: User, copy_implemented: None
) -> None:
    form = counter_form(
        applicant_kind="organisation",
        applicant_name="Công ty TNHH Nga Sơn",
        applicant_id_number="0101234567001",
        applicant_phone="(0237) 3870 123",
    )
    assert logged_in(reception).post(COUNTER, form).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_id_number, dossier.applicant_phone) == (
        "0101234567-001",
        "02373870123",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"applicant_phone": "12345678"}, "Số điện thoại không hợp lệ"),
        ({"applicant_phone": "0912 345 67"}, "Số điện thoại không hợp lệ"),
        ({"applicant_id_number": "172345678"}, "Chứng minh nhân dân 9 số đã hết giá trị"),
        ({"applicant_id_number": "03809000123"}, "đúng 12 chữ số"),
        (
            {"applicant_kind": "organisation", "applicant_id_number": "038090001234"},
            "Mã số thuế phải gồm 10 chữ số",
        ),
    ],
)
def test_the_counter_form_says_which_field_is_wrong(
    world: World, reception: User, copy_implemented: None, overrides: dict, message: str
) -> None:
    response = logged_in(reception).post(COUNTER, counter_form(**overrides))
    page = response.content.decode()
    assert response.status_code == 422 and message in page
    assert 'class="errorlist"' in page and not Dossier.objects.exists()


def test_an_imported_phone_is_stored_normalised_and_a_bad_one_skips_its_line(
    world: World,
) -> None:
    person = {"name": "Nguyễn Văn An", "id_number": "172345678"}  # an old CMND: kept as given
    result = import_dossiers(
        ndjson(
            entry(world, external_id="a", applicant={**person, "phone": "+84 912.345.678"}),
            entry(world, external_id="b", applicant={**person, "phone": "0912"}),
        ),
        by=SYSTEM,
    )
    assert (result.created, result.failed) == (1, 1)
    assert result.errors[0].line == 2 and "applicant.phone “0912”" in result.errors[0].error
    dossier = Dossier.objects.get()
    assert (dossier.applicant_phone, dossier.applicant_id_number) == ("0912345678", "172345678")


# -- staff search ------------------------------------------------------------------------------


def search(user: User, q: str) -> list[str]:
    return list(worklist_rows(user, "open", Filters(q=q)).values_list("code", flat=True))


@pytest.fixture
def hoa(world: World, reception: User, copy_implemented: None) -> Dossier:
    """Received at the counter page as the officer typed it: "0912 345 678"."""
    logged_in(reception).post(COUNTER, counter_form())
    return Dossier.objects.get()


@pytest.mark.parametrize(
    "q", ["0912345678", "0912 345 678", "0912.345.678", "+84912345678", "+84 912 345 678"]
)
def test_staff_find_a_dossier_by_the_phone_however_typed(
    hoa: Dossier, reception: User, q: str
) -> None:
    assert search(reception, q) == [hoa.code]


@pytest.mark.parametrize("q", ["le thi hoa", "LE THI HOA", "Lê Thị Hoa", "thi hoa", "Thị  Hoa"])
def test_staff_find_a_name_without_its_diacritics(hoa: Dossier, reception: User, q: str) -> None:
    assert search(reception, q) == [hoa.code]


def test_a_folded_name_does_not_find_another(hoa: Dossier, reception: User) -> None:
    assert search(reception, "le thi hoan") == []
    assert search(reception, "0912345679") == []


def test_staff_find_a_code_typed_in_lower_case(hoa: Dossier, reception: User) -> None:
    assert search(reception, hoa.code.lower()) == [hoa.code]


def test_the_api_search_forgives_the_same(world: World, reception: User, hoa: Dossier) -> None:
    from django.test import Client

    client, headers = Client(), bearer(reception)
    for q in ["+84 912 345 678", "le thi hoa"]:
        items = client.get("/api/v1/dossiers", {"list": "open", "q": q}, **headers).json()["items"]
        assert [d["code"] for d in items] == [hoa.code], q


def test_a_receipt_through_the_actions_stores_the_phone_normalised(
    world: World, reception: User, copy_implemented: None
) -> None:
    applicant = actions.Applicant(name="Lê Thị Hoa", id_number="038090001234", phone="0912 345 678")
    dossier = actions.receive_dossier(
        receipt_for(world, applicant=applicant), by=reception, at=at("2025-08-04")
    )
    assert dossier.applicant_phone == "0912345678"
    assert search(reception, "+84 912 345 678") == [dossier.code]
