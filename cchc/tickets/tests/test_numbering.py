"""Ticket numbers: per unit, per day, from 1, never twice."""

from __future__ import annotations

import pytest

from cchc.testing import World, run_together
from cchc.tickets.errors import InvalidInput
from cchc.tickets.models import Ticket, TicketEvent
from cchc.tickets.queue import issue_ticket
from cchc.tickets.tests.support import MONDAY, Queue, moment


@pytest.mark.django_db
def test_numbers_count_per_unit_and_restart_the_next_day(world: World, queue: Queue) -> None:
    a1 = issue_ticket(world.commune_a, field=queue.civil, at=moment(MONDAY, 8))
    a2 = issue_ticket(world.commune_a, at=moment(MONDAY, 8, 5))
    b1 = issue_ticket(world.commune_b, at=moment(MONDAY, 8, 6))
    a3 = issue_ticket(world.commune_a, priority=True, at=moment(MONDAY, 8, 7))
    tuesday = issue_ticket(world.commune_a, at=moment("2025-08-05", 8))
    assert [a1.number, a2.number, a3.number] == [1, 2, 3]
    assert b1.number == 1
    assert tuesday.number == 1 and str(tuesday.day) == "2025-08-05"
    assert [a1.code, a3.code] == ["001", "U003"]
    assert a1.token != a2.token and len(a1.token) >= 16
    assert TicketEvent.objects.filter(ticket=a1, action="issue").count() == 1


@pytest.mark.django_db
def test_a_field_the_unit_does_not_implement_is_refused(world: World, queue: Queue) -> None:
    queue.certify.procedures.get().adoptions.filter(unit=world.commune_a).update(implemented=False)
    with pytest.raises(InvalidInput, match="không giải quyết"):
        issue_ticket(world.commune_a, field=queue.certify)


@pytest.mark.django_db
def test_a_service_centre_offers_the_fields_its_commune_implements(world: World) -> None:
    ticket = issue_ticket(world.centre_a, field=world.birth.field)
    assert ticket.field == world.birth.field


@pytest.mark.django_db(transaction=True)
def test_concurrent_kiosks_never_share_a_number(world: World, queue: Queue) -> None:
    n = 8
    results = run_together(
        [lambda: issue_ticket(world.commune_a, at=moment(MONDAY, 8)) for _ in range(n)]
    )
    assert all(isinstance(r, Ticket) for r in results), results
    assert sorted(r.number for r in results) == list(range(1, n + 1))
