"""The database rate counters: one statement per call, atomic, expired windows start again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.portal.models import RateCounter
from cchc.portal.ratecounter import RateCounterCache
from cchc.testing import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters() -> RateCounterCache:
    cache = caches["ratelimit"]
    assert isinstance(cache, RateCounterCache)
    return cache


def test_add_then_incr_counts_with_one_statement_each(counters: RateCounterCache) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert counters.add("k", 1, 60) is True
        assert counters.add("k", 1, 60) is False
        assert counters.incr("k") == 2
        assert counters.incr("k", 5) == 7
    assert len(queries) == 4
    assert counters.get("k") == 7
    assert counters.get("missing", "none") == "none"
    with pytest.raises(ValueError):
        counters.incr("missing")


def test_an_expired_counter_starts_again(counters: RateCounterCache) -> None:
    counters.add("k", 1, 60)
    counters.incr("k")
    RateCounter.objects.update(expires=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert counters.get("k") is None
    with pytest.raises(ValueError):
        counters.incr("k")
    assert counters.add("k", 1, 60) is True
    assert counters.incr("k") == 2


def test_set_is_refused(counters: RateCounterCache) -> None:
    with pytest.raises(NotImplementedError):
        counters.set("k", 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_all_counted(counters: RateCounterCache) -> None:
    counters.add("burst", 0, 60)

    def bump() -> int:
        for _ in range(10):
            counters.incr("burst")
        return 10

    assert run_together([bump] * 4) == [10] * 4
    assert counters.get("burst") == 40


def test_a_rate_limited_public_lookup_costs_two_more_queries(
    settings: Any, received: Any, django_assert_num_queries: Any
) -> None:
    settings.RATELIMIT_ENABLE = True
    client = Client()
    url = f"/api/v1/public/dossiers/{received.code}"
    client.get(url)  # the counter exists now, the answer is cached
    with django_assert_num_queries(3):  # add (refused), incr, the dossier's stamp
        assert client.get(url).status_code == 200
