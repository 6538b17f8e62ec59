"""Reads for reports and exports from a PostgreSQL streaming replica, everything else from the
primary.

With DATABASE_REPLICA_URL set, settings define a second alias, `replica`. Then:
- every read of a model of the `reports` app goes to the replica;
- any code can send its reads there for a while with `with replica():` (reports aggregate
  dossiers, which are not `reports` models, so the reports code wraps its read queries);
- writes, and reads that lock (`select_for_update`), always go to the primary.

A replica is a few hundred milliseconds behind (or more under load): only reads that may be that
stale belong here, never a page that shows what its user just did. When the replica does not
answer, reads fall back to the primary for REPLICA_RETRY_SECONDS instead of failing, and the
fall-back is logged once. Without DATABASE_REPLICA_URL, `replica()` is the primary and the
router changes nothing.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError

REPLICA = "replica"
# Apps whose every read may come from the replica.
REPLICA_APPS = frozenset({"reports"})

logger = logging.getLogger(__name__)

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cchc_reading_replica", default=False
)
_lock = threading.Lock()
_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _retry_seconds() -> int:
    return int(getattr(settings, "REPLICA_RETRY_SECONDS", 30))


def mark_replica_down(reason: object) -> None:
    """Read from the primary for a while: the replica did not answer."""
    global _down_until
    with _lock:
        already = _down_until > time.monotonic()
        _down_until = time.monotonic() + _retry_seconds()
    if not already:
        logger.warning(
            "Replica unavailable (%s): reading from the primary for %ss", reason, _retry_seconds()
        )


def replica_alias() -> str:
    """The alias reads should use now: the replica if there is one and it is not known to be
    down, else the primary."""
    if not replica_configured() or _down_until > time.monotonic():
        return DEFAULT_DB_ALIAS
    return REPLICA


def _usable_alias() -> str:
    """Like `replica_alias`, but opens the replica's connection first, so that a replica that
    is down is found here (once per retry period) rather than by the first query."""
    alias = replica_alias()
    if alias == DEFAULT_DB_ALIAS:
        return alias
    try:
        connections[alias].ensure_connection()
    except DatabaseError as exc:
        mark_replica_down(exc.__class__.__name__)
        return DEFAULT_DB_ALIAS
    return alias


@contextmanager
def replica() -> Iterator[str]:
    """Within the block, reads go to the replica (writes still to the primary). Yields the
    alias the reads use, for `.using(alias)` or raw cursors.

        with replica() as db:
            rows = Dossier.objects.filter(...).values(...)
    """
    alias = _usable_alias()
    token = _reading_replica.set(alias == REPLICA)
    try:
        yield alias
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    """Sends reads of the `reports` app, and reads inside `replica()`, to the replica."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _reading_replica.get() or model._meta.app_label in REPLICA_APPS:
            # Opening the replica's connection here costs nothing once it is open, and turns a
            # replica that is down into reads from the primary instead of an error.
            alias = _usable_alias()
            return alias if alias == REPLICA else None
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: an object read from either relates to any other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A streaming replica is read-only: its schema arrives from the primary.
        return db == DEFAULT_DB_ALIAS
