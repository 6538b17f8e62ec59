"""Reports and exports read from a PostgreSQL streaming replica through the router
(cchc/dbrouter.py): tested against a real hot standby that the test makes from the running
cluster with pg_basebackup and starts on another loopback port.

On PostgreSQL only (a streaming replica is PostgreSQL's). Where the server programs are missing
the test is skipped with the reason, except under CI=true, where it must run. The standby needs
a replication connection: if the cluster refuses one and its pg_hba.conf is writable here (the CI
machine runs as root), the test adds `host replication all 127.0.0.1/32 trust` (the same trust
the cluster already gives every local database connection) and reloads the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

from cchc.dbrouter import REPLICA, ReplicaRouter, replica
from cchc.portal.tests.databases import ReportsModel, free_port, is_postgresql
from cchc.units.models import Unit

IN_CI = bool(os.environ.get("CI"))


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"The replica test must run in CI: {reason}")
    pytest.skip(reason)


def _server_tool(name: str, major: int) -> str | None:
    """A server program of exactly the cluster's major version (a physical copy of the data
    directory runs only on it)."""
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found:
        version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
        if f") {major}." in version or f" {major}." in version:
            return found
    return None


def _primary(cursor: Any, name: str) -> str:
    cursor.execute(f"SHOW {name}")
    return str(cursor.fetchone()[0])


def _libpq_environment() -> dict[str, str]:
    s = connections[DEFAULT_DB_ALIAS].settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": s.get("HOST") or "127.0.0.1",
            "PGPORT": str(s.get("PORT") or 5432),
            "PGUSER": s.get("USER") or "postgres",
        }
    )
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def _basebackup(tool: str, target: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool, "-D", str(target), "-X", "stream", "-R", "--checkpoint=fast", "--no-sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _allow_replication(cursor: Any, host: str) -> str | None:
    """Add a loopback replication entry to the cluster's pg_hba.conf if this process may; None
    when done, else why not."""
    hba = Path(_primary(cursor, "hba_file"))
    if not os.access(hba, os.W_OK):
        return f"{hba} refuses replication connections and is not writable here"
    line = f"host replication all {host}/32 trust\n"
    text = hba.read_text()
    if line not in text:
        # First, so that no earlier line decides for replication connections from here.
        hba.write_text(line + text)
    cursor.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    return None


@pytest.fixture(scope="module")
def standby(request: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A hot standby of the test cluster on a free loopback port, registered as the `replica`
    alias for the module's tests."""
    if not is_postgresql():
        pytest.skip("a streaming replica is PostgreSQL's (the tests run on SQLite)")
    # The test database must exist before the copy is made.
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        major = int(_primary(cursor, "server_version_num")) // 10000
        if (
            _primary(cursor, "wal_level") == "minimal"
            or int(_primary(cursor, "max_wal_senders")) < 2
        ):
            _unavailable("the cluster has wal_level=minimal or too few max_wal_senders")
        limits = {
            name: _primary(cursor, name)
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_wal_senders",
                "max_prepared_transactions",
                "max_locks_per_transaction",
            )
        }
        env = _libpq_environment()
        found = {name: _server_tool(name, major) for name in ("pg_basebackup", "pg_ctl")}
        missing = [name for name, path in found.items() if path is None]
        if missing:
            _unavailable(f"PostgreSQL {major} programs not found: {', '.join(missing)}")
        tools = {name: str(path) for name, path in found.items()}
        # Outside pytest's 0700 temporary root: the server runs as the postgres user.
        folder = Path(tempfile.mkdtemp(prefix="cchc-replica-"))
        data = folder / "data"
        result = _basebackup(tools["pg_basebackup"], data, env)
        if result.returncode != 0 and "replication" in result.stderr:
            why = _allow_replication(cursor, env["PGHOST"])
            if why:
                shutil.rmtree(folder, ignore_errors=True)
                _unavailable(why)
            shutil.rmtree(data, ignore_errors=True)
            result = _basebackup(tools["pg_basebackup"], data, env)
        if result.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.fail(f"pg_basebackup failed: {result.stderr.strip()}")

    # Debian keeps the configuration outside the data directory: the copy needs its own.
    if not (data / "postgresql.conf").exists():
        (data / "postgresql.conf").write_text("")
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    port = free_port()
    options = {
        "port": str(port),
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(folder),
        "hot_standby": "on",
        "shared_buffers": "32MB",
        "fsync": "off",
        "logging_collector": "off",
        **limits,
    }
    option_text = " ".join(f"-c {key}={value}" for key, value in options.items())
    command = [
        tools["pg_ctl"], "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "120",
        "-o", option_text, "start",
    ]  # fmt: skip
    stop = [tools["pg_ctl"], "-D", str(data), "-m", "immediate", "-w", "stop"]
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: the copy is handed to the postgres user.
        shutil.chown(folder, "postgres", "postgres")
        subprocess.run(["chown", "-R", "postgres:postgres", str(folder)], check=True)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    started = subprocess.run(
        [*as_postgres, *command], capture_output=True, text=True, timeout=180, check=False
    )
    if started.returncode != 0:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"the standby did not start: {started.stderr} {log[-2000:]}")

    primary_settings = connections[DEFAULT_DB_ALIAS].settings_dict
    replica_settings = {
        **primary_settings,
        "HOST": "127.0.0.1",
        "PORT": port,
        "CONN_MAX_AGE": 0,
        # Not a test database of its own: Django's test set-up and flushes leave it alone.
        "TEST": {**primary_settings.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS},
    }
    cast(dict[str, Any], connections.settings)[REPLICA] = replica_settings
    if settings.DATABASES is not connections.settings:
        cast(dict[str, Any], settings.DATABASES)[REPLICA] = replica_settings
    try:
        yield {"port": port, "folder": folder}
    finally:
        if REPLICA in connections.settings:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
        settings.DATABASES.pop(REPLICA, None)
        subprocess.run([*as_postgres, *stop], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _replica_cursor_value(sql: str) -> Any:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _wait_until(check: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not replayed on the standby within {seconds}s")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_reads_inside_replica_come_from_the_streaming_replica(standby: dict[str, Any]) -> None:
    assert _replica_cursor_value("SELECT pg_is_in_recovery()") is True

    # Written on the primary, replayed on the standby within moments.
    Unit.objects.create(code="77001", name="Xã Mới", kind="commune")
    with replica() as alias:
        assert alias == REPLICA
        assert router.db_for_read(Unit) == REPLICA
        _wait_until(lambda: Unit.objects.filter(code="77001").exists())

    # With replay paused, a new row exists on the primary only: reads inside `replica()` do not
    # see it (they really are served by the standby), reads outside do.
    _replica_cursor_value("SELECT pg_wal_replay_pause()::text")
    try:
        Unit.objects.create(code="77002", name="Xã Sau", kind="commune")
        assert Unit.objects.filter(code="77002").exists()
        with replica():
            assert not Unit.objects.filter(code="77002").exists()
            # Writes inside the block still go to the primary.
            Unit.objects.filter(code="77002").update(name="Xã Sau (sửa)")
    finally:
        _replica_cursor_value("SELECT pg_wal_replay_resume()::text")
    with replica():
        _wait_until(lambda: Unit.objects.filter(name="Xã Sau (sửa)").exists())

    # The reports app's own models are read from the replica without being asked.
    assert ReplicaRouter().db_for_read(ReportsModel) == REPLICA
    assert router.db_for_read(ReportsModel) == REPLICA
    assert router.db_for_write(ReportsModel) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS
