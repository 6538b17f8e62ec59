"""Helpers the tests of every app share, imported from here (never from a conftest file).

Test code may reach across apps to build its world, so this module sits above every app in the
import order (`pyproject.toml`, `[tool.importlinter]`) and no application module may import it.
The pytest fixtures built on these helpers (personas, the world, the browser) stay in
`cchc/conftest.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from cchc.accounts.models import ApiToken, User
from cchc.catalogue.models import Procedure
from cchc.dossiers.actions import Applicant, Receipt, ReceivedDocument
from cchc.units.models import Membership, Unit

PASSWORD = "a-Strong-pass-2026"

# Receipts happen at fixed moments on the real 2025–2026 calendar (shipped as data), so every due
# moment in the tests can be checked by hand against CALENDAR.md.
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The smallest file the upload check accepts as a PDF (a scan handed in or uploaded).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """Province 38 with communes A (16300, with its one-stop centre) and B (16303), and two
    procedures (the `world` fixture of cchc/conftest.py builds it)."""

    province: Unit
    commune_a: Unit
    centre_a: Unit
    commune_b: Unit
    birth: Procedure
    copy: Procedure


def make_user(
    username: str, unit: Unit | None = None, role: str | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=username.title(), **extra
    )
    if unit is not None and role is not None:
        Membership.objects.create(user=user, unit=unit, role=role, valid_from=dt.date(2025, 1, 1))
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def bearer(user: User) -> dict[str, Any]:
    _token, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def at(day: str, hour: int = 9, minute: int = 0) -> dt.datetime:
    """at("2025-08-04", 9) → 09:00 on 04/08/2025 in Vietnam."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)


def receipt_for(world: World, **overrides: Any) -> Receipt:
    values: dict[str, Any] = {
        "procedure_code": world.copy.code,
        "processing_unit": world.commune_a,
        "applicant": Applicant(name="Nguyễn Văn An", id_number="038090001234", phone="0912345678"),
        "documents": [ReceivedDocument(position=1, originals=1)],
    }
    values.update(overrides)
    return Receipt(**values)


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now (a Playwright page)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}" for v in bad
    )
