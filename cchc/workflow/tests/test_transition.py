"""The one workflow mechanism on its own: a test workflow with its own small table and refusals,
stored in the dossiers' tables (a row with a version column and an event table to inherit)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.db import transaction

from cchc.accounts.models import User
from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.lib.errors import DomainError
from cchc.testing import at, run_together
from cchc.units.choices import Role
from cchc.units.models import user_roles_in
from cchc.workflow.table import Move, Rule, TransitionTable
from cchc.workflow.transition import Workflow, transition


class Refused(DomainError):
    status_code = 409


class Stale(Refused):
    pass


class Illegal(Refused):
    pass


class Forbidden(Refused):
    status_code = 403


TABLE = TransitionTable(
    {
        "start": (frozenset({Status.RECEIVED}), Status.PROCESSING),
        "note": (frozenset({Status.RECEIVED, Status.PROCESSING}), None),
    },
    {
        "start": Rule("processing", frozenset({Role.LEADER})),
        "note": Rule("processing", frozenset({Role.RECEPTION, Role.LEADER})),
    },
)


def flow(**overrides: Any) -> Workflow[Dossier]:
    options: dict[str, Any] = {
        "table": TABLE,
        "event": DossierEvent,
        "version_field": "row_version",
        "stale": lambda d: Stale(f"stale {d.row_version}"),
        "illegal": lambda d, action: Illegal(f"{action} from {d.status}"),
        "roles_of": lambda d, user, where: user_roles_in(user, d.processing_unit),
        "not_allowed": lambda d, action, rule: Forbidden(f"{action} needs {sorted(rule.roles)}"),
    }
    return Workflow(**{**options, **overrides})


FLOW = flow()
MOMENT = at("2025-08-05", 10)


def events(dossier: Dossier) -> list[str]:
    return list(dossier.events.order_by("id").values_list("action", flat=True))


# -- the table type ------------------------------------------------------------------------------


def test_the_table_reads_like_the_dict_it_replaces() -> None:
    assert TABLE["start"] == Move(frozenset({Status.RECEIVED}), Status.PROCESSING)
    assert TABLE["start"][0] == frozenset({Status.RECEIVED})
    assert list(TABLE) == ["start", "note"] and "note" in TABLE and len(TABLE) == 2
    assert TABLE.target("start", Status.RECEIVED) == Status.PROCESSING
    assert TABLE.target("note", Status.PROCESSING) == Status.PROCESSING  # None keeps the status
    assert TABLE.target("start", Status.PROCESSING) is None
    assert TABLE.target("fly", Status.RECEIVED) is None
    assert TABLE.sources("fly") == frozenset()


def test_a_rule_for_an_action_the_table_does_not_know_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="fly"):
        TransitionTable({}, {"fly": Rule("processing", frozenset({Role.LEADER}))})


# -- one move ------------------------------------------------------------------------------------


def test_a_move_locks_checks_saves_and_writes_its_event(received: Dossier, leader: User) -> None:
    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        d.postal_tracking = "seen"
        return {"seen": now.isoformat()}

    moved = transition(
        FLOW,
        received,
        "start",
        by=leader,
        at=MOMENT,
        expected_version=1,
        change=change,
        details={"reason": "why", "public": False},
    )
    assert moved is not received and moved.status == Status.PROCESSING and moved.row_version == 2
    stored = Dossier.objects.get(pk=received.pk)
    assert (stored.status, stored.row_version, stored.postal_tracking) == (
        Status.PROCESSING,
        2,
        "seen",
    )
    event = stored.events.get(action="start")
    assert (event.from_status, event.to_status, event.actor, event.at) == (
        Status.RECEIVED,
        Status.PROCESSING,
        leader,
        MOMENT,
    )
    assert (event.reason, event.public, event.data) == ("why", False, {"seen": MOMENT.isoformat()})


def test_an_action_that_keeps_the_status_still_bumps_the_version(
    received: Dossier, reception: User
) -> None:
    moved = transition(FLOW, received, "note", by=reception, at=MOMENT, expected_version=1)
    assert (moved.status, moved.row_version) == (Status.RECEIVED, 2)
    assert received.events.get(action="note").data == {}


def test_leads_to_names_the_status_where_the_change_decides(
    received: Dossier, leader: User
) -> None:
    moved = transition(FLOW, received, "start", by=leader, at=MOMENT, leads_to=lambda d: d.status)
    assert moved.status == Status.RECEIVED
    assert received.events.get(action="start").to_status == Status.RECEIVED


# -- refusals: each the workflow's own error, and nothing changed ---------------------------------


def _unchanged(dossier: Dossier) -> None:
    stored = Dossier.objects.get(pk=dossier.pk)
    assert (stored.status, stored.row_version) == (Status.RECEIVED, 1)
    assert events(stored) == ["receive"]


def test_a_stale_version_is_refused(received: Dossier, leader: User) -> None:
    with pytest.raises(Stale, match="stale 1"):
        transition(FLOW, received, "start", by=leader, at=MOMENT, expected_version=0)
    _unchanged(received)


def test_a_move_the_table_does_not_allow_is_refused(received: Dossier, leader: User) -> None:
    transition(FLOW, received, "start", by=leader, at=MOMENT)
    with pytest.raises(Illegal, match="start from processing"):
        transition(FLOW, received, "start", by=leader, at=MOMENT)
    with pytest.raises(Illegal, match="fly from processing"):
        transition(FLOW, received, "fly", by=leader, at=MOMENT)


def test_an_action_not_in_the_table_is_refused(received: Dossier, leader: User) -> None:
    with pytest.raises(Illegal, match="fly from received"):
        transition(FLOW, received, "fly", by=leader, at=MOMENT)
    _unchanged(received)


def test_a_role_the_rule_does_not_name_is_refused(received: Dossier, reception: User) -> None:
    with pytest.raises(Forbidden) as refused:
        transition(FLOW, received, "start", by=reception, at=MOMENT)
    assert refused.value.status_code == 403
    _unchanged(received)
    # A citizen's own act is outside the staff rules.
    assert transition(FLOW, received, "start", by=None, at=MOMENT, check_role=False).status == (
        Status.PROCESSING
    )
    assert received.events.get(action="start").actor is None


def test_the_table_is_checked_before_the_role_unless_the_workflow_says_otherwise(
    received: Dossier, leader: User, reception: User
) -> None:
    transition(FLOW, received, "start", by=leader, at=MOMENT)
    with pytest.raises(Illegal):
        transition(FLOW, received, "start", by=reception, at=MOMENT)
    with pytest.raises(Forbidden):
        transition(flow(roles_first=True), received, "start", by=reception, at=MOMENT)


def test_a_refusal_in_the_change_leaves_nothing_behind(received: Dossier, leader: User) -> None:
    def change(d: Dossier, now: dt.datetime) -> None:
        d.postal_tracking = "half done"
        raise Refused("no")

    with pytest.raises(Refused, match="no"):
        transition(FLOW, received, "start", by=leader, at=MOMENT, change=change)
    _unchanged(received)
    assert Dossier.objects.get(pk=received.pk).postal_tracking == ""


def test_the_event_is_written_in_the_moves_transaction(received: Dossier, leader: User) -> None:
    """What runs after the event (the notifications) failing undoes the move and the event."""
    seen: list[int] = []

    def on_event(d: Dossier, event: Any) -> None:
        seen.append(event.pk)
        raise Refused("the outbox is full")

    with pytest.raises(Refused):
        transition(flow(on_event=on_event), received, "start", by=leader, at=MOMENT)
    assert seen and not DossierEvent.objects.filter(pk=seen[0]).exists()
    _unchanged(received)


@pytest.mark.django_db(transaction=True)
def test_a_caller_holding_the_lock_moves_in_its_own_transaction(
    received: Dossier, leader: User
) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        transition(FLOW, received, "start", by=leader, at=MOMENT, locked=True)
    with transaction.atomic():
        row = Dossier.objects.select_for_update().get(pk=received.pk)
        assert transition(FLOW, row, "start", by=leader, at=MOMENT, locked=True) is row
    assert Dossier.objects.get(pk=received.pk).status == Status.PROCESSING


def test_events_are_append_only(received: Dossier) -> None:
    event = received.events.get()
    event.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()


# -- the row lock: real parallel transactions (SQLite and PostgreSQL) ----------------------------


@pytest.mark.django_db(transaction=True)
def test_the_row_is_locked_so_a_second_mover_sees_the_first_ones_version(
    received: Dossier, leader: User
) -> None:
    """Both read version 1 and hold the window open: without the lock both would pass the
    version check (a lost update); with it the second waits, reads version 2 and is refused."""

    def slow(d: Dossier, now: dt.datetime) -> None:
        time.sleep(0.3)

    def move() -> Any:
        return transition(
            FLOW, received, "note", by=leader, at=MOMENT, expected_version=1, change=slow
        )

    results = run_together([move, move])
    assert sorted(type(r).__name__ for r in results) == ["Dossier", "Stale"], results
    stored = Dossier.objects.get(pk=received.pk)
    assert stored.row_version == 2
    assert events(stored) == ["receive", "note"]
