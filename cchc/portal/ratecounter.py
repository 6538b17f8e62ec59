"""The rate limits' counters in the database, for deployments without Redis.

django-ratelimit counts with two cache calls per request, `add` and then `incr`. On Django's
`DatabaseCache` those cost about twelve queries (a `COUNT(*)` to cull on every write, a
savepoint, a read and a write for each call) and the increment is a read then a write, so
concurrent requests can be lost. Here each call is one statement: `add` an upsert that only
replaces an expired row, `incr` an `UPDATE … RETURNING`, both atomic in PostgreSQL and SQLite
alike. Only the calls the limits make are supported; the rest refuse loudly.

Used through `CACHES["ratelimit"]` (see settings), never as a general cache.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connection
from django.utils import timezone

from cchc.portal.models import RateCounter

TABLE = RateCounter._meta.db_table
# Expired counters are deleted by one add in this many (windows end, so their keys do too).
PURGE_EVERY = 1000


class RateCounterCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._adds = itertools.count(1)

    def _moment(self, moment: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
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

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
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

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
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
