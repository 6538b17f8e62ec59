"""The counter's receipt page: procedure by name, applicant from earlier dossiers, scans at
receipt, the outcome's own fields, the ticket from the queue — each scoped to the officer's units."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cchc.catalogue.models import RequiredDocument, UnitProcedure
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier, DossierDocument
from cchc.reports import service_index
from cchc.testing import World, logged_in, make_procedure, receipt_for
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Counter

pytestmark = pytest.mark.django_db

COUNTER = "/lam-viec/ho-so/tiep-nhan/"
SEARCH = "/lam-viec/ho-so/tiep-nhan/thu-tuc/"
LOOKUP = "/lam-viec/ho-so/tiep-nhan/nguoi-nop/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def png(name: str = "to-khai.png", padding: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, "PNG")
    content = buffer.getvalue() + b"\0" * padding
    return SimpleUploadedFile(name, content, content_type="image/png")


def receipt_post(**extra: Any) -> dict[str, Any]:
    data = {
        "procedure": "1.001193",
        "unit": "16300",
        "applicant_kind": "person",
        "applicant_name": "Lê Thị Cúc",
        "applicant_phone": "0911 222 333",
        "channel": "counter",
        "return_method": "counter",
        "outcome": "received",
        "doc_1": "on",
        "doc_1_originals": "1",
        "doc_1_copies": "0",
    }
    data.update(extra)
    return data


@pytest.fixture
def b_only(world: World) -> Any:
    """A procedure only commune B carries out."""
    procedure = make_procedure("1.000001", "Đăng ký kết hôn", world.birth.field)
    UnitProcedure.objects.create(unit=world.commune_b, procedure=procedure, implemented=True)
    return procedure


# -- the procedure by name ----------------------------------------------------------------------


def test_the_search_finds_a_procedure_by_name_without_diacritics(world: World, reception) -> None:
    client = logged_in(reception)
    for q in ("khai sinh", "dang ky khai sinh", "Khai Sinh"):
        html = client.get(SEARCH, {"q": q}).content.decode()
        assert "Đăng ký khai sinh" in html and "?procedure=1.001193" in html, q


def test_the_search_offers_only_the_procedures_the_unit_carries_out(
    world: World, reception, b_only
) -> None:
    client = logged_in(reception)
    # Commune B's own procedure, and one commune A has adopted but does not carry out.
    for q in ("kết hôn", "1.000001", "chung thuc"):
        html = client.get(SEARCH, {"q": q}).content.decode()
        assert "?procedure=" not in html and "Không tìm thấy thủ tục" in html, q


def test_another_units_search_is_404_and_a_non_reception_officer_is_refused(
    world: World, reception, specialist
) -> None:
    assert logged_in(reception).get(SEARCH, {"q": "khai", "unit": "16303"}).status_code == 404
    assert logged_in(reception).get(SEARCH, {"q": "khai", "unit": "16300"}).status_code == 200
    assert logged_in(specialist).get(SEARCH, {"q": "khai"}).status_code == 403


def test_without_javascript_the_page_lists_the_matches_instead_of_an_empty_form(
    world: World, reception
) -> None:
    client = logged_in(reception)
    html = client.get(COUNTER, {"q": "khai sinh"}).content.decode()
    assert "?procedure=1.001193" in html
    nothing = client.get(COUNTER, {"q": "xyzw"}).content.decode()
    assert "Không tìm thấy thủ tục nào phù hợp với “xyzw”" in nothing


def test_another_units_procedure_code_is_not_opened(world: World, reception, b_only) -> None:
    response = logged_in(reception).get(COUNTER, {"procedure": "1.000001"})
    html = response.content.decode()
    assert "Không có thủ tục mã này tại đơn vị" in html and 'name="applicant_name"' not in html
    posted = logged_in(reception).post(COUNTER, receipt_post(procedure="1.000001"))
    assert posted.status_code == 422 and Dossier.objects.count() == 0


# -- the applicant from earlier dossiers --------------------------------------------------------


@pytest.fixture
def earlier(world: World, reception, reception_b) -> dict[str, Dossier]:
    """An applicant received at commune A, and another at commune B."""
    a = actions.receive_dossier(
        receipt_for(
            world,
            procedure_code="1.001193",
            applicant=actions.Applicant(
                name="Nguyễn Văn An",
                id_number="038090001234",
                phone="0912345678",
                address="Thôn 1, Nga Sơn",
            ),
        ),
        by=reception,
    )
    b = actions.receive_dossier(
        receipt_for(
            world,
            procedure_code="1.001193",
            processing_unit=world.commune_b,
            applicant=actions.Applicant(
                name="Trần Thị Bình", id_number="038090009999", phone="0987654321"
            ),
        ),
        by=reception_b,
    )
    return {"a": a, "b": b}


def test_the_applicant_is_found_by_phone_typed_any_way(earlier, reception) -> None:
    client = logged_in(reception)
    for phone in ("0912 345 678", "+84 912 345 678", "0912.345.678"):
        data = client.get(LOOKUP, {"phone": phone}).json()
        assert data["found"] and data["applicant"]["applicant_name"] == "Nguyễn Văn An", phone
        # Found by phone, the identity number is read off the card, not filled in.
        assert data["applicant"]["applicant_id_number"] == ""
        assert data["applicant"]["masked_id"].endswith("234")


def test_the_applicant_is_found_by_identity_number(earlier, reception) -> None:
    data = logged_in(reception).get(LOOKUP, {"id_number": "038 090 001 234"}).json()
    assert data["found"] and data["applicant"]["applicant_id_number"] == "038090001234"
    assert data["applicant"]["applicant_address"] == "Thôn 1, Nga Sơn"


def test_another_units_applicant_is_never_shown(earlier, reception, reception_b) -> None:
    client = logged_in(reception)
    for query in ({"phone": "0987654321"}, {"id_number": "038090009999"}):
        response = client.get(LOOKUP, query)
        assert response.status_code == 200 and response.json()["found"] is False
        assert "Trần Thị Bình" not in response.content.decode()
    # Commune B's officer finds B's applicant, not A's.
    other = logged_in(reception_b)
    assert other.get(LOOKUP, {"phone": "0987654321"}).json()["found"] is True
    assert other.get(LOOKUP, {"phone": "0912345678"}).json()["found"] is False


def test_a_bad_phone_is_answered_in_vietnamese_not_with_an_error_page(
    earlier, reception, specialist
) -> None:
    response = logged_in(reception).get(LOOKUP, {"phone": "12ab"})
    assert response.status_code == 422
    assert "Số điện thoại không hợp lệ" in response.json()["error"]
    assert logged_in(specialist).get(LOOKUP, {"phone": "0912345678"}).status_code == 403


def test_without_javascript_find_fills_the_form_and_receives_nothing(earlier, reception) -> None:
    before = Dossier.objects.count()
    response = logged_in(reception).post(
        COUNTER, {"procedure": "1.001193", "applicant_phone": "0912 345 678", "find_applicant": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'value="Nguyễn Văn An"' in html
    assert "Đã điền thông tin từ hồ sơ" in html and "error-summary" not in html
    assert Dossier.objects.count() == before


def test_without_javascript_a_bad_phone_is_explained(world: World, reception) -> None:
    response = logged_in(reception).post(
        COUNTER, {"procedure": "1.001193", "applicant_phone": "12ab", "find_applicant": "1"}
    )
    assert response.status_code == 200
    assert "Số điện thoại không hợp lệ" in response.content.decode()


# -- scans at receipt ----------------------------------------------------------------------------


def test_scans_are_stored_with_the_receipt_and_make_it_digitised(world: World, reception) -> None:
    client = logged_in(reception)
    response = client.post(
        COUNTER, receipt_post(doc_1_files=[png("trang-1.png"), png("trang-2.png")])
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    rows = list(dossier.documents.order_by("id"))
    assert len(rows) == 2
    assert all(r.digitised and r.file and r.content_type == "image/png" for r in rows)
    assert rows[0].originals == 1 and rows[0].original_filename == "trang-1.png"
    # What the service index counts as a digitised dossier: input documents, none on paper only.
    assert not dossier.documents.filter(digitised=False).exists()


def test_the_service_index_counts_the_scanned_receipt_as_digitised(world: World, reception) -> None:
    client = logged_in(reception)
    client.post(COUNTER, receipt_post(doc_1_files=[png()]))  # scanned
    client.post(COUNTER, receipt_post(applicant_name="Hồ Văn Giang"))  # paper only
    today = timezone.localdate()
    inputs = service_index.direct_inputs([world.commune_a.pk], today, today, catalogue=False)
    assert inputs[world.commune_a.pk].received == 2
    assert inputs[world.commune_a.pk].documents_digitised == 1


def test_a_document_received_on_paper_only_is_not_digitised(world: World, reception) -> None:
    logged_in(reception).post(COUNTER, receipt_post())
    assert DossierDocument.objects.get().digitised is False


def test_a_scan_too_large_is_refused_with_413_and_nothing_is_saved(
    world: World, reception, settings: Any, tmp_path: Any
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 1024
    response = logged_in(reception).post(
        COUNTER, receipt_post(doc_1_files=[png("to.png", padding=4096)])
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "Tệp “to.png” (4 KB) lớn hơn mức cho phép 1 KB." in html
    assert "Các tệp quét đã chọn chưa được lưu" in html
    assert Dossier.objects.count() == 0 and DossierDocument.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_the_receipt_action_refuses_a_file_over_the_limit_with_413(
    world: World, reception, settings: Any
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 1024
    receipt = receipt_for(
        world,
        procedure_code="1.001193",
        documents=[actions.ReceivedDocument(position=1, originals=1, files=[png(padding=4096)])],
    )
    with pytest.raises(actions.FileTooLarge) as caught:
        actions.receive_dossier(receipt, by=reception)
    assert caught.value.status_code == 413 and Dossier.objects.count() == 0


def test_a_file_that_is_not_a_scan_is_refused_and_nothing_is_saved(world: World, reception) -> None:
    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    response = logged_in(reception).post(COUNTER, receipt_post(doc_1_files=[fake]))
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF" in response.content.decode()
    assert Dossier.objects.count() == 0 and DossierDocument.objects.count() == 0


def test_a_scan_for_a_document_not_ticked_is_asked_about(world: World, reception) -> None:
    RequiredDocument.objects.create(
        version=world.birth.versions.get(), position=2, name="Giấy chứng sinh", required=False
    )
    response = logged_in(reception).post(COUNTER, receipt_post(doc_2_files=[png()]))
    assert response.status_code == 422
    assert "chưa được đánh dấu là đã nhận" in response.content.decode()
    assert Dossier.objects.count() == 0


# -- the outcome first, its own fields ----------------------------------------------------------


def test_guiding_to_complete_asks_for_what_is_missing_at_its_field(world: World, reception) -> None:
    client = logged_in(reception)
    response = client.post(COUNTER, receipt_post(outcome="incomplete"))
    assert response.status_code == 422
    assert "Phải ghi đầy đủ, một lần các nội dung cần bổ sung" in response.content.decode()
    done = client.post(
        COUNTER, receipt_post(outcome="incomplete", missing="Giấy chứng sinh | bản chính")
    )
    dossier = Dossier.objects.get()
    assert done.status_code == 302 and dossier.status == "incomplete"
    assert f"/lam-viec/ho-so/{dossier.code}/mau-02.pdf" in client.get(done["Location"]).text


def test_refusing_asks_for_the_reason_and_offers_form_03(world: World, reception) -> None:
    client = logged_in(reception)
    assert client.post(COUNTER, receipt_post(outcome="refused")).status_code == 422
    done = client.post(COUNTER, receipt_post(outcome="refused", reason="Không thuộc thẩm quyền"))
    dossier = Dossier.objects.get()
    assert dossier.status == "refused"
    assert f"/lam-viec/ho-so/{dossier.code}/mau-03.pdf" in client.get(done["Location"]).text


def test_each_outcome_field_is_marked_for_its_outcome(world: World, reception) -> None:
    html = logged_in(reception).get(COUNTER, {"procedure": "1.001193"}).content.decode()
    assert 'class="only-incomplete"' in html and 'class="only-refused"' in html
    assert html.index('name="outcome"') < html.index('name="applicant_phone"')


def test_another_units_done_dossier_is_404(earlier, reception) -> None:
    client = logged_in(reception)
    assert client.get(COUNTER, {"done": earlier["b"].code}).status_code == 404
    assert client.get(COUNTER, {"done": earlier["a"].code}).status_code == 200


# -- from a called queue ticket -------------------------------------------------------------------


@pytest.fixture
def called(world: World, reception) -> Any:
    counter = Counter.objects.create(unit=world.commune_a, number=1)
    queue_actions.issue_ticket(world.commune_a, field=world.birth.field)
    ticket = queue_actions.call_next(counter, by=reception)
    assert ticket is not None
    return ticket


def test_the_counter_screen_opens_the_receipt_for_the_called_ticket(
    world: World, reception, called
) -> None:
    client = logged_in(reception)
    screen = client.get(f"/lam-viec/quay/{called.counter_id}/").content.decode()
    assert 'action="/lam-viec/ho-so/tiep-nhan/"' in screen and f'value="{called.pk}"' in screen
    page = client.get(COUNTER, {"ticket": called.pk}).content.decode()
    # The ticket's field lists its procedures before anything is typed.
    assert f"Số thứ tự {called.code}" in page and "?procedure=1.001193&amp;ticket=" in page
    assert 'data-field="ho-tich"' in page


def test_the_receipt_is_linked_to_the_ticket(world: World, reception, called) -> None:
    response = logged_in(reception).post(COUNTER, receipt_post(ticket=str(called.pk)))
    dossier = Dossier.objects.get()
    called.refresh_from_db()
    assert called.dossier_code == dossier.code
    assert response["Location"].endswith(f"&ticket={called.pk}")


def test_another_units_ticket_is_404(world: World, reception, reception_b, called) -> None:
    assert logged_in(reception_b).get(COUNTER, {"ticket": called.pk}).status_code == 404
    assert logged_in(reception).get(COUNTER, {"ticket": "abc"}).status_code == 404
