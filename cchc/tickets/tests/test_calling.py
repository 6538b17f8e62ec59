"""At the counter: call order, fields served, recall, skip, transfer, finish."""

from __future__ import annotations

import pytest

from cchc.accounts.models import User
from cchc.testing import World, run_together
from cchc.tickets import queue as queue_actions
from cchc.tickets.errors import CounterBusy, IllegalMove, InvalidInput
from cchc.tickets.models import Ticket, TicketEvent
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db


def issue(world: World, minute: int, **kw: object) -> Ticket:
    return queue_actions.issue_ticket(world.commune_a, at=moment(MONDAY, 8, minute), **kw)  # type: ignore[arg-type]


def call(queue: Queue, counter: str, by: User, minute: int) -> Ticket | None:
    return queue_actions.call_next(getattr(queue, counter), by=by, at=moment(MONDAY, 9, minute))


def done(ticket: Ticket, by: User, minute: int) -> Ticket:
    return queue_actions.finish(ticket, by=by, at=moment(MONDAY, 9, minute))


def test_priority_tickets_are_called_first_then_by_number(
    world: World, queue: Queue, reception: User
) -> None:
    first = issue(world, 1)
    second = issue(world, 2)
    urgent = issue(world, 3, priority=True)
    order = []
    for minute in range(3):
        ticket = call(queue, "one", reception, minute * 10)
        assert ticket is not None
        order.append(ticket.code)
        done(ticket, reception, minute * 10 + 5)
    assert order == [urgent.code, first.code, second.code] == ["U003", "001", "002"]
    assert call(queue, "one", reception, 40) is None


def test_a_counter_only_calls_the_fields_it_serves(
    world: World, queue: Queue, reception: User
) -> None:
    copy = issue(world, 1, field=queue.certify)
    birth = issue(world, 2, field=queue.civil)
    general = issue(world, 3)
    assert call(queue, "two", reception, 0) == birth  # civil-status counter skips the copy
    done(birth, reception, 1)
    assert call(queue, "two", reception, 2) == general  # no field: any counter
    done(general, reception, 3)
    assert call(queue, "two", reception, 4) is None
    assert call(queue, "three", reception, 5) == copy


def test_call_next_is_refused_while_the_counter_still_has_a_ticket(
    world: World, queue: Queue, reception: User
) -> None:
    issue(world, 1)
    issue(world, 2)
    current = call(queue, "one", reception, 0)
    assert current is not None
    with pytest.raises(CounterBusy, match="Xong"):
        call(queue, "one", reception, 1)
    queue_actions.start_service(current, by=reception, at=moment(MONDAY, 9, 2))
    with pytest.raises(CounterBusy):
        call(queue, "one", reception, 3)
    done(current, reception, 4)
    nxt = call(queue, "one", reception, 5)
    assert nxt is not None and nxt.number == 2


def test_times_are_recorded_for_the_reports(world: World, queue: Queue, reception: User) -> None:
    ticket = issue(world, 0)
    call(queue, "one", reception, 0)
    queue_actions.recall(ticket, by=reception, counter=queue.one, at=moment(MONDAY, 9, 2))
    queue_actions.start_service(ticket, by=reception, at=moment(MONDAY, 9, 3))
    done(ticket, reception, 13)
    ticket.refresh_from_db()
    assert ticket.status == "done"
    assert ticket.called_at == moment(MONDAY, 9, 0)  # waiting ends at the first call
    assert ticket.last_called_at == moment(MONDAY, 9, 2)
    assert ticket.served_at == moment(MONDAY, 9, 3)
    assert ticket.finished_at == moment(MONDAY, 9, 13)
    assert ticket.recall_count == 1 and ticket.officer == reception
    assert list(ticket.events.values_list("action", flat=True)) == [
        "issue",
        "call",
        "recall",
        "start",
        "finish",
    ]


def test_finishing_straight_after_the_call_counts_service_from_the_call(
    world: World, queue: Queue, reception: User
) -> None:
    ticket = issue(world, 0)
    call(queue, "one", reception, 0)
    done(ticket, reception, 7)
    ticket.refresh_from_db()
    assert ticket.served_at == moment(MONDAY, 9, 0)


def test_skip_then_call_back_later(world: World, queue: Queue, reception: User) -> None:
    absent = issue(world, 1)
    present = issue(world, 2)
    call(queue, "one", reception, 0)
    queue_actions.skip(absent, by=reception, at=moment(MONDAY, 9, 1))
    assert call(queue, "one", reception, 2) == present
    with pytest.raises(CounterBusy):
        queue_actions.recall(absent, by=reception, counter=queue.one, at=moment(MONDAY, 9, 3))
    done(present, reception, 4)
    back = queue_actions.recall(absent, by=reception, counter=queue.one, at=moment(MONDAY, 9, 5))
    assert back.status == "called" and back.recall_count == 1
    assert back.last_called_at == moment(MONDAY, 9, 5)


def test_a_skipped_ticket_cannot_be_skipped_again_or_started(
    world: World, queue: Queue, reception: User
) -> None:
    ticket = issue(world, 1)
    call(queue, "one", reception, 0)
    queue_actions.skip(ticket, by=reception)
    with pytest.raises(IllegalMove, match="Bỏ qua"):
        queue_actions.skip(ticket, by=reception)
    with pytest.raises(IllegalMove):
        queue_actions.start_service(ticket, by=reception)


def test_recall_of_a_number_called_at_another_counter_is_refused(
    world: World, queue: Queue, reception: User
) -> None:
    ticket = issue(world, 1)
    call(queue, "one", reception, 0)
    with pytest.raises(IllegalMove, match="quầy khác"):
        queue_actions.recall(ticket, by=reception, counter=queue.two)


def test_a_transferred_ticket_waits_for_its_new_counter_ahead_of_the_queue(
    world: World, queue: Queue, reception: User
) -> None:
    moved = issue(world, 1, field=queue.civil)
    assert call(queue, "one", reception, 0) == moved
    issue(world, 2, priority=True)
    issue(world, 3, priority=True, field=queue.certify)
    queue_actions.transfer(moved, queue.three, by=reception, at=moment(MONDAY, 9, 1))
    moved.refresh_from_db()
    assert moved.status == "transferred" and moved.counter == queue.three
    # Counter 2 serves civil status but the ticket was sent to counter 3, not to it.
    nxt = call(queue, "two", reception, 2)
    assert nxt is not None and nxt.code == "U002"
    # Counter 3 serves certification only, yet takes the civil-status ticket sent to it, and
    # before its own priority ticket: that citizen has already waited once.
    assert call(queue, "three", reception, 3) == moved
    event = TicketEvent.objects.get(ticket=moved, action="transfer")
    assert (event.counter, event.to_counter) == (queue.one, queue.three)
    moved.refresh_from_db()
    assert moved.called_at == moment(MONDAY, 9, 0)  # waiting time is to the first call


def test_transfer_to_another_units_counter_or_to_itself_is_refused(
    world: World, queue: Queue, reception: User
) -> None:
    ticket = issue(world, 1)
    call(queue, "one", reception, 0)
    with pytest.raises(InvalidInput):
        queue_actions.transfer(ticket, queue.other_unit, by=reception)
    with pytest.raises(InvalidInput):
        queue_actions.transfer(ticket, queue.one, by=reception)


def test_yesterdays_tickets_are_not_called_and_close_day_sweeps_them(
    world: World, queue: Queue, reception: User
) -> None:
    old = queue_actions.issue_ticket(world.commune_a, at=moment("2025-08-01", 16))
    assert call(queue, "one", reception, 0) is None
    assert queue_actions.close_day(world.commune_a, old.day) == 1
    old.refresh_from_db()
    assert old.status == "no_show"


@pytest.mark.django_db(transaction=True)
def test_two_officers_calling_next_at_once_get_different_tickets(
    world: World, queue: Queue, reception: User
) -> None:
    for minute in range(4):
        issue(world, minute)
    counters = [queue.one, queue.two, queue.three]
    nine = moment(MONDAY, 9)
    results = run_together(
        [lambda c=c: queue_actions.call_next(c, by=reception, at=nine) for c in counters]  # type: ignore[misc]
    )
    assert all(isinstance(r, Ticket) for r in results), results
    assert len({r.pk for r in results}) == 3
    assert Ticket.objects.filter(status="called").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_one_counter_calls_one_ticket(
    world: World, queue: Queue, reception: User
) -> None:
    issue(world, 1)
    issue(world, 2)
    nine = moment(MONDAY, 9)
    results = run_together([lambda: queue_actions.call_next(queue.one, by=reception, at=nine)] * 2)
    assert sum(isinstance(r, Ticket) for r in results) == 1, results
    assert sum(isinstance(r, CounterBusy) for r in results) == 1, results
