"""An oversize body is answered 413 from its Content-Length, before it is read (it was a 400
after a connection reset, and a 100 MB upload was read whole before being refused)."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from cchc.lib.clientip import client_ip

MIB = 1024 * 1024


def test_a_json_body_over_the_limit_is_413_with_the_reason(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * MIB
    response = Client().post(
        "/api/v1/dossiers",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(10 * MIB + 1),
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Dữ liệu gửi lên quá lớn: tối đa 10 MB")


def test_a_page_says_it_in_english_to_whoever_chose_english(settings: Any) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/phan-anh/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="999999999",
    )
    assert response.status_code == 413
    assert "The request is too large" in response.content.decode()


@pytest.mark.django_db
def test_an_upload_has_its_own_larger_limit(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.UPLOAD_REQUEST_MAX_BYTES = 5000
    boundary = "----cchc"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n" + "x" * 3000 + f"\r\n--{boundary}--\r\n"
    ).encode()
    multipart = f"multipart/form-data; boundary={boundary}"
    # Over Django's limit for forms, under the upload limit: the view decides (here: 401).
    response = Client().post("/api/v1/dossiers/X/documents", body, content_type=multipart)
    assert response.status_code != 413
    big = body.replace(b"x" * 3000, b"x" * 6000)
    assert (
        Client().post("/api/v1/dossiers/X/documents", big, content_type=multipart).status_code
        == 413
    )


@pytest.mark.django_db(transaction=True)
def test_a_real_server_answers_413_without_waiting_for_the_body(live_server: Any) -> None:
    """100 MB announced, 64 KiB sent: the answer comes at once. Before, the server waited for
    (and read) the whole body; here it would wait forever for the rest."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        head = (
            "POST /phan-anh/ HTTP/1.1\r\n"
            f"Host: {address.hostname}\r\n"
            "Content-Type: multipart/form-data; boundary=----cchc\r\n"
            f"Content-Length: {100 * 1000 * 1000}\r\n\r\n"
        )
        started = time.monotonic()
        sock.sendall(head.encode() + b"x" * 65536)
        answer = sock.recv(4096).decode("latin-1")
        elapsed = time.monotonic() - started
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert elapsed < 5


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),  # no proxy: the header is the client's word
        (1, "127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # forged left part ignored
        (1, "127.0.0.1", "", "127.0.0.1"),  # a direct call on the loopback
        (2, "127.0.0.1", "203.0.113.7, 10.0.0.2", "203.0.113.7"),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxy_saw(
    settings: Any, count: int, remote: str, forwarded: str, expected: str
) -> None:
    from django.test import RequestFactory

    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
