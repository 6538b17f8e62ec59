"""A NUL character in the address answers 404 (path) or 400 (query), never 500 (issue 10,
defect 4): PostgreSQL refuses NUL in text, so `/tra-cuu/abc%00/` used to reach the lookup and fail."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/public/dossiers/abc%00",
    "/api/v1/feedback/abc%00",
    "/api/v1/procedures/1.0%00",
    "/api/v1/queue/163%0000/board",
    "/tra-cuu/abc%00/",
    "/thu-tuc/1.0%00/",
    "/phan-anh/abc%00/",
    "/lam-viec/ho-so/abc%00/",
]
QUERIES = [
    "/api/v1/procedures?q=a%00",
    "/api/v1/public/dossiers/X?phone=09%00",
    "/api/v1/calendar/due?start=2025-01-01%00",
    "/thu-tuc/?q=a%00",
    "/tra-cuu/?code=a%00",
    "/?a%00=1",
]


@pytest.mark.parametrize("url", PATHS)
def test_a_nul_in_the_path_is_not_found(world, url: str) -> None:
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 404, url
    if url.startswith("/api/"):
        assert response.json() == {"detail": "Không tìm thấy trang này."}
    else:
        assert "Không tìm thấy" in response.content.decode()


@pytest.mark.parametrize("url", QUERIES)
def test_a_nul_in_the_query_string_is_a_bad_request(world, url: str) -> None:
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400, url
    text = response.json()["detail"] if url.startswith("/api/") else response.content.decode()
    assert "NUL" in text


def test_a_staff_member_gets_the_same_answers(world, reception) -> None:
    from cchc.testing import logged_in

    client = logged_in(reception)
    client.raise_request_exception = False
    assert client.get("/lam-viec/ho-so/abc%00/").status_code == 404
    assert client.get("/lam-viec/ho-so/?q=a%00").status_code == 400


def test_an_ordinary_address_is_untouched(world) -> None:
    assert Client().get("/api/v1/procedures?q=khai%20sinh").status_code == 200
