"""The real processes, on the test database: `manage.py serve` starts again what is killed,
and a job worker killed with SIGKILL in the middle of an e-mail leaves no message stuck and
none sent twice (the quick versions of scripts/faults/; figures in docs/reliability.md)."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from cchc.notify.choices import Channel, MessageStatus
from cchc.notify.delivery import DELIVER_TASK_PATH, WORKER_LOST
from cchc.notify.models import Message
from cchc.ops.tests.support import ROOT, age, children_of, subprocess_env
from cchc.testing import Mailbox, World, free_port, receive

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = str(ROOT / "manage.py")


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# -- the job worker killed mid-delivery ----------------------------------------------------------


def start_worker(
    processes: list[subprocess.Popen[bytes]], tmp_path: Path
) -> subprocess.Popen[bytes]:
    env = subprocess_env(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),
        EMAIL_TIMEOUT="60",
        NOTIFY_LEASE_SECONDS="3",
        NOTIFY_SWEEP_SECONDS="1",
    )
    log = (tmp_path / f"worker-{len(processes)}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, MANAGE, "worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    processes.append(process)
    return process


@pytest.fixture
def email_of_a_receipt(
    world: World, reception: Any, copy_implemented: None, smtp: Mailbox
) -> Message:
    dossier = receive(world, reception, "2025-08-04")
    return Message.objects.get(dossier=dossier, channel=Channel.EMAIL)


def test_a_worker_killed_after_the_server_took_the_mail_does_not_send_it_twice(
    email_of_a_receipt: Message,
    smtp: Mailbox,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    message = email_of_a_receipt
    smtp.data_delay = 60  # keeps the message, then holds its answer
    first = start_worker(processes, tmp_path)
    wait_for(lambda: len(smtp.messages) == 1, 60, "the server to take the e-mail")
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()

    start_worker(processes, tmp_path)  # what the supervisor does
    wait_for(
        lambda: Message.objects.get(pk=message.pk).status == MessageStatus.UNKNOWN,
        60,
        "the lost claim to be settled",
    )
    settled_after = time.monotonic() - killed_at

    assert settled_after < 60
    time.sleep(2)  # a worker that wrongly sent it again would have by now
    assert len(smtp.messages) == 1
    attempt = Message.objects.get(pk=message.pk).delivery_attempts.get()
    assert (attempt.outcome, attempt.error) == ("unknown", WORKER_LOST)
    job = DBTaskResult.objects.get(task_path=DELIVER_TASK_PATH, args_kwargs__args=[message.pk])
    assert (job.status, job.exception_class_path) == ("FAILED", WORKER_LOST)


def test_a_worker_killed_before_the_hand_off_gets_the_mail_sent_once_by_the_next(
    email_of_a_receipt: Message,
    smtp: Mailbox,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    message = email_of_a_receipt
    smtp.rcpt_delay = 60  # a slow server: nothing handed over yet
    first = start_worker(processes, tmp_path)
    wait_for(
        lambda: Message.objects.get(pk=message.pk).status == MessageStatus.SENDING,
        60,
        "the worker to claim the e-mail",
    )
    time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    smtp.rcpt_delay = 0

    start_worker(processes, tmp_path)
    wait_for(
        lambda: Message.objects.get(pk=message.pk).status == MessageStatus.SENT,
        60,
        "the next worker to send it",
    )
    assert len(smtp.messages) == 1
    outcomes = list(
        Message.objects.get(pk=message.pk).delivery_attempts.values_list("outcome", "error")
    )
    assert outcomes == [("error", WORKER_LOST), ("sent", "")]


# -- manage.py serve -----------------------------------------------------------------------------


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (OSError, http.client.HTTPException):
        return 0, {}


def test_serve_starts_again_a_killed_worker_and_web_server(
    world: World, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    serve = subprocess.Popen(
        [sys.executable, MANAGE, "serve", "--port", str(port), "--workers", "1"],
        env=subprocess_env(tmp_path),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    processes.append(serve)
    healthz = f"http://127.0.0.1:{port}/healthz"

    def pids(name: str) -> list[int]:
        text = log_path.read_text(errors="replace")
        return [int(p) for p in re.findall(rf"serve: {name} started \(pid (\d+)\)", text)]

    wait_for(lambda: get(healthz)[0] == 200, 90, "the platform to be healthy")

    (worker,) = pids("job worker")
    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: len(pids("job worker")) == 2, 30, "the worker to be started again")
    assert f"job worker (pid {worker}) killed by SIGKILL" in log_path.read_text()

    (web,) = pids("web server")
    os.kill(web, signal.SIGKILL)
    wait_for(lambda: len(pids("web server")) == 2, 30, "the web server to be started again")
    wait_for(lambda: get(healthz)[0] == 200, 90, "the platform to be healthy again")

    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=30) == 0
    children = pids("job worker") + pids("web server")
    wait_for(lambda: not any(alive(pid) for pid in children), 10, "every child to stop")


# -- web workers killed during receipts; two web nodes ------------------------------------------


def start_web(
    processes: list[subprocess.Popen[bytes]], tmp_path: Path, name: str
) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    env = subprocess_env(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / f"prom-{name}"))
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "cchc.wsgi",
            "--config", "python:cchc.ops.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
        ],
        env=env, cwd=ROOT, stdout=(tmp_path / f"{name}.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    processes.append(process)
    wait_for(lambda: call(port, "GET", "/api/v1/procedures")[0] == 200, 90, f"node {name}")
    return port, process


def call(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json", **(headers or {})})  # fmt: skip
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data) if data.startswith(b"{") else data
    except (OSError, http.client.HTTPException):
        return 0, None


def receipt_body(n: int) -> dict[str, Any]:
    return {
        "procedure": "2.000815",
        "unit": "16300",
        "applicant": {"name": f"Người Thử {n}", "id_number": f"038{n:09d}", "phone": f"09{n:08d}"},
        "documents": [{"position": 1, "originals": 1}],
    }


def test_receipts_retried_through_killed_web_workers_make_one_dossier_per_key(
    world: World,
    reception: Any,
    copy_implemented: None,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    import threading
    import uuid

    from cchc.dossiers.models import Dossier
    from cchc.testing import bearer

    auth = {"Authorization": bearer(reception)["HTTP_AUTHORIZATION"]}
    port, master = start_web(processes, tmp_path, "web")
    keys = {str(uuid.uuid4()): n for n in range(40)}
    codes: dict[str, str] = {}
    todo = list(keys)
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if not todo:
                    return
                key = todo.pop()
            for _ in range(100):
                status, body = call(port, "POST", "/api/v1/dossiers", receipt_body(keys[key]),
                                    {**auth, "Idempotency-Key": key})  # fmt: skip
                if status in (200, 201):
                    with lock:
                        codes[key] = body["code"]
                    break
                time.sleep(0.2)

    # Workers younger than 1.5 s may still be booting and are not killed. Wait until one is
    # older before the clients start: on an idle machine the receipts are done in well under
    # 1.5 s, and the loop below would otherwise find nothing to kill while they run.
    deadline = time.monotonic() + 30
    while not [p for p in children_of(master.pid) if age(p) > 1.5]:
        assert time.monotonic() < deadline, "no web worker came up"
        time.sleep(0.1)
    kills = 0
    clients = [threading.Thread(target=client) for _ in range(4)]
    for t in clients:
        t.start()
    while any(t.is_alive() for t in clients) and kills < 6:
        serving = [p for p in children_of(master.pid) if age(p) > 1.5]
        if serving:
            os.kill(serving[0], signal.SIGKILL)
            kills += 1
        time.sleep(1)
    for t in clients:
        t.join()

    assert kills >= 1
    assert len(codes) == len(keys) and len(set(codes.values())) == len(keys)
    assert set(Dossier.objects.values_list("code", flat=True)) == set(codes.values())


def test_two_web_nodes_never_answer_from_a_stale_cache(
    world: World,
    reception: Any,
    copy_implemented: None,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    from cchc.testing import bearer

    auth = {"Authorization": bearer(reception)["HTTP_AUTHORIZATION"]}
    port_a, _ = start_web(processes, tmp_path, "a")
    port_b, _ = start_web(processes, tmp_path, "b")
    status, body = call(port_a, "POST", "/api/v1/dossiers", receipt_body(1), auth)
    assert status == 201, body
    public = f"/api/v1/public/dossiers/{body['code']}"
    for _ in range(6):  # every process of both nodes caches it
        for port in (port_a, port_b):
            assert call(port, "GET", public)[1]["status"] == "received"

    status, done = call(
        port_b,
        "POST",
        f"/api/v1/dossiers/{body['code']}/actions/withdraw",
        {"version": body["version"], "reason": "Người nộp rút hồ sơ"},
        auth,
    )
    assert status == 200, done

    answers = [
        call(port, "GET", public)[1]["status"] for _ in range(6) for port in (port_a, port_b)
    ]
    assert answers == ["withdrawn"] * 12
