"""Online submissions (status 1) are received, sent back for completion or refused at the counter."""

from __future__ import annotations

from unittest import mock

import pytest

from cchc.dossiers import actions
from cchc.dossiers.actions import IllegalTransition, InvalidDossierData, receive_dossier
from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier, DossierCounter
from cchc.testing import World, at, receipt_for

pytestmark = pytest.mark.django_db


def test_an_online_submission_is_received_and_its_clock_starts(
    submitted: Dossier, reception
) -> None:
    dossier = actions.receive_submitted(
        submitted, by=reception, expected_version=1, at=at("2025-08-04", 8)
    )
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == at("2025-08-04", 8)
    assert dossier.due_at == at("2025-08-07", 17)
    assert dossier.steps.count() == 2


def test_an_incomplete_online_submission_is_sent_back_with_one_full_list(
    submitted: Dossier, reception
) -> None:
    dossier = actions.ask_completion(
        submitted, by=reception, missing=["Bản chụp CCCD rõ nét"], at=at("2025-08-04", 8)
    )
    assert dossier.status == Status.INCOMPLETE and dossier.due_at is None
    with pytest.raises(InvalidDossierData):
        actions.ask_completion(submitted, by=reception, missing=[], at=at("2025-08-04", 9))


def test_an_online_submission_outside_competence_is_refused(submitted: Dossier, reception) -> None:
    dossier = actions.refuse_submission(
        submitted, by=reception, reason="Không thuộc thẩm quyền", at=at("2025-08-04", 8)
    )
    assert dossier.status == Status.REFUSED
    with pytest.raises(IllegalTransition):
        actions.receive_submitted(dossier, by=reception, at=at("2025-08-04", 9))


def test_a_submission_can_be_withdrawn_before_receipt(submitted: Dossier, reception) -> None:
    assert (
        actions.withdraw(submitted, by=reception, at=at("2025-08-04", 8)).status == Status.WITHDRAWN
    )


def test_processing_moves_are_refused_before_receipt(
    submitted: Dossier, reception, specialist, leader
) -> None:
    for move in (
        lambda: actions.hand_over(submitted, by=reception, at=at("2025-08-04")),
        lambda: actions.request_supplement(
            submitted, by=specialist, items=["x"], at=at("2025-08-04")
        ),
        lambda: actions.resolve(submitted, by=leader, at=at("2025-08-04")),
        lambda: actions.stop(submitted, by=leader, reason="x", at=at("2025-08-04")),
    ):
        with pytest.raises(IllegalTransition):
            move()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_crash_in_the_middle_of_a_receipt_leaves_no_dossier_and_no_used_number(
    world: World, reception, copy_implemented
) -> None:
    with (
        mock.patch(
            "cchc.dossiers.actions.receipt._create_steps", side_effect=RuntimeError("power cut")
        ),
        pytest.raises(RuntimeError),
    ):
        receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))
    assert Dossier.objects.count() == 0
    assert not DossierCounter.objects.exists()
    # The next receipt gets number 0001: the crashed one left nothing behind.
    assert receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04")).code.endswith(
        "-0001"
    )


def test_an_imported_open_dossier_can_be_carried_on_with_the_live_actions(
    world: World, reception, specialist, copy_implemented
) -> None:
    import json

    from cchc.dossiers.importing import SYSTEM, import_dossiers

    base = {
        "procedure": "2.000815",
        "unit": "16300",
        "channel": "counter",
        "applicant": {"name": "Vũ Thị Em"},
    }
    lines = [
        json.dumps(
            {
                **base,
                "external_id": "p-1",
                "received_at": "2025-08-04T09:00:00+07:00",
                "status": "processing",
            }
        ),
        json.dumps(
            {**base, "external_id": "s-1", "received_at": "2025-08-04T09:00:00+07:00", "status": 5}
        ),
    ]
    assert import_dossiers(lines, by=SYSTEM).created == 2
    processing = Dossier.objects.get(external_id="p-1")
    moved = actions.hand_over(processing, by=reception, to=specialist, at=at("2025-08-04", 10))
    assert moved.steps.count() == 2 and moved.assignee == specialist
    waiting = Dossier.objects.get(external_id="s-1")
    back = actions.supplement_received(waiting, by=reception, at=at("2025-08-05", 8))
    assert back.status == Status.PROCESSING and back.supplement_wait is None
    assert back.due_at == at("2025-08-08", 17)
