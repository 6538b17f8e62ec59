"""Roles see what they may do (issue 12, item 4): logged in as each role of the demo, walk the
staff pages, collect every link and form the page shows, and fail on any the role is refused.

Links are requested (GET). Forms are not submitted for real: a form acting on a dossier is
checked against the business rule the action applies (`actions.common._check_role` and the status
table); any other form is posted with its own hidden fields inside a savepoint rolled back
afterwards, so nothing it does survives, and only a 403 counts against it.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.actions.common import _check_role, _leader_must_sign
from cchc.dossiers.choices import TRANSITIONS
from cchc.dossiers.models import Dossier
from cchc.testing import World, at, logged_in, make_user, receipt_for
from cchc.tickets.models import Counter
from cchc.units.choices import Role
from cchc.units.models import user_roles_in

pytestmark = pytest.mark.django_db

# Forms open to everyone who is logged in, whose effect is on the session itself.
SESSION_FORMS = ("/tai-khoan/dang-xuat/", "/i18n/setlang/")
MAX_PAGES = 40


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": (a.get("method") or "get").lower(),
                "hidden": {},
            }
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("type") == "hidden":
            self._form["hidden"][a.get("name", "")] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _controls(html: str) -> _Controls:
    parser = _Controls()
    # The header (login, language, the staff door) belongs to the site, not to the role.
    parser.feed(html.split("</header>", 1)[-1])
    return parser


def _internal(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc != "testserver":
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path or None


ACT = re.compile(r"^/lam-viec/ho-so/(?P<code>[^/]+)/thao-tac/(?P<action>[a-z_]+)/$")
UPLOAD = re.compile(r"^/lam-viec/ho-so/(?P<code>[^/]+)/giay-to/$")


def _form_refused(client: Client, user: User, form: dict[str, Any], page: str) -> str | None:
    """Why this form would be refused to `user`, or None."""
    target = _internal(page, form["action"] or page) or page
    if form["method"] == "get":
        status = client.get(target).status_code
        return f"GET {target} → {status}" if status == 403 else None
    if target.startswith(SESSION_FORMS):
        return None
    path = urlsplit(target).path
    if m := ACT.match(path) or UPLOAD.match(path):
        dossier = Dossier.objects.get(code=m["code"])
        action = m.groupdict().get("action") or "attach"
        try:
            _check_role(dossier, action, user)
        except actions.NotAllowed as exc:
            return f"POST {target}: {exc.message}"
        if dossier.status not in TRANSITIONS[action][0]:
            return f"POST {target}: not allowed in status {dossier.status}"
        if action == "resolve" and _leader_must_sign(
            dossier, user_roles_in(user, dossier.processing_unit)
        ):
            return f"POST {target}: the leader signs"
        return None
    with transaction.atomic():
        status = client.post(target, form["hidden"]).status_code
        transaction.set_rollback(True)
    return f"POST {target} → {status}" if status == 403 else None


def walk(user: User, starts: list[str]) -> tuple[list[str], set[str]]:
    """Every refused control on the pages reached from `starts` (staff pages only)."""
    client = logged_in(user)
    queue = deque(starts)
    seen_pages: set[str] = set()
    checked_links: set[str] = set()
    checked_forms: set[tuple[str, str]] = set()
    refused: list[str] = []
    while queue and len(seen_pages) < MAX_PAGES:
        page = queue.popleft()
        if page in seen_pages:
            continue
        seen_pages.add(page)
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        controls = _controls(response.content.decode())
        for href in controls.links:
            target = _internal(page, href)
            if target is None or target in checked_links:
                continue
            checked_links.add(target)
            status = client.get(target).status_code
            if status == 403:
                refused.append(f"{page}: link {target} → 403")
            elif target.startswith("/lam-viec/") and "export=" not in target:
                queue.append(target)
        for form in controls.forms:
            key = (form["method"], _internal(page, form["action"] or page) or page)
            if key in checked_forms:
                continue
            checked_forms.add(key)
            why = _form_refused(client, user, form, page)
            if why:
                refused.append(f"{page}: form {why}")
    return refused, seen_pages


@pytest.fixture
def desk_world(
    world: World,
    reception: User,
    specialist: User,
    leader: User,
    copy_implemented: None,
    settings: Any,
    tmp_path: Any,
) -> list[Dossier]:
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    Counter.objects.create(unit=world.commune_a, number=1, name="Quầy 1")
    first = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 9))
    second = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 9, 5))
    second = actions.hand_over(second, by=reception, to=specialist, at=at("2025-08-04", 10))
    third = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 9, 10))
    third = actions.hand_over(third, by=reception, to=specialist, at=at("2025-08-04", 10))
    third = actions.resolve(third, by=specialist, at=at("2025-08-04", 11))
    return [first, second, third]


PERSONAS = {
    "reception": (None, Role.RECEPTION),
    "specialist": (None, Role.SPECIALIST),
    "leader": (None, Role.LEADER),
    "tthc_control": ("commune_a", Role.TTHC_CONTROL),
    "appraiser": ("province", Role.APPRAISER),
    "supervisor": ("province", Role.SUPERVISOR),
}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_no_visible_control_is_refused(
    persona: str,
    desk_world: list[Dossier],
    world: World,
    reception: User,
    specialist: User,
    leader: User,
) -> None:
    where, role = PERSONAS[persona]
    user = {"reception": reception, "specialist": specialist, "leader": leader}.get(persona)
    if user is None:
        assert where is not None
        user = make_user(f"walker-{persona}", getattr(world, where), role)
    starts = [
        "/lam-viec/",
        "/lam-viec/ho-so/",
        "/lam-viec/ho-so/?list=mine",
        "/lam-viec/ho-so/?list=to_return",
        "/lam-viec/quay/",
        "/lam-viec/phan-anh/",
        "/lam-viec/bao-cao/ket-qua-giai-quyet/",
    ] + [f"/lam-viec/ho-so/{d.code}/" for d in desk_world]
    refused, pages = walk(user, starts)
    assert set(starts) <= pages
    if persona == "reception":
        # The walk follows the pages' own links to the queue counter's page.
        assert any(re.match(r"^/lam-viec/quay/\d+/$", p) for p in pages), sorted(pages)
    assert refused == [], "\n".join(refused)
