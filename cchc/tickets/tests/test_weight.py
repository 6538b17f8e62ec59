"""The public screens stay light: HTML + CSS + JS of the kiosk, the boards and the ticket, with
a budget each (the figures are in docs/queue.md; run with -s to print them)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import World
from cchc.tickets import queue as queue_actions
from cchc.tickets.tests.support import Queue

pytestmark = pytest.mark.django_db

BUDGET = 30_000  # bytes before compression, page and its own assets together


def weight(html: str) -> tuple[int, int]:
    """(raw, gzipped) bytes of the page and of the stylesheets and scripts it links."""
    parts = [html.encode()]
    for url in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        path = finders.find(url)
        assert path, url
        with open(path, "rb") as f:
            parts.append(f.read())
    return sum(len(p) for p in parts), sum(len(gzip.compress(p)) for p in parts)


def test_the_public_screens_are_light(world: World, queue: Queue, reception: User) -> None:
    client = Client()
    for _ in range(8):
        queue_actions.issue_ticket(world.commune_a)
        ticket = queue_actions.call_next(queue.one, by=reception)
        assert ticket is not None
        queue_actions.finish(ticket, by=reception)
    # Counter 1 is calling a ninth number when the screens are weighed.
    queue_actions.issue_ticket(world.commune_a)
    queue_actions.call_next(queue.one, by=reception)
    printed = queue_actions.issue_ticket(world.commune_a)
    pages = {
        "kiosk": "/xep-hang/16300/",
        "board": "/man-hinh/16300/",
        "counter screen": "/man-hinh/16300/quay/1/",
        "ticket": f"/xep-hang/ve/{printed.token}/in/",
        "feed": "/api/v1/queue/16300/board",
        "counter feed": "/api/v1/queue/16300/board/1",
    }
    for name, url in pages.items():
        raw, packed = weight(client.get(url).content.decode())
        print(f"{name}: {raw} B, {packed} B gzipped")
        assert raw < BUDGET, name
