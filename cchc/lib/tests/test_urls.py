"""One helper for public addresses (issue 13, item 3): `reverse()` behind `PUBLIC_BASE_URL`.

The messages and printed QR codes made before the helper must come out byte for byte the same
where the base URL is configured: each test below writes the old formula next to the new call.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse

from cchc.dossiers import notices as dossier_notices
from cchc.dossiers.printing import public_status_path, public_status_url
from cchc.feedback import notices as feedback_notices
from cchc.feedback import ratings as feedback_ratings
from cchc.feedback.ratings import rating_link
from cchc.lib.urls import (
    code_in_tracking_url,
    public_base_url,
    public_url,
    tracking_path,
    tracking_url,
)
from cchc.tickets.appointments import appointment_url

CODES = ["000.30.10.H56-250804-0001", "000.00.16.H56-251231-12345", "A B/1", "12/TP-HT"]
BASES = ["https://dichvucong.ngason.example", "https://dichvucong.ngason.example/"]


@pytest.fixture(params=BASES)
def base(request: pytest.FixtureRequest, settings: Any) -> str:
    settings.PUBLIC_BASE_URL = request.param
    return str(request.param).rstrip("/")


@pytest.mark.parametrize("code", CODES)
def test_the_tracking_address_is_the_one_sms_and_qr_codes_carried(base: str, code: str) -> None:
    old = f"{base}/tra-cuu/{quote(code, safe='')}/"
    assert tracking_url(code) == old
    assert dossier_notices.tracking_url(code) == old
    assert public_status_url(code) == old
    assert public_status_path(code) == tracking_path(code) == old.removeprefix(base)


@pytest.mark.parametrize("code", CODES)
def test_a_scanned_tracking_address_gives_back_its_code(base: str, code: str) -> None:
    assert code_in_tracking_url(tracking_url(code)) == code
    assert code_in_tracking_url(f"  {tracking_url(code)}?utm=qr ") == code
    assert code_in_tracking_url(code) is None  # a bare code is not an address


def test_issued_codes_take_the_routes_own_address() -> None:
    code = "000.30.10.H56-250804-0001"
    assert tracking_path(code) == reverse("portal:track_dossier", args=[code])
    assert tracking_path(code) == "/tra-cuu/000.30.10.H56-250804-0001/"


def test_feedback_queue_and_rating_addresses_are_unchanged(base: str, monkeypatch: Any) -> None:
    assert feedback_notices.status_url("PAKN-260302-ABCDE") == (
        f"{base}/phan-anh/tra-cuu/PAKN-260302-ABCDE/"
    )
    # A signed token carries a timestamp: a fixed one, so that the two sides cannot straddle a
    # second. Its ":" stays as it was.
    monkeypatch.setattr(feedback_ratings, "rating_token", lambda dossier: "eyJkIjo0Mn0:1t:x-Y_z")
    dossier: Any = SimpleNamespace(pk=42)
    assert rating_link(dossier) == f"{base}/danh-gia/eyJkIjo0Mn0:1t:x-Y_z/"
    assert appointment_url("K7M2P9QX") == f"{base}/dat-lich/lich-hen/K7M2P9QX/"
    assert public_url("tickets:status", "a-b_c") == f"{base}/xep-hang/ve/a-b_c/"
    assert public_url("tickets:book", unit_code="16300") == f"{base}/dat-lich/16300/"


def test_a_blank_base_leaves_the_addresses_relative(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = ""
    assert public_base_url() == ""
    assert tracking_url("X-1") == "/tra-cuu/X-1/"
    assert public_url("feedback:status", "P-1") == "/phan-anh/tra-cuu/P-1/"


def test_the_one_default_is_the_settings_one() -> None:
    from cchc import settings as project_settings

    assert public_base_url() == project_settings.PUBLIC_BASE_URL.rstrip("/")


def test_no_other_module_reads_the_public_base_url() -> None:
    """The address was assembled by hand in six places with two defaults: it stays in one."""
    root = Path(__file__).resolve().parents[2]
    allowed = {root / "settings.py", root / "lib" / "urls.py"}
    readers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path not in allowed
        and "PUBLIC_BASE_URL" in path.read_text(encoding="utf-8")
    ]
    assert readers == []
