"""Receipt at the counter: received (code, due, steps), incomplete (Mẫu 02) or refused (Mẫu 03)."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.dossiers.actions import (
    Applicant,
    InvalidDossierData,
    NotAllowed,
    ReceivedDocument,
    receive_dossier,
    refuse_at_counter,
    turn_away_incomplete,
)
from cchc.dossiers.choices import Action, Status
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.testing import World, at, receipt_for

pytestmark = pytest.mark.django_db


def test_a_received_dossier_gets_its_code_due_moment_and_steps(
    world: World, received: Dossier
) -> None:
    assert received.code == "000.30.10.H56-250804-0001"
    assert received.status == Status.RECEIVED
    assert received.received_at == at("2025-08-04")
    # Day 1 is Tue 05/08, day 3 is Thu 07/08; due at the end of office hours.
    assert received.original_due_at == at("2025-08-07", 17)
    assert received.due_at == received.original_due_at
    steps = list(received.steps.order_by("position"))
    assert [s.name for s in steps] == ["Tiếp nhận", "Xử lý"]
    assert steps[0].started_at == at("2025-08-04") and steps[1].started_at is None
    # Reception hands over the same working day (received at 09:00, before the 15:00 cut-off);
    # the next body's own time starts only when it receives the dossier.
    assert steps[0].due_at == at("2025-08-04", 17)
    assert steps[1].due_at is None
    # The shares (20/80) split the working time from receipt to the due moment: 6,5 + 3 × 8 h.
    assert steps[0].allotted == dt.timedelta(hours=30.5) * 0.2
    assert steps[1].allotted == dt.timedelta(hours=30.5) * 0.8
    event = DossierEvent.objects.get(dossier=received)
    assert (event.action, event.from_status, event.to_status) == (
        Action.RECEIVE,
        "",
        Status.RECEIVED,
    )
    assert received.documents.get().name == "Tờ khai"


def test_codes_run_per_agency_and_day(
    world: World, reception, reception_b, copy_implemented
) -> None:
    first = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 8))
    second = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 10))
    next_day = receive_dossier(receipt_for(world), by=reception, at=at("2025-08-05", 8))
    other_agency = receive_dossier(
        receipt_for(world, procedure_code=world.birth.code, processing_unit=world.commune_b),
        by=reception_b,
        at=at("2025-08-04", 9),
    )
    assert [first.code, second.code, next_day.code] == [
        "000.30.10.H56-250804-0001",
        "000.30.10.H56-250804-0002",
        "000.30.10.H56-250805-0001",
    ]
    assert other_agency.code == "000.33.10.H56-250804-0001"


def test_a_dossier_with_missing_required_documents_is_not_received(
    world: World, reception, copy_implemented
) -> None:
    with pytest.raises(InvalidDossierData, match="Tờ khai"):
        receive_dossier(receipt_for(world, documents=[]), by=reception, at=at("2025-08-04"))
    assert Dossier.objects.count() == 0


def test_a_procedure_not_implemented_at_the_unit_is_refused(world: World, reception) -> None:
    with pytest.raises(InvalidDossierData, match="không được thực hiện"):
        receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))
    assert Dossier.objects.count() == 0


def test_an_unknown_procedure_is_refused(world: World, reception) -> None:
    with pytest.raises(InvalidDossierData, match="9.999"):
        receive_dossier(
            receipt_for(world, procedure_code="9.999"), by=reception, at=at("2025-08-04")
        )


def test_only_a_reception_officer_of_the_receiving_unit_receives(
    world: World, specialist, reception_b, copy_implemented
) -> None:
    with pytest.raises(NotAllowed):
        receive_dossier(receipt_for(world), by=specialist, at=at("2025-08-04"))
    with pytest.raises(NotAllowed):
        receive_dossier(
            receipt_for(world, receiving_unit=world.commune_a), by=reception_b, at=at("2025-08-04")
        )
    assert Dossier.objects.count() == 0


def test_a_dossier_from_another_commune_of_the_province_is_received_across_boundaries(
    world: World, reception_b, copy_implemented
) -> None:
    dossier = receive_dossier(
        receipt_for(world, receiving_unit=world.commune_b), by=reception_b, at=at("2025-08-04")
    )
    assert dossier.receiving_unit == world.commune_b
    assert dossier.processing_unit == world.commune_a
    assert dossier.is_cross_boundary
    assert dossier.code.startswith("000.33.10.H56-")  # the receiving agency's sequence


def test_an_incomplete_dossier_gets_one_complete_list_and_no_clock(
    world: World, reception, copy_implemented
) -> None:
    dossier = turn_away_incomplete(
        receipt_for(world, documents=[]),
        missing=["Bản chính để đối chiếu", "Tờ khai có chữ ký"],
        by=reception,
        at=at("2025-08-04"),
    )
    assert dossier.status == Status.INCOMPLETE
    assert dossier.received_at is None and dossier.due_at is None
    assert dossier.steps.count() == 0
    assert dossier.events.get().data == {
        "missing": [
            {"name": "Bản chính để đối chiếu", "reason": ""},
            {"name": "Tờ khai có chữ ký", "reason": ""},
        ]
    }


def test_an_incomplete_dossier_needs_the_list(world: World, reception, copy_implemented) -> None:
    with pytest.raises(InvalidDossierData, match="một lần"):
        turn_away_incomplete(receipt_for(world), missing=["  "], by=reception, at=at("2025-08-04"))


def test_a_refusal_at_the_counter_keeps_its_reason(
    world: World, reception, copy_implemented
) -> None:
    dossier = refuse_at_counter(
        receipt_for(world),
        reason="Không thuộc thẩm quyền của xã",
        by=reception,
        at=at("2025-08-04"),
    )
    assert dossier.status == Status.REFUSED
    assert dossier.events.get().reason == "Không thuộc thẩm quyền của xã"
    with pytest.raises(InvalidDossierData):
        refuse_at_counter(receipt_for(world), reason=" ", by=reception, at=at("2025-08-04"))


def test_a_same_day_procedure_after_the_cut_off_is_due_the_next_working_day(
    world: World, reception
) -> None:
    version = world.birth.versions.get()
    version.time_unit = "same_day"
    version.processing_time = 0
    version.save()
    early = receive_dossier(
        receipt_for(world, procedure_code=world.birth.code),
        by=reception,
        at=at("2025-08-08", 14, 59),
    )
    late = receive_dossier(
        receipt_for(world, procedure_code=world.birth.code),
        by=reception,
        at=at("2025-08-08", 15, 30),
    )
    assert early.due_at == at("2025-08-08", 17)
    assert late.due_at == at("2025-08-11", 17)  # Friday after 15:00 → Monday


def test_a_receipt_across_tet_skips_the_holiday(world: World, reception, copy_implemented) -> None:
    dossier = receive_dossier(receipt_for(world), by=reception, at=at("2026-02-12", 10))
    # Thu 12/02/2026: day 1 Fri 13/02; Tết 14–22/02; days 2–3 Mon 23, Tue 24/02.
    assert dossier.due_at == at("2026-02-24", 17)


def test_applicant_text_is_stored_trimmed(world: World, reception, copy_implemented) -> None:
    dossier = receive_dossier(
        receipt_for(world, applicant=Applicant(name="  Trần Thị Bình ", phone=" 0987654321 ")),
        by=reception,
        at=at("2025-08-04"),
    )
    assert (dossier.applicant_name, dossier.applicant_phone) == ("Trần Thị Bình", "0987654321")


def test_an_unknown_document_position_is_refused_and_nothing_is_written(
    world: World, reception, copy_implemented
) -> None:
    with pytest.raises(InvalidDossierData, match="số 7"):
        receive_dossier(
            receipt_for(
                world, documents=[ReceivedDocument(position=1), ReceivedDocument(position=7)]
            ),
            by=reception,
            at=at("2025-08-04"),
        )
    assert Dossier.objects.count() == 0
