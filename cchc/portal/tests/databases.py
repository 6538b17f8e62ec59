"""Helpers for tests that need a second database connection or a second server process."""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

ROOT = Path(__file__).resolve().parents[3]


def is_postgresql(alias: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[alias].vendor == "postgresql"


@contextmanager
def other_connection(alias: str, **changes: Any) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own for the test: the test database's settings with `changes`
    (another NAME, another PORT…). It is not registered under an alias, so Django's test
    isolation lets it be (a connection made on the fly); closed afterwards."""
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict.update(changes)
    backend = load_backend(settings_dict["ENGINE"])
    connection = backend.DatabaseWrapper(settings_dict, alias)
    try:
        yield connection
    finally:
        connection.close()


def database_url(alias: str = DEFAULT_DB_ALIAS, **changes: Any) -> str:
    """DATABASE_URL for a child process: the test database as this process sees it."""
    s = {**connections[alias].settings_dict, **changes}
    if connections[alias].vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = urllib.parse.quote(s.get("USER") or "", safe="")
    password = urllib.parse.quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{urllib.parse.quote(s['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_environment(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a manage.py or gunicorn child: the embedded defaults, the test
    database, its own DATA_DIR and MEDIA_ROOT."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cchc.settings",
            "DATABASE_URL": database_url(),
            "DATA_DIR": str(tmp),
            "MEDIA_ROOT": str(tmp / "media"),
            "CCHC_DEMO": "1",
            "RATELIMIT_ENABLE": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_for_port(port: int, process: subprocess.Popen[Any], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


class _ReportsModel:
    """Stands for a model of the reports app (the router routes by app label)."""

    class _meta:
        app_label = "reports"


ReportsModel: Any = _ReportsModel
