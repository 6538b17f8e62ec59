"""Dashboards: who lands on one, what it counts, whom it refuses, where its links lead."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.lib.numbers import localised
from cchc.reports import aggregates
from cchc.reports.dashboards import number, percent
from cchc.reports.resolution import resolution
from cchc.reports.tests.dashboard_data import NOW, Dossiers, at, make_world_dossiers
from cchc.reports.tests.support import make_dossier
from cchc.testing import World, logged_in, make_user
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dossiers(world: World, frozen: Any) -> Dossiers:
    return make_world_dossiers(world)


def tiles(html: str) -> dict[str, str]:
    """The headline figures: label → value as shown."""
    found = re.findall(
        r'<span class="label">([^<]+)</span>(?:<a class="value" href="[^"]*">|<span class="value">)([^<]+)<',
        html,
    )
    return dict(found)


def test_a_leader_lands_on_the_dashboard_of_the_commune_with_its_figures(
    world: World, dossiers: Dossiers, leader: Any
) -> None:
    html = logged_in(leader).get("/lam-viec/").content.decode()
    assert "Tổng quan: Xã Nga Sơn" in html
    figures = tiles(html)
    assert figures["Tiếp nhận mới trong kỳ"] == "5"
    assert figures["Đã giải quyết"] == "2"
    assert figures["Tỷ lệ giải quyết đúng hạn"] == "50,0 %"
    assert figures["Đang giải quyết"] == "3"
    assert figures["Tiếp nhận trực tuyến"] == "40,0 %"
    assert figures["Hài lòng, rất hài lòng"] == "100,0 %"
    assert figures["Quá ngày hẹn trả, cần xử lý"] == "1"


def test_the_tthc_control_officer_and_a_supervisor_land_on_a_dashboard_reception_does_not(
    world: World, dossiers: Dossiers, carol: Any, sam: Any, reception: Any
) -> None:
    assert "Tổng quan: Xã Nga Sơn" in logged_in(carol).get("/lam-viec/").content.decode()
    assert "Tổng quan: Tỉnh Thanh Hóa" in logged_in(sam).get("/lam-viec/").content.decode()
    page = logged_in(reception).get("/lam-viec/").content.decode()
    assert "Tổng quan" not in page and "Đơn vị được xem" in page
    # The list of units stays one click away for everyone.
    assert "Đơn vị được xem" in logged_in(carol).get("/lam-viec/?don-vi=1").content.decode()


def test_every_number_is_the_resolution_table_of_the_period(
    world: World, dossiers: Dossiers, leader: Any
) -> None:
    html = logged_in(leader).get("/lam-viec/tong-quan/16300/?ky=year").content.decode()
    table = resolution(world.commune_a, at(1, 1).date(), NOW.date(), subtree=True).total
    figures = tiles(html)
    assert figures["Tiếp nhận mới trong kỳ"] == number(table.received_new)
    assert figures["Đang giải quyết"] == number(table.in_progress_total)
    assert figures["Tỷ lệ giải quyết đúng hạn"] == percent(table.on_time_rate)
    # The monthly trend: November resolved one early and one late.
    row = re.search(r'<th scope="row">11/2025</th>(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">(?:<a [^>]*>)?([^<]+)', row.group(1))
    assert cells == ["2", "2", "1", "1", "50,0 %"]


def test_another_communes_officer_gets_404_and_so_does_an_unknown_unit(
    world: World, dossiers: Dossiers, bob: Any, reception: Any
) -> None:
    assert logged_in(bob).get("/lam-viec/tong-quan/16300/").status_code == 404
    assert logged_in(bob).get("/lam-viec/tong-quan/99999/").status_code == 404
    # Reception of commune A sees its commune, not the province above it.
    assert logged_in(reception).get("/lam-viec/tong-quan/38/").status_code == 404
    assert logged_in(bob).get("/lam-viec/tong-quan/16303/").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-12-01&to=2025-11-01", "trước ngày bắt đầu"),
        ("from=1990-01-01&to=2025-01-01", "phải bắt đầu từ ngày 01/01/2000"),
        ("from=2001-01-01&to=2025-12-31", "quá giới hạn"),
        ("from=31/13/2025", "không hợp lệ"),
        ("to=2025-12-01", "ngày bắt đầu"),
    ],
)
def test_a_bad_period_is_answered_400_saying_why(
    world: World, dossiers: Dossiers, leader: Any, query: str, message: str
) -> None:
    response = logged_in(leader).get(f"/lam-viec/tong-quan/16300/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_province_supervisor_sees_every_commune_ranked(
    world: World, dossiers: Dossiers, sam: Any, settings: Any
) -> None:
    settings.REPORTS_RANK_MIN_RESOLVED = 1
    html = logged_in(sam).get("/lam-viec/").content.decode()
    section = html[html.index('id="units"') :]
    section = section[: section.index("</section>")]
    rows = re.findall(
        r'<tr><td class="num">([^<]+)</td><th scope="row"><a href="([^"]+)">([^<]+)</a>', section
    )
    assert [(rank, name) for rank, _href, name in rows] == [
        ("1", "Xã Nga Thắng"),
        ("2", "Xã Nga Sơn"),
    ]
    assert rows[1][1] == "/lam-viec/tong-quan/16300/"
    assert "từ 1 hồ sơ đã giải quyết" in section


def test_a_unit_below_the_minimum_is_listed_but_not_ranked(
    world: World, dossiers: Dossiers, sam: Any, settings: Any
) -> None:
    settings.REPORTS_RANK_MIN_RESOLVED = 2
    html = logged_in(sam).get("/lam-viec/").content.decode()
    section = html[html.index('id="units"') :]
    ranks = re.findall(
        r'<tr><td class="num">([^<]+)</td><th scope="row"><a href="[^"]+">([^<]+)</a>', section
    )
    assert ranks == [("1", "Xã Nga Sơn"), ("—", "Xã Nga Thắng")]


def worklist_rows(client: Any, href: str) -> int:
    html = client.get(unquote(href).replace("&amp;", "&")).content.decode()
    return len(re.findall(r'<td[^>]*><a href="/lam-viec/ho-so/[^"/]+/">', html))


def test_each_link_lists_exactly_the_dossiers_its_figure_counts(
    world: World, dossiers: Dossiers, leader: Any
) -> None:
    client = logged_in(leader)
    html = client.get("/lam-viec/").content.decode()
    links = re.findall(r'<a href="(/lam-viec/ho-so/\?[^"]+)">([^<]+)</a>', html)
    assert len(links) >= 5
    for href, figure in links:
        assert worklist_rows(client, href) == int(figure.replace(".", "")), href


def test_no_link_when_the_worklist_would_show_more_than_the_figure(
    world: World, dossiers: Dossiers, sam: Any
) -> None:
    # The supervisor sees the whole province: commune A's dashboard is only part of that, and
    # the worklist has no filter by unit yet, so its figures carry no link.
    html = logged_in(sam).get("/lam-viec/tong-quan/16300/").content.decode()
    assert "/lam-viec/ho-so/?" not in html
    # Nor for a period that ended: "in progress" then is not the open list now.
    html = logged_in(sam).get("/lam-viec/?from=2025-11-01&to=2025-11-30").content.decode()
    assert "/lam-viec/ho-so/?" not in html


def test_the_charts_are_small_svg_with_their_text_as_text(
    world: World, dossiers: Dossiers, leader: Any
) -> None:
    html = logged_in(leader).get("/lam-viec/").content.decode()
    images = re.findall(
        r'<img class="chart" src="data:image/svg\+xml;charset=utf-8,([^"]+)" alt="([^"]+)"', html
    )
    assert len(images) == 7
    for encoded, alt in images:
        svg = unquote(encoded.replace("&#x27;", "'").replace("&amp;", "&"))
        assert svg.startswith("<svg") and "<text" in svg
        assert len(svg) < 20_000
        assert alt
    trend = unquote(images[0][0])
    assert "50,0 %" in trend and "Quá hạn" in trend


def test_the_dashboard_costs_the_same_queries_for_two_or_five_communes(
    world: World, dossiers: Dossiers, sam: Any
) -> None:
    client = logged_in(sam)
    aggregates.rebuild()
    client.get("/lam-viec/")

    def queries() -> int:
        caches["local"].clear()  # counted, not served from the cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/lam-viec/").status_code == 200
        return len(captured)

    before = queries()
    # Locked: a new query on every request shows here. The trend is one pass for its twelve
    # months (`resolution_series`), the index comes with the ranking: 172 before both.
    assert before == 59
    for i in range(3):
        commune = Unit.objects.create(
            code=f"1640{i}", name=f"Xã Thử {i}", kind=UnitKind.COMMUNE, parent=world.province
        )
        make_dossier(world, received=at(12, 2), due=at(12, 5, 17), unit=commune)
    aggregates.rebuild()
    assert queries() == before


def test_a_second_visit_comes_from_the_cache_until_a_dossier_changes(
    world: World, dossiers: Dossiers, leader: Any, frozen: Any
) -> None:
    client = logged_in(leader)
    client.get("/lam-viec/")
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/lam-viec/").content.decode()
    # The person's scope and the records' stamp; the dashboard itself is not counted again.
    assert len(captured) <= 12
    assert tiles(again)["Đang giải quyết"] == "3"
    frozen.shift(1)
    make_dossier(world, received=at(12, 10, 8), due=at(12, 12, 17))
    assert tiles(client.get("/lam-viec/").content.decode())["Đang giải quyết"] == "4"


def test_figures_are_written_the_vietnamese_way() -> None:
    assert number(31724) == "31.724"
    assert percent(Decimal("93.79")) == "93,8 %"
    assert percent(None) == "—"


def test_a_person_with_several_units_can_switch(world: World, dossiers: Dossiers) -> None:
    person = make_user("thu", world.commune_a, Role.LEADER)
    from cchc.units.models import Membership

    Membership.objects.create(
        user=person, unit=world.commune_b, role=Role.SUPERVISOR, valid_from=at(1, 1).date()
    )
    html = logged_in(person).get("/lam-viec/").content.decode()
    assert 'href="/lam-viec/tong-quan/16303/"' in html


def test_the_service_index_panel_is_the_index_of_the_subtree(
    world: World, dossiers: Dossiers, leader: Any, sam: Any, settings: Any
) -> None:
    from cchc.reports import service_index as si
    from cchc.reports.dashboards import score_text

    client = logged_in(leader)
    html = client.get("/lam-viec/?ky=year").content.decode()
    index = si.service_index(
        world.commune_a, at(1, 1).date(), NOW.date(), subtree=True, now=NOW
    ).result
    assert tiles(html)["Chỉ số phục vụ (QĐ 766)"] == score_text(index.score)
    section = html[html.index('id="index"') :]
    section = section[: section.index("</section>")]
    for group in index.groups:
        assert group.name in section
    # Its detail: the service index's own page, for the same unit and period, which answers.
    link = re.search(r'href="(/lam-viec/bao-cao/chi-so-phuc-vu/\?[^"]+)"', section)
    assert link is not None and "unit=16300" in link.group(1)
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200

    # The province's units carry their index and its rank beside their on-time rate.
    settings.REPORTS_INDEX_RANK_MIN_DOSSIERS = 1
    board = logged_in(sam).get("/lam-viec/?ky=year").content.decode()
    units = board[board.index('id="units"') :]
    units = units[: units.index("</section>")]
    assert "Chỉ số phục vụ" in units and "Hạng theo chỉ số" in units
    ranking = si.ranking(world.province, at(1, 1).date(), NOW.date(), now=NOW, min_dossiers=1)
    for entry in ranking.ranked:
        row = re.search(rf">{entry.unit.name}</a></th>(.*?)</tr>", units, re.S)
        assert row is not None
        cells = re.findall(r'<td class="num">([^<]+)</td>', row.group(1))
        assert cells[-2:] == [score_text(entry.result.score), str(entry.rank)]


@pytest.mark.parametrize("ky", ["year", "month"])
def test_with_a_ranking_the_units_index_is_the_rankings_parent_total(
    world: World, dossiers: Dossiers, sam: Any, ky: str
) -> None:
    """The dashboard takes the province's index from the ranking's count of the same subtree
    instead of counting it again: the same inputs, so the same score, to the last digit."""
    from cchc.reports import service_index as si
    from cchc.reports.dashboards import score_text

    start = at(1, 1).date() if ky == "year" else at(12, 1).date()
    for unit in (world.province, world.commune_a):
        alone = si.service_index(unit, start, NOW.date(), subtree=True, now=NOW)
        ranking = si.ranking(unit, start, NOW.date(), now=NOW)
        assert ranking.inputs == alone.inputs
        assert ranking.result == alone.result
        assert (ranking.as_of, ranking.live) == (alone.as_of, alone.live)
    html = logged_in(sam).get(f"/lam-viec/?ky={ky}").content.decode()
    assert "Xếp hạng đơn vị" in html  # the province's dashboard ranks its communes
    province = si.service_index(world.province, start, NOW.date(), subtree=True, now=NOW)
    assert province.result.score is not None
    assert tiles(html)["Chỉ số phục vụ (QĐ 766)"] == score_text(province.result.score)
    section = html[html.index('id="index"') :]
    section = section[: section.index("</section>")]
    for group in province.result.groups:
        assert f'<td class="num">{localised(group.points, 2)}</td>' in section
