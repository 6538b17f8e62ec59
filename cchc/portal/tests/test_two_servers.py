"""Two web servers (separate processes on separate loopback ports) against one database see
each other's changes at once: the per-process caches are keyed by what changes in the database
(a dossier's row version, the calendar's revision token, the catalogue's generation in the
shared cache), so no process serves an answer another one has made stale.

Runs on the database the tests use: PostgreSQL (the multi-server set-up) and SQLite (several
processes on one machine, as `make run` does)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cchc.catalogue.models import Procedure
from cchc.dossiers.models import Dossier
from cchc.portal.tests.databases import ROOT, child_environment, free_port, wait_for_port
from cchc.testing import World, bearer
from cchc.worktime import actions as calendar_actions

pytestmark = pytest.mark.django_db(transaction=True)


class Server:
    def __init__(self, tmp: Path, name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder = tmp / name
        folder.mkdir()
        self.log = (folder / "server.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "cchc.wsgi",
                "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "2",
                "--log-level", "warning",
            ],
            cwd=ROOT,
            env=child_environment(folder),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def request(self, path: str, *, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            headers={"Content-Type": "application/json", **(headers or {})},
            method="POST" if data is not None else "GET",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{path}: {exc.code} {exc.read()[:500]!r}") from exc

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    a, b = Server(tmp_path, "a"), Server(tmp_path, "b")
    try:
        for server in (a, b):
            wait_for_port(server.port, server.process, seconds=60)
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_a_dossier_changed_through_one_server_is_read_changed_through_the_other(
    servers: tuple[Server, Server], received: Dossier, reception: Any
) -> None:
    a, b = servers
    path = f"/api/v1/public/dossiers/{received.code}"
    # Server A answers twice: the second answer comes from its own cache.
    assert a.request(path)["status"] == "received"
    assert a.request(path)["status"] == "received"

    # The counter hands the dossier over through server B.
    token = bearer(reception)["HTTP_AUTHORIZATION"]
    moved = b.request(
        f"/api/v1/dossiers/{received.code}/actions/hand_over",
        body={"version": received.row_version},
        headers={"Authorization": token},
    )
    assert moved["status"] == "processing"

    # Server A's cached answer is keyed by the row version: it sees the change at once.
    assert a.request(path)["status"] == "processing"
    assert b.request(path)["status"] == "processing"


def test_a_calendar_change_made_anywhere_moves_due_dates_on_every_server(
    servers: tuple[Server, Server], world: World
) -> None:
    a, b = servers
    # One working day from Monday 03/08/2026 09:00: the close of Tuesday (whole days count
    # to the end of the working day, CALENDAR.md).
    path = "/api/v1/calendar/due?start=2026-08-03T09:00:00%2B07:00&working_days=1&unit=16300"
    before = a.request(path)["due"]
    assert before.startswith("2026-08-04T17:00")
    assert b.request(path)["due"] == before

    # An administrator (any process: a third one here) closes the office on that Tuesday.
    calendar_actions.add_day_off(
        dt.date(2026, 8, 4), name="Nghỉ đột xuất", legal_basis="", reason="Bão", actor=None
    )

    # Each server's snapshot is keyed by the revision token: both move to Wednesday.
    assert a.request(path)["due"].startswith("2026-08-05T17:00")
    assert b.request(path)["due"].startswith("2026-08-05T17:00")


def test_a_catalogue_change_reaches_the_search_of_every_server(
    servers: tuple[Server, Server], world: World
) -> None:
    a, b = servers
    path = "/api/v1/procedures?q=chao%20doi"
    assert a.request(path) == [] and b.request(path) == []

    # Citizens' words added to the birth registration (saved by another process).
    version = world.birth.versions.get()
    version.keywords = "con chào đời"
    version.save()
    Procedure.objects.get(pk=world.birth.pk).save()

    assert [p["code"] for p in a.request(path)] == [world.birth.code]
    assert [p["code"] for p in b.request(path)] == [world.birth.code]
