"""Lists and the dossier page cost a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.dossiers import actions
from cchc.dossiers.actions import receive_dossier
from cchc.dossiers.models import Dossier
from cchc.dossiers.worklists import WORKLISTS, Filters, page, worklist_rows
from cchc.testing import World, at, logged_in, receipt_for

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def receive_many(world: World, reception, n: int) -> None:
    for i in range(n):
        receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 8, i))


@pytest.mark.parametrize("worklist", ["open", "mine", "overdue", "due_3", "to_return"])
def test_a_worklist_page_costs_the_same_queries_for_3_or_30_rows(
    world: World, reception, copy_implemented, worklist: str
) -> None:
    client = logged_in(reception)
    url = f"/lam-viec/ho-so/?list={worklist}"
    receive_many(world, reception, 3)
    few = queries(client, url)
    receive_many(world, reception, 27)
    assert queries(client, url) == few
    # Session, user, memberships, visible units, the units of the unit filter, the calendar
    # (lists by working day, once for the list, the counts and the badges), the page's ids,
    # its rows, and every tab's count in one grouped query.
    assert few <= 9


def test_the_api_list_costs_the_same_queries_for_3_or_30_rows(
    world: World, reception, copy_implemented
) -> None:
    from django.test import Client

    from cchc.testing import bearer

    client, headers = Client(), bearer(reception)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/dossiers?list=open", **headers).status_code == 200
        return len(ctx.captured_queries)

    receive_many(world, reception, 3)
    few = count()
    receive_many(world, reception, 27)
    assert count() == few


def test_the_dossier_page_costs_a_fixed_number_of_queries(
    received: Dossier, reception, specialist, leader, django_assert_max_num_queries
) -> None:
    # Seen by the specialist holding the step, with the same acts offered before and after
    # the history grows (the offered acts decide a query or two: "Chuyển cho" lists people).
    dossier = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    client = logged_in(specialist)
    url = f"/lam-viec/ho-so/{received.code}/"
    before = queries(client, url)
    actions.add_note(dossier, by=specialist, text="Đang xác minh", at=at("2025-08-04", 11))
    actions.add_note(dossier, by=specialist, text="Đã xác minh", at=at("2025-08-04", 12))
    assert queries(client, url) == before
    with django_assert_max_num_queries(25):
        client.get(url)


@pytest.mark.parametrize("size", [1, 4])
def test_a_worklist_page_reads_its_rows_in_two_queries(
    world: World, reception, copy_implemented, django_assert_num_queries, size: int
) -> None:
    """One query for the page's ids, one for its rows with their related ones (and the ones the
    caller adds), however many rows and however deep the page."""
    receive_many(world, reception, 12)
    rows = worklist_rows(reception, "open", Filters()).select_related("receiving_unit")
    first = page(rows, WORKLISTS["open"], cursor=None, size=size)
    with django_assert_num_queries(2):
        result = page(rows, WORKLISTS["open"], cursor=first.next_cursor, size=size)
        related = [
            (d.procedure, d.processing_unit, d.receiving_unit, d.assignee) for d in result.rows
        ]
    assert len(related) == size
