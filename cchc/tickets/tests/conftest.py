"""Queue personas: commune A (Nga Sơn) runs three counters; commune B one.

Counter 1 takes every field, counter 2 only civil status (hộ tịch), counter 3 only
certification (chứng thực). Lan (reception, commune A) works the counters; Mai (reception,
commune B) must never reach them. Days are real 2025 dates on the shipped calendar: Monday
04/08/2025 is a working day, Saturday 09/08 is not, 01–02/09 is the National Day holiday.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from cchc.catalogue.models import Field
from cchc.testing import World
from cchc.tickets.models import Counter, SlotPlan
from cchc.tickets.tests.support import Queue


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any, request: pytest.FixtureRequest) -> None:
    """Rate limits off unless a test turns them on; their counts live in the cache table,
    which no test transaction rolls back, so it is emptied too (for tests using the database)."""
    settings.RATELIMIT_ENABLE = False
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        cache.clear()


@pytest.fixture
def queue(world: World, copy_implemented: None) -> Queue:
    civil = Field.objects.get(code="ho-tich")
    certify = Field.objects.get(code="chung-thuc")
    one = Counter.objects.create(unit=world.commune_a, number=1)
    two = Counter.objects.create(unit=world.commune_a, number=2, name="Quầy 2 – Hộ tịch")
    two.fields.add(civil)
    three = Counter.objects.create(unit=world.commune_a, number=3)
    three.fields.add(certify)
    other = Counter.objects.create(unit=world.commune_b, number=1)
    return Queue(civil, certify, one, two, three, other)


@pytest.fixture
def plan(world: World, queue: Queue) -> SlotPlan:
    """Commune A takes appointments in every field: 30-minute slots, 2 citizens each."""
    return SlotPlan.objects.create(unit=world.commune_a, slot_minutes=30, capacity=2)
