"""The production-style platform the fault scripts break, on loopback only.

`Stack` creates (dropping it first) a PostgreSQL database, migrates it, loads the demo province
without dossiers, issues an API token for the reception officer of Nga Sơn, and starts
`manage.py serve` (gunicorn + the supervised job worker) on a free port of 127.0.0.1, with e-mail
going to `Sink`, an SMTP server on 127.0.0.1 that records the Message-ID of everything it keeps.
The database is checked afterwards with plain SQL (psycopg), never through the server.

PostgreSQL is FAULTS_PG_URL (default postgres://postgres@127.0.0.1:5432, trust authentication).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
SERVER = os.environ.get("FAULTS_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
USERNAME = "tiepnhan.ngason"
UNIT = "16300"
PROCEDURE = "1.001193"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def now() -> float:
    return time.monotonic()


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def recreate_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Sink:
    """An SMTP server on 127.0.0.1 that keeps every message and counts its Message-ID.

    `delay` seconds pass between keeping a message and saying so (250): a client killed in that
    time has delivered a message it never heard was accepted."""

    def __init__(self, delay: float = 0.0) -> None:
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        with self.lock:
            self.ids[str(parsed["Message-ID"])] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class Stack:
    def __init__(
        self,
        name: str,
        *,
        web_workers: int = 2,
        sink: Sink | None = None,
        env: dict[str, str] | None = None,
        work_dir: Path,
    ) -> None:
        self.name = name
        self.web_workers = web_workers
        self.sink = sink
        self.extra_env = env or {}
        self.work_dir = work_dir
        self.port = free_port()
        self.url = ""
        self.token = ""
        self.positions: list[int] = []
        self.serve: subprocess.Popen[bytes] | None = None
        self.log_path = work_dir / "serve.log"

    # -- setting up --------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DATA_DIR": str(self.work_dir),
            "DJANGO_SETTINGS_MODULE": "cchc.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_FORMAT": "text",
            "LOG_ACCESS": "0",
            # Every request from 127.0.0.1: the per-address rate limits would end the test.
            "RATELIMIT_ENABLE": "0",
            "WEB_WORKERS": str(self.web_workers),
        }
        env.pop("REDIS_URL", None)
        if self.sink is not None:
            env.update(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(self.sink.port),
                EMAIL_USE_TLS="0",
                EMAIL_TIMEOUT="30",
            )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def prepare(self) -> None:
        print(f"{stamp()} database {self.name}: create, migrate, load_demo, token", flush=True)
        self.url = recreate_database(self.name)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_demo", "--no-dossiers")
        self.token = self.manage("create_api_token", USERNAME, "--name", "faults").strip()
        script = (
            "import json; from django.utils import timezone; "
            "from cchc.catalogue.models import Procedure; "
            f"v = Procedure.objects.get(code='{PROCEDURE}').version_at(timezone.localdate()); "
            "print(json.dumps([d.position for d in v.documents.all() if d.required]))"
        )
        self.positions = json.loads(self.manage("shell", "-c", script).strip().splitlines()[-1])

    def start(self, timeout: float = 120.0) -> None:
        self.serve = subprocess.Popen(
            [PYTHON, str(ROOT / "manage.py"), "serve", "--port", str(self.port)],
            env=self.env(),
            cwd=ROOT,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = now() + timeout
        while now() < deadline:
            status, _ = self.get("/healthz")
            if status == 200:
                print(f"{stamp()} serve ready on 127.0.0.1:{self.port}", flush=True)
                return
            time.sleep(0.5)
        raise RuntimeError(f"serve not healthy after {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.serve and self.serve.poll() is None:
            self.serve.send_signal(signal.SIGTERM)
            try:
                self.serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.serve.kill()
                self.serve.wait()

    # -- processes ----------------------------------------------------------------------------

    def started(self, name: str) -> list[int]:
        text = self.log_path.read_text(errors="replace")
        return [int(p) for p in re.findall(rf"serve: {name} started \(pid (\d+)\)", text)]

    def log_lines(self, pattern: str) -> list[str]:
        return [
            line
            for line in self.log_path.read_text(errors="replace").splitlines()
            if re.search(pattern, line)
        ]

    def web_workers_pids(self) -> list[int]:
        masters = self.started("web server")
        if not masters:
            return []
        return children_of(masters[-1])

    def job_worker_pid(self) -> int | None:
        pids = self.started("job worker")
        return pids[-1] if pids and alive(pids[-1]) else None

    # -- HTTP ---------------------------------------------------------------------------------

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            conn = self.connection(timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.status, body
        except (OSError, http.client.HTTPException):
            return 0, b""

    def receipt(self, n: int, email: bool = True) -> bytes:
        applicant: dict[str, Any] = {
            "name": f"Nguyễn Văn Thử {n}",
            "id_number": f"038{n:09d}",
            "phone": f"09{n % 10**8:08d}",
        }
        if email:
            applicant["email"] = f"nguoi.thu.{n}@example.vn"
        return json.dumps(
            {
                "procedure": PROCEDURE,
                "unit": UNIT,
                "applicant": applicant,
                "documents": [{"position": p, "originals": 1} for p in self.positions],
            },
            ensure_ascii=False,
        ).encode()

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            **extra,
        }

    # -- the database, directly -----------------------------------------------------------------

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def age(pid: int) -> float:
    """Seconds since the process started (0 if it is gone)."""
    try:
        start_ticks = int(
            (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]
        )
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
