"""/healthz says whether this node can serve and its jobs are being run; /metrics gives
Prometheus the requests per route, the queue, the messages and overdue dossiers per unit, to
the monitoring host only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.dossiers.models import Dossier
from cchc.notify.choices import Channel
from cchc.notify.delivery import deliver_message
from cchc.notify.models import Message
from cchc.ops import status
from cchc.ops.tests.support import database_down

pytestmark = pytest.mark.django_db


def client() -> Client:
    return Client(raise_request_exception=False)


def test_healthy_when_the_database_answers_and_a_worker_was_heard(world: object) -> None:
    status.beat()
    response = client().get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "worker"}


def test_not_ready_without_a_job_worker(world: object, settings: Any) -> None:
    settings.HEALTH_WORKER_MAX_SILENCE_SECONDS = 60
    from django.core.cache import caches

    caches["default"].delete(status.HEARTBEAT_KEY)
    response = client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "last_seen_s": None}


def test_not_ready_when_due_jobs_wait_too_long(received: Dossier, settings: Any) -> None:
    status.beat()
    settings.HEALTH_QUEUE_MAX_AGE_SECONDS = 300
    assert client().get("/healthz").status_code == 200  # just queued
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=6))
    response = client().get("/healthz")
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False and queue["ready"] == 1 and queue["oldest_ready_age_s"] >= 360
    assert queue["messages_waiting"] == 1  # the receipt's SMS


def test_not_ready_during_a_database_outage() -> None:
    with database_down():
        response = client().get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    match = re.search(pattern, text, re.M)
    assert match, f"{name} {labels} not in metrics"
    return float(match.group(1))


def test_metrics_count_requests_per_route_and_read_the_database(
    settings: Any, received: Dossier
) -> None:
    from cchc.testing import free_port

    settings.SMS_GATEWAY = "cchc.notify.sms.HttpSmsGateway"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{free_port()}/sms"  # refused: one failed attempt
    deliver_message(Message.objects.get(channel=Channel.SMS).pk)
    client().get(f"/tra-cuu/{received.code}/")

    text = client().get("/metrics").content.decode()

    assert sample(text, "cchc_database_up") == 1
    assert sample(text, "cchc_queue_ready_jobs") == 1  # the receipt's job (run by hand here)
    assert sample(text, "cchc_queue_deferred_jobs") == 1  # the retry, in a minute
    assert sample(text, "cchc_notify_messages", status="queued") == 1
    assert sample(text, "cchc_notify_delivery_failures_total", channel="sms", outcome="error") == 1
    # Received 04/08/2025, due 07/08/2025: long overdue today.
    assert sample(text, "cchc_dossiers_overdue", unit="16300") == 1
    assert 'view="portal:track_dossier"' in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text


def test_metrics_during_an_outage_still_answer_with_the_database_down(world: object) -> None:
    with database_down():
        response = client().get("/metrics")
    assert response.status_code == 200
    assert sample(response.content.decode(), "cchc_database_up") == 0


def test_metrics_are_not_public(world: object, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    # Through nginx every request comes from 127.0.0.1, with X-Forwarded-For.
    assert client().get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 404
    assert client().get("/metrics", REMOTE_ADDR="198.51.100.9").status_code == 404
    settings.METRICS_ALLOWED_IPS = ["10.8.0.0/24"]
    assert client().get("/metrics", REMOTE_ADDR="10.8.0.15").status_code == 200
    assert client().get("/metrics").status_code == 404


def test_a_token_opens_metrics_from_anywhere(world: object, settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-scrape"
    settings.METRICS_ALLOWED_IPS = []
    forwarded: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert client().get("/metrics", **forwarded).status_code == 404
    assert (
        client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **forwarded).status_code == 404
    )
    assert (
        client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape", **forwarded).status_code
        == 200
    )
