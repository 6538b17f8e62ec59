"""The public transparency page of a unit: its monthly figures, no personal data, cached while
nothing it counts changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.dossiers.choices import EndType
from cchc.dossiers.models import Dossier
from cchc.reports.tests.dashboard_data import NOW, Dossiers, at, make_world_dossiers
from cchc.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(world: World) -> Any:
    with time_machine.travel(NOW, tick=False):
        yield make_world_dossiers(world)


def month_row(html: str, month: str) -> list[str]:
    row = re.search(rf'<th scope="row">{month}</th>(.*?)</tr>', html, re.S)
    assert row is not None, month
    return re.findall(r'<td class="num">([^<]+)</td>', row.group(1))


def test_the_page_shows_the_month_and_the_last_twelve(world: World, dossiers: Dossiers) -> None:
    html = Client().get("/don-vi/16300/ket-qua-giai-quyet/").content.decode()
    assert "Xã Nga Sơn" in html and "Tháng 12/2025" in html
    this_month = dict(re.findall(r"<li>([^<]+)<strong>([^<]+)</strong></li>", html))
    assert this_month["Tiếp nhận mới"] == "3"
    assert this_month["Đang giải quyết"] == "3"
    assert this_month["Đã giải quyết"] == "0"
    # November: two received (one online), two resolved, one on time, one late, one rating.
    assert month_row(html, "11/2025") == ["2", "1", "2", "1", "1", "50,0 %", "100,0 %"]
    assert 'src="data:image/svg+xml' in html


def test_no_personal_data_appears(world: World, dossiers: Dossiers) -> None:
    html = Client().get("/don-vi/16300/ket-qua-giai-quyet/").content.decode()
    for d in Dossier.objects.all():
        for personal in (d.applicant_name, d.applicant_phone, d.applicant_id_number, d.code):
            if personal:
                assert personal not in html
    assert "0912" not in html and "038090" not in html


def test_an_unknown_unit_is_404(world: World) -> None:
    assert Client().get("/don-vi/99999/ket-qua-giai-quyet/").status_code == 404


def test_a_second_visit_is_served_from_the_cache_until_a_dossier_changes(
    world: World, dossiers: Dossiers
) -> None:
    client = Client()
    url = "/don-vi/16300/ket-qua-giai-quyet/"
    with time_machine.travel(NOW, tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as cached:
            again = client.get(url).content.decode()
        # The unit, and the stamp: newest dossier change, newest rating, the aggregates' state.
        assert len(cached) <= 5
        assert month_row(again, "12/2025")[2] == "0"
        Dossier.objects.filter(pk=dossiers.a3.pk).update(
            finished_at=at(12, 10, 9), end_type=EndType.RESOLVED, status="returned",
            outcome="late", updated_at=NOW,
        )  # fmt: skip
    # The change is one second later: the stamp moves, the figures follow.
    with time_machine.travel(NOW.replace(second=1), tick=False):
        Dossier.objects.filter(pk=dossiers.a3.pk).update(updated_at=NOW.replace(second=1))
        fresh = client.get(url).content.decode()
    assert month_row(fresh, "12/2025")[2] == "1"


def test_the_portal_and_the_public_listing_link_to_it(world: World) -> None:
    assert "/don-vi/16300/ket-qua-giai-quyet/" in Client().get("/").content.decode()
    listing = Client().get("/don-vi/16300/niem-yet/").content.decode()
    assert "/don-vi/16300/ket-qua-giai-quyet/" in listing


def test_the_page_stays_light_on_a_communes_connection(world: World, dossiers: Dossiers) -> None:
    """The same budget as the portal's pages (portal/tests/test_weight.py): the HTML with its
    chart inside, plus the stylesheets it loads, under 30,000 bytes and 10,000 gzipped."""
    import gzip

    from django.contrib.staticfiles import finders

    html = Client().get("/don-vi/16300/ket-qua-giai-quyet/").content.decode()
    parts = [html.encode()]
    for asset in re.findall(r'href="/static/([^"]+\.css)"', html):
        found = finders.find(asset)
        assert found, asset
        with open(str(found), "rb") as f:
            parts.append(f.read())
    raw = sum(len(p) for p in parts)
    zipped = sum(len(gzip.compress(p)) for p in parts)
    assert raw < 30_000 and zipped < 10_000, (raw, zipped)


def test_the_twelve_months_are_read_in_one_pass(world: World, dossiers: Dossiers) -> None:
    """Counted, not served from the cache: a fixed number of queries, whatever the months hold
    (`resolution_series`: one pass for the twelve; a table per month made it 102)."""
    from django.core.cache import caches

    from cchc.reports import aggregates

    aggregates.rebuild()
    client = Client()
    url = "/don-vi/16300/ket-qua-giai-quyet/"
    with time_machine.travel(NOW, tick=False):
        client.get(url)
        caches["local"].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
    assert len(captured) == 14
