"""The printed forms (Mẫu 01–06): each renders from a dossier built by the real actions, reads
back as Vietnamese text, has the paper size the circular requires, and is served only to the
units that may see the dossier."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from cchc.accounts.models import User
from cchc.catalogue.models import StepTemplate
from cchc.dossiers.actions import (
    Applicant,
    hand_over,
    receive_dossier,
    receive_submitted,
    refuse,
    refuse_at_counter,
    request_supplement,
    reschedule,
    resolve,
    return_result,
    turn_away_incomplete,
)
from cchc.dossiers.choices import Action, ApplicantKind
from cchc.dossiers.ledger import ledger_number
from cchc.dossiers.missing import MissingItem
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.dossiers.printing import (
    FormNotApplicable,
    apology_pdf,
    control_slip_pdf,
    incomplete_pdf,
    ledger_pdf,
    public_status_path,
    public_status_url,
    receipt_pdf,
    refusal_pdf,
)
from cchc.dossiers.printing.layout import long_date, long_moment
from cchc.testing import World, at, logged_in, receipt_for
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db

A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    texts = [p.extract_text() for p in read(data).pages]
    # Not normalised here: the text read back must already be precomposed (NFC), as typed.
    for value in texts:
        assert value == unicodedata.normalize("NFC", value)
    return texts


def all_text(data: bytes) -> str:
    return "\n".join(page_texts(data))


def flat(value: str) -> str:
    """Text with line breaks folded to spaces: wrapped paragraphs read as one line."""
    return " ".join(value.split())


def size_of(data: bytes, page: int = 0) -> tuple[float, float]:
    box = read(data).pages[page].mediabox
    return float(box.width), float(box.height)


def assert_size(data: bytes, expected: tuple[float, float]) -> None:
    width, height = size_of(data)
    assert abs(width - expected[0]) < 1 and abs(height - expected[1]) < 1, (width, height)


@pytest.fixture
def minh_named(specialist: User, reception: User, leader: User) -> None:
    # Real names with diacritics, so the forms' people read back in Vietnamese too.
    for user, name in ((reception, "Trần Thị Lan"), (specialist, "Lê Văn Minh")):
        user.full_name = name
        user.save(update_fields=["full_name"])
    leader.full_name = "Phạm Quốc Hùng"
    leader.save(update_fields=["full_name"])


@pytest.fixture
def turned_away(world: World, reception: User) -> Dossier:
    """A birth registration turned away at the counter as incomplete: never received."""
    return turn_away_incomplete(
        receipt_for(world, procedure_code=world.birth.code, documents=[]),
        missing=["Tờ khai"],
        by=reception,
        at=at("2025-08-04"),
    )


# -- dates -------------------------------------------------------------------------------------


def test_dates_are_written_the_official_way() -> None:
    # ND 30/2020: a leading zero for days below 10 and for January and February only.
    assert long_date(dt.date(2025, 8, 7)) == "ngày 07 tháng 8 năm 2025"
    assert long_date(dt.date(2026, 2, 14)) == "ngày 14 tháng 02 năm 2026"
    assert long_moment(at("2025-08-07", 17)) == "17 giờ 00 phút, ngày 07 tháng 8 năm 2025"
    # A UTC moment is printed in Vietnam's time.
    utc = dt.datetime(2025, 8, 7, 1, 30, tzinfo=dt.UTC)
    assert long_moment(utc) == "08 giờ 30 phút, ngày 07 tháng 8 năm 2025"


# -- Mẫu 01 ------------------------------------------------------------------------------------


def test_the_receipt_reads_back_in_vietnamese_on_a5(
    world: World, received: Dossier, minh_named: None
) -> None:
    data = receipt_pdf(received)
    assert_size(data, A5)
    assert len(read(data).pages) == 1
    body = flat(all_text(data))
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "XÃ NGA SƠN",
        "Nga Sơn, ngày 04 tháng 8 năm 2025",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: 000.30.10.H56-250804-0001",
        "Nguyễn Văn An",
        "0912345678",
        "Chứng thực bản sao từ bản chính",
        "Tờ khai",
        "3 ngày làm việc",
        "09 giờ 00 phút, ngày 04 tháng 8 năm 2025",
        "17 giờ 00 phút, ngày 07 tháng 8 năm 2025",
        "Tại bộ phận một cửa",
        "8.000 đồng",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Trần Thị Lan",
        "Mẫu số 01",
        "01/2018/TT-VPCP",
    ]:
        assert expected in body, expected


def test_the_receipt_gives_the_sets_received_and_the_ledger_number(
    world: World, turned_away: Dossier, reception: User, copy_implemented: None
) -> None:
    # Turned away at 09:00 and refused at 09:30, both coded: the receipt at 10:00 is the
    # commune's third entry of the year, and says so.
    refuse_at_counter(
        receipt_for(world),
        reason="Không thuộc thẩm quyền",
        by=reception,
        at=at("2025-08-04", 9, 30),
    )
    dossier = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 10))
    body = flat(all_text(receipt_pdf(dossier)))
    assert "Số thứ tự trong sổ theo dõi: 03" in body
    assert "2. Số lượng hồ sơ: 01 (bộ)" in body
    # A dossier received as several sets says how many.
    several = receive_dossier(receipt_for(world, sets=2), by=reception, at=at("2025-08-04", 11))
    body = flat(all_text(receipt_pdf(several)))
    assert "2. Số lượng hồ sơ: 02 (bộ)" in body
    assert "Số thứ tự trong sổ theo dõi: 04" in body


def test_the_receipt_carries_a_qr_code_of_the_public_status_page(
    received: Dossier, settings: Any
) -> None:
    import qrcode

    settings.PUBLIC_BASE_URL = "https://dichvucong.ngason.example/"
    url = public_status_url(received.code)
    assert url == "https://dichvucong.ngason.example/tra-cuu/000.30.10.H56-250804-0001/"
    assert public_status_path("A B/1") == "/tra-cuu/A%20B%2F1/"

    images = read(receipt_pdf(received)).pages[0].images
    assert len(images) == 1
    picture = images[0].image
    assert picture is not None
    # Compare the embedded picture module by module with the QR code of the URL: the same
    # thing a phone's decoder would read, without needing a decoder here.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # border included
    box = picture.width / len(matrix)
    grey = picture.convert("L")
    for r, line in enumerate(matrix):
        for c, dark in enumerate(line):
            centre = (int((c + 0.5) * box), int((r + 0.5) * box))
            assert (grey.getpixel(centre) < 128) == dark, (r, c)  # type: ignore[operator]


def test_a_rescheduled_receipt_keeps_its_appointment_and_mentions_the_new_one(
    received: Dossier, specialist: User
) -> None:
    reschedule(
        received,
        by=specialist,
        new_due=at("2025-08-12", 17),
        reason="Chờ xác minh",
        at=at("2025-08-05"),
    )
    received.refresh_from_db()
    body = flat(all_text(receipt_pdf(received)))
    assert "17 giờ 00 phút, ngày 07 tháng 8 năm 2025" in body
    assert "Đã hẹn lại: 17 giờ 00 phút, ngày 12 tháng 8 năm 2025" in body


def test_a_name_typed_with_combining_accents_prints_precomposed(
    world: World, reception: User, copy_implemented: None
) -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    dossier = receive_dossier(
        receipt_for(world, applicant=Applicant(name=decomposed)), by=reception, at=at("2025-08-04")
    )
    assert "Nguyễn Thị Thủy" in flat(all_text(receipt_pdf(dossier)))


def test_an_organisation_is_addressed_by_its_name(
    world: World, reception: User, specialist: User, copy_implemented: None
) -> None:
    dossier = receive_dossier(
        receipt_for(
            world,
            applicant=Applicant(name="Công ty TNHH Minh Phát", kind=ApplicantKind.ORGANISATION),
        ),
        by=reception,
        at=at("2025-08-04"),
    )
    reschedule(
        dossier,
        by=specialist,
        new_due=at("2025-08-12", 17),
        reason="Chờ xác minh",
        at=at("2025-08-05"),
    )
    body = flat(all_text(apology_pdf(dossier)))
    assert "Kính gửi: Công ty TNHH Minh Phát" in body
    assert "xin lỗi Quý cơ quan, tổ chức" in body


def test_a_dossier_turned_away_has_no_receipt(turned_away: Dossier) -> None:
    with pytest.raises(FormNotApplicable):
        receipt_pdf(turned_away)


# -- Mẫu 02 ------------------------------------------------------------------------------------


def test_the_completion_slip_gives_each_missing_item_with_its_reason(
    world: World, reception: User, minh_named: None
) -> None:
    world.commune_a.hotline = "0237 3868 123"
    world.commune_a.save()
    dossier = turn_away_incomplete(
        receipt_for(
            world,
            procedure_code=world.birth.code,
            documents=[],
            applicant=Applicant(name="Hoàng Thị Bích Ngọc", address="Thôn Đông Hải, xã Nga Sơn"),
        ),
        missing=[
            MissingItem("Tờ khai đăng ký khai sinh", "Chưa có chữ ký của người đi khai"),
            MissingItem("Giấy chứng sinh", "Nộp bản sao, cần bản chính"),
        ],
        by=reception,
        at=at("2025-08-04", 10, 15),
    )
    data = incomplete_pdf(dossier)
    assert_size(data, A5)
    assert len(read(data).pages) == 1
    body = flat(all_text(data))
    for expected in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        dossier.code,
        "Hồ sơ của: Hoàng Thị Bích Ngọc",
        "Thôn Đông Hải, xã Nga Sơn",
        "Đăng ký khai sinh",
        "TT Nội dung cần bổ sung, hoàn thiện Lý do",
        "1 Tờ khai đăng ký khai sinh Chưa có chữ ký của người đi khai",
        "2 Giấy chứng sinh Nộp bản sao, cần bản chính",
        "0237 3868 123",
        "NGƯỜI HƯỚNG DẪN",
        "Trần Thị Lan",
        "Nga Sơn, ngày 04 tháng 8 năm 2025",
        "Mẫu số 02",
    ]:
        assert expected in body, expected
    # Every item has its reason: no general one repeats them.
    assert "Lý do:" not in body


def test_a_request_recorded_before_reasons_were_kept_prints_with_the_general_reason(
    turned_away: Dossier, reception: User
) -> None:
    # Older events hold plain strings, and the items joined as the reason.
    items = ["Tờ khai đăng ký khai sinh có chữ ký", "Giấy chứng sinh (bản chính)"]
    DossierEvent.objects.create(
        dossier=turned_away,
        action=Action.ASK_COMPLETION,
        from_status="",
        to_status=turned_away.status,
        actor=reception,
        at=at("2025-08-04", 10),
        reason="; ".join(items),
        data={"missing": items},
    )
    body = flat(all_text(incomplete_pdf(turned_away)))
    assert "1 Tờ khai đăng ký khai sinh có chữ ký" in body
    assert "2 Giấy chứng sinh (bản chính)" in body
    assert "Lý do: Hồ sơ chưa đầy đủ, hợp lệ" in body


def test_the_supplement_request_after_receipt_gives_its_items_and_reasons(
    received: Dossier, specialist: User, minh_named: None
) -> None:
    request_supplement(
        received,
        by=specialist,
        items=[
            MissingItem("Bản chính giấy tờ cần chứng thực", "Để đối chiếu với bản sao"),
            "Ảnh chân dung",
        ],
        at=at("2025-08-05", 14),
    )
    body = flat(all_text(incomplete_pdf(received)))
    assert "1 Bản chính giấy tờ cần chứng thực Để đối chiếu với bản sao" in body
    # The item without a reason of its own falls under the general one.
    assert "2 Ảnh chân dung" in body
    assert "Lý do: Cần bổ sung các nội dung trên" in body
    assert "Lê Văn Minh" in body
    assert "tính lại từ đầu" in body


def test_a_dossier_never_sent_back_has_no_completion_slip(received: Dossier) -> None:
    with pytest.raises(FormNotApplicable):
        incomplete_pdf(received)


# -- Mẫu 03 ------------------------------------------------------------------------------------


def test_the_refusal_at_the_counter_gives_the_reason(
    world: World, reception: User, copy_implemented: None
) -> None:
    dossier = refuse_at_counter(
        receipt_for(world),
        reason="Giấy tờ đề nghị chứng thực là bản sao, không phải bản chính.",
        by=reception,
        at=at("2025-08-04", 11),
    )
    data = refusal_pdf(dossier)
    assert_size(data, A5)
    body = flat(all_text(data))
    for expected in [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Nguyễn Văn An",
        "thông báo không tiếp nhận, giải quyết hồ sơ này",
        "Giấy tờ đề nghị chứng thực là bản sao, không phải bản chính.",
        "NGƯỜI TIẾP NHẬN",
        "Mẫu số 03",
    ]:
        assert expected in body, expected


def test_the_refusal_after_appraisal_is_signed_for_the_processing_body(
    received: Dossier, leader: User, minh_named: None
) -> None:
    refuse(received, by=leader, reason="Người yêu cầu không đủ điều kiện.", at=at("2025-08-06"))
    body = flat(all_text(refusal_pdf(received)))
    assert "Qua thẩm định" in body
    assert "Người yêu cầu không đủ điều kiện." in body
    assert "Phạm Quốc Hùng" in body


# -- Mẫu 04 ------------------------------------------------------------------------------------


def test_the_apology_gives_old_date_reason_and_new_date(
    received: Dossier, specialist: User, minh_named: None
) -> None:
    reschedule(
        received,
        by=specialist,
        new_due=at("2025-08-12", 17),
        reason="Cần xác minh thông tin với Ủy ban nhân dân xã nơi cấp bản chính.",
        at=at("2025-08-05", 10),
    )
    data = apology_pdf(received)
    assert_size(data, A5)
    body = flat(all_text(data))
    for expected in [
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Ông/Bà Nguyễn Văn An",
        "Mã hồ sơ: 000.30.10.H56-250804-0001",
        "Ngày 04 tháng 8 năm 2025",
        "17 giờ 00 phút, ngày 07 tháng 8 năm 2025",
        "Cần xác minh thông tin với Ủy ban nhân dân xã nơi cấp bản chính.",
        "xin lỗi Ông/Bà",
        "17 giờ 00 phút, ngày 12 tháng 8 năm 2025",
        "Lê Văn Minh",
        "Nga Sơn, ngày 05 tháng 8 năm 2025",
        "Mẫu số 04",
    ]:
        assert expected in body, expected


def test_a_dossier_never_rescheduled_has_no_apology(received: Dossier) -> None:
    with pytest.raises(FormNotApplicable):
        apology_pdf(received)


# -- Mẫu 05 ------------------------------------------------------------------------------------


def test_the_control_slip_has_one_row_per_step_with_times_people_and_outcome(
    received: Dossier, reception: User, specialist: User, minh_named: None
) -> None:
    hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 14))
    resolve(received, by=specialist, at=at("2025-08-06", 10))
    return_result(received, by=reception, at=at("2025-08-07", 9, 30))
    data = control_slip_pdf(received)
    width, height = size_of(data)
    assert abs(width - A5[1]) < 1 and abs(height - A5[0]) < 1  # A5 landscape
    assert len(read(data).pages) == 1
    body = flat(all_text(data))
    for expected in [
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Mã hồ sơ: 000.30.10.H56-250804-0001",
        "Kèm theo hồ sơ của: Nguyễn Văn An",
        "0912345678",
        "Chứng thực bản sao từ bản chính",
        # Each row is one hand-over: given and received at the one moment the step started.
        "1 Tiếp nhận (Tiếp nhận hồ sơ)",
        "Giao: 09 giờ 00 phút, ngày 04/08/2025 — Nguyễn Văn An",
        "Nhận: 09 giờ 00 phút, ngày 04/08/2025 — Trần Thị Lan",
        "Giao: 14 giờ 00 phút, ngày 04/08/2025 — Trần Thị Lan",
        "Nhận: 14 giờ 00 phút, ngày 04/08/2025 — Lê Văn Minh",
        "Xong: 04/08/2025 14:00",
        "Xong: 06/08/2025 10:00",
        "Trước hạn",
        "Mẫu số 05",
    ]:
        assert expected in body, expected
    assert "Người giao:" not in body


def test_a_step_opened_by_the_result_is_given_by_whoever_held_the_dossier(
    world: World, reception: User, specialist: User, minh_named: None, copy_implemented: None
) -> None:
    StepTemplate.objects.create(
        version=world.copy.versions.get(),
        position=3,
        name="Trả kết quả",
        role=Role.RECEPTION,
        share=Decimal(0),
    )
    dossier = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))
    hand_over(dossier, by=reception, to=specialist, at=at("2025-08-04", 14))
    resolve(dossier, by=specialist, at=at("2025-08-06", 10))
    body = flat(all_text(control_slip_pdf(dossier)))
    # The return step started when the result was ready; nobody is assigned to it yet.
    assert "Giao: 10 giờ 00 phút, ngày 06/08/2025 — Lê Văn Minh" in body
    assert "Nhận: 10 giờ 00 phút, ngày 06/08/2025 — …" in body


def test_an_open_step_reads_in_progress(received: Dossier) -> None:
    body = flat(all_text(control_slip_pdf(received)))
    assert "Đang xử lý" in body
    assert "Nhận: …" in body


def test_a_dossier_never_received_has_no_control_slip(turned_away: Dossier) -> None:
    with pytest.raises(FormNotApplicable):
        control_slip_pdf(turned_away)


# -- Mẫu 06 ------------------------------------------------------------------------------------


def _many(world: World, reception: User, count: int) -> list[Dossier]:
    # Received through the real action, spread over the working days of August 2025.
    days = ["2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07", "2025-08-08"]
    out = []
    for i in range(count):
        applicant = Applicant(
            name=f"Đặng Thị Hường {i + 1}", address=f"Xóm {i % 9 + 1}, thôn Trung Điền"
        )
        out.append(
            receive_dossier(
                receipt_for(world, applicant=applicant),
                by=reception,
                at=at(days[i % len(days)], 8 + (i // len(days)) % 9, i % 60),
            )
        )
    return out


def test_the_ledger_spans_pages_repeating_its_heading(
    world: World, reception: User, specialist: User, copy_implemented: None
) -> None:
    dossiers = _many(world, reception, 120)
    hand_over(dossiers[0], by=reception, to=specialist, at=at("2025-08-04", 15))
    resolve(dossiers[0], by=specialist, at=at("2025-08-05", 10))
    return_result(dossiers[0], by=reception, at=at("2025-08-06", 9))
    queryset = Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).order_by("received_at", "id")

    data = ledger_pdf(world.commune_a, dt.date(2025, 8, 1), dt.date(2025, 8, 31), queryset)
    assert_size(data, A4_LANDSCAPE)
    pages = page_texts(data)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        flat_page = flat(page)
        assert "Mã hồ sơ" in flat_page and "Tên thủ tục hành chính" in flat_page, number
        assert "(13)" in flat_page, number
        assert f"Trang {number}/{len(pages)}" in flat_page, number
    first = flat(pages[0])
    assert "SỔ THEO DÕI HỒ SƠ" in first
    assert "Từ ngày 01/08/2025 đến ngày 31/08/2025" in first
    assert "Mẫu số 06" in first
    body = flat("\n".join(pages))
    for dossier in dossiers:
        assert body.count(dossier.code) == 1, dossier.code
    assert "Đặng Thị Hường 120" in body
    assert "Tổng số hồ sơ: 120" in flat(pages[-1])
    # The first row: received, due, transferred, result received, returned; judged early.
    assert "04/08/2025 08:00" in body and "07/08/2025 17:00" in body
    assert "05/08/2025 10:00" in body and "06/08/2025 09:00" in body
    assert "Trước hạn" in body


def test_an_empty_ledger_says_so(world: World) -> None:
    data = ledger_pdf(world.commune_a, dt.date(2025, 8, 1), dt.date(2025, 8, 31), [])
    body = flat(all_text(data))
    assert "Không có hồ sơ trong kỳ" in body
    assert "Tổng số hồ sơ: 0" in body


def test_the_ledger_prints_in_a_fixed_number_of_queries(
    world: World, reception: User, copy_implemented: None, django_assert_max_num_queries: Any
) -> None:
    _many(world, reception, 12)
    queryset = Dossier.objects.order_by("received_at", "id")
    with django_assert_max_num_queries(4):
        ledger_pdf(world.commune_a, dt.date(2025, 8, 1), dt.date(2025, 8, 31), queryset)


# -- the ledger's numbers ------------------------------------------------------------------------


def _turn_away(world: World, reception: User, moment: dt.datetime, **extra: Any) -> Dossier:
    return turn_away_incomplete(
        receipt_for(world, procedure_code=world.birth.code, documents=[], **extra),
        missing=["Tờ khai"],
        by=reception,
        at=moment,
    )


def test_ledger_numbers_run_through_the_year_over_every_dossier_given_a_code(
    world: World,
    reception: User,
    reception_b: User,
    copy_implemented: None,
    django_assert_num_queries: Any,
) -> None:
    turned = _turn_away(world, reception, at("2025-08-04", 8))
    refused = refuse_at_counter(
        receipt_for(world), reason="Không thuộc thẩm quyền", by=reception, at=at("2025-08-04", 9)
    )
    first = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 10))
    # The commune's one-stop centre takes its codes from the commune's counter: one book.
    at_centre = receive_dossier(
        receipt_for(world, receiving_unit=world.centre_a), by=reception, at=at("2025-08-05", 8)
    )
    later = receive_dossier(receipt_for(world), by=reception, at=at("2025-09-01", 8))
    # Another commune keeps its own book.
    elsewhere = receive_dossier(
        receipt_for(world, procedure_code=world.birth.code, processing_unit=world.commune_b),
        by=reception_b,
        at=at("2025-08-04", 7),
    )
    numbers = [ledger_number(d) for d in (turned, refused, first, at_centre, later, elsewhere)]
    assert numbers == [1, 2, 3, 4, 5, 1]
    # One COUNT, however far into the year.
    with django_assert_num_queries(1):
        ledger_number(later)


def test_the_ledger_starts_again_at_01_on_vietnams_first_of_january(
    world: World, reception: User
) -> None:
    december = _turn_away(world, reception, at("2025-12-31", 16))
    # 06:30 on 1 January in Vietnam is still 31 December in UTC.
    new_year = _turn_away(world, reception, at("2026-01-01", 6, 30))
    following = _turn_away(world, reception, at("2026-01-02", 8))
    assert [ledger_number(d) for d in (december, new_year, following)] == [1, 1, 2]


def test_an_online_submission_enters_the_ledger_when_it_is_given_its_code(
    world: World, submitted: Dossier, reception: User, copy_implemented: None
) -> None:
    # Submitted online on Sunday evening, received on Monday after a counter receipt: the
    # number is the submission's, so it is known from the start and never changes.
    counter = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 8))
    assert ledger_number(submitted) == 1
    received = receive_submitted(submitted, by=reception, at=at("2025-08-04", 10))
    assert ledger_number(received) == 1
    assert ledger_number(counter) == 2


# -- the views -----------------------------------------------------------------------------------


def test_staff_of_the_owning_unit_get_each_form_inline(received: Dossier, reception: User) -> None:
    client = logged_in(reception)
    for form in ("01", "05"):
        response = client.get(f"/lam-viec/ho-so/{received.code}/mau-{form}.pdf")
        assert response.status_code == 200, form
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="{received.code}-mau-{form}.pdf"'
        )
        assert "no-store" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF-")


def test_another_communes_staff_get_404(received: Dossier, reception_b: User) -> None:
    client = logged_in(reception_b)
    assert client.get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf").status_code == 404
    assert client.get("/lam-viec/don-vi/16300/so-theo-doi.pdf").status_code == 404


def test_a_form_that_does_not_apply_or_does_not_exist_is_404(
    received: Dossier, reception: User
) -> None:
    client = logged_in(reception)
    for form in ("02", "03", "04", "07", "1"):
        response = client.get(f"/lam-viec/ho-so/{received.code}/mau-{form}.pdf")
        assert response.status_code == 404, form
    assert client.get("/lam-viec/ho-so/KHONG-CO/mau-01.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(received: Dossier) -> None:
    response = Client().get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf")
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


def test_the_ledger_view_prints_the_period_asked_for(
    received: Dossier, reception: User, reception_b: User
) -> None:
    client = logged_in(reception)
    response = client.get("/lam-viec/don-vi/16300/so-theo-doi.pdf?from=2025-08-01&to=2025-08-31")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'inline; filename="so-theo-doi-16300-20250801-20250831.pdf"'
    )
    assert received.code in flat(all_text(response.content))
    # Outside the period, and in the other commune's own ledger, the dossier is absent.
    july = client.get("/lam-viec/don-vi/16300/so-theo-doi.pdf?from=2025-07-01&to=2025-07-31")
    assert received.code not in flat(all_text(july.content))
    other = logged_in(reception_b).get(
        "/lam-viec/don-vi/16303/so-theo-doi.pdf?from=2025-08-01&to=2025-08-31"
    )
    assert other.status_code == 200
    assert received.code not in flat(all_text(other.content))


def _ledger(user: User, unit_code: str, start: str, end: str) -> str:
    response = logged_in(user).get(
        f"/lam-viec/don-vi/{unit_code}/so-theo-doi.pdf?from={start}&to={end}"
    )
    assert response.status_code == 200
    return flat(all_text(response.content))


def test_the_ledger_lists_turned_away_and_refused_dossiers_so_no_code_is_missing(
    world: World, submitted: Dossier, reception: User, copy_implemented: None
) -> None:
    turned = _turn_away(world, reception, at("2025-08-04", 8))
    refused = refuse_at_counter(
        receipt_for(world), reason="Không thuộc thẩm quyền", by=reception, at=at("2025-08-04", 9)
    )
    first = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 10))
    receive_submitted(submitted, by=reception, at=at("2025-08-04", 10, 30))
    body = _ledger(reception, "16300", "2025-08-01", "2025-08-31")
    # In the order the codes were given, the online one at its submission.
    assert f"01 {submitted.code}" in body
    assert f"02 {turned.code}" in body
    assert f"03 {refused.code}" in body
    assert f"04 {first.code}" in body
    assert "Không tiếp nhận, hướng dẫn hoàn thiện (Mẫu 02)" in body
    assert "Từ chối tiếp nhận (Mẫu 03)" in body
    assert "Trực tuyến một phần, nộp 03/08/2025 21:00" in body
    assert (
        "Tổng số hồ sơ: 4 (tiếp nhận: 2; hướng dẫn bổ sung, hoàn thiện: 1; "
        "từ chối tiếp nhận: 1)" in body
    )


def test_a_ledger_printed_for_a_later_period_goes_on_with_the_years_numbers(
    world: World, reception: User, copy_implemented: None
) -> None:
    july = [
        _turn_away(world, reception, at("2025-07-15", 8)),
        receive_dossier(receipt_for(world), by=reception, at=at("2025-07-16", 8)),
    ]
    august = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 8))
    body = _ledger(reception, "16300", "2025-08-01", "2025-08-31")
    assert f"03 {august.code}" in body and july[0].code not in body
    assert "Tổng số hồ sơ: 1" in body
    body = _ledger(reception, "16300", "2025-07-01", "2025-07-31")
    assert f"01 {july[0].code}" in body and f"02 {july[1].code}" in body
    assert ledger_number(august) == 3


def test_a_ledger_across_the_new_year_numbers_each_year_from_01(
    world: World, reception: User
) -> None:
    december = [_turn_away(world, reception, at("2025-12-30", 8 + i)) for i in range(2)]
    january = _turn_away(world, reception, at("2026-01-05", 8))
    body = _ledger(reception, "16300", "2025-12-15", "2026-01-31")
    assert f"01 {december[0].code}" in body and f"02 {december[1].code}" in body
    assert f"01 {january.code}" in body


def test_an_agencys_ledger_lists_its_own_lines_under_the_books_numbers(
    world: World, reception: User, copy_implemented: None
) -> None:
    own = [
        receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 8)),
        receive_dossier(
            receipt_for(world, receiving_unit=world.centre_a), by=reception, at=at("2025-08-04", 9)
        ),
        receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 10)),
    ]
    centre = _ledger(reception, "16300-MC", "2025-08-01", "2025-08-31")
    assert f"02 {own[1].code}" in centre
    assert own[0].code not in centre and own[2].code not in centre
    commune = _ledger(reception, "16300", "2025-08-01", "2025-08-31")
    assert all(f"{i:02d} {d.code}" in commune for i, d in enumerate(own, start=1))


@pytest.mark.parametrize(
    "query",
    [
        "from=2025-13-01&to=2025-12-31",
        "from=01/08/2025&to=2025-08-31",
        "from=20250801&to=2025-08-31",
        "from=2025-08-31&to=2025-08-01",
        "from=2024-01-01&to=2025-08-31",
    ],
)
def test_the_ledger_view_rejects_bad_periods(reception: User, world: World, query: str) -> None:
    response = logged_in(reception).get(f"/lam-viec/don-vi/16300/so-theo-doi.pdf?{query}")
    assert response.status_code == 400


def test_the_legal_basis_line_follows_the_date_of_receipt(received: Dossier, settings) -> None:
    # Received 04/08/2025, after ND 118/2025 took effect: the deployment's line is printed.
    assert "Thông tư số 01/2018/TT-VPCP" in flat(all_text(receipt_pdf(received)))
    settings.FORMS_LEGAL_BASIS = "Thông tư số 03/2025/TT-VPCP"
    text = flat(all_text(receipt_pdf(received)))
    assert "Mẫu số 01 – Thông tư số 03/2025/TT-VPCP" in text
