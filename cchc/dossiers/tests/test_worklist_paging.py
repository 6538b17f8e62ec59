"""Keyset paging through the worklists: every row exactly once and in order, across page
boundaries that fall among equal sort values, among rows with no sort value, and for dossiers a
unit received but another processes."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.dossiers.actions import receive_dossier
from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.worklists import WORKLISTS, Filters, page, worklist_rows
from cchc.testing import World, at, receipt_for

pytestmark = pytest.mark.django_db

SIZES = [1, 2, 3, 4, 20]


def walk(user, key: str, size: int) -> list[int]:
    """The ids of every page of a list, following the cursors to the end."""
    seen: list[int] = []
    cursor = None
    for _ in range(50):  # a cursor that does not move on would loop for ever
        result = page(worklist_rows(user, key, Filters()), WORKLISTS[key], cursor=cursor, size=size)
        assert len(result.rows) <= size
        seen += [d.pk for d in result.rows]
        if result.next_cursor is None:
            return seen
        assert len(result.rows) == size
        cursor = result.next_cursor
    raise AssertionError(f"still paging after 50 pages: {seen}")


@pytest.fixture
def commune_b_dossiers(world: World, reception, reception_b, copy_implemented) -> list[Dossier]:
    """What commune B's counter sees: four dossiers it processes, three it received for commune
    A (across boundaries), and not commune A's own."""
    own = [
        receive_dossier(
            receipt_for(world, procedure_code=world.birth.code, processing_unit=world.commune_b),
            by=reception_b,
            at=at("2025-08-04", 8, i),
        )
        for i in range(4)
    ]
    across = [
        receive_dossier(
            receipt_for(world, receiving_unit=world.commune_b),
            by=reception_b,
            at=at("2025-08-04", 9, i),
        )
        for i in range(3)
    ]
    receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 10))
    assert all(d.is_cross_boundary for d in across)
    return own + across


def test_open_pages_hold_every_dossier_once_across_ties_and_boundaries(
    commune_b_dossiers: list[Dossier], reception_b
) -> None:
    own, across = commune_b_dossiers[:4], commune_b_dossiers[4:]
    # Half of them share one due moment, own and received-across mixed, so that page
    # boundaries fall between equal sort values.
    tied = [own[1].pk, own[3].pk, across[0].pk, across[2].pk]
    Dossier.objects.filter(pk__in=tied).update(due_at=at("2025-08-06", 17))
    expected = list(
        Dossier.objects.filter(pk__in=[d.pk for d in commune_b_dossiers])
        .order_by("due_at", "id")
        .values_list("id", flat=True)
    )
    for size in SIZES:
        assert walk(reception_b, "open", size) == expected, size


def test_nullable_lists_page_through_equal_and_missing_sort_values(
    commune_b_dossiers: list[Dossier], reception_b
) -> None:
    ids = [d.pk for d in commune_b_dossiers]
    Dossier.objects.filter(pk__in=ids).update(status=Status.SUPPLEMENT)
    moments = [None, at("2025-08-05", 9), None, at("2025-08-05", 9), at("2025-08-04", 15), None]
    for pk, moment in zip(ids, moments, strict=False):
        Dossier.objects.filter(pk=pk).update(supplement_requested_at=moment)
    expected = sorted(
        Dossier.objects.filter(pk__in=ids).values_list("supplement_requested_at", "id"),
        key=lambda row: (row[0] is None, row[0] or dt.datetime.min.replace(tzinfo=dt.UTC), row[1]),
    )
    for size in SIZES:
        assert walk(reception_b, "supplement", size) == [pk for _at, pk in expected], size


def test_descending_lists_page_through_equal_sort_values(
    commune_b_dossiers: list[Dossier], reception_b
) -> None:
    ids = [d.pk for d in commune_b_dossiers]
    Dossier.objects.filter(pk__in=ids).update(status=Status.RETURNED)
    for i, pk in enumerate(ids):
        Dossier.objects.filter(pk=pk).update(updated_at=at("2025-08-10", 9 + i % 3))
    expected = list(
        Dossier.objects.filter(pk__in=ids)
        .order_by("-updated_at", "-id")
        .values_list("id", flat=True)
    )
    for size in SIZES:
        assert walk(reception_b, "finished", size) == expected, size


def test_a_dossier_received_across_boundaries_is_listed_once_for_each_side(
    commune_b_dossiers: list[Dossier], reception, reception_b
) -> None:
    across = {d.pk for d in commune_b_dossiers[4:]}
    seen_by_a = walk(reception, "open", 2)
    seen_by_b = walk(reception_b, "open", 2)
    assert len(seen_by_a) == len(set(seen_by_a)) and len(seen_by_b) == len(set(seen_by_b))
    assert across <= set(seen_by_a) and across <= set(seen_by_b)
