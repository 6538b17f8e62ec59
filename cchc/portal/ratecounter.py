"""The rate limits' counters in the database, for deployments without Redis.

django-ratelimit counts with two cache calls per request, `add` and then `incr`. On Django's
`DatabaseCache` those cost about twelve queries (a `COUNT(*)` to cull on every write, a
savepoint, a read and a write for each call) and the increment is a read then a write, so
concurrent requests can be lost. Here each call is one statement: `add` an upsert that only
replaces an expired row, `incr` an `UPDATE … RETURNING`, both atomic in PostgreSQL and SQLite
alike. Only the calls the limits make are supported; the rest refuse loudly.

Used through `CACHES["ratelimit"]` (see settings), never as a general cache.

When the counters' store does not answer (the database restarting, Redis away) the limits are
counted in this process's memory until it answers again: they keep applying, per process rather
than across all of them, and a public lookup is never refused or failed for want of a counter
(`ResilientRedisCache` does the same in front of Redis). A warning is logged once a minute while
it lasts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection
from django.utils import timezone

from cchc.portal.models import RateCounter

TABLE = RateCounter._meta.db_table
# Expired counters are deleted by one add in this many (windows end, so their keys do too).
PURGE_EVERY = 1000

logger = logging.getLogger(__name__)
R = TypeVar("R")

# The counters of this process while the shared store is away.
_memory = LocMemCache("cchc-ratecounter-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
_last_warning = 0.0


def _degraded(store: str, exc: BaseException) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning(
            "rate limits counted in memory: the %s does not answer (%s)", store, type(exc).__name__
        )


def _memory_incr(key: str, delta: int) -> int:
    try:
        return _memory.incr(key, delta)
    except ValueError:
        # The window began while the store was still answering: start counting here.
        _memory.add(key, delta, 120)
        return delta


def _or_memory(
    store: str,
    errors: tuple[type[BaseException], ...],
    call: Callable[[], R],
    fallback: Callable[[], R],
) -> R:
    try:
        return call()
    except errors as exc:
        _degraded(store, exc)
        return fallback()


class RateCounterCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._adds = itertools.count(1)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return _or_memory(
            "database",
            (DatabaseError,),
            lambda: self._add(key, value, timeout, version),
            lambda: _memory.add(
                self.make_and_validate_key(key, version=version), int(value), timeout
            ),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return _or_memory(
            "database",
            (DatabaseError,),
            lambda: self._incr(key, delta, version),
            lambda: _memory_incr(self.make_and_validate_key(key, version=version), delta),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _or_memory(
            "database",
            (DatabaseError,),
            lambda: self._get(key, default, version),
            lambda: _memory.get(self.make_and_validate_key(key, version=version), default),
        )

    def _moment(self, moment: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)

    def _add(self, key: Any, value: Any, timeout: Any, version: int | None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        now = timezone.now()
        seconds = self.get_backend_timeout(timeout)
        expires = now + dt.timedelta(seconds=seconds if seconds is not None else 10 * 365 * 86400)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (key, value, expires) VALUES (%s, %s, %s) "
                f"ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                f"WHERE {TABLE}.expires < %s",
                [key, int(value), self._moment(expires), self._moment(now)],
            )
            added = cursor.rowcount == 1
            if next(self._adds) % PURGE_EVERY == 0:
                cursor.execute(f"DELETE FROM {TABLE} WHERE expires < %s", [self._moment(now)])
        return added

    def _incr(self, key: Any, delta: int, version: int | None) -> int:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET value = value + %s WHERE key = %s AND expires >= %s "
                f"RETURNING value",
                [int(delta), key, self._moment(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found.")  # what BaseCache.incr raises
        return int(row[0])

    def _get(self, key: Any, default: Any, version: int | None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {TABLE} WHERE key = %s AND expires >= %s",
                [key, self._moment(timezone.now())],
            )
            row = cursor.fetchone()
        return default if row is None else int(row[0])

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return RateCounter.objects.filter(key=key).delete()[0] > 0

    def clear(self) -> None:
        RateCounter.objects.all().delete()

    def set(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("rate counters are only added and incremented")

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        raise NotImplementedError("rate counters are only added and incremented")


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache for the rate counters, counting in memory while Redis is away."""

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return _or_memory(
            "Redis server",
            _redis_errors(),
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            lambda: _memory.add(self.make_and_validate_key(key, version=version), value, timeout),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return _or_memory(
            "Redis server",
            _redis_errors(),
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            lambda: _memory_incr(self.make_and_validate_key(key, version=version), delta),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _or_memory(
            "Redis server",
            _redis_errors(),
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: _memory.get(self.make_and_validate_key(key, version=version), default),
        )
