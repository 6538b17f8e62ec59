"""Portal pages stay light on a commune's weak connection: HTML plus the stylesheet and scripts
they load, with a budget per page."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.test import Client

from cchc.testing import World

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "static"
BUDGET_BYTES = 30_000


def weight(html: str) -> tuple[int, int]:
    """(bytes, gzipped bytes) of the page and the local assets it references."""
    parts = [html.encode()]
    for asset in re.findall(r'(?:href|src)="/static/([^"]+)"', html):
        parts.append((STATIC / asset).read_bytes())
    raw = sum(len(p) for p in parts)
    return raw, sum(len(gzip.compress(p)) for p in parts)


@pytest.mark.parametrize(
    "url",
    ["/", "/thu-tuc/", "/thu-tuc/1.001193/", "/tra-cuu/", "/phan-anh/", "/don-vi/16300/niem-yet/"],
)
def test_public_pages_stay_under_budget(world: World, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    raw, zipped = weight(response.content.decode())
    assert raw < BUDGET_BYTES, f"{url}: {raw} bytes"
    assert zipped < BUDGET_BYTES / 3
