"""The database router's rules, and what happens when the replica does not answer (on SQLite
and PostgreSQL; the real replica is in test_replica.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

from cchc import dbrouter
from cchc.dbrouter import REPLICA, ReplicaRouter, replica
from cchc.portal.tests.databases import ReportsModel, free_port
from cchc.units.models import Unit


@pytest.fixture(scope="module", autouse=True)
def replica_that_is_down(django_db_setup: Any) -> Iterator[None]:
    """A `replica` alias where nothing answers: a port nobody listens on (or a file SQLite
    cannot open), as when the standby is down. Registered for the module, before the tests'
    database set-up, so that the tests may use it."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        broken = {**primary, "HOST": "127.0.0.1", "PORT": free_port()}
        broken["OPTIONS"] = {**primary.get("OPTIONS", {}), "connect_timeout": 2}
    else:
        broken = {**primary, "NAME": "/nonexistent-cchc-folder/replica.sqlite3"}
    broken["TEST"] = {**primary.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    cast(dict[str, Any], connections.settings)[REPLICA] = broken
    if settings.DATABASES is not connections.settings:
        cast(dict[str, Any], settings.DATABASES)[REPLICA] = broken
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        settings.DATABASES.pop(REPLICA, None)


@pytest.fixture(autouse=True)
def _replica_not_yet_tried() -> Iterator[None]:
    dbrouter._down_until = 0.0
    yield
    dbrouter._down_until = 0.0


@pytest.fixture
def reads(django_db_blocker: Any) -> Iterator[None]:
    """Database access without a test transaction: these tests only read, and a test
    transaction would open the replica's connection before the router gets to try it."""
    with django_db_blocker.unblock():
        yield


def test_a_replica_that_is_down_sends_reads_to_the_primary(reads: None, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="cchc.dbrouter"), replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
        # The read is answered (by the primary) instead of failing.
        assert Unit.objects.filter(code="none").count() == 0
        # Reports too, while it is down.
        assert router.db_for_read(ReportsModel) == DEFAULT_DB_ALIAS
    assert "reading from the primary" in caplog.text
    # Said once: within REPLICA_RETRY_SECONDS the replica is not tried again.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cchc.dbrouter"), replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
    assert caplog.text == ""


def test_the_replica_is_tried_again_after_the_retry_period(reads: None, settings: Any) -> None:
    settings.REPLICA_RETRY_SECONDS = 0
    with replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
    assert dbrouter.replica_alias() == REPLICA  # no longer marked down


def test_writes_and_migrations_stay_on_the_primary() -> None:
    rules = ReplicaRouter()
    assert rules.db_for_write(ReportsModel) == DEFAULT_DB_ALIAS
    assert rules.db_for_write(Unit) == DEFAULT_DB_ALIAS
    assert rules.allow_migrate(REPLICA, "reports") is False
    assert rules.allow_migrate(DEFAULT_DB_ALIAS, "dossiers") is True
    # Other apps read the primary unless inside `replica()`.
    assert rules.db_for_read(Unit) is None


def test_without_a_replica_everything_reads_the_primary(monkeypatch: Any) -> None:
    monkeypatch.delitem(settings.DATABASES, REPLICA)
    with replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert ReplicaRouter().db_for_read(ReportsModel) is None
        assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS
